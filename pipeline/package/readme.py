"""The package README (``datapackage/README.md``): every table and column, the check catalogue, sources,
preparation and licence, generated from the metadata model."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pipeline.build import parts
from pipeline.metadata.schemas import TableMeta
from pipeline.tables.checks.catalogue import catalogue_markdown


def _md_cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _source_line(source: Mapping[str, Any]) -> str:
    title = source.get("title") or source.get("path") or "(untitled source)"
    parts = [f"- {title}"]
    if source.get("path") and source.get("path") != title:
        parts.append(f" — {source['path']}")
    if source.get("version"):
        parts.append(f" (version {source['version']})")
    return "".join(parts)


PARTS_LAYOUT = (
    "Each table is published twice with the same rows: as CSV (UTF-8, comma-separated, header row, empty "
    "cell = missing value, booleans `true`/`false`, dates ISO 8601, numbers as exact decimal literals) and as "
    "Parquet (exact `decimal128` numbers, `date32` dates). Both are split into parts: "
    "`data/csv/<table>/part-00000.csv`, … and `data/parquet/<table>/part-00000.parquet`, …; part *i* of every "
    "table holds the rows of the same run of documents (in `document_id` order, a few dozen documents per "
    "part), "
    "and every CSV part has the header row. Read a table's Parquet folder whole with pyarrow, pandas or DuckDB "
    "(`data/parquet/<table>/*.parquet`). `datapackage.json` describes each table as one multi-part resource "
    "with its Table Schema; its `parts` list gives each file's size, SHA-256, row count and `documentIds` "
    "range. frictionless reads the multi-part CSV resources whole, but of a multi-part Parquet resource only "
    "the first file."
)


def _part_files(table: str) -> str:
    return f"`{parts.DATA_DIR}/csv/{table}/part-*.csv`, `{parts.DATA_DIR}/parquet/{table}/part-*.parquet`"


def build_readme(
    tables: Mapping[str, TableMeta],
    package_meta: Mapping[str, Any],
    *,
    sources: Sequence[Mapping[str, Any]],
    counts: Mapping[str, int],
    layout: str = PARTS_LAYOUT,
    table_files: Callable[[str], str] = _part_files,
    preface: Sequence[str] = (),
) -> str:
    """The README. A release passes its own ``layout`` paragraph, ``table_files`` (a table's files, as
    Markdown) and ``preface`` (lines after the version line: how to cite, verify and load)."""
    lines: list[str] = [f"# {package_meta['title']}", "", package_meta["description"], ""]
    if package_meta.get("version"):
        lines += [f"`{package_meta['name']}` version {package_meta['version']}.", ""]
    else:
        lines += [f"`{package_meta['name']}`, a build of the pipeline's current output: not a release, so no version "
                  "(`yusuan release` makes versioned releases).", ""]
    if package_meta.get("homepage"):
        lines += [f"Homepage: {package_meta['homepage']}", ""]
    lines += list(preface)

    lines += ["## Data", ""]
    lines += [
        layout,
        "",
        "| Table | Rows | Title |",
        "| --- | --- | --- |",
    ]
    for meta in tables.values():
        lines.append(f"| [`{meta.name}`](#{meta.name}) | {counts.get(meta.name, 0)} | {_md_cell(meta.title)} |")
    lines.append("")

    for meta in tables.values():
        lines += [f"### {meta.name}", "", f"**{meta.title}**", "", meta.description, ""]
        lines.append(f"Files: {table_files(meta.name)}.")
        lines.append("")
        lines.append("Primary key: " + (", ".join(f"`{k}`" for k in meta.primary_key) or "none") + ".")
        fks = meta.foreign_keys
        if fks:
            lines.append("")
            lines.append("Foreign keys:")
            lines.append("")
            for fk in fks:
                ref = fk["reference"]
                lines.append(
                    "- (" + ", ".join(f"`{f}`" for f in fk["fields"]) + ") → "
                    f"`{ref.get('resource') or meta.name}` ("
                    + ", ".join(f"`{f}`" for f in ref["fields"]) + ")"
                )
        lines += ["", "| Field | Type | Title | Description |", "| --- | --- | --- | --- |"]
        for f in meta.fields:
            required = " (required)" if f.required else ""
            lines.append(
                f"| `{f.name}` | {f.type}{required} | {_md_cell(f.title)} | {_md_cell(f.description)} |"
            )
        lines.append("")

    if "checks" in tables:
        lines += ["## Checks", "", "The check catalogue: every `check_id` of the `checks` table, what it compares and when "
                  "it skips. Tolerances are absolute, from the printed precision (see the `checks` table).", "",
                  catalogue_markdown(), ""]

    lines += ["## Sources", ""]
    if sources:
        lines += [_source_line(s) for s in sources]
    else:
        lines.append("No sources listed.")
    lines.append("")

    lines += [
        "## Preparation",
        "",
        "Built by the `yusuan` pipeline: raw disclosure files (`raw/`, listed with their SHA-256 in "
        "`raw/manifest.json`) → parsed per document with the provincial template → rows of the tables above "
        "(amounts converted to exact yuan with two decimals, every row naming its source) → written as CSV "
        "and Parquet → validated (Data Package v2 profile, Table Schema types, constraints, primary and foreign "
        "keys, file sizes and hashes, CSV/Parquet equality) → published atomically.",
        "",
    ]

    lines += ["## Licence", ""]
    for lic in package_meta.get("licenses", []):
        name = lic.get("title") or lic.get("name") or lic.get("path")
        link = f" ({lic['path']})" if lic.get("path") else ""
        lines.append(f"- {name}{link}")
    lines.append("")
    return "\n".join(lines)
