"""Prose of a section as one text, so that a sentence split over paragraphs (or pages) is still read whole, with
the span of the paragraphs any part of the text came from. Shared by the templates; each has its own patterns."""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal

from pipeline.document.model import Paragraph, Span
from pipeline.errors import DocumentError
from pipeline.tables.amounts import AmountError, to_yuan


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
