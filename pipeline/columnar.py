"""The columnar form of the tables: Arrow record batches in a *core* schema, and the CSV text made from them.

The core schema is the Parquet schema of the metadata model except that ``number`` fields are strings holding
the exact literal printed in the disclosure (``"16.9"``, ``"16.90"``): the CSV keeps that literal, while
``decimal128`` keeps only the value (``16.900000``). Parquet is made from the core form by one exact cast
(:func:`to_parquet_table`), which refuses a literal that does not fit ``decimal128(24, 6)``.

Per-document rows (the dicts ``parse.parse_raw_document`` returns) are turned into a core table once, right
after parsing (:func:`rows_to_table`); from then on the pipeline moves Arrow data, never millions of dicts.
:func:`csv_text` renders a core batch as CSV with vectorised Arrow compute, byte for byte what ``csv.writer``
(``QUOTE_MINIMAL``, ``\\n`` line ends) writes, and independent of how the rows are split into batches.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.metadata import TableMeta

# Characters that make csv.writer (QUOTE_MINIMAL, delimiter ",", quotechar '"', lineterminator "\n") quote a
# field.
_NEEDS_QUOTES = r'[,"\r\n]'


def core_schema(meta: TableMeta) -> pa.Schema:
    """The Arrow schema of a core table: the Parquet schema with ``number`` fields as exact string literals."""
    fields = []
    for f, arrow_field in zip(meta.fields, meta.arrow_schema()):
        fields.append(arrow_field.with_type(pa.string()) if f.type == "number" else arrow_field)
    return pa.schema(fields)


def rows_to_table(meta: TableMeta, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Check ``rows`` against the schema (see ``package.prepare_rows``) and return them as a core table.

    Raises ``package.RowError`` for a row that does not fit the schema.
    """
    from pipeline.package import RowError, format_decimal, prepare_rows

    prepared = prepare_rows(meta, rows)
    numbers = [f.name for f in meta.fields if f.type == "number"]
    for row in prepared:
        for name in numbers:
            value = row[name]
            if isinstance(value, decimal.Decimal):
                row[name] = format_decimal(value)
    try:
        return pa.Table.from_pylist(prepared, schema=core_schema(meta))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:  # e.g. an int beyond int64
        raise RowError(f"table {meta.name!r}: rows do not fit the Arrow schema: {exc}") from exc


def to_parquet_table(meta: TableMeta, table: pa.Table) -> pa.Table:
    """The core ``table`` as the Parquet table of the metadata model (numbers cast exactly to ``decimal128``)."""
    from pipeline.package import RowError

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
