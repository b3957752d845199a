"""Codes of the government revenue and expenditure classification (政府收支分类科目) as printed.

Function classification (支出功能分类): 类 3 digits, 款 2, 项 2 (``201 06 01`` = ``2010601``). Economic
classification (部门预算支出经济分类): 类 3 digits, 款 2 (``301 01`` = ``30101``). Tables print the parts in
separate columns (Shanghai) or the full code in one (Jiangsu); either way a code is kept exactly as printed, and
one whose parts do not have these digit counts is published as printed and flagged by the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = {"function": (3, 2, 2), "economic": (3, 2)}
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class Code:
    parts: tuple[str, ...]  # as printed: ("201", "06", "01")

    @property
    def level(self) -> int:
        return len(self.parts)

    @property
    def full(self) -> str:
        return "".join(self.parts)

    @property
    def parent(self) -> str | None:
        return "".join(self.parts[:-1]) or None

    def fits(self, scheme: str) -> bool:
        """Whether every part has the digits its level has in ``scheme``."""
        digits = DIGITS[scheme]
        return len(self.parts) <= len(digits) and all(len(p) == d for p, d in zip(self.parts, digits))


def from_parts(parts: list[str]) -> tuple[Code | None, str | None]:
    """The code of a row's printed 类/款/项 cells (blank cells after the last part), or ``(None, why not)``."""
    parts = [re.sub(r"\s+", "", p) for p in parts]
    filled = [p for p in parts if p]
    if not filled:
        return None, "no code is printed"
    if parts[: len(filled)] != filled:
        return None, f"the code's parts {parts} leave a gap"
    bad = next((p for p in filled if not _DIGITS.match(p)), None)
    if bad is not None:
        return None, f"{bad!r} is not a code (digits expected)"
    return Code(tuple(filled)), None


def from_full(text: str, scheme: str) -> tuple[Code | None, str | None]:
    """The code printed whole in one cell (``2010601``), split by the scheme's digit counts."""
    text = re.sub(r"\s+", "", text)
    if not _DIGITS.match(text or "x"):
        return None, f"{text!r} is not a code (digits expected)"
    parts, rest = [], text
    for d in DIGITS[scheme]:
        if not rest:
            break
        parts.append(rest[:d])
        rest = rest[d:]
    if rest or len(parts[-1]) != DIGITS[scheme][len(parts) - 1]:
        return None, f"{text!r} has {len(text)} digits, which is no level of the {scheme} classification"
    return Code(tuple(parts)), None
