"""Exact amounts: printed literals -> ``Decimal`` -> integer yuan. Never through binary floats.

Disclosures print amounts in 万元 (ten thousand yuan) with two decimals; ``6041.24`` 万元 is exactly
60,412,400 yuan. A figure that is not a whole number of yuan after conversion is an error, not a rounding.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

UNIT_FACTORS = {"万元": Decimal(10000), "元": Decimal(1)}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


class AmountError(ValueError):
    """A printed figure is not a number, or not a whole number of yuan."""


def parse_decimal(literal: str) -> Decimal:
    """A printed number as an exact ``Decimal``: full-width digits and thousands commas allowed."""
    text = literal.strip().translate(_FULLWIDTH)
    if not _NUMBER.match(text):
        raise AmountError(f"{literal!r} is not a number")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise AmountError(f"{literal!r} is not a number") from exc


def to_yuan(number: str | Decimal, unit: str) -> int:
    """Exact integer yuan of ``number`` printed in ``unit`` (万元 or 元)."""
    if unit not in UNIT_FACTORS:
        raise AmountError(f"unknown amount unit {unit!r}; expected one of {sorted(UNIT_FACTORS)}")
    value = (parse_decimal(number) if isinstance(number, str) else number) * UNIT_FACTORS[unit]
    if value != value.to_integral_value():
        raise AmountError(f"{number} {unit} is not a whole number of yuan")
    return int(value)


def plain(value: Decimal) -> str:
    """A ``Decimal`` as a plain string without exponent or trailing zeros: 16.9, 15034, 0."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
