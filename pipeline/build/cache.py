"""Per-document parse cache: what parsing one raw document gave, stored under a content hash.

Key (:func:`entry_key`): the raw file's sha256, its relative path and manifest entry (both are copied into
the ``documents`` row) -- for a disclosure published as several files, those of every file and the parts the
manifest lists that are missing, so a change in any of its files parses it again --, and
:func:`code_fingerprint` -- a hash of every source file of the ``pipeline`` package, the Table Schemas and the
versions of the libraries whose output lands in the rows. Change any of them and every key changes, so a
cache entry can never be stale; it can only be missing. The material hashed is the ``repr`` of a tuple of those
values (the manifest entry as the tuple of its fields in declaration order): ``repr`` of
str/int/date/None/list values is injective and ~10x cheaper than ``json.dumps(asdict())``.

Entry file (one per document, ``<cache_dir>/<fingerprint[:16]>/<key[:2]>/<key>.entry``)::

    MAGIC | 8-byte big-endian header length | header JSON | payload

The header holds the key, the document_id, warnings or the parser's error message, and for each table the
offset, length and row count of an Arrow IPC stream (core schema, see :mod:`pipeline.build.columnar`) inside the
payload, plus the payload's sha256. :func:`read_entry` checks all of it and returns ``None`` for anything
unexpected, so a truncated, corrupt or foreign file is parsed again and overwritten, never trusted. Entries
are written to a temporary file and renamed into place, so a reader never sees half an entry. An entry found
damaged is deleted, so that the hit index below cannot keep pointing at it.

Hit index (:class:`HitIndex`, ``<cache_dir>/<fingerprint[:16]>/index.json``): reading and checking 10,000
entry files costs ~1 s on a rebuild that finds them all, so ``parse_corpus`` keeps, per fingerprint
directory, one JSON file mapping each key of the last corpus to its entry file's identity (size, mtime, ctime,
inode) and to the header facts a build needs (document_id, warnings, error, failure, rows per table, info).
A key found there is a hit without opening its entry, provided one ``os.stat`` finds the entry file with the
recorded identity; otherwise the entry is read and checked as before. Why this is safe: an entry is a pure
function of its key and is only ever replaced whole (rename: new inode) or rewritten (new ctime), so a file
with the recorded identity still holds the recorded facts; the combine step still reads and checks every
entry it publishes. The index is written atomically with the entries of the corpus just parsed, and only
when they differ from what it held; concurrent builds may overwrite each other's index (last writer wins:
every record is true of its key). A missing or corrupt index, or one of another code fingerprint, is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import metadata as importlib_metadata
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.paths import REPO_ROOT, SCHEMAS_DIR
from pipeline.raw.discover import RawDocument
from pipeline.raw.manifest import ManifestEntry

MAGIC = b"YUSUAN-PARSE-CACHE/1\n"
ENTRY_SUFFIX = ".entry"
INDEX_NAME = "index.json"
INDEX_FORMAT = "yusuan-parse-cache-index/1"
# Libraries whose behaviour shapes the cached rows (document ids, Arrow encoding).
FINGERPRINT_LIBRARIES = ("pyarrow", "pypinyin", "pypdfium2")
_HEADER_LEN_BYTES = 8
# Uncompressed: decoding an entry takes ~0.1 ms against ~0.3 ms with lz4 (~1.2 ms with reader threads) for
# 1.5x the bytes; the combine step decodes every entry of the corpus, so decoding speed wins.
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression=None)
_IPC_READ = pa.ipc.IpcReadOptions(use_threads=False)


@lru_cache(maxsize=4)
def code_fingerprint(package_dir: Path = REPO_ROOT / "pipeline", schemas_dir: Path = SCHEMAS_DIR) -> str:
    """sha256 over the pipeline's Python sources, the schemas and :data:`FINGERPRINT_LIBRARIES` versions.

    Deliberately coarse: any code change invalidates the whole cache. A finer key (only the modules the
    parser imports) would save a re-parse after unrelated edits but could miss an indirect dependency.
    """
    digest = hashlib.sha256()
    files = sorted(Path(package_dir).rglob("*.py")) + sorted(Path(schemas_dir).glob("*.json"))
    for path in files:
        rel = path.relative_to(path.parents[1]).as_posix()
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for lib in FINGERPRINT_LIBRARIES:
        digest.update(f"{lib}=={importlib_metadata.version(lib)}\n".encode("ascii"))
    return digest.hexdigest()


_MANIFEST_FIELDS = attrgetter(*(f.name for f in fields(ManifestEntry)))


def entry_key(raw: RawDocument, fingerprint: str) -> str:
    """The cache key of ``raw``: everything ``parse.parse_raw_document`` reads, hashed.

    A fixed-field encoding (``repr`` of a tuple; lone surrogates of undecodable file names are escaped).
    """
    if raw.parts:  # a disclosure of several files: every file, and the parts the manifest lists but lacks
        material = repr((fingerprint, tuple((f.sha256, f.relpath, _MANIFEST_FIELDS(f.manifest)) for f in raw.parts),
                         raw.missing))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()
    manifest = _MANIFEST_FIELDS(raw.manifest) if raw.manifest is not None else None
    material = repr((fingerprint, raw.sha256, raw.relpath, manifest))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """A cache entry read back: the parse outcome of one document."""

    key: str
    document_id: str | None
    warnings: tuple[str, ...]
    error: str | None
    tables: dict[str, pa.Table] = field(repr=False)
    rows: dict[str, int] = field(default_factory=dict)
    # for a failed document: {"error", "reason", "line"} (see build.FailedDocument)
    failure: dict | None = None
    # small facts about a parsed document for reports (e.g. source_encoding)
    info: dict = field(default_factory=dict)


class ParseCache:
    """The cache directory for one code fingerprint."""

    def __init__(self, cache_dir: Path, fingerprint: str | None = None):
        self.root = Path(cache_dir)
        self.fingerprint = fingerprint or code_fingerprint()
        self.dir = self.root / self.fingerprint[:16]
        self._prefix = os.path.join(self.dir, "")

    def path(self, key: str) -> Path:
        return Path(self.path_str(key))

    def path_str(self, key: str) -> str:
        """``str(self.path(key))``, without pathlib's cost (a look-up per document of the corpus)."""
        return f"{self._prefix}{key[:2]}{os.sep}{key}{ENTRY_SUFFIX}"

    def key(self, raw: RawDocument) -> str:
        return entry_key(raw, self.fingerprint)

    def get(self, key: str) -> Entry | None:
        return read_entry(self.path(key), key)

    def index(self) -> HitIndex:
        """The hit index of this fingerprint directory, loaded (empty if missing, corrupt or foreign)."""
        return HitIndex(self)

    def put(self, key: str, *, document_id: str | None, warnings, error: str | None, tables: dict[str, pa.Table],
            failure: dict | None = None, info: dict | None = None) -> Path:
        path = self.path(key)
        write_entry(path, key=key, document_id=document_id, warnings=warnings, error=error, tables=tables,
                    failure=failure, info=info)
        return path

    def prune_other_versions(self) -> list[Path]:
        """Delete the entries of other code fingerprints (they can never be hit again); return what went."""
        removed = []
        if not self.root.is_dir():
            return removed
        for child in sorted(self.root.iterdir()):
            if child.is_dir() and child != self.dir and len(child.name) == 16 and _is_hex(child.name):
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child)
        return removed


class HitIndex:
    """Cache look-ups that answer hits from the index file instead of the entry files (module docstring).

    :meth:`lookup` each key of the corpus, :meth:`record` the entries parsed meanwhile, then :meth:`save`.
    The file holds ``{"format", "fingerprint", "tables", "entries": {key: record}}``, each record a list
    ``["<st_size>:<st_mtime_ns>:<st_ctime_ns>:<st_ino>", document_id, warnings, error, failure, rows, info]``
    with ``rows`` the row counts in ``tables`` order (or a dict when an entry has other tables): positional
    records, few objects and no repeated table names halve the time to load the index.
    """

    def __init__(self, cache: ParseCache):
        self.cache = cache
        self.path = cache.dir / INDEX_NAME
        self.tables, self.known = self._load()
        # key -> (file identity if the index vouched for it, else None; entry header)
        self.current: dict[str, tuple[str | None, Entry]] = {}
        self.changed = False

    def _load(self) -> tuple[list[str], dict[str, list]]:
        try:
            data = json.loads(self.path.read_bytes())
            if data.get("format") != INDEX_FORMAT or data.get("fingerprint") != self.cache.fingerprint:
                return [], {}
            tables, entries = data["tables"], data["entries"]
            if isinstance(tables, list) and isinstance(entries, dict):
                return tables, entries
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            pass
        return [], {}

    def lookup(self, key: str) -> Entry | None:
        """The entry header of ``key`` (``tables`` empty), or None for a miss."""
        path = self.cache.path_str(key)
        record = self.known.get(key)
        entry = _from_record(key, record, path, self.tables) if record is not None else None
        if entry is not None:
            self.current[key] = (record[0], entry)
            return entry
        entry = read_entry(Path(path), key, decode=False)
        if entry is not None:
            self.record(key, entry)
        return entry

    def record(self, key: str, entry: Entry) -> None:
        """Remember ``entry`` (just read and checked) for the index."""
        self.current[key] = (None, entry)
        self.changed = True

    def save(self) -> None:
        """Write the records of this run's keys, unless they are exactly what the index held."""
        if not self.changed and len(self.current) == len(self.known):
            return
        tables = sorted({name for _, entry in self.current.values() for name in entry.rows})
        records = {}
        for key, (identity, entry) in self.current.items():
            if identity is None:  # read or written in this run: the file as it is now
                try:
                    identity = _file_identity(os.stat(self.cache.path_str(key)))
                except OSError:
                    continue
            rows = entry.rows
            if len(rows) == len(tables) and set(rows) == set(tables):
                rows = [rows[name] for name in tables]
            records[key] = [identity, entry.document_id, list(entry.warnings), entry.error, entry.failure, rows,
                            entry.info]
        text = json.dumps({"format": INDEX_FORMAT, "fingerprint": self.cache.fingerprint, "tables": tables,
                           "entries": records}, ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-index-", dir=self.path.parent)
        except OSError:  # a read-only cache still serves hits; it only costs reading the entries next time
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def _file_identity(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _from_record(key: str, record, path: str, tables: list[str]) -> Entry | None:
    """The entry ``record`` describes if its file is still the one recorded, else None."""
    try:
        identity, document_id, warnings, error, failure, rows, info = record
        if _file_identity(os.stat(path)) != identity:
            return None
        if isinstance(rows, list):
            if len(rows) != len(tables):
                return None
            rows = dict(zip(tables, rows))
        if not (isinstance(warnings, list) and isinstance(rows, dict) and isinstance(info, dict)):
            return None
        return Entry(key=key, document_id=document_id, warnings=tuple(warnings), error=error, tables={},
                     rows=rows, failure=failure, info=info)
    except (OSError, ValueError, TypeError):
        return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=_IPC_OPTIONS) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def write_entry(
    path: Path, *, key: str, document_id: str | None, warnings, error: str | None, tables: dict[str, pa.Table],
    failure: dict | None = None,
    info: dict | None = None,
) -> None:
    parts, layout, offset = [], {}, 0
    for name in sorted(tables):
        blob = _ipc_bytes(tables[name])
        layout[name] = [offset, len(blob), tables[name].num_rows]
        parts.append(blob)
        offset += len(blob)
    payload = b"".join(parts)
    header: dict[str, Any] = {
        "key": key,
        "document_id": document_id,
        "warnings": list(warnings),
        "error": error,
        "failure": failure,
        "info": info or {},
        "tables": layout,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(_HEADER_LEN_BYTES, "big") + head + payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_entry(path: Path, key: str, *, decode: bool = True) -> Entry | None:
    """The entry at ``path`` if it is complete, uncorrupted and for ``key``; otherwise ``None``.

    The payload's sha256 is always checked; ``decode=False`` skips decoding the Arrow streams (``tables`` is
    then empty, ``rows`` still given), for a cheap look-up.
    """
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    entry = _parse_entry(data, key, decode)
    if entry is None:
        Path(path).unlink(missing_ok=True)  # damaged or foreign: parsed again and rewritten, never indexed
    return entry


def _parse_entry(data: bytes, key: str, decode: bool) -> Entry | None:
    try:
        if not data.startswith(MAGIC):
            return None
        start = len(MAGIC) + _HEADER_LEN_BYTES
        size = int.from_bytes(data[len(MAGIC) : start], "big")
        header = json.loads(data[start : start + size].decode("utf-8"))
        payload = memoryview(data)[start + size :]
        if header.get("key") != key or hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
            return None
        tables, rows = {}, {}
        for name, (offset, length, count) in header["tables"].items():
            rows[name] = count
            if not decode:
                continue
            table = pa.ipc.open_stream(pa.py_buffer(payload[offset : offset + length]), options=_IPC_READ).read_all()
            if table.num_rows != count:
                return None
            tables[name] = table
        return Entry(
            key=key,
            document_id=header["document_id"],
            warnings=tuple(header["warnings"]),
            error=header["error"],
            tables=tables,
            rows=rows,
            failure=header.get("failure") or ({"error": header["error"]} if header["error"] else None),
            info=header.get("info") or {},
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, pa.ArrowException):
        return None
