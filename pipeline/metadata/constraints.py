"""The Table Schema constraints of the metadata model, each stated once, with a scalar and a vectorised test.

Two checkers enforce the constraints of ``schemas/``:

* :mod:`pipeline.tables.rowcheck`, on one parsed document's rows (Python values), so that a document whose rows
  would break the package is quarantined with the line of the offending row;
* :mod:`pipeline.package.arrow_checks`, on a whole table read back from its CSV (Arrow arrays), as part of
  validating the package.

Both take their constraints from :func:`constraints_of`, and each kind of constraint is defined here once, by
one class that holds both tests side by side (:meth:`Constraint.fails` for a value, :meth:`Constraint.failing`
for an array) and the one message both report. A test draws values and checks that the two tests agree.
Keys (primary, foreign) are checked by each checker in its own way: within a document, across the package.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.metadata.schemas import TableMeta

# The kinds of constraint the schemas may use, in the order they are checked. Table Schema also defines
# exclusiveMinimum/exclusiveMaximum and jsonSchema; schemas/ does not use them, and constraints_of refuses
# them rather than ignore them.
KINDS = ("required", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "unique")


def typed_value(ftype: str, value: Any) -> Any:
    """A constraint's value (as JSON gives it) in the field's Python type: Decimal for numbers, date for dates."""
    if ftype == "number":
        return decimal.Decimal(str(value))
    if ftype == "date":
        return dt.date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Constraint:
    """One constraint on one field. ``value`` is in the field's Python type (see :func:`typed_value`)."""

    field: str
    ftype: str
    kind: str
    value: Any

    # -- one value (a parsed document's rows) --------------------------------------------------------------
    def fails(self, v: Any) -> bool:
        """Whether the Python value ``v`` breaks the constraint. A missing value (None or "") breaks only
        ``required``; ``unique`` is about the whole column and is never broken by one value."""
        missing = v is None or v == ""
        if self.kind == "required":
            return missing
        if missing or self.kind == "unique":
            return False
        if self.kind == "enum":
            return v not in self.value
        if self.kind == "pattern":
            return re.fullmatch(self.value, str(v)) is None
        if self.kind == "minimum":
            return v < self.value
        if self.kind == "maximum":
            return v > self.value
        if self.kind == "minLength":
            return len(v) < self.value
        if self.kind == "maxLength":
            return len(v) > self.value
        raise AssertionError(self.kind)

    # -- a column (a table of the package) -----------------------------------------------------------------
    def failing(self, values: pa.Array, text: pa.Array) -> pa.Array:
        """Boolean mask of the rows that break the constraint: ``values`` is the column in its Arrow type,
        ``text`` the same cells as printed in the CSV (strings; null for an empty cell)."""
        if self.kind == "required":
            return pc.is_null(values)
        if self.kind == "enum":
            allowed = pa.array(self.value, type=values.type)
            return pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, allowed)))
        if self.kind == "pattern":
            return pc.invert(pc.match_substring_regex(text, f"^(?:{self.value})$"))
        if self.kind in ("minimum", "maximum"):
            bound = pa.scalar(self.value, type=values.type)
            return (pc.less if self.kind == "minimum" else pc.greater)(values, bound)
        if self.kind in ("minLength", "maxLength"):
            return (pc.less if self.kind == "minLength" else pc.greater)(pc.utf8_length(text), self.value)
        if self.kind == "unique":
            counts = pc.value_counts(values.drop_null())
            dupes = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
            return pc.is_in(values, dupes)
        raise AssertionError(self.kind)

    def message(self, v: Any) -> str:
        """What is wrong with the value ``v`` of this field, as both checkers report it."""
        if self.kind == "required":
            return f"field {self.field!r} is required but empty"
        value = list(self.value) if self.kind == "enum" else self.value
        expected = {
            "enum": "expected one of {}",
            "pattern": "expected the pattern {}",
            "minimum": "expected at least {}",
            "maximum": "expected at most {}",
            "minLength": "expected at least {} characters",
            "maxLength": "expected at most {} characters",
            "unique": "expected each value once",
        }[self.kind].format(value)
        return f"field {self.field!r} is {v!r}, {expected}"


def constraints_of(meta: TableMeta) -> list[Constraint]:
    """The constraints of ``meta``'s fields, in field order and, per field, in :data:`KINDS` order.

    A primary-key field is required (Table Schema: a primary key implies ``required``). ``pattern`` and the
    length constraints apply to string fields only, as in Table Schema.
    """
    out = []
    for f in meta.fields:
        cons = f.descriptor.get("constraints", {})
        unknown = set(cons) - set(KINDS)
        if unknown:
            raise ValueError(f"table {meta.name}: field {f.name!r} has constraints {sorted(unknown)} this model does "
                             f"not check; supported: {list(KINDS)}")
        for kind in KINDS:
            if kind == "required":
                if cons.get("required") or f.name in meta.primary_key:
                    out.append(Constraint(f.name, f.type, kind, True))
                continue
            if kind not in cons or (kind == "unique" and not cons[kind]):
                continue
            if kind in ("pattern", "minLength", "maxLength") and f.type != "string":
                continue
            value = cons[kind]
            if kind == "enum":
                value = tuple(typed_value(f.type, v) for v in value)
            elif kind in ("minimum", "maximum"):
                value = typed_value(f.type, value)
            out.append(Constraint(f.name, f.type, kind, value))
    return out
