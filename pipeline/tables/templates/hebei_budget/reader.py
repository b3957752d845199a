"""The reading state shared by every section of the Hebei template: the document, its warnings, amount helpers."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Document, Paragraph, Span
from pipeline.errors import DocumentError
from pipeline.tables.amounts import FIGURE_START, AmountError, to_yuan
from pipeline.tables.templates.hebei_budget.layout import AMT, printed_literal

_AMT_AT = re.compile(rf"\s*{AMT}")
# After a figure's unit: a digit, Latin letter or point would mean the figure goes on (6041.24万元3).
_GOES_ON = re.compile(r"[0-9０-９A-Za-z.．]")
# What is shown of a figure that does not read as an amount: up to its unit (6041。24万元), or to the next mark
# that ends a clause.
_SHOWN = re.compile(r"\s*(\S{0,24}?(?:万元|亿元|元|万|亿)|[^\s，,；;。：:（(）)、]{1,24})")
_SENTENCE_END = re.compile(r"[。；;]")




class Reader:
    """State and helpers every section reader of the template shares (mixed into one parser per document)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.warnings: list[str] = []
        self.unit = "万元"

    # -- helpers -----------------------------------------------------------------------------------------
    def error(self, message: str, at: Span | int | None = None) -> DocumentError:
        """A :class:`DocumentError` at ``at``: a span of the document (its place, as the reader names it) or a line."""
        return DocumentError(self.doc.source, message, at)

    def warn(self, message: str, at: Span | int | None = None) -> None:
        where = at.where if isinstance(at, Span) else at
        place = f"{self.doc.source}:{where}" if where else self.doc.source
        self.warnings.append(f"{place}: {message}")

    def literal(self, match: re.Match, para: Paragraph) -> str:
        """The printed amount of an AMT match; a stray mark before the unit is read past, with a warning."""
        text = printed_literal(match, "num")
        if re.search(r"[。.]\s*(?:万元|元)$", text):
            self.warn(f"amount printed as {text!r}: read as {match.group('num')} {match.group('unit')}, "
                      "ignoring the stray mark before the unit", para.span)
        return text

    def figure(self, text: str, pos: int, label: str, line: Span | int) -> re.Match | None:
        """The amount printed at ``text[pos:]``, right after a figure's label (and its connecting words).

        None when nothing that looks like a figure is there (the label is used in a sentence: 基本支出表); an
        :data:`~pipeline.tables.templates.hebei_budget.layout.AMT` match when an amount is; and a
        :class:`DocumentError` at ``line`` when a figure is there but does not read as an amount (6041.2B万元,
        NaN万元, 6041.24万, 6041.24亿元): the figure of a label found is read there or nowhere, never taken from
        a later match.
        """
        if not FIGURE_START.match(text, pos):
            return None
        m = _AMT_AT.match(text, pos)
        if m is None or _GOES_ON.match(text, m.end()):
            shown = _SHOWN.match(text, pos)
            found = shown.group(1) if shown else text[pos:pos + 12]
            raise self.error(f"{label}: expected an amount such as 6041.24万元, found {found!r}", line)
        self.yuan(m.group("num"), m.group("unit"), line)  # a located error for a number that does not parse
        return m

    def first_figure(self, text: str, label: str, line: Span | int, *, words_between: bool = False
                     ) -> tuple[re.Match, re.Match] | None:
        """The first occurrence of ``label`` (a pattern, connecting words included) followed by a figure, with
        that figure (see :meth:`figure`); None when no occurrence is followed by a figure.

        ``words_between``: the figure may follow words after the label, within its sentence
        (机关运行经费共计安排8.46万元): it is the first place there where a figure starts.
        """
        for lm in re.finditer(label, text):
            name = (lm.groupdict().get("label") or lm.group(0)).strip()
            at = lm.end()
            if words_between:
                end = _SENTENCE_END.search(text, at)
                end = end.start() + 1 if end else len(text)
                at = next((i for i in range(at, end) if FIGURE_START.match(text, i)), at)
            fm = self.figure(text, at, name, line)
            if fm is not None:
                return lm, fm
        return None

    def yuan(self, literal: str, unit: str, line: Span | int) -> Decimal:
        try:
            return to_yuan(literal, unit)
        except AmountError as exc:
            raise self.error(f"expected an amount, found {exc}", line) from exc
