"""The rows of one parsed document against the constraints of their Table Schemas, before they meet others.

A template bug or a freak document could yield rows that break a schema constraint (two rows with the same
primary key, an empty required field, a value outside its enum or pattern). Caught only when the whole
package is validated, that would stop every document from being published; caught here, it quarantines the
one document, with a :class:`~pipeline.errors.DocumentError` naming the line of the offending row.
Constraints that span documents (``document_id`` unique across files) are handled by the build.

The rows are also held to the physical types the package stores them in: an integer must fit 64 bits, a number
its field's ``decimal128`` (``FieldMeta.arrow_type``: a quantity at most 6 decimal places and 18 digits before
the point). A figure beyond
them (a quantity printed ``0.0000001``, a 25-digit count) would otherwise stop the Parquet writer for the whole
package; here it quarantines its document at its row.
"""

from __future__ import annotations

import decimal
import functools
import re

from pipeline.errors import DocumentError
from pipeline.metadata.constraints import Constraint, constraints_of
from pipeline.metadata.schemas import FieldMeta, TableMeta, load_tables

_REF = re.compile(r"^L(\d+)")


@functools.cache
def _tables() -> dict[str, tuple[TableMeta, list[Constraint]]]:
    return {name: (meta, constraints_of(meta)) for name, meta in load_tables().items()}


def _line(row: dict) -> int | None:
    m = _REF.match(str(row.get("source_ref") or ""))
    return int(m.group(1)) if m else None


def _at(row: dict) -> str:
    """Where the row was read, in the message, when its source_ref is not a line (a Word file's ``T3:R4``)."""
    ref = row.get("source_ref")
    return f" (read at {ref})" if ref and _line(row) is None else ""


_INT64 = (-(2**63), 2**63 - 1)


def _unstorable(field: FieldMeta, value) -> str | None:
    """Why ``value`` does not fit the physical type of ``field`` (module docstring), or None."""
    if field.type == "integer" and isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
        return "does not fit a 64-bit integer"
    if field.type == "number" and isinstance(value, decimal.Decimal) and value.is_finite() and value:
        precision, scale = field.arrow_type.precision, field.arrow_type.scale
        _, digits, exponent = value.as_tuple()
        significant = "".join(map(str, digits)).rstrip("0")
        exponent += len(digits) - len(significant)  # trailing zeros are no precision
        if exponent < -scale:
            return f"has more than {scale} decimal places"
        if len(significant) + exponent > precision - scale:
            return f"has more than {precision - scale} digits before the decimal point"
    return None


def check_rows(tables: dict[str, list[dict]], source: str) -> None:
    """Raise :class:`DocumentError` for the first row of ``tables`` that breaks its schema's constraints
    (:mod:`pipeline.metadata.constraints`), does not fit the stored types, or repeats a primary key of the
    document."""
    metas = _tables()
    for name, rows in tables.items():
        meta, constraints = metas[name]
        for field in meta.fields:
            if field.type not in ("integer", "number"):
                continue
            for row in rows:
                if why := _unstorable(field, row.get(field.name)):
                    stored = (f"decimal({field.arrow_type.precision}, {field.arrow_type.scale})"
                              if field.type == "number" else "a 64-bit integer")
                    value = row[field.name]
                    shown = format(value, "f") if isinstance(value, decimal.Decimal) else value
                    raise DocumentError(source, f"table {name}: field {field.name!r} is {shown} and {why}; "
                                        f"the package stores it as {stored}{_at(row)}", _line(row))
        for c in constraints:
            for row in rows:
                value = row.get(c.field)
                if c.fails(value):
                    raise DocumentError(source, f"table {name}: {c.message(value)}{_at(row)}", _line(row))
        key = meta.primary_key
        seen: dict[tuple, dict] = {}
        for row in rows:
            values = tuple(row.get(k) for k in key)
            if key and values in seen:
                raise DocumentError(
                    source,
                    f"table {name}: two rows with the same key {dict(zip(key, values))} (the first read at "
                    f"{seen[values].get('source_ref')}); expected each {', '.join(key)} once{_at(row)}",
                    _line(row),
                )
            seen[values] = row
