"""Exact amounts: printed literals -> ``Decimal`` yuan with two places (fen). Never through binary floats.

Every amount of the package is a number of yuan with exactly two decimal places, the fen (分): disclosures
print 万元 with two decimals (``6041.24`` 万元 is exactly 60,412,400.00 yuan) or 元 with fen
(``31,214,205.80``). A figure finer than a fen after conversion (``0.000001`` 万元) is an error, never a
rounding. The value type is ``Decimal`` quantized to ``0.01`` (:data:`FEN`); the published files keep it
as a decimal with two places (see ``docs/data.md``, Amounts).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

UNIT_FACTORS = {"万元": Decimal(10000), "元": Decimal(1)}
FEN = Decimal("0.01")
# The largest amount the package holds: Parquet keeps amounts as decimal128(18, 2) (see docs/data.md).
LIMIT = Decimal(10) ** 16

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# Where a figure starts right after its label: a digit; or a short run of anything but Chinese text ending in
# 元 (NaN万元, O万元, —万元, ,041.24万元, 。041.24万元, c千元, 万元 alone); or a unit word 万 亿 千 百 that does not
# begin a Chinese word (6O41.24万， 万 alone) or follows a mark of the number itself (+78530万和). What follows a
# label otherwise is prose (基本支出表…, 项目支出，主要为…, 用于万庄镇…), not its figure; a figure that starts here
# must read as an amount. Every template reads its prose figures this way (the Hebei template's
# reader.Reader.figure; the Shanghai and Jiangsu templates' templates.figures.labelled).
_RUN = r"(?:[^\u4e00-\u9fff\n]|[万亿元千百]){0,16}"
FIGURE_START = re.compile(rf"\s*(?:[0-9０-９]|{_RUN}元|{_RUN}[万亿千百](?![\u4e00-\u9fff])"
                          rf"|{_RUN}[^\s，,；;。：:、（）()\u4e00-\u9fff][万亿千百])")


class AmountError(ValueError):
    """A printed figure is not a number, or not a whole number of fen."""


def parse_decimal(literal: str) -> Decimal:
    """A printed number as an exact ``Decimal``: full-width digits and thousands commas allowed."""
    text = literal.strip().translate(_FULLWIDTH)
    if not _NUMBER.match(text):
        raise AmountError(f"{literal!r} is not a number")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise AmountError(f"{literal!r} is not a number") from exc


def fen(value: Decimal | int) -> Decimal:
    """``value`` yuan as an amount (two places); :class:`AmountError` when it is not a whole number of fen."""
    exact = Decimal(value)
    if not exact.is_finite() or abs(exact) >= LIMIT:
        raise AmountError(f"{value} yuan is not an amount the package can hold (at most 16 digits of yuan)")
    amount = exact.quantize(FEN)
    if amount != exact:
        raise AmountError(f"{value} yuan is not a whole number of fen")
    return amount + 0  # + 0 turns -0.00 into 0.00


def to_yuan(number: str | Decimal, unit: str) -> Decimal:
    """Exact yuan, two places, of ``number`` printed in ``unit`` (万元 or 元)."""
    if unit not in UNIT_FACTORS:
        raise AmountError(f"unknown amount unit {unit!r}; expected one of {sorted(UNIT_FACTORS)}")
    value = (parse_decimal(number) if isinstance(number, str) else number) * UNIT_FACTORS[unit]
    try:
        return fen(value)
    except AmountError as exc:
        raise AmountError(f"{number} {unit}: {exc}") from None


def plain(value: Decimal) -> str:
    """A ``Decimal`` as a plain string without exponent or trailing zeros: 16.9, 15034, 0."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
