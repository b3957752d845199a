"""Vectorised table checks with pyarrow: what ``frictionless validate`` checks in the rows, at Arrow speed.

For each table the CSV is read back as text (empty cell = missing value) and every field is checked the way
frictionless 5 checks it, column at a time:

* ``type-error``        the cell text is not a value of the field's type (integer, number, date, boolean);
* ``constraint-error``  ``required``, ``enum``, ``pattern`` (whole cell, as frictionless anchors it),
                        ``minimum``/``maximum``, ``minLength``/``maxLength``, ``unique``;
* ``primary-key``       a primary key value that occurs twice;
* ``foreign-key``       a foreign key value (not all empty) missing from the referenced table;
* the Parquet file's schema and rows against the CSV's, exactly (numbers as ``decimal128``).

Errors are strings ``resource '<name>': <type>: <message>`` (row numbers as frictionless counts them: the
header is row 1), at most :data:`MAX_ROW_ERRORS` per check. Tables are read one at a time; only the columns
that take part in foreign keys are kept for the final foreign-key pass.
"""

from __future__ import annotations

import decimal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.metadata.constraints import constraints_of
from pipeline.metadata.schemas import TableMeta

MAX_ROW_ERRORS = 20
# Tables checked at once. Each check holds its whole table (text, typed, Parquet) in memory: on 10,000
# stand-in documents 2 threads took 5.9 s and peaked at 1.85 GB, 1 thread 7.2 s and 1.37 GB. Memory wins.
CHECK_THREADS = 1

# Full-cell syntax of each type as written by the package writer and accepted by frictionless (a superset
# would let a bad cell through; these are checked before the cast so the bad rows can be named).
_SYNTAX = {
    "integer": r"^[+-]?[0-9]+$",
    "number": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "boolean": r"^(true|false|True|False|TRUE|FALSE|1|0)$",
}
_TRUE = ["true", "True", "TRUE", "1"]


def _fixed(places: int) -> str:
    """Full-cell syntax of a number field with ``decimalPlaces`` (the amounts): exactly that many decimals."""
    return rf"^-?[0-9]+\.[0-9]{{{places}}}$" if places else r"^-?[0-9]+$"


class _Errors(list):
    def __init__(self, resource: str, where: str = ""):
        super().__init__()
        self.resource = resource
        self.where = f"{where}: " if where else ""

    def add(self, kind: str, message: str) -> None:
        self.append(f"resource {self.resource!r}: {kind}: {self.where}{message}")

    def rows(self, kind: str, mask: pa.Array, describe) -> None:
        """One error per row where ``mask`` is true (at most MAX_ROW_ERRORS), then a count of the rest."""
        mask = pc.fill_null(mask, False)
        bad = pc.indices_nonzero(mask).to_pylist()
        for i in bad[:MAX_ROW_ERRORS]:
            self.add(kind, f"row {i + 2}: {describe(i)}")
        if len(bad) > MAX_ROW_ERRORS:
            self.add(kind, f"{len(bad) - MAX_ROW_ERRORS} more rows")


def read_csv_text(meta: TableMeta, path: Path, errors: _Errors) -> pa.Table | None:
    """The CSV as a table of strings (missing = null), or None after recording why it cannot be read."""
    with path.open("rb") as fh:
        first = fh.readline().rstrip(b"\r\n").decode("utf-8", "replace")
    expected = ",".join(meta.field_names)
    if first != expected:
        errors.add("header", f"header is {first!r}, expected {expected!r}")
        return None
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in meta.field_names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    try:
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=options,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
        )
    except (pa.ArrowInvalid, OSError) as exc:  # wrong cell count, invalid UTF-8, unterminated quote
        errors.add("source-error", f"cannot read {path.name}: {exc}")
        return None


def _typed(ftype: str, text: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    if ftype == "boolean":
        return pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()), pc.is_in(text, pa.array(_TRUE)))
    return text.cast(arrow_type)


def check_fields(meta: TableMeta, text: pa.Table, errors: _Errors) -> pa.Table | None:
    """Type and constraint checks; returns the typed table in the Parquet schema (None if a type is wrong)."""
    schema = meta.parquet_schema()
    constraints = constraints_of(meta)
    columns, typed_ok = [], True
    for f, target in zip(meta.fields, schema):
        cells = text.column(f.name).combine_chunks()
        name = f.name

        if f.type in _SYNTAX:
            syntax, what = _SYNTAX[f.type], f.type
            if f.decimal_places is not None:  # the writer's fixed form: 60412400.00
                syntax, what = _fixed(f.decimal_places), f"number with {f.decimal_places} decimals"
            wrong = pc.invert(pc.match_substring_regex(cells, syntax))
            errors.rows("type-error", wrong, lambda i, c=cells, n=name, t=what: f"field {n!r}: {c[i].as_py()!r} is not a {t}")
            if pc.any(pc.fill_null(wrong, False)).as_py():
                typed_ok = False
                columns.append(None)
                continue
        try:
            values = _typed(f.type, cells, target.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            errors.add("type-error", f"field {name!r}: {exc}")
            typed_ok = False
            columns.append(None)
            continue
        columns.append(values)

        for c in constraints:
            if c.field == name:
                errors.rows("constraint-error", c.failing(values, cells),
                            lambda i, c=c, v=values: c.message(v[i].as_py()))
    if not typed_ok:
        return None
    return pa.Table.from_arrays(columns, schema=schema)


def check_primary_key(meta: TableMeta, table: pa.Table, errors: _Errors) -> None:
    pk = meta.primary_key
    if not pk or table.num_rows == 0:
        return
    keyed = table.select(pk).append_column("__row", pa.array(range(table.num_rows), pa.int64()))
    groups = keyed.group_by(pk, use_threads=False).aggregate([("__row", "count"), ("__row", "min")])
    dupes = groups.filter(pc.greater(groups.column("__row_count"), 1))
    if dupes.num_rows == 0:
        return
    first = {
        tuple(r[k] for k in pk): m for r, m in zip(dupes.select(pk).to_pylist(), dupes.column("__row_min").to_pylist())
    }
    joined = keyed.join(dupes.select(pk), keys=pk, join_type="inner", use_threads=False).sort_by("__row")
    reported = 0
    for row in joined.to_pylist():
        key = tuple(row[k] for k in pk)
        if row["__row"] == first[key]:
            continue
        reported += 1
        if reported <= MAX_ROW_ERRORS:
            errors.add(
                "primary-key",
                f"row {row['__row'] + 2}: ({', '.join(pk)}) = {key} is the same as in row {first[key] + 2}",
            )
    if reported > MAX_ROW_ERRORS:
        errors.add("primary-key", f"{reported - MAX_ROW_ERRORS} more rows")


def _key_strings(table: pa.Table, fields: list[str], names: list[str]) -> pa.Table:
    """Key columns as strings with nulls as a sentinel, so (a, null) matches (a, null) as in frictionless."""
    columns = [pc.fill_null(table.column(f).cast(pa.string()), "\x00") for f in fields]
    return pa.Table.from_arrays(columns, names=names)


def check_foreign_keys(meta: TableMeta, keys: dict[str, pa.Table], errors: _Errors) -> None:
    table = keys.get(meta.name)
    if table is None:
        return
    for fk in meta.foreign_keys:
        ref = fk["reference"]
        target_name = ref.get("resource") or meta.name
        target = keys.get(target_name)
        if target is None:
            errors.add("foreign-key", f"cannot check {fk['fields']}: table {target_name!r} could not be read")
            continue
        names = [f"k{i}" for i in range(len(fk["fields"]))]
        child = _key_strings(table, fk["fields"], names).append_column("__row", pa.array(range(table.num_rows), pa.int64()))
        all_null = pc.and_(*[pc.is_null(table.column(f)) for f in fk["fields"]]) if len(fk["fields"]) > 1 else pc.is_null(table.column(fk["fields"][0]))
        child = child.filter(pc.invert(all_null))
        parent = _key_strings(target, ref["fields"], names)
        parent = parent.group_by(names, use_threads=False).aggregate([])
        missing = child.join(parent, keys=names, join_type="left anti", use_threads=False).sort_by("__row")
        for row in missing.slice(0, MAX_ROW_ERRORS).to_pylist():
            values = [table.column(f)[row["__row"]].as_py() for f in fk["fields"]]
            errors.add(
                "foreign-key",
                f"row {row['__row'] + 2}: ({', '.join(fk['fields'])}) = {tuple(values)} not found in "
                f"{target_name!r} ({', '.join(ref['fields'])})",
            )
        if missing.num_rows > MAX_ROW_ERRORS:
            errors.add("foreign-key", f"{missing.num_rows - MAX_ROW_ERRORS} more rows")


def foreign_key_columns(metas: dict[str, TableMeta]) -> dict[str, set[str]]:
    """Per table, the columns any foreign key reads (as child or as referenced table)."""
    needed: dict[str, set[str]] = {name: set() for name in metas}
    for meta in metas.values():
        for fk in meta.foreign_keys:
            needed[meta.name].update(fk["fields"])
            needed[fk["reference"].get("resource") or meta.name].update(fk["reference"]["fields"])
    return needed


def compare_parquet(meta: TableMeta, csv_typed: pa.Table, csv_text: pa.Table, parquet_path: Path, name: str, csv_name: str) -> list[str]:
    """The Parquet file has the model's schema and exactly the CSV's rows."""
    try:
        schema = pq.read_schema(parquet_path)
    except Exception as exc:  # noqa: BLE001 - any read failure is a validation error
        return [f"resource {name!r}: cannot read {parquet_path.name}: {exc}"]
    expected = meta.parquet_schema()
    if not schema.equals(expected, check_metadata=False):
        return [
            f"resource {name!r}: Arrow schema differs from the metadata model: "
            f"got [{schema.to_string(show_schema_metadata=False)}], expected "
            f"[{expected.to_string(show_schema_metadata=False)}]"
        ]
    errors = []
    if (schema.metadata or {}).get(b"pandas") != expected.metadata[b"pandas"]:
        errors.append(f"resource {name!r}: 'pandas' schema metadata differs from the metadata model")
    try:
        table = pq.read_table(parquet_path)
    except Exception as exc:  # noqa: BLE001
        return errors + [f"resource {name!r}: cannot read {parquet_path.name}: {exc}"]
    if table.num_rows != csv_typed.num_rows:
        return errors + [f"resource {name!r}: {table.num_rows} rows, but the CSV {csv_name!r} has {csv_typed.num_rows}"]
    if table.equals(csv_typed.replace_schema_metadata(table.schema.metadata)):
        return errors
    mismatches = 0
    for f in meta.fields:
        p_col, c_col = table.column(f.name).combine_chunks(), csv_typed.column(f.name).combine_chunks()
        same = pc.fill_null(pc.equal(p_col, c_col), False)
        same = pc.or_(same, pc.and_(pc.is_null(p_col), pc.is_null(c_col)))
        for i in pc.indices_nonzero(pc.invert(same)).to_pylist():
            mismatches += 1
            if mismatches <= MAX_ROW_ERRORS:
                c_val = c_col[i].as_py()
                if f.type == "number" and c_val is not None:  # show the CSV literal, not the rescaled decimal
                    c_val = decimal.Decimal(csv_text.column(f.name)[i].as_py())
                errors.append(
                    f"resource {name!r}: row {i + 1} field {f.name!r} is {p_col[i].as_py()!r} in Parquet "
                    f"but {c_val!r} in the CSV {csv_name!r}"
                )
    if mismatches > MAX_ROW_ERRORS:
        errors.append(f"resource {name!r}: {mismatches - MAX_ROW_ERRORS} more differing cells")
    return errors


def check_tables(metas: dict[str, TableMeta], paths: dict[str, Path], parquet_suffix: str, where: str = "") -> tuple[list[str], dict[str, int]]:
    """Run every row check on the tables whose CSV (and Parquet) files are in ``paths`` (by resource name).

    ``where`` (e.g. the part's name) is put in front of every row error's message.
    """
    errors: list[str] = []
    stats: dict[str, int] = {}
    fk_columns = foreign_key_columns(metas)
    csv_keys: dict[str, pa.Table] = {}

    def check_one(name: str) -> tuple[list[str], int | None, pa.Table | None]:
        meta = metas[name]
        table_errors = _Errors(name, where)
        text = read_csv_text(meta, paths[name], table_errors)
        typed = check_fields(meta, text, table_errors) if text is not None else None
        if typed is None:
            return list(table_errors), None, None
        check_primary_key(meta, typed, table_errors)
        found = list(table_errors)
        pq_name = name + parquet_suffix
        if pq_name in paths:
            # Row checks run on the CSV only: a Parquet file equal to its CSV has the same violations.
            found += compare_parquet(meta, typed, text, paths[pq_name], pq_name, name)
        return found, typed.num_rows, typed.select(sorted(fk_columns[name]))

    # CHECK_THREADS tables at a time (Arrow releases the GIL); results gathered in the model's table order.
    names = [name for name in metas if name in paths]
    with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
        outcomes = dict(zip(names, pool.map(check_one, names)))
    for name in names:
        found, rows, keys = outcomes[name]
        errors += found
        if rows is not None:
            stats[name] = rows
            csv_keys[name] = keys
    for name, meta in metas.items():
        if name in csv_keys:
            fk_errors = _Errors(name, where)
            check_foreign_keys(meta, csv_keys, fk_errors)
            errors += fk_errors
    return errors, stats
