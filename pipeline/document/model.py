"""The intermediate document: what every reader produces and every template consumes.

A disclosure is a sequence of blocks, each a paragraph or a table; a table is rows of cells; a cell is
paragraphs. Every block, row and cell carries the span of source lines it came from, which becomes the
published ``source_ref``. Readers (Tika text now, DOCX later) differ only in how they find this structure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """1-based, inclusive range of source lines."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 1 or self.last < self.first:
            raise ValueError(f"bad span {self.first}-{self.last}")

    @property
    def ref(self) -> str:
        """``L<n>`` or ``L<first>-L<last>``: the published provenance format."""
        return f"L{self.first}" if self.first == self.last else f"L{self.first}-L{self.last}"

    def join(self, other: Span) -> Span:
        return Span(min(self.first, other.first), max(self.last, other.last))


def _clean(text: str) -> str:
    return text.strip()


@dataclass(frozen=True)
class Paragraph:
    text: str
    span: Span
    bookmarks: tuple[str, ...] = field(default=())

    @property
    def clean(self) -> str:
        return _clean(self.text)


@dataclass(frozen=True)
class Cell:
    """A table cell: its paragraphs as printed (empty paragraphs kept) and its source lines."""

    paragraphs: tuple[str, ...]
    span: Span

    @functools.cached_property  # read many times by the template; the cell never changes
    def text(self) -> str:
        """Non-empty paragraphs, trimmed, joined by newlines; ``""`` for an empty cell.

        A paragraph that repeats the one before it is dropped: that is how a merged cell's content comes out
        when Word repeats it (in the seed, a cell spanning a page break prints its text twice, lines 718/762).
        ``paragraphs`` keeps everything as read.
        """
        parts: list[str] = []
        for paragraph in self.paragraphs:
            text = _clean(paragraph)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        return "\n".join(parts)

    @property
    def is_empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    span: Span

    def texts(self, width: int | None = None) -> list[str]:
        """Cell texts, padded with ``""`` to ``width`` (cells that vanished at the row's end)."""
        values = [c.text for c in self.cells]
        if width is not None and len(values) < width:
            values += [""] * (width - len(values))
        return values

    @property
    def is_empty(self) -> bool:
        return all(c.is_empty for c in self.cells)


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    span: Span

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    """A disclosure as blocks in reading order. ``source`` names the raw file (relative path)."""

    source: str
    blocks: tuple[Block, ...]
    line_count: int

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
