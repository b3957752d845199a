"""Parse a corpus incrementally and in parallel: each document once per content, results in the parse cache.

:func:`parse_corpus` looks every raw document up in the :class:`~pipeline.cache.ParseCache`; only the misses
(new or changed files, or a new parser version) are parsed, in a process pool when there are several of them.
Each worker parses one document with ``parse.parse_raw_document``, turns its rows into core Arrow tables
(:func:`pipeline.columnar.rows_to_table`) and writes the cache entry; the parent only collects small
summaries (:class:`CachedDocument`). A ``DocumentError`` is recorded (and cached: the same bytes and code
fail the same way) and never stops the other documents; any other exception is a bug and fails the build.

The result does not depend on the number of workers: documents are processed and reported in relpath order
and every entry is a pure function of its key.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import BuildError, FailedDocument, ParseResults
from pipeline.cache import ParseCache, read_entry
from pipeline.raw import RawDocument


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


def default_workers() -> int:
    """``$YUSUAN_WORKERS`` if set, else the number of CPUs this process may use."""
    env = os.environ.get("YUSUAN_WORKERS", "").strip()
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- worker -------------------------------------------------------------------------------------------------

_METAS = None


def _metas():
    global _METAS
    if _METAS is None:
        from pipeline.metadata import load_tables

        _METAS = load_tables()
    return _METAS


def parse_into_cache(raw: RawDocument, cache_root: str, fingerprint: str) -> tuple[str, str | None, str | None]:
    """Parse ``raw`` and write its cache entry. Returns ``(key, document_id, error)``; runs in a worker."""
    from pipeline import columnar, parse

    cache = ParseCache(Path(cache_root), fingerprint)
    key = cache.key(raw)
    try:
        doc = parse.parse_raw_document(raw)
    except parse.DocumentError as exc:
        error = str(exc) or exc.__class__.__name__
        if raw.relpath not in error:
            error = f"{raw.relpath}: {error}"
        cache.put(key, document_id=None, warnings=(), error=error, tables={})
        return key, None, error
    metas = _metas()
    unknown = sorted(set(doc.tables) - set(metas))
    if unknown:
        raise BuildError(f"{raw.relpath}: the parser returned unknown tables {unknown}")
    tables = {name: columnar.rows_to_table(meta, doc.tables.get(name, [])) for name, meta in metas.items()}
    warnings = tuple(w if raw.relpath in w else f"{raw.relpath}: {w}" for w in doc.warnings)
    cache.put(key, document_id=doc.document_id, warnings=warnings, error=None, tables=tables)
    return key, doc.document_id, None


def _parse_star(args) -> tuple[str, str | None, str | None]:
    return parse_into_cache(*args)


# -- driver -------------------------------------------------------------------------------------------------


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: workers start from a clean, single-threaded process (Dagster's run has threads, and forking
    # a threaded process can deadlock); preloading the parser makes each worker cheap to start.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pipeline.incremental", "pipeline.parse", "pipeline.columnar"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


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
    keys = [cache.key(raw) for raw in ordered]
    headers = [read_entry(cache.path(key), key, decode=False) for key in keys]
    misses = [i for i, h in enumerate(headers) if h is None]

    workers = default_workers() if workers is None else max(1, workers)
    jobs = [(ordered[i], str(cache.root), cache.fingerprint) for i in misses]
    if workers > 1 and len(jobs) > 1:
        with _pool(min(workers, len(jobs))) as pool:
            chunk = max(1, len(jobs) // (workers * 16))
            list(pool.map(_parse_star, jobs, chunksize=chunk))
    else:
        for job in jobs:
            _parse_star(job)
    for i in misses:
        headers[i] = read_entry(cache.path(keys[i]), keys[i], decode=False)
        if headers[i] is None:
            raise BuildError(f"{ordered[i].relpath}: the parse cache entry just written cannot be read back")

    parsed, failed, warnings = [], [], []
    missed = set(misses)
    for i, (raw, key, entry) in enumerate(zip(ordered, keys, headers)):
        if entry.error is not None:
            failed.append(FailedDocument(relpath=raw.relpath, sha256=raw.sha256, error=entry.error))
        else:
            doc = CachedDocument(
                document_id=entry.document_id,
                source_file=raw.relpath,
                key=key,
                entry_path=str(cache.path(key)),
                rows=dict(entry.rows),
                warnings=entry.warnings,
                parsed_now=i in missed,
            )
            parsed.append((raw, doc))
            warnings.extend(entry.warnings)
        if on_document is not None:
            on_document(i + 1, len(ordered), raw, entry.error, i in missed)
    return ParseResults(parsed=tuple(parsed), failed=tuple(failed), warnings=tuple(warnings))
