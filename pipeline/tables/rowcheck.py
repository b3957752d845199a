"""The rows of one parsed document against the constraints of their Table Schemas, before they meet others.

A template bug or a freak document could yield rows that break a schema constraint (two rows with the same
primary key, an empty required field, a value outside its enum or pattern). Caught only when the whole
package is validated, that would stop every document from being published; caught here, it quarantines the
one document, with a :class:`~pipeline.errors.DocumentError` naming the line of the offending row.
Constraints that span documents (``document_id`` unique across files) are handled by the build.
"""

from __future__ import annotations

import functools
import re

from pipeline.errors import DocumentError
from pipeline.metadata.constraints import Constraint, constraints_of
from pipeline.metadata.schemas import TableMeta, load_tables

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


def check_rows(tables: dict[str, list[dict]], source: str) -> None:
    """Raise :class:`DocumentError` for the first row of ``tables`` that breaks its schema's constraints
    (:mod:`pipeline.metadata.constraints`) or repeats a primary key of the document."""
    metas = _tables()
    for name, rows in tables.items():
        meta, constraints = metas[name]
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
