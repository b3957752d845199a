"""The columnar form of the tables: Arrow record batches in a *core* schema, and the CSV text made from them.

The core schema is the Parquet schema of the metadata model except that ``number`` fields are strings holding
the exact literal printed in the disclosure (``"16.9"``, ``"16.90"``): the CSV keeps that literal, while
``decimal128`` keeps only the value (``16.900000``). A field with ``decimalPlaces`` (the amounts) is written
with exactly that many decimals instead (``60412400.00``), and a value that would need rounding is refused.
Parquet is made from the core form by one exact cast (:func:`to_parquet_table`), which refuses a literal that
does not fit the field's ``decimal128``.

Per-document rows (the dicts ``parse.parse_raw_document`` returns) are turned into a core table once, right
after parsing (:func:`rows_to_table`); from then on the pipeline moves Arrow data, never millions of dicts.
:func:`csv_text` renders a core batch as CSV with vectorised Arrow compute, byte for byte what ``csv.writer``
(``QUOTE_MINIMAL``, ``\\n`` line ends) writes, and independent of how the rows are split into batches.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.metadata.schemas import TableMeta

# Characters that make csv.writer (QUOTE_MINIMAL, delimiter ",", quotechar '"', lineterminator "\n") quote a
# field.
_NEEDS_QUOTES = r'[,"\r\n]'


class RowError(ValueError):
    """A row does not fit its table's schema (wrong keys or a value of the wrong Python type)."""


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


def fixed_places(meta: TableMeta, index: int, name: str, value: decimal.Decimal, places: int) -> str:
    """The literal of ``value`` with exactly ``places`` decimals (``60412400.00``), refusing any rounding."""
    quantum = decimal.Decimal(1).scaleb(-places)
    try:
        fixed = value.quantize(quantum)
    except decimal.InvalidOperation:
        fixed = None
    if fixed is None or fixed != value:
        raise RowError(f"table {meta.name!r}, row {index}: field {name!r} is {value}, which is not exact with "
                       f"{places} decimal places")
    return format_decimal(fixed)


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


def core_schema(meta: TableMeta) -> pa.Schema:
    """The Arrow schema of a core table: the Parquet schema with ``number`` fields as exact string literals."""
    fields = []
    for f, arrow_field in zip(meta.fields, meta.arrow_schema()):
        fields.append(arrow_field.with_type(pa.string()) if f.type == "number" else arrow_field)
    return pa.schema(fields)


def rows_to_table(meta: TableMeta, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Check ``rows`` against the schema (see :func:`prepare_rows`) and return them as a core table.

    Raises :class:`RowError` for a row that does not fit the schema.
    """
    prepared = prepare_rows(meta, rows)
    numbers = [(f.name, f.decimal_places) for f in meta.fields if f.type == "number"]
    for index, row in enumerate(prepared):
        for name, places in numbers:
            value = row[name]
            if isinstance(value, decimal.Decimal):
                row[name] = format_decimal(value) if places is None else fixed_places(meta, index, name, value, places)
    try:
        return pa.Table.from_pylist(prepared, schema=core_schema(meta))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:  # e.g. an int beyond int64
        raise RowError(f"table {meta.name!r}: rows do not fit the Arrow schema: {exc}") from exc


def to_parquet_table(meta: TableMeta, table: pa.Table) -> pa.Table:
    """The core ``table`` as the Parquet table of the metadata model (numbers cast exactly to ``decimal128``)."""
    schema = meta.parquet_schema()
    columns = []
    for f, target in zip(meta.fields, schema):
        column = table.column(f.name)
        if f.type == "number":
            try:
                column = column.cast(target.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise RowError(f"table {meta.name!r}: field {f.name!r} does not fit {target.type}: {exc}") from exc
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def csv_header(meta: TableMeta) -> bytes:
    return _join_line(meta.field_names)


def _join_line(cells: Sequence[str]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _csv_cells(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_boolean(column.type):
        text = pc.if_else(column, pa.scalar("true", pa.large_string()), pa.scalar("false", pa.large_string()))
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column.cast(pa.large_string())
        quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
        quoted = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
        text = pc.if_else(pc.match_substring_regex(text, _NEEDS_QUOTES), quoted, text)
    else:  # int64 -> decimal digits, date32 -> ISO 8601, decimal128 -> its scale's digits
        text = column.cast(pa.string())
    return pc.fill_null(text.cast(pa.large_string()), "")


def csv_text(table: pa.Table | pa.RecordBatch) -> bytes:
    """The rows of ``table`` as CSV lines (no header), exactly as ``csv.writer`` would write them."""
    if table.num_rows == 0:
        return b""
    cells = [_csv_cells(table.column(i)) for i in range(table.num_columns)]
    # One string per row: the fields joined by ",", then "\n" appended (the empty separator adds nothing).
    lines = pc.binary_join_element_wise(
        pc.binary_join_element_wise(*cells, pa.scalar(",", pa.large_string())),
        pa.scalar("\n", pa.large_string()),
        pa.scalar("", pa.large_string()),
    )
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    return lines.buffers()[2].slice(start, end - start).to_pybytes()
