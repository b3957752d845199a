"""Write the tables as a Frictionless Data Package (v2): CSV + Parquet per table, ``datapackage.json``, README.

Everything about the tables comes from the metadata model (:mod:`pipeline.metadata`). The writer is
deterministic: the same tables, sources and ``created`` give byte-identical files, and nothing reads the clock.
Amounts never pass through binary floats: ``number`` values are :class:`decimal.Decimal`, written to CSV as
their exact plain literal and to Parquet as ``decimal128``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import columnar, parts
from pipeline.checks.catalogue import catalogue_markdown
from pipeline.metadata import TABLE_ORDER, TableMeta, load_package_metadata, load_tables
from pipeline.paths import SCHEMAS_DIR

DATAPACKAGE_NAME = "datapackage.json"
README_NAME = "README.md"
DATA_DIR = "data"
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_SUFFIX = "_parquet"
CSV_MEDIATYPE = "text/csv"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
# Resource property listing each file of a multi-part resource with its size, hash, rows and document range.
PARTS_KEY = "parts"

# Package-level keys copied from schemas/package.json, in this order.
PACKAGE_KEYS = ("name", "title", "description", "version", "homepage", "keywords", "licenses", "contributors")

# Parquet writer settings. With the pinned pyarrow these give byte-identical files for identical tables:
# pyarrow writes no timestamps; the only key-value metadata is the serialised Arrow schema, which carries
# no pandas metadata because tables are built from Python lists, not DataFrames.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "version": "2.6",
    "write_statistics": True,
    "use_dictionary": True,
    "data_page_version": "1.0",
    "store_schema": True,
}
WRITER_THREADS = 2
# Rows per Parquet row group (pyarrow's default maximum is 1Mi; smaller groups keep the writer's memory flat).
ROW_GROUP_ROWS = 1 << 17


class RowError(ValueError):
    """A row does not fit its table's schema (wrong keys or a value of the wrong Python type)."""


# -- values -------------------------------------------------------------------------------------------------

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (decimal.Decimal,),
    "date": (dt.date,),
    "boolean": (bool,),
}


def _check_value(table: str, index: int, name: str, ftype: str, value: Any) -> None:
    if value is None:
        return
    ok = isinstance(value, _PY_TYPES[ftype])
    if ftype in ("integer", "number") and isinstance(value, bool):
        ok = False
    if ftype == "date" and isinstance(value, dt.datetime):
        ok = False
    if ftype == "number" and isinstance(value, decimal.Decimal) and not value.is_finite():
        ok = False
    if not ok:
        raise RowError(
            f"table {table!r}, row {index}: field {name!r} ({ftype}) has value {value!r} of type "
            f"{type(value).__name__}; expected {' or '.join(t.__name__ for t in _PY_TYPES[ftype])}"
            + (" (finite)" if ftype == "number" else "")
        )


def format_decimal(value: decimal.Decimal) -> str:
    """Exact plain-notation literal of a number: ``Decimal('1.69E+1')`` -> ``'16.9'``, never an exponent."""
    if value.is_zero() and value.is_signed():
        value = value.copy_abs()
    return format(value, "f")


# -- rows ---------------------------------------------------------------------------------------------------


def prepare_rows(meta: TableMeta, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check ``rows`` against the schema; return copies stable-sorted by ``document_id``, keys in schema order.

    Keys must be exactly the schema's field names; values must have the Python type of their field's type;
    required fields must not be empty. An empty string in a string field becomes None: in the CSV both are an
    empty cell (the missing value), and the Parquet file must hold the same rows.
    """
    expected = meta.field_names
    expected_set = set(expected)
    types = meta.field_types
    required = {f.name for f in meta.fields if f.required}
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise RowError(f"table {meta.name!r}, row {index}: expected a dict, got {type(row).__name__}")
        keys = set(row)
        if keys != expected_set:
            missing = [k for k in expected if k not in keys]
            unknown = sorted(map(str, keys - expected_set))
            raise RowError(
                f"table {meta.name!r}, row {index}: keys must be exactly the schema's fields; "
                f"missing {missing}, unknown {unknown}"
            )
        clean: dict[str, Any] = {}
        for name in expected:
            value = row[name]
            # The CSV cannot tell "" from a missing value (missingValues is [""]), so neither may the Parquet.
            if value == "" and types[name] == "string":
                value = None
            if value is None and name in required:
                raise RowError(
                    f"table {meta.name!r}, row {index}: required field {name!r} is empty (None or \"\")"
                )
            _check_value(meta.name, index, name, types[name], value)
            clean[name] = value
        out.append(clean)
    if "document_id" in expected_set:
        out.sort(key=lambda r: "" if r["document_id"] is None else r["document_id"])
    return out


# -- files --------------------------------------------------------------------------------------------------


def file_stats(path: Path) -> tuple[int, str]:
    """``(bytes, "sha256:<hex>")`` of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, f"sha256:{digest.hexdigest()}"


def _core_batches(meta: TableMeta, value: Any) -> Iterator[pa.RecordBatch]:
    """A table given as row dicts, a core Arrow table or anything with ``batches()`` (``combine.CoreTable``)."""
    if isinstance(value, pa.Table):
        yield from value.to_batches()
    elif hasattr(value, "batches"):
        yield from value.batches()
    else:
        yield from columnar.rows_to_table(meta, value).to_batches()


def _size_hint(value: Any) -> int:
    rows = getattr(value, "rows", None)
    if isinstance(rows, int):
        return rows
    return value.num_rows if isinstance(value, pa.Table) else len(value)


def write_table_files(meta: TableMeta, batches: Iterable[pa.RecordBatch], csv_path: Path, parquet_path: Path) -> int:
    """Stream core batches into the table's CSV and Parquet files; return the row count.

    The CSV is written batch by batch (its text does not depend on the batch boundaries); the Parquet file
    gets row groups of exactly :data:`ROW_GROUP_ROWS` rows (the last one shorter), so both files are the same
    bytes however the rows arrived. Memory: about one row group.
    """
    schema = meta.parquet_schema()
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with csv_path.open("wb") as csv_file, pq.ParquetWriter(parquet_path, schema, **PARQUET_OPTIONS) as parquet:

        def write_group(table: pa.Table) -> None:
            parquet.write_table(columnar.to_parquet_table(meta, table), row_group_size=ROW_GROUP_ROWS)

        csv_file.write(columnar.csv_header(meta))
        for batch in batches:
            if batch.num_rows == 0:
                continue
            csv_file.write(columnar.csv_text(batch))
            rows += batch.num_rows
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= ROW_GROUP_ROWS:
                table = pa.Table.from_batches(pending)
                write_group(table.slice(0, ROW_GROUP_ROWS))
                rest = table.slice(ROW_GROUP_ROWS)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows or rows == 0:
            # An empty table still gets its (empty) row group, as pq.write_table writes one.
            write_group(pa.Table.from_batches(pending, schema=columnar.core_schema(meta)))
    return rows


# -- parts -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartFiles:
    """What was written for one part: per table, the rows and each file's package path, size and hash."""

    index: int
    first: str | None  # document_id range of the part (None for a package without documents)
    last: str | None
    tables: dict[str, dict[str, Any]]  # name -> {"rows", "csv": record, "parquet": record}
    reused: bool = False  # files linked from an earlier rendering of the same part content
    store: str | None = None  # where the part's rendering is kept (combine's part directory), if anywhere


def _file_record(path: Path, rel: str) -> dict[str, Any]:
    size, digest = file_stats(path)
    st = path.stat()
    # ino/mtime let a later build trust the file without reading it again (see validate.py, "trusted parts")
    return {"path": rel, "bytes": size, "hash": digest, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns}


def _same_file(path: str | Path, record: Mapping[str, Any]) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_ino, st.st_size, st.st_mtime_ns) == (record["ino"], record["bytes"], record["mtime_ns"])


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    """``dst``'s directory must exist (write_package_parts makes the tables' directories once)."""
    try:
        os.link(src, dst)  # the rendered files are never modified in place, so sharing the inode is safe
    except OSError:  # another filesystem, or links not allowed
        shutil.copyfile(src, dst)


def _plan(metas: Mapping[str, TableMeta], tables: Mapping[str, Any]) -> list[tuple[str | None, str | None, Path | None, dict]]:
    """The parts to write: ``(first, last, store, {table: core data})``.

    ``combine.CoreTable`` values bring their parts (and a store directory per part, where rendered files are
    kept for reuse); rows or Arrow tables are cut here by the same rule (:func:`pipeline.parts.split`).
    """
    values = [tables.get(name) for name in metas]
    if values and all(hasattr(v, "parts") for v in values):
        counts = {len(v.parts) for v in values}
        if len(counts) != 1:
            raise RowError(f"the core tables have different numbers of parts: {sorted(counts)}")
        plan = []
        for i in range(counts.pop()):
            data = {name: tables[name].parts[i] for name in metas}
            some = next(iter(data.values()))
            plan.append((some.first, some.last, some.dir, data))
        return plan
    core: dict[str, pa.Table] = {}
    for name, meta in metas.items():
        value = tables.get(name, [])
        if hasattr(value, "read"):
            value = value.read()
        core[name] = value if isinstance(value, pa.Table) else columnar.rows_to_table(meta, value)
    ids = sorted({i for t in core.values() for i in t.column("document_id").to_pylist() if i is not None})
    if not ids:
        return [(None, None, None, core)]
    plan = []
    for run in parts.split(ids, lambda i: i):
        first, last = run[0], run[-1]
        sliced = {}
        for name, table in core.items():
            column = table.column("document_id")
            mask = pc.and_(pc.greater_equal(column, first), pc.less_equal(column, last))
            sliced[name] = table.filter(mask)
        plan.append((first, last, None, sliced))
    return plan


RENDERED_DIR = "rendered"
RENDERED_RECORD = "rendered.json"


def _render_part(metas, index: int, first, last, store: Path | None, data: Mapping[str, Any], out_dir: Path,
                 pool: ThreadPoolExecutor) -> PartFiles:
    """Write part ``index`` into ``out_dir``: linked from ``store`` if already rendered there, else rendered."""
    rels = {name: (parts.csv_part_path(name, index), parts.parquet_part_path(name, index)) for name in metas}
    if store is not None:
        record = _read_json(store / RENDERED_RECORD)
        # Plain strings: a rebuild of 10,000 documents checks and links ~4,000 unchanged files here.
        rendered, out = os.path.join(store, RENDERED_DIR), str(out_dir)
        if isinstance(record, dict) and set(record.get("tables", {})) == set(metas) and all(
            _same_file(f"{rendered}/{name}.{kind}", record["tables"][name][kind])
            for name in metas for kind in ("csv", "parquet")
        ):
            for name, (csv_rel, pq_rel) in rels.items():
                _link_or_copy(f"{rendered}/{name}.csv", f"{out}/{csv_rel}")
                _link_or_copy(f"{rendered}/{name}.parquet", f"{out}/{pq_rel}")
            return PartFiles(index, first, last, _relabel(record["tables"], rels), reused=True, store=str(store))
        target = Path(tempfile.mkdtemp(prefix=".render-", dir=store))
    else:
        target = None

    def write_one(name: str) -> tuple[str, dict[str, Any]]:
        meta = metas[name]
        csv_rel, pq_rel = rels[name]
        csv_path = target / f"{name}.csv" if target else out_dir / csv_rel
        pq_path = target / f"{name}.parquet" if target else out_dir / pq_rel
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        pq_path.parent.mkdir(parents=True, exist_ok=True)
        rows = write_table_files(meta, _core_batches(meta, data.get(name, [])), csv_path, pq_path)
        return name, {"rows": rows, "csv": _file_record(csv_path, csv_rel), "parquet": _file_record(pq_path, pq_rel)}

    # Largest tables first, so the two threads finish together.
    order = sorted(metas, key=lambda n: -_size_hint(data.get(n, [])))
    written = dict(pool.map(write_one, order))
    tables = {name: written[name] for name in metas}
    if target is None:
        return PartFiles(index, first, last, tables)
    # Publish the rendering in the store (atomically), then link it into the package.
    _write_json(target / RENDERED_RECORD, {"tables": tables})
    final = store / RENDERED_DIR
    try:
        if final.exists():
            shutil.rmtree(final)
        os.rename(target, final)
        os.replace(final / RENDERED_RECORD, store / RENDERED_RECORD)
    except OSError:  # another build rendered the same part at the same moment: same bytes, take ours by copy
        final = target
    for name, (csv_rel, pq_rel) in rels.items():
        _link_or_copy(final / f"{name}.csv", out_dir / csv_rel)
        _link_or_copy(final / f"{name}.parquet", out_dir / pq_rel)
    if final == target:
        shutil.rmtree(target, ignore_errors=True)
    return PartFiles(index, first, last, _relabel(tables, rels), store=str(store))


def _relabel(tables: Mapping[str, Any], rels: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """A stored rendering's records with this package's paths (a part's index can change between builds)."""
    out = {}
    for name, rec in tables.items():
        csv_rel, pq_rel = rels[name]
        out[name] = {"rows": rec["rows"], "csv": {**rec["csv"], "path": csv_rel},
                     "parquet": {**rec["parquet"], "path": pq_rel}}
    return out


def _paths_of(part: PartFiles) -> dict[str, tuple[str, str]]:
    return {name: (rec["csv"]["path"], rec["parquet"]["path"]) for name, rec in part.tables.items()}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


# -- descriptor ---------------------------------------------------------------------------------------------


def _resource(meta: TableMeta, written: Sequence[PartFiles], *, parquet: bool) -> dict[str, Any]:
    kind = "parquet" if parquet else "csv"
    records = [part.tables[meta.name] for part in written]
    res: dict[str, Any] = {
        "name": meta.name + PARQUET_SUFFIX if parquet else meta.name,
        "type": "table",
        "path": [rec[kind]["path"] for rec in records],
        "format": kind,
        "mediatype": PARQUET_MEDIATYPE if parquet else CSV_MEDIATYPE,
    }
    if not parquet:
        res["encoding"] = "utf-8"
    res["title"] = meta.title + (" (Parquet)" if parquet else "")
    res["description"] = meta.description
    # Each file's size and hash; `bytes`/`hash` of the resource itself would describe the concatenation, which
    # no reader downloads. validate.py checks these.
    res[PARTS_KEY] = [
        {"path": rec[kind]["path"], "bytes": rec[kind]["bytes"], "hash": rec[kind]["hash"], "rows": rec["rows"],
         "documentIds": [part.first, part.last] if part.first is not None else []}
        for part, rec in zip(written, records)
    ]
    res["schema"] = meta.frictionless_schema(resource_suffix=PARQUET_SUFFIX if parquet else "")
    return res


def build_descriptor(
    tables: Mapping[str, TableMeta],
    package_meta: Mapping[str, Any],
    written: Sequence[PartFiles],
    *,
    sources: list[dict],
    created: str | None,
) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"$schema": DATAPACKAGE_PROFILE}
    for key in PACKAGE_KEYS:
        if key in package_meta:
            descriptor[key] = package_meta[key]
    if created is not None:
        descriptor["created"] = created
    descriptor["sources"] = list(sources)
    # All CSV resources in TABLE_ORDER, then all Parquet resources in TABLE_ORDER.
    descriptor["resources"] = [_resource(m, written, parquet=False) for m in tables.values()] + [
        _resource(m, written, parquet=True) for m in tables.values()
    ]
    return descriptor


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# -- README -------------------------------------------------------------------------------------------------


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


def build_readme(
    tables: Mapping[str, TableMeta],
    package_meta: Mapping[str, Any],
    *,
    sources: Sequence[Mapping[str, Any]],
    counts: Mapping[str, int],
) -> str:
    lines: list[str] = [f"# {package_meta['title']}", "", package_meta["description"], ""]
    lines += [f"`{package_meta['name']}` version {package_meta.get('version', '')}.", ""]
    if package_meta.get("homepage"):
        lines += [f"Homepage: {package_meta['homepage']}", ""]

    lines += ["## Data", ""]
    lines += [
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
        "the first file.",
        "",
        "| Table | Rows | Title |",
        "| --- | --- | --- |",
    ]
    for meta in tables.values():
        lines.append(f"| [`{meta.name}`](#{meta.name}) | {counts.get(meta.name, 0)} | {_md_cell(meta.title)} |")
    lines.append("")

    for meta in tables.values():
        lines += [f"### {meta.name}", "", f"**{meta.title}**", "", meta.description, ""]
        lines.append(f"Files: `{DATA_DIR}/csv/{meta.name}/part-*.csv`, `{DATA_DIR}/parquet/{meta.name}/part-*.parquet`.")
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
        "(amounts converted from 万元 to exact integer yuan, every row naming its source lines) → written as CSV "
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


# -- entry point --------------------------------------------------------------------------------------------


def write_package(
    tables: Mapping[str, Any],
    out_dir: Path,
    *,
    sources: list[dict],
    created: str | None,
    schemas_dir: Path = SCHEMAS_DIR,
) -> Path:
    """:func:`write_package_parts` without the record of the parts written."""
    return write_package_parts(tables, out_dir, sources=sources, created=created, schemas_dir=schemas_dir)[0]


def write_package_parts(
    tables: Mapping[str, Any],
    out_dir: Path,
    *,
    sources: list[dict],
    created: str | None,
    schemas_dir: Path = SCHEMAS_DIR,
) -> tuple[Path, list[PartFiles]]:
    """Write the package into ``out_dir`` (created if needed) and return the path of its ``datapackage.json``.

    ``tables`` maps table names to rows: a list of dicts keyed by exactly the schema's field names (checked
    and sorted by ``document_id`` here), or, already checked and ordered, a core Arrow table or a
    ``combine.CoreTable`` (see :mod:`pipeline.columnar`). A table missing from ``tables`` is written empty.
    Unknown table names are an error. Each table is written as parts (:mod:`pipeline.parts`); the parts of
    ``combine.CoreTable`` tables are rendered once into their store directory and linked from there, so a
    rebuild writes only the parts whose documents changed; the returned :class:`PartFiles` say which.
    """
    metas = load_tables(schemas_dir)
    package_meta = load_package_metadata(schemas_dir)
    unknown = sorted(set(tables) - set(TABLE_ORDER))
    if unknown:
        raise RowError(f"unknown tables {unknown}; known: {list(TABLE_ORDER)}")

    out_dir = Path(out_dir)
    (out_dir / DATA_DIR).mkdir(parents=True, exist_ok=True)
    for name in metas:  # every part of a table lies in the table's directory (pipeline.parts)
        for rel in (parts.csv_part_path(name, 0), parts.parquet_part_path(name, 0)):
            (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    # Arrow's kernels and the Parquet writer release the GIL: two threads keep both cores busy.
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        written = [
            _render_part(metas, i, first, last, store, data, out_dir, pool)
            for i, (first, last, store, data) in enumerate(_plan(metas, tables))
        ]
    counts = {name: sum(part.tables[name]["rows"] for part in written) for name in metas}

    descriptor = build_descriptor(metas, package_meta, written, sources=sources, created=created)
    descriptor_path = out_dir / DATAPACKAGE_NAME
    descriptor_path.write_text(dump_json(descriptor), encoding="utf-8", newline="\n")

    readme = build_readme(
        metas, package_meta, sources=sources, counts=counts
    )
    (out_dir / README_NAME).write_text(readme, encoding="utf-8", newline="\n")
    return descriptor_path, written


VALIDATED_RECORD = "validated.json"


def trusted_parts(written: Sequence[PartFiles]) -> dict[int, dict[str, Any]]:
    """Parts whose files were linked from a rendering that an earlier build validated: ``{index: tables}``.

    The claim is only a hint: :func:`pipeline.validate.validate_package` accepts it for a file only if the
    staged file is still the very inode (size, mtime) recorded when it was written and validated.
    """
    out = {}
    for part in written:
        if part.reused and part.store is not None:
            validated = _read_json(Path(part.store) / VALIDATED_RECORD)
            rendered = _read_json(Path(part.store) / RENDERED_RECORD)
            if validated is not None and validated == rendered:
                out[part.index] = part.tables
    return out


def record_validated(written: Sequence[PartFiles], trusted: Mapping[int, Any] | None = None) -> None:
    """After a package passed validation: remember its parts' renderings as validated, for the next build.

    ``trusted``: the :func:`trusted_parts` the validation was given (already recorded, skipped here).
    """
    trusted = trusted_parts(written) if trusted is None else trusted
    for part in written:
        if part.store is not None and part.index not in trusted:
            rendered = Path(part.store) / RENDERED_RECORD
            record = _read_json(rendered)
            # Only the very files this package holds and that were just validated (a concurrent build may have
            # put its own rendering of the same part in the store).
            stored = record.get("tables") if isinstance(record, dict) else None
            if not isinstance(stored, dict) or set(stored) != set(part.tables) \
                    or _relabel(stored, _paths_of(part)) != part.tables:
                continue
            try:
                shutil.copyfile(rendered, Path(part.store) / (VALIDATED_RECORD + ".tmp"))
                os.replace(Path(part.store) / (VALIDATED_RECORD + ".tmp"), Path(part.store) / VALIDATED_RECORD)
            except OSError:  # a lost record only costs a re-validation next time
                pass
