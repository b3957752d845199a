"""Where everything lies in a release folder and beside it, and which folders are releases.

::

    <out>/latest.json                 the newest release (rewritten by each release; nothing else is)
    <out>/yusuan-<version>.zip        the release folder, zipped (entries under yusuan-<version>/)
    <out>/yusuan-<version>.zip.sha256 the zip's SHA-256, in ``sha256sum`` format
    <out>/<version>/
        datapackage.json              Data Package v2: one CSV and one Parquet resource per table
        README.md                     every table and column; how to cite, verify and load
        CITATION.cff                  citation metadata
        RELEASE_NOTES.md              what changed since the previous release, and why the version moved so
        SHA256SUMS                    every other file of the folder, ``sha256sum -c`` format
        data/<table>.csv, data/<table>.parquet
        raw/<file>, raw/manifest.json the raw files the tables were read from (``documents.source_file`` and
                                      ``sources[].path`` resolve here) and their manifest entries
        diff/diff.json                the data diff against the previous release (shape: docs/releases.md)
        diff/<table>.parquet          that table's added, removed and changed rows
"""

from __future__ import annotations

import re
from pathlib import Path

DATAPACKAGE = "datapackage.json"
README = "README.md"
CITATION = "CITATION.cff"
NOTES = "RELEASE_NOTES.md"
SUMS = "SHA256SUMS"
DATA_DIR = "data"
RAW_DIR = "raw"
RAW_MANIFEST = "raw/manifest.json"
DIFF_DIR = "diff"
DIFF_JSON = "diff/diff.json"
LATEST = "latest.json"
ARCHIVE_PREFIX = "yusuan-"

VERSION_PATTERN = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def csv_path(table: str) -> str:
    return f"{DATA_DIR}/{table}.csv"


def parquet_path(table: str) -> str:
    return f"{DATA_DIR}/{table}.parquet"


def diff_rows_path(table: str) -> str:
    return f"{DIFF_DIR}/{table}.parquet"


def archive_name(version: str) -> str:
    return f"{ARCHIVE_PREFIX}{version}.zip"


def archive_sum_name(version: str) -> str:
    return archive_name(version) + ".sha256"


def archive_root(version: str) -> str:
    """The folder every zip entry lies in: unzipping gives ``yusuan-<version>/``."""
    return f"{ARCHIVE_PREFIX}{version}"


def version_key(version: str) -> tuple[int, int, int]:
    match = VERSION_PATTERN.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a MAJOR.MINOR.PATCH version")
    return tuple(int(x) for x in match.groups())  # type: ignore[return-value]


def releases(out_dir: Path) -> list[str]:
    """Versions of the releases in ``out_dir``, oldest first: folders named ``MAJOR.MINOR.PATCH`` that hold a
    ``datapackage.json`` and a ``SHA256SUMS`` (what a release always writes)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    found = [p.name for p in out_dir.iterdir()
             if VERSION_PATTERN.match(p.name) and p.is_dir() and not p.is_symlink()
             and (p / DATAPACKAGE).is_file() and (p / SUMS).is_file()]
    return sorted(found, key=version_key)
