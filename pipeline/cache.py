"""Per-document parse cache: what parsing one raw document gave, stored under a content hash.

Key (:func:`entry_key`): the raw file's sha256, its relative path and manifest entry (both are copied into
the ``documents`` row), and :func:`code_fingerprint` -- a hash of every source file of the ``pipeline``
package, the Table Schemas and the versions of the libraries whose output lands in the rows. Change any of
them and every key changes, so a cache entry can never be stale; it can only be missing.

Entry file (one per document, ``<cache_dir>/<fingerprint[:16]>/<key[:2]>/<key>.entry``)::

    MAGIC | 8-byte big-endian header length | header JSON | payload

The header holds the key, the document_id, warnings or the parser's error message, and for each table the
offset, length and row count of an Arrow IPC stream (core schema, see :mod:`pipeline.columnar`) inside the
payload, plus the payload's sha256. :func:`read_entry` checks all of it and returns ``None`` for anything
unexpected, so a truncated, corrupt or foreign file is parsed again and overwritten, never trusted. Entries
are written to a temporary file and renamed into place, so a reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.paths import REPO_ROOT, SCHEMAS_DIR
from pipeline.raw import RawDocument

MAGIC = b"YUSUAN-PARSE-CACHE/1\n"
ENTRY_SUFFIX = ".entry"
# Libraries whose behaviour shapes the cached rows (document ids, Arrow encoding).
FINGERPRINT_LIBRARIES = ("pyarrow", "pypinyin")
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


def entry_key(raw: RawDocument, fingerprint: str) -> str:
    """The cache key of ``raw``: everything ``parse.parse_raw_document`` reads, hashed."""
    manifest = asdict(raw.manifest) if raw.manifest is not None else None
    material = json.dumps([fingerprint, raw.sha256, raw.relpath, manifest], sort_keys=True, default=str)
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

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def key(self, raw: RawDocument) -> str:
        return entry_key(raw, self.fingerprint)

    def get(self, key: str) -> Entry | None:
        return read_entry(self.path(key), key)

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
