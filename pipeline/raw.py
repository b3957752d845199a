"""Raw snapshots: the files in ``raw/`` and the manifest that describes them.

``raw/manifest.json`` lists each raw file with its sha256 and origin metadata (department, year, kind, where
it was published, when it was retrieved, the publisher's terms). A file the manifest does not list is still
processed, with a warning; a listed file whose bytes no longer match the recorded sha256 is processed too,
with a warning, because the bytes on disk are what the package is built from and their hash is published.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MANIFEST_NAME = "manifest.json"
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


def discover(raw_dir: Path) -> list[RawDocument]:
    """All raw documents under ``raw_dir``, sorted by relative path, with manifest metadata attached."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    manifest = load_manifest(raw_dir)
    docs = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        relpath = path.relative_to(raw_dir).as_posix()
        if path.name in IGNORED_NAMES or any(part.startswith(".") for part in Path(relpath).parts):
            continue
        digest = sha256_file(path)
        entry = manifest.get(relpath)
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
