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
from decimal import Decimal

from pipeline.errors import DocumentError
from pipeline.metadata.schemas import load_tables

_REF = re.compile(r"^L(\d+)")


@functools.cache
def _tables():
    return load_tables()


def _line(row: dict) -> int | None:
    m = _REF.match(str(row.get("source_ref") or ""))
    return int(m.group(1)) if m else None


def _bound(value, limit):
    return Decimal(str(limit)) if isinstance(value, Decimal) else limit


def check_rows(tables: dict[str, list[dict]], source: str) -> None:
    """Raise :class:`DocumentError` for the first row of ``tables`` that breaks its schema's constraints."""
    metas = _tables()
    for name, rows in tables.items():
        schema = metas[name].schema
        for field in schema["fields"]:
            c = field.get("constraints", {})
            fname = field["name"]
            for row in rows:
                value = row.get(fname)
                problem = None
                if value is None or value == "":
                    problem = "is empty but required" if c.get("required") else None
                elif "enum" in c and value not in c["enum"]:
                    problem = f"is {value!r}, expected one of {c['enum']}"
                elif "pattern" in c and not re.fullmatch(c["pattern"], str(value)):
                    problem = f"is {value!r}, expected the pattern {c['pattern']}"
                elif "minimum" in c and value < _bound(value, c["minimum"]):
                    problem = f"is {value}, expected at least {c['minimum']}"
                elif "maximum" in c and value > _bound(value, c["maximum"]):
                    problem = f"is {value}, expected at most {c['maximum']}"
                if problem:
                    raise DocumentError(source, f"table {name}: field {fname} {problem}", _line(row))
        key = schema.get("primaryKey") or []
        seen: dict[tuple, dict] = {}
        for row in rows:
            values = tuple(row.get(k) for k in key)
            if key and values in seen:
                raise DocumentError(
                    source,
                    f"table {name}: two rows with the same key {dict(zip(key, values))} (the first read at "
                    f"{seen[values].get('source_ref')}); expected each {', '.join(key)} once",
                    _line(row),
                )
            seen[values] = row
