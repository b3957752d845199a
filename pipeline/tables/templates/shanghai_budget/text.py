"""Prose of a section as one text, so that a sentence split over paragraphs (or pages) is still read whole, with
the span of the paragraphs any part of the text came from."""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal

from pipeline.document.model import Paragraph, Span
from pipeline.errors import DocumentError
from pipeline.tables.amounts import AmountError, to_yuan

# A figure in prose: digits (thousands separators were folded by the reader) and its unit.
NUM = r"(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>万元|元)"
# A stated change: 比2024年预算增加107.62万元 / 减少 … / 与2024年预算持平 / 一致0万元.
CHANGE = (r"(?:比|与|较)\s*(?:19|20)\d{2}\s*年(?:（[^）]*）)?(?:预算)?(?:执行数)?\s*(?:(?P<dir>增加|减少|增长|下降)\s*"
          r"(?P<cnum>[0-9]+(?:\.[0-9]+)?)\s*(?P<cunit>万元|元)|(?P<flat>持平|一致|不变)(?:\s*(?P<fnum>[0-9]+(?:\.[0-9]+)?)"
          r"\s*(?P<funit>万元|元))?)")


class Prose:
    def __init__(self, paragraphs: list[Paragraph], source: str) -> None:
        self.paragraphs = [p for p in paragraphs if p.clean]
        self.source = source
        self.starts: list[int] = []
        parts = []
        pos = 0
        for p in self.paragraphs:
            self.starts.append(pos)
            parts.append(p.clean)
            pos += len(p.clean) + 1
        self.text = "\n".join(parts)

    def span(self, start: int, end: int) -> Span | None:
        if not self.paragraphs:
            return None
        first = self.paragraphs[max(0, bisect_right(self.starts, start) - 1)]
        last = self.paragraphs[max(0, bisect_right(self.starts, max(start, end - 1)) - 1)]
        return first.span.join(last.span)

    def ref(self, match: re.Match, group: str | int = 0) -> str:
        return self.span(match.start(group), match.end(group)).ref

    def yuan(self, literal: str, unit: str, match: re.Match) -> Decimal:
        try:
            return to_yuan(literal, unit)
        except AmountError as exc:
            raise DocumentError(self.source, f"expected an amount, found {exc}", self.span(match.start(), match.end()))

    def figure(self, match: re.Match, num: str = "num", unit: str = "unit") -> tuple[Decimal, str]:
        """The exact yuan of a matched figure and its literal as printed (after the reader's folding)."""
        return self.yuan(match.group(num), match.group(unit), match), match.group(num) + match.group(unit)

    def change(self, match: re.Match | None) -> tuple[Decimal | None, str | None]:
        """``(change_yuan, change_text)`` of a CHANGE match: signed; 0 for 持平 / 一致."""
        if match is None or match.group("dir") is None and match.group("flat") is None:
            return None, None
        if match.group("flat"):
            text = match.group("flat") + (match.group("fnum") + match.group("funit") if match.group("fnum") else "")
            return Decimal("0.00"), text
        sign = -1 if match.group("dir") in ("减少", "下降") else 1
        value = self.yuan(match.group("cnum"), match.group("cunit"), match)
        return sign * value, match.group("dir") + match.group("cnum") + match.group("cunit")
