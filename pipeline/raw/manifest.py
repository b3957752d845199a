"""``raw/manifest.json``: each raw file with its sha256 and origin metadata.

The manifest lists each raw file with its sha256 and where it came from (department, year, kind, where it
was published, when it was retrieved, the publisher's terms). A file the manifest does not list is still
processed, with a warning; a listed file whose bytes no longer match the recorded sha256 is processed too,
with a warning, because the bytes on disk are what the package is built from and their hash is published.

A disclosure published as several files (an explanation document and a tables document) is one document: the
entries of its files share a ``disclosure`` key and each names its ``part`` (:data:`PARTS`). Their
department, province, year and kind, where given, must agree. A part the manifest lists whose file is not in
``raw/`` leaves the disclosure incomplete, never split: it is built from the parts that are there, with a
completeness record of the part missing.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.raw.hashing import MEMO_RACY_NS, file_identity
from pipeline.raw.names import name_problem

MANIFEST_NAME = "manifest.json"
# The parts a disclosure may be published in, in document order: the explanation (概况, 说明, 名词解释) and the
# tables (公开表). A template reads the parts it knows; the order is the order of the document's blocks.
PARTS = ("explanation", "tables")
DISCLOSURE_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # fullmatch: "$" would let a final newline in


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
    # A disclosure published as several files: the key its files share, and this file's part (PARTS).
    disclosure: str | None = None
    part: str | None = None


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


_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TEXT_FIELDS = ("format", "department_zh", "province_zh", "kind", "source_url", "origin", "terms", "note")


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """Every entry of the manifest, each value checked for its type: a wrong one is a :class:`ManifestError`
    naming the entry (its index and file) and the key."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"{path}: cannot read the raw manifest: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: expected an object {{\"description\": …, \"documents\": [entry, …]}}, "
                            f"found {_kind(data)}")
    documents = data.get("documents", [])
    if not isinstance(documents, list):
        raise ManifestError(f"{path}: 'documents' must be a list of entries, found {_kind(documents)}")
    entries: dict[str, ManifestEntry] = {}
    known = set(ManifestEntry.__dataclass_fields__)
    for i, item in enumerate(documents):
        if not isinstance(item, dict):
            raise ManifestError(f"{path}: documents[{i}] must be an object with a 'file', found {_kind(item)}")
        values = _entry_values(item, f"{path}: documents[{i}]", known)
        if values["file"] in entries:
            raise ManifestError(f"{path}: {values['file']} is listed twice")
        _check_part(path, i, values)
        entries[values["file"]] = ManifestEntry(**values)
    _check_disclosures(path, entries)
    return entries


def _entry_values(item: dict, where: str, known: set[str]) -> dict:
    file = item.get("file")
    if not isinstance(file, str) or not file:
        raise ManifestError(f"{where}: 'file' must be the file's path relative to raw/, found {file!r}")
    where = f"{where} ({file!r})"
    unknown = set(item) - known
    if unknown:
        raise ManifestError(f"{where}: unknown keys {sorted(unknown)}")
    segments = file.split("/")
    if file.startswith("/") or any(seg in ("", ".", "..") for seg in segments):
        raise ManifestError(f"{where}: 'file' must be a path inside raw/ (no leading /, no empty, . or .. parts)")
    if problem := name_problem(file):
        raise ManifestError(f"{where}: the file name {problem}: rename the file and its entry")
    values = dict(item)
    for key in _TEXT_FIELDS:
        value = values.get(key)
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{where}: {key!r} must be text or null, found {_kind(value)} ({value!r})")
        if isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise ManifestError(f"{where}: {key!r} is not valid Unicode text")
    sha = values.get("sha256")
    if sha is not None and not (isinstance(sha, str) and _HEX64.match(sha)):
        raise ManifestError(f"{where}: 'sha256' must be 64 lower-case hexadecimal digits (sha256sum FILE) or null, "
                            f"found {sha!r}")
    year = values.get("fiscal_year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise ManifestError(f"{where}: 'fiscal_year' must be a whole number (2019) or null, found {_kind(year)} "
                            f"({year!r})")
    retrieved = values.get("retrieved_date")
    if retrieved is not None:
        if not isinstance(retrieved, str):
            raise ManifestError(f"{where}: 'retrieved_date' must be a date as text, \"YYYY-MM-DD\", or null, found "
                                f"{_kind(retrieved)} ({retrieved!r})")
        try:
            values["retrieved_date"] = date.fromisoformat(retrieved) if retrieved else None
        except ValueError as exc:
            raise ManifestError(f"{where}: 'retrieved_date': {exc}") from exc
    return values


def check_entries(path: Path, entries: list[ManifestEntry]) -> None:
    """The rules of :func:`load_manifest` on entries about to be written (``yusuan add``)."""
    for i, entry in enumerate(entries):
        _check_part(path, i, {"file": entry.file, "disclosure": entry.disclosure, "part": entry.part})
    _check_disclosures(path, {e.file: e for e in entries})


def _check_part(path: Path, i: int, values: dict) -> None:
    disclosure, part = values.get("disclosure"), values.get("part")
    if disclosure is None and part is None:
        return
    if disclosure is None or part is None:
        raise ManifestError(f"{path}: documents[{i}] ({values['file']}): 'disclosure' and 'part' go together: a file "
                            "that is one part of a disclosure names both")
    if not isinstance(disclosure, str) or not DISCLOSURE_KEY.fullmatch(disclosure):
        raise ManifestError(f"{path}: documents[{i}].disclosure: {disclosure!r} is not a key of lower-case letters, "
                            "digits and '-' (e.g. 'jiangsu-cppcc-office-2018-budget')")
    if part not in PARTS:
        raise ManifestError(f"{path}: documents[{i}].part: {part!r} is not one of {', '.join(PARTS)}")


def _check_disclosures(path: Path, entries: dict[str, ManifestEntry]) -> None:
    """The files of one disclosure: one per part, and the same department, province, year and kind."""
    groups: dict[str, list[ManifestEntry]] = {}
    for entry in entries.values():
        if entry.disclosure is not None:
            groups.setdefault(entry.disclosure, []).append(entry)
    for key, group in groups.items():
        parts = [e.part for e in group]
        twice = sorted({p for p in parts if parts.count(p) > 1})
        if twice:
            files = [e.file for e in group if e.part in twice]
            raise ManifestError(f"{path}: disclosure {key!r} lists the part {twice[0]!r} twice ({', '.join(files)})")
        for attr in ("department_zh", "province_zh", "fiscal_year", "kind"):
            values = {getattr(e, attr) for e in group} - {None}
            if len(values) > 1:
                raise ManifestError(f"{path}: the files of disclosure {key!r} disagree on {attr}: "
                                    + ", ".join(f"{e.file}: {getattr(e, attr)!r}" for e in group))
