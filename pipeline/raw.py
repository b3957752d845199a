"""Raw snapshots: the files in ``raw/`` and the manifest that describes them.

``raw/manifest.json`` lists each raw file with its sha256 and origin metadata (department, year, kind, where
it was published, when it was retrieved, the publisher's terms). A file the manifest does not list is still
processed, with a warning; a listed file whose bytes no longer match the recorded sha256 is processed too,
with a warning, because the bytes on disk are what the package is built from and their hash is published.

Raw files are untrusted. File names are only ever used as data (``relpath``), never to build an output path.
:func:`discover` refuses, without reading them, a file larger than the size limit (:func:`max_raw_bytes`)
and a symbolic link that leads out of the raw directory; the refusal travels with the
:class:`RawDocument` and the document is quarantined with that message.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MANIFEST_NAME = "manifest.json"
# Tika text of a budget disclosure is well under 1 MB; 20 MiB leaves room and still protects memory.
DEFAULT_MAX_RAW_BYTES = 20 * 1024 * 1024
MAX_RAW_BYTES_ENV = "YUSUAN_MAX_RAW_BYTES"
# Files in raw/ that are not disclosures.
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep"}


class ManifestError(ValueError):
    """The raw manifest cannot be read or contradicts itself."""


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    sha256: str | None = None
    format: str | None = None
    department_zh: str | None = None
    province_zh: str | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    source_url: str | None = None
    retrieved_date: date | None = None
    origin: str | None = None
    terms: str | None = None


@dataclass(frozen=True)
class RawDocument:
    """One raw file, identified by its path relative to the raw directory and its content hash."""

    path: Path
    relpath: str
    sha256: str
    manifest: ManifestEntry | None
    warnings: tuple[str, ...] = field(default=())
    # Why discover() refused to read this file (too large, link out of raw/); None for a readable file.
    refusal: str | None = None


def max_raw_bytes(environ=None) -> int:
    """The raw file size limit in bytes: ``$YUSUAN_MAX_RAW_BYTES`` or :data:`DEFAULT_MAX_RAW_BYTES`."""
    value = (os.environ if environ is None else environ).get(MAX_RAW_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_RAW_BYTES
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 1:
        raise ValueError(f"{MAX_RAW_BYTES_ENV}={value!r}: expected a positive number of bytes")
    return limit


def too_large_message(limit: int, size: int | None = None) -> str:
    size_text = f"{size} bytes" if size is not None else "larger"
    return (f"file is {size_text}, over the raw size limit of {limit} bytes; not read. Tika text of a disclosure "
            f"is far smaller: check the file, or raise the limit with --max-raw-bytes / ${MAX_RAW_BYTES_ENV}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(raw_dir: Path) -> dict[str, ManifestEntry]:
    """Read ``raw_dir/manifest.json``; an absent manifest is an empty one."""
    path = raw_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the raw manifest: {exc}") from exc
    entries: dict[str, ManifestEntry] = {}
    known = set(ManifestEntry.__dataclass_fields__)
    for i, item in enumerate(data.get("documents", [])):
        if not isinstance(item, dict) or not item.get("file"):
            raise ManifestError(f"{path}: documents[{i}] has no 'file'")
        unknown = set(item) - known
        if unknown:
            raise ManifestError(f"{path}: documents[{i}] has unknown keys {sorted(unknown)}")
        values = dict(item)
        if values.get("retrieved_date"):
            try:
                values["retrieved_date"] = date.fromisoformat(values["retrieved_date"])
            except ValueError as exc:
                raise ManifestError(f"{path}: documents[{i}].retrieved_date: {exc}") from exc
        if values["file"] in entries:
            raise ManifestError(f"{path}: {values['file']} is listed twice")
        entries[values["file"]] = ManifestEntry(**values)
    return entries


def _refusal(path: Path, root: Path, limit: int) -> str | None:
    """Why ``path`` must not be read, or None. Links are judged by where they lead."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"symbolic link to {target}, outside the raw directory: refused (copy the file into raw/)"
        if not target.is_file():
            return f"symbolic link to {target}, which is not a regular file: refused"
    size = path.stat().st_size
    if size > limit:
        return too_large_message(limit, size)
    return None


def discover(raw_dir: Path, max_bytes: int | None = None) -> list[RawDocument]:
    """All raw documents under ``raw_dir``, sorted by relative path, with manifest metadata attached.

    Files named in :data:`IGNORED_NAMES` and hidden files (a path part starting with ``.``) are not
    documents. A file over ``max_bytes`` (default :func:`max_raw_bytes`) or a link out of ``raw_dir`` is
    returned with ``refusal`` set and ``sha256`` empty: it is never read.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    limit = max_raw_bytes() if max_bytes is None else max_bytes
    root = raw_dir.resolve()
    manifest = load_manifest(raw_dir)
    docs = []
    # rglob does not descend into symlinked directories; a symlinked file is listed and judged by _refusal.
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file() or (p.is_symlink() and not p.is_dir())):
        relpath = path.relative_to(raw_dir).as_posix()
        if path.name in IGNORED_NAMES or any(part.startswith(".") for part in Path(relpath).parts):
            continue
        entry = manifest.get(relpath)
        refusal = _refusal(path, root, limit)
        if refusal:
            docs.append(RawDocument(path=path, relpath=relpath, sha256="", manifest=entry, refusal=refusal))
            continue
        digest = sha256_file(path)
        warnings = []
        if entry is None:
            warnings.append(f"{relpath}: not listed in {MANIFEST_NAME}; processed without origin metadata")
        elif entry.sha256 and entry.sha256 != digest:
            warnings.append(
                f"{relpath}: sha256 {digest} differs from {entry.sha256} recorded in {MANIFEST_NAME}; "
                "the file changed since it was recorded"
            )
        docs.append(RawDocument(path=path, relpath=relpath, sha256=digest, manifest=entry, warnings=tuple(warnings)))
    return docs


def missing_from_disk(raw_dir: Path) -> list[str]:
    """Files the manifest lists that are not in ``raw_dir``."""
    manifest = load_manifest(Path(raw_dir))
    return sorted(f for f in manifest if not (Path(raw_dir) / f).is_file())
