"""``raw/manifest.json``: each raw file with its sha256 and origin metadata.

The manifest lists each raw file with its sha256 and where it came from (department, year, kind, where it
was published, when it was retrieved, the publisher's terms). A file the manifest does not list is still
processed, with a warning; a listed file whose bytes no longer match the recorded sha256 is processed too,
with a warning, because the bytes on disk are what the package is built from and their hash is published.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.raw.hashing import MEMO_RACY_NS, file_identity

MANIFEST_NAME = "manifest.json"


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
    # Free text about the file that fits no other key, e.g. why ``source_url`` is null.
    note: str | None = None


# The last manifest read, by file identity: a long-lived process (a Dagster code server) reads it every build.
_MANIFEST_MEMO: dict[tuple, dict[str, ManifestEntry]] = {}


def load_manifest(raw_dir: Path) -> dict[str, ManifestEntry]:
    """Read ``raw_dir/manifest.json``; an absent manifest is an empty one.

    The entries of an unchanged manifest file (same identity, as in the hash memo) are reused within the
    process; each call returns its own dict.
    """
    path = Path(raw_dir) / MANIFEST_NAME
    started = time.time_ns()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {}
    except OSError:
        st = None
    identity = (str(path.resolve()), file_identity(st)) if st is not None else None
    if identity in _MANIFEST_MEMO:
        return dict(_MANIFEST_MEMO[identity])
    entries = _read_manifest(path)
    _MANIFEST_MEMO.clear()
    if identity is not None and st.st_ctime_ns < started - MEMO_RACY_NS:
        _MANIFEST_MEMO[identity] = entries
    return dict(entries)


def _read_manifest(path: Path) -> dict[str, ManifestEntry]:
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
        if not known.issuperset(item):
            unknown = set(item) - known
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
