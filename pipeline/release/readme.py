"""The release's ``README.md``: the build's README (every table and column) with the release's layout, and
how to cite, verify and load it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.package.readme import build_readme
from pipeline.package.table_files import ROW_GROUP_ROWS
from pipeline.release import layout
from pipeline.release.citation import citation_line, release_date
from pipeline.release.descriptor import table_metas

LAYOUT = (
    "Each table is published twice with the same rows: as CSV, `data/<table>.csv` (UTF-8, comma-separated, "
    "header row, empty cell = missing value, booleans `true`/`false`, dates ISO 8601, numbers as exact decimal "
    "literals), and as Parquet, `data/<table>.parquet` (exact `decimal128` numbers, `date32` dates; rows in "
    f"`document_id` order, row groups of {ROW_GROUP_ROWS:,} rows). `datapackage.json` describes each file as one "
    "resource with its Table Schema and SHA-256 (`hash`), and the CSV files with their size (`bytes`)."
)


def _files(table: str) -> str:
    return f"`{layout.csv_path(table)}`, `{layout.parquet_path(table)}`"


def release_readme(descriptor: Mapping[str, Any], counts: Mapping[str, int]) -> str:
    version = descriptor["version"]
    date = release_date(descriptor)
    preface = [
        "## Cite", "", citation_line(descriptor), "",
        f"`{layout.CITATION}` says the same in the Citation File Format.", "",
        "## This release", "",
        f"Version {version}, id `{descriptor['id']}`" + (f", data as of {date}" if date else "") + ". Versions follow the "
        "Data Package version recipe: MAJOR for an incompatible change (a field removed, added or retyped, a "
        "document removed), MINOR for added data, PATCH for corrections. What changed since the previous release, "
        f"and why the version moved as it did: `{layout.NOTES}`; the same as data: `{layout.DIFF_JSON}` and "
        "`diff/<table>.parquet` (the rows added, removed and changed).", "",
        "Check every file, then the package (frictionless checks the CSV files' `bytes` and `hash`, every type, "
        "constraint and key; it does not check a Parquet file's hash, which `SHA256SUMS` does):", "",
        "```sh", f"sha256sum -c {layout.SUMS}", f"frictionless validate {layout.DATAPACKAGE}", "```", "",
        f"The raw files the tables were read from are in `{layout.RAW_DIR}/` (their manifest entries in "
        f"`{layout.RAW_MANIFEST}`): `documents.source_file` is a path inside `{layout.RAW_DIR}/`, and `source_ref` "
        "(`L<n>` or `L<first>-L<last>`) the lines of that file a row was read from.", "",
    ]
    package_meta = {k: descriptor[k] for k in ("name", "title", "description", "version", "homepage", "licenses")
                    if k in descriptor}
    return build_readme(table_metas(descriptor), package_meta, sources=descriptor.get("sources", []),
                        counts=counts, layout=LAYOUT, table_files=_files, preface=preface)
