"""The reading state shared by every section of the Hebei template: the document, its warnings, amount helpers."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Document, Paragraph, Span
from pipeline.errors import DocumentError
from pipeline.tables.amounts import AmountError, to_yuan
from pipeline.tables.templates.hebei_budget.layout import printed_literal


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

    def yuan(self, literal: str, unit: str, line: Span | int) -> Decimal:
        try:
            return to_yuan(literal, unit)
        except AmountError as exc:
            raise self.error(f"expected an amount, found {exc}", line) from exc
