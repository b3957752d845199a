"""The constraints of the metadata model: stated once (pipeline.metadata.constraints), and its two tests -- the
per-document one (rowcheck) and the vectorised one (arrow_checks) -- agree on every value."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
from conftest import csv_cell_text
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.metadata.constraints import KINDS, Constraint, constraints_of
from pipeline.metadata.schemas import load_tables

METAS = load_tables()
PAIRS = [(name, c) for name, meta in METAS.items() for c in constraints_of(meta)]
ALL = [c for _, c in PAIRS]
ARROW_TYPES = {name: dict(zip(meta.field_names, meta.arrow_schema().types)) for name, meta in METAS.items()}


def values_for(c: Constraint):
    """Values of the field's type, biased to the constraint's edges (enum members, the bound, pattern-like text)."""
    near = []
    if c.kind == "enum":
        near = list(c.value)
    elif c.kind in ("minimum", "maximum"):
        near = [c.value, c.value - 1, c.value + 1] if c.ftype != "date" else [c.value]
    if c.ftype == "string":
        base = st.one_of(st.text(max_size=12), st.from_regex(c.value, fullmatch=True)) if c.kind == "pattern" \
            else st.text(max_size=12)
    elif c.ftype == "integer":
        base = st.integers(-10**6, 10**6)
    elif c.ftype == "number":
        base = st.decimals(min_value=-10**6, max_value=10**6, places=2)
    elif c.ftype == "date":
        base = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
    else:
        base = st.booleans()
    return st.one_of(st.none(), st.sampled_from(near), base) if near else st.one_of(st.none(), base)


def test_the_schemas_use_only_supported_constraints():
    used = {c.kind for c in ALL}
    assert used <= set(KINDS) and {"required", "enum", "pattern", "minimum"} <= used


@pytest.mark.parametrize(("table", "c"), [(t, c) for t, c in PAIRS if c.kind != "unique"],
                         ids=[f"{t}.{c.field}-{c.kind}" for t, c in PAIRS if c.kind != "unique"])
@settings(max_examples=40)
@given(data=st.data())
def test_scalar_and_vectorised_tests_agree(table: str, c: Constraint, data):
    value = data.draw(values_for(c))
    if c.ftype == "string" and value == "":
        value = None  # the CSV cannot tell "" from missing; the writer stores both as missing
    arrow_type = ARROW_TYPES[table][c.field]
    values = pa.array([value], type=arrow_type)
    text = pa.array([csv_cell_text(value) if value is not None else None], type=pa.string())
    mask = c.failing(values, text).to_pylist()[0]
    assert bool(mask) == c.fails(value), (c, value)


def test_unique_is_about_the_column():
    (c,) = [c for c in ALL if c.kind == "unique"]
    values = pa.array(["a", "b", "a", None, None])
    assert [bool(x) for x in c.failing(values, values).to_pylist()] == [True, False, True, False, False]
    assert not c.fails("a")


def test_an_unknown_constraint_is_refused_not_ignored():
    meta = METAS["glossary"]
    fields = [dict(f) for f in meta.schema["fields"]]
    fields[0] = {**fields[0], "constraints": {**fields[0].get("constraints", {}), "exclusiveMinimum": 0}}
    broken = type(meta)(meta.name, meta.title, meta.description, {**meta.schema, "fields": fields})
    with pytest.raises(ValueError, match="exclusiveMinimum"):
        constraints_of(broken)


def test_number_bounds_are_exact_decimals():
    c = Constraint("x", "number", "minimum", decimal.Decimal("0"))
    assert c.fails(decimal.Decimal("-0.01")) and not c.fails(decimal.Decimal("0.00"))
