"""Check rows: figures with their provenance and printed precision, compared with an absolute tolerance.

A row of the ``checks`` table is built here and only here, so every check states its sides, difference,
tolerance and provenance the same way (see :mod:`pipeline.tables.checks.catalogue` for the tolerance rule).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from pipeline.tables.amounts import FEN, fen
from pipeline.tables.checks.catalogue import BY_ID

UNIT_YUAN = {"万元": 10000, "元": 1}
_NUMBER = re.compile(r"[0-9０-９][0-9０-９,，]*(?:[.．](?P<decimals>[0-9０-９]+))?")


@dataclass(frozen=True)
class Figure:
    """One figure of a check: its label, exact yuan with two places (None when the document does not give
    it), the place(s) it was read from, and the literal as printed when the table keeps it (else its precision
    is read off the value in the source unit: tables print no trailing zeros)."""

    label: str
    yuan: Decimal | None
    ref: str | None = None
    text: str | None = None
    weight: Decimal = Decimal(1)  # how many times its rounding error counts (|quantity| for a unit price)

    def __post_init__(self) -> None:
        if self.yuan is not None:  # an exact 0 given as int, or an amount: always two places
            object.__setattr__(self, "yuan", fen(self.yuan))

    def half_unit(self, unit: str) -> Decimal:
        """Half a unit of the last printed digit, in yuan, times ``weight``. A zero printed without decimals
        (``0万元``, an empty-handed line) is exact; ``0.00万元`` is a rounded figure like any other."""
        if self.yuan is None:
            return Decimal(0)
        unit_yuan = UNIT_YUAN[_unit_of(self.text) or unit]
        match = _NUMBER.search(self.text or "")
        if match:
            decimals = len(match.group("decimals") or "")
            if self.yuan == 0 and not decimals:
                return Decimal(0)
        elif self.yuan == 0:
            return Decimal(0)
        else:
            exponent = (Decimal(self.yuan) / unit_yuan).normalize().as_tuple().exponent
            decimals = max(0, -exponent)
        return Decimal(unit_yuan) / (10 ** decimals) / 2 * abs(self.weight)


def _unit_of(text: str | None) -> str | None:
    if not text:
        return None
    return "万元" if "万元" in text else ("元" if "元" in text else None)


def tolerance(figures: Sequence[Figure], unit: str) -> Decimal:
    """Sum of the figures' half-units, rounded down to the fen (amounts are whole fen, so |d| <= t exactly
    when |d| <= floor(t))."""
    return sum((f.half_unit(unit) for f in figures), Decimal(0)).quantize(FEN, rounding=ROUND_FLOOR)


def refs(figures: Sequence[Figure]) -> str | None:
    seen: list[str] = []
    for f in figures:
        if f.ref and f.ref not in seen:
            seen.append(f.ref)
    return " ".join(seen) or None


def make_row(check_id: str, status: str, **values) -> dict:
    row = {
        "check_id": check_id, "check_kind": BY_ID[check_id].kind, "status": status, "subject": None,
        "stated_label_zh": None, "stated_yuan": None, "stated_text": None, "stated_source_ref": None,
        "computed_expression_zh": None, "computed_yuan": None, "computed_source_ref": None,
        "difference_yuan": None, "tolerance_yuan": None, "found_text": None, "note": None, "source_ref": None,
    }
    row.update(values)
    return row


def compare(check_id: str, stated: Figure | None, terms: Sequence[Figure], *, unit: str, subject: str | None = None,
            expression: str | None = None, relation: str = "eq", note: str | None = None,
            computed: Decimal | None = None) -> dict:
    """A row comparing ``stated`` with the sum of ``terms`` (or with ``computed`` when given, e.g. a product).

    ``relation``: ``eq`` (|difference| <= tolerance), ``ge`` (stated >= computed - tolerance) or ``le``.
    Any figure without a value makes the row a skip naming it; the status otherwise is pass, or fail (identity)
    / warn (soft).
    """
    expression = expression or " + ".join(t.label for t in terms)
    base = {"subject": subject, "computed_expression_zh": expression,
            "computed_source_ref": refs(terms)}
    if stated is not None:
        base.update(stated_label_zh=stated.label, stated_yuan=stated.yuan, stated_text=stated.text,
                    stated_source_ref=stated.ref)
    base["source_ref"] = (stated.ref if stated is not None and stated.ref else None) or next(
        (t.ref for t in terms if t.ref), None)
    missing = [f.label for f in ([stated] if stated is not None else []) + list(terms) if f.yuan is None]
    if stated is None or missing:
        reason = "missing figure: " + ", ".join(missing or ["the stated side"])
        return make_row(check_id, "skip", **base, note=f"{reason}; {note}" if note else reason)
    exact = computed if computed is not None else sum((t.yuan for t in terms), Decimal(0))
    computed_yuan = exact.quantize(FEN, rounding=ROUND_HALF_EVEN)
    difference = stated.yuan - exact
    tol = tolerance([stated, *terms], unit)
    ok = {"eq": abs(difference) <= tol, "ge": difference >= -tol, "le": difference <= tol}[relation]
    if computed_yuan != exact:
        note = "; ".join(filter(None, [note, f"computed value {exact} yuan rounded to the fen"]))
    bad = "warn" if BY_ID[check_id].kind == "soft" else "fail"
    return make_row(check_id, "pass" if ok else bad, **base, computed_yuan=computed_yuan,
                difference_yuan=difference.quantize(FEN, rounding=ROUND_HALF_EVEN),
                tolerance_yuan=tol, note=note)


def skip(check_id: str, reason: str, *, subject: str | None = None, source_ref: str | None = None) -> dict:
    return make_row(check_id, "skip", subject=subject, note=reason, source_ref=source_ref)


def occurrence(check_id: str, source_ref: str | None, found_text: str, *, subject: str | None = None,
               note: str | None = None) -> dict:
    """One occurrence of an anomaly or a completeness gap: a warn row pointing at the lines."""
    return make_row(check_id, "warn", subject=subject, found_text=found_text, note=note, source_ref=source_ref)


def clean(check_id: str) -> dict:
    """The row of an anomaly or completeness check that found nothing in the document."""
    return make_row(check_id, "pass")
