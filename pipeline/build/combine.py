"""Combine the cached per-document tables into Arrow IPC files, one per table and part (the ``core_<table>`` assets).

The parsed documents, in ``document_id`` order (the order of the published tables; rows of one document keep
the parser's order), are cut into parts (:mod:`pipeline.build.parts`). For each part, one pass over its documents
reads each cache entry once and appends its tables to one IPC file per table, coalesced into record batches of
at most :data:`BATCH_ROWS` rows or :data:`MAX_PENDING_DOCS` documents. Memory stays at a few hundred entries
plus one batch per table, however large the corpus.

A part's files go to ``<work_root>/<part key>/``, where the key hashes the table names and the part's ordered
cache keys (which include the code fingerprint). A rebuild finds every unchanged part complete and reuses it:
after one document was added only its part is combined again. The package writer keeps the part's rendered
CSV and Parquet files in the same directory (:mod:`pipeline.package.writer`). Directories no part of this build uses
are pruned, keeping the most recently used ones (as many as this build's parts) so a concurrent run still
reading its files is not pulled from under it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline.build import parts as parts_mod
from pipeline.build.cache import read_entry
from pipeline.build.columnar import core_schema
from pipeline.build.results import BuildError
from pipeline.metadata.schemas import TableMeta, load_tables
from pipeline.raw.discover import RawDocument

BATCH_ROWS = 1 << 16
# A cached table is a zero-copy view of its whole entry file: pending tables keep their entries alive, so a
# table with one row per document (documents) must be flushed by documents too, or memory grows with the
# corpus.
MAX_PENDING_DOCS = 256
COMPLETE_NAME = "complete"


@dataclass(frozen=True)
class CorePart:
    """One part of one table as an Arrow IPC file in the core schema (see :mod:`pipeline.build.columnar`)."""

    path: str  # <work_root>/<part key>/<table>.arrow
    rows: int
    first: str  # document_id range of the part's documents
    last: str

    @property
    def dir(self) -> Path:
        return Path(self.path).parent

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The record batches, read one at a time (not memory-mapped: every page of a mapped file that is
        touched stays in the process's resident memory while the map is open)."""
        with pa.OSFile(self.path) as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)

    def read(self) -> pa.Table:
        with pa.memory_map(self.path) as source:
            return pa.ipc.open_file(source).read_all()


@dataclass(frozen=True)
class CoreTable:
    """One table of the corpus: its parts, in order (every table has the same parts)."""

    name: str
    parts: tuple[CorePart, ...]

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)

    def batches(self) -> Iterator[pa.RecordBatch]:
        for part in self.parts:
            yield from part.batches()

    def read(self) -> pa.Table:
        tables = [part.read() for part in self.parts]
        return pa.concat_tables(tables) if tables else core_schema(load_tables()[self.name]).empty_table()


def ordered_documents(parsed: Sequence[tuple[RawDocument, object]]) -> list[tuple[RawDocument, object]]:
    """The parsed documents in publication order; two raw files with one ``document_id`` are an error."""
    seen: dict[str, str] = {}
    for raw, doc in sorted(parsed, key=lambda pair: pair[0].relpath):
        if doc.document_id in seen:
            raise BuildError(
                f"document_id {doc.document_id!r} is produced by two raw files: {seen[doc.document_id]} and "
                f"{raw.relpath}; each disclosure must appear once in raw/ (remove or rename one of them)"
            )
        seen[doc.document_id] = raw.relpath
    return sorted(parsed, key=lambda pair: pair[1].document_id)


class _TableWriter:
    def __init__(self, meta: TableMeta, path: Path):
        self.meta, self.path = meta, path
        self.schema = core_schema(meta)
        self.writer = pa.ipc.new_file(str(path), self.schema)
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0

    def add(self, table: pa.Table, where: str) -> None:
        if not table.schema.equals(self.schema):
            raise BuildError(f"{where}: table {self.meta.name!r} in the parse cache has schema {table.schema}, "
                             f"expected {self.schema}")
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
            if self.pending_rows >= BATCH_ROWS or len(self.pending) >= MAX_PENDING_DOCS:
                self.flush()

    def flush(self) -> None:
        if self.pending:
            table = pa.concat_tables(self.pending).combine_chunks()
            for batch in table.to_batches():
                self.writer.write_batch(batch)
            self.rows += table.num_rows
        self.pending, self.pending_rows = [], 0

    def close(self) -> int:
        self.flush()
        self.writer.close()
        return self.rows


def combine_documents(
    parsed: Sequence[tuple[RawDocument, object]], work_root: Path, metas: dict[str, TableMeta] | None = None
) -> dict[str, CoreTable]:
    """Write (or reuse) one IPC file per table and part from the documents' cache entries; return the tables.

    ``parsed`` holds ``(raw, CachedDocument)`` pairs (``document_id``, ``key``, ``entry_path``).
    """
    metas = load_tables() if metas is None else metas
    docs = ordered_documents(parsed)
    work_root = Path(work_root)
    parts: dict[str, list[CorePart]] = {name: [] for name in metas}
    used: set[Path] = set()
    for part_docs in parts_mod.split(docs, lambda pair: pair[1].document_id):
        target = _combine_part(part_docs, work_root, metas)
        used.add(target)
        counts = _read_counts(target)
        first, last = part_docs[0][1].document_id, part_docs[-1][1].document_id
        for name in metas:
            parts[name].append(CorePart(path=str(target / f"{name}.arrow"), rows=counts[name], first=first,
                                        last=last))
    if work_root.is_dir():
        _prune(work_root, keep=used)
    return {name: CoreTable(name=name, parts=tuple(parts[name])) for name in metas}


def part_key(part_docs: Sequence[tuple[RawDocument, object]], metas: dict[str, TableMeta]) -> str:
    digest = hashlib.sha256()
    for name in metas:
        digest.update(name.encode("utf-8") + b"\0")
    for _, doc in part_docs:
        digest.update(doc.key.encode("ascii") + b"\n")
    return digest.hexdigest()[:32]


def _combine_part(part_docs, work_root: Path, metas: dict[str, TableMeta]) -> Path:
    target = work_root / part_key(part_docs, metas)
    if (target / COMPLETE_NAME).is_file():
        os.utime(target)  # most recently used: kept by the pruning
        return target
    work_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=work_root))
    try:
        writers = {name: _TableWriter(meta, tmp / f"{name}.arrow") for name, meta in metas.items()}
        for raw, doc in part_docs:
            entry = read_entry(Path(doc.entry_path), doc.key)
            if entry is None or entry.error is not None:
                raise BuildError(f"{raw.relpath}: its parse cache entry {doc.entry_path} vanished or is corrupt "
                                 "since it was parsed in this run; run the build again")
            for name, writer in writers.items():
                table = entry.tables.get(name)
                if table is not None:
                    writer.add(table, raw.relpath)
        counts = {name: writer.close() for name, writer in writers.items()}
        (tmp / COMPLETE_NAME).write_text("".join(f"{n}\t{c}\n" for n, c in counts.items()), encoding="utf-8")
        try:
            os.rename(tmp, target)
        except OSError:  # another run finished the same directory first: same content
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _read_counts(target: Path) -> dict[str, int]:
    lines = (target / COMPLETE_NAME).read_text(encoding="utf-8").splitlines()
    return {name: int(count) for name, count in (line.split("\t") for line in lines)}


def _prune(work_root: Path, keep: set[Path]) -> None:
    """Remove part directories this build does not use, except the ``len(keep)`` most recently used."""
    dirs = [p for p in work_root.iterdir() if p.is_dir() and not p.name.startswith(".") and p not in keep]
    dirs.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in dirs[len(keep):]:
        shutil.rmtree(old, ignore_errors=True)
