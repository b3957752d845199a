"""Parse a corpus incrementally and in parallel: each document once per content, results in the parse cache.

:func:`parse_corpus` looks every raw document up in the :class:`~pipeline.build.cache.ParseCache`; only the misses
(new or changed files, or a new parser version) are parsed, in a process pool when there are several of them.
Each worker parses one document with ``parse.parse_raw_document``, turns its rows into core Arrow tables
(:func:`pipeline.build.columnar.rows_to_table`) and writes the cache entry; the parent only collects small
summaries (:class:`CachedDocument`). A ``DocumentError`` is recorded (and cached: the same bytes and code
fail the same way) and never stops the other documents; any other exception in the parser is a bug: the
document is quarantined all the same (not cached). Files yielding one ``document_id`` are then resolved by
``build.quarantine_duplicates``.

The result does not depend on the number of workers: documents are processed and reported in relpath order
and every entry is a pure function of its key.

Look-ups go through the cache's hit index (:class:`~pipeline.build.cache.HitIndex`): a document found there costs
one ``os.stat`` of its entry file instead of reading and checking the entry, so a rebuild that adds one
document to 10,000 reads one raw file and one entry. The index is rewritten at the end with this corpus's
entries (only if they differ from what it held); an index entry whose file is gone or was replaced falls
back to reading the entry, and a corrupt index is ignored, so the index can make a build slower, never
different.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build.cache import ParseCache, read_entry
from pipeline.build.results import (
    BuildError,
    FailedDocument,
    ParseResults,
    quarantine_duplicates,
)
from pipeline.raw.discover import RawDocument, gc_paused, max_raw_bytes


@dataclass(frozen=True)
class CachedDocument:
    """A parsed document whose tables are in the cache entry at ``entry_path`` (core Arrow tables)."""

    document_id: str
    source_file: str
    key: str
    entry_path: str
    rows: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # True when this run parsed the document, False when the cache already had it.
    parsed_now: bool = False
    # the encoding the raw bytes were decoded from (documents.source_encoding), for the build report
    source_encoding: str | None = None


WORKERS_ENV = "YUSUAN_WORKERS"


def default_workers() -> int:
    """``$YUSUAN_WORKERS`` if set, else the number of CPUs this process may use; ``ValueError`` for a value that is
    not a whole number of at least 1."""
    env = os.environ.get(WORKERS_ENV, "").strip()
    if env:
        try:
            workers = int(env)
        except ValueError:
            workers = 0
        if workers < 1:
            raise ValueError(f"{WORKERS_ENV}={env!r}: expected a whole number of processes, 1 or more")
        return workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- worker -------------------------------------------------------------------------------------------------

_METAS = None


def _metas():
    global _METAS
    if _METAS is None:
        from pipeline.metadata.schemas import load_tables

        _METAS = load_tables()
    return _METAS


def parse_into_cache(raw: RawDocument, cache_root: str, fingerprint: str, max_bytes: int | None = None) -> dict | None:
    """Parse ``raw`` and write its cache entry; runs in a worker.

    Returns None when the entry was written, or the failure (``error``, ``reason``, ``line``) of a parser
    bug: an exception other than ``DocumentError`` quarantines the document like a bad file, but is not
    cached, so the next build tries again. So is a ``DocumentError`` marked ``transient`` (it depends on this
    machine, not the file: a .doc while LibreOffice is missing). ``max_bytes`` is the build's raw size
    limit, passed along because a warm worker keeps the environment it was started with.
    """
    from pipeline.build import columnar
    from pipeline.tables import parse

    cache = ParseCache(Path(cache_root), fingerprint)
    key = cache.key(raw)
    try:
        doc = parse.parse_raw_document(raw, max_bytes)
        metas = _metas()
        unknown = sorted(set(doc.tables) - set(metas))
        if unknown:
            raise BuildError(f"the parser returned unknown tables {unknown}")
        tables = {name: columnar.rows_to_table(meta, doc.tables.get(name, [])) for name, meta in metas.items()}
    except parse.DocumentError as exc:
        error = str(exc) or exc.__class__.__name__
        if raw.relpath not in error:
            error = f"{raw.relpath}: {error}"
        failure = {"error": error, "reason": exc.detail, "line": exc.line,
                   "where": exc.where if exc.line is None else None}
        if getattr(exc, "transient", False):
            return failure
        cache.put(key, document_id=None, warnings=(), error=error, tables={}, failure=failure)
        return None
    except Exception as exc:  # noqa: BLE001 - a parser bug must not take the other documents down
        reason = (f"internal error {type(exc).__name__}: {exc} (a bug in yusuan, not necessarily in the file; "
                  "please report it with the file)")
        return {"error": f"{raw.relpath}: {reason}", "reason": reason, "line": None}
    warnings = tuple(w if raw.relpath in w else f"{raw.relpath}: {w}" for w in doc.warnings)
    documents = doc.tables.get("documents") or [{}]
    cache.put(key, document_id=doc.document_id, warnings=warnings, error=None, tables=tables,
              info={"source_encoding": documents[0].get("source_encoding")})
    return None


def _parse_star(args) -> dict | None:
    return parse_into_cache(*args)


# -- driver -------------------------------------------------------------------------------------------------


# pandas: pyarrow imports it on its first conversion of Python objects (~0.25 s), in every worker otherwise.
_PRELOAD = ["pipeline.build.incremental", "pipeline.tables.parse", "pipeline.build.columnar", "pandas"]
_warm = False


def _context():
    # forkserver: workers start from a clean, single-threaded process (Dagster's run has threads, and forking
    # a threaded process can deadlock); preloading the parser makes each worker cheap to start.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the forkserver now: it imports the parser (~0.5 s) on another core while this process starts up.

    ``yusuan build`` calls this before importing Dagster. Then even a rebuild with a single new document
    parses it in a worker forked from the warm server, and this process never imports the parser.
    """
    global _warm
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()
    _warm = True


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context())


def _while_workers_parse() -> None:
    """Work the build does anyway, done while this process would otherwise only wait for the workers."""
    # pyarrow imports pandas on its first conversion of Python objects (~0.25 s), which the checks of every
    # build make; here the import overlaps the parse of the new documents.
    import pandas  # noqa: F401


def parse_corpus(
    raws: Sequence[RawDocument],
    cache: ParseCache,
    *,
    workers: int | None = None,
    on_document: Callable[[int, int, RawDocument, str | None, bool], None] | None = None,
) -> ParseResults:
    """Parse ``raws`` through ``cache``: cached documents are reused, the others parsed (in parallel).

    ``on_document(index, total, raw, error_or_None, parsed_now)`` is called in relpath order (progress).
    """
    ordered = sorted(raws, key=lambda r: r.relpath)
    with gc_paused():  # the look-ups and the results are a corpus's worth of objects, not garbage
        keys = [cache.key(raw) for raw in ordered]
        index = cache.index()
        headers = [index.lookup(key) for key in keys]
    misses = [i for i, h in enumerate(headers) if h is None]

    workers = default_workers() if workers is None else max(1, workers)
    limit = max_raw_bytes()
    jobs = [(ordered[i], str(cache.root), cache.fingerprint, limit) for i in misses]
    # One job is parsed here unless the forkserver is already warm (then a worker costs milliseconds).
    if workers > 1 and (len(jobs) > 1 or (jobs and _warm)):
        with _pool(min(workers, len(jobs))) as pool:
            chunk = max(1, len(jobs) // (workers * 16))
            results = pool.map(_parse_star, jobs, chunksize=chunk)  # submitted at once
            _while_workers_parse()
            bugs = list(results)
    else:
        bugs = [_parse_star(job) for job in jobs]
    uncached = {i: bug for i, bug in zip(misses, bugs) if bug is not None}
    with gc_paused():
        return _collect(ordered, keys, headers, misses, uncached, cache, index, on_document)


def _collect(ordered, keys, headers, misses, uncached, cache, index, on_document) -> ParseResults:
    """Read back the entries just written, save the hit index and assemble the results in relpath order."""
    for i in misses:
        if i in uncached:
            continue
        headers[i] = read_entry(cache.path(keys[i]), keys[i], decode=False)
        if headers[i] is None:
            raise BuildError(f"{ordered[i].relpath}: the parse cache entry just written cannot be read back")
        index.record(keys[i], headers[i])
    index.save()

    parsed, failed = [], []
    missed = set(misses)
    for i, (raw, key, entry) in enumerate(zip(ordered, keys, headers)):
        failure = uncached.get(i) or (entry.failure if entry.error is not None else None)
        if failure is not None:
            failed.append(FailedDocument(relpath=raw.relpath, sha256=raw.sha256, error=failure["error"],
                                         line=failure.get("line"), reason=failure.get("reason"),
                                         where=failure.get("where")))
        else:
            parsed.append((raw, CachedDocument(
                document_id=entry.document_id,
                source_file=raw.relpath,
                key=key,
                entry_path=cache.path_str(key),
                rows=dict(entry.rows),
                warnings=entry.warnings,
                parsed_now=i in missed,
                source_encoding=entry.info.get("source_encoding"),
            )))
        if on_document is not None:
            on_document(i + 1, len(ordered), raw, failure["error"] if failure else None, i in missed)
    parsed, duplicates = quarantine_duplicates(parsed)
    failed = sorted(failed + duplicates, key=lambda f: f.relpath)
    warnings = [w for _, doc in parsed for w in doc.warnings]
    return ParseResults(parsed=tuple(parsed), failed=tuple(failed), warnings=tuple(warnings))
