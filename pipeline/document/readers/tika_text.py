"""Reader for Apache Tika's plain-text rendering of a Word file (``/tika``, ``Accept: text/plain``).

Tika writes a table cell as a tab followed by the cell's first paragraph; the cell's later paragraphs
start at column 0; every paragraph ends with a newline and every row with one more, so a row ends with a
blank line. The text alone is ambiguous, and these rules resolve it:

* Only a tab at the start of a line opens a cell; a tab later in the line is a Word tab inside the cell.
* A blank line is an empty paragraph inside the current cell while the row has fewer cells than the table
  is wide (the widest row seen so far: the header fixes it), and a row end once the row is complete. One
  blank line between complete rows continues the table; two or more end it (Tika closes the row and
  the table), so a following cell line opens a new table.
* A column-0 line continues the current cell (a later paragraph of it), except when the row is complete
  and a blank line came first (the table ended), or when the line is a first-level heading (``一、``…,
  GB/T 9704 numbering): a table can run straight into the next heading without a blank line.
* When merged cells make a row narrower than the table, its end looks like an empty paragraph and the
  next row's cells get glued on. Such a row is split once the glued part is a full row: at the blank line
  that leaves exactly the table's width after it (the next row may hold empty paragraphs too, so the last
  blank line is not necessarily the row end). Failing that, by the time it is twice as wide, or when the
  table ends, it is split at the last blank line that keeps the first part within the width. Still
  ambiguous, and read wrong: a narrow row short of one cell whose next row has an empty paragraph after
  its first cell (the glued row looks complete), and two narrow rows in a row.
* Merged cells vanish (a row ends early: the missing cells read as empty) or repeat (Word prints a merged
  cell's text again; :attr:`pipeline.document.model.Cell.text` keeps a repeated paragraph once).
* ``[bookmark: NAME]`` markers at the start of a line are removed and kept on the paragraph.

This module knows nothing of budget templates: it returns a :class:`~pipeline.document.model.Document`.
Before reading, the bytes are decoded (:mod:`pipeline.document.encoding`: never a guess) and normalised
(:mod:`pipeline.document.normalise`), so every variant of a file gives the same document.
"""

from __future__ import annotations

import re

from pipeline.document import encoding
from pipeline.document.model import Cell, Document, Paragraph, Row, Span, Table
from pipeline.document.normalise import normalise
from pipeline.document.readers.reading import Reading

FORMAT = "tika-text"
# The source_ref this reader's spans publish (regular expression, unanchored): L<n> or L<first>-L<last>.
REF_PATTERN = r"L[0-9]+(-L[0-9]+)?"

BOOKMARKS = re.compile(r"^(?:\[bookmark: [^\]]*\])+")
BOOKMARK_NAME = re.compile(r"\[bookmark: ([^\]]*)\]")
# First-level heading of a Chinese official document (GB/T 9704): 一、 … 十九、
HEADING = re.compile(r"^[\s\u3000]*[一二三四五六七八九十]{1,3}、")


def split_lines(text: str) -> list[str]:
    """Lines without their terminators; a final newline does not make an extra empty line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _strip_bookmarks(text: str) -> tuple[str, tuple[str, ...]]:
    match = BOOKMARKS.match(text)
    if not match:
        return text, ()
    return text[match.end():], tuple(BOOKMARK_NAME.findall(match.group(0)))


class _CellBuilder:
    def __init__(self, text: str, line: int) -> None:
        self.paragraphs = [text]
        self.lines = [line]

    def add(self, text: str, line: int) -> None:
        self.paragraphs.append(text)
        self.lines.append(line)

    def drop_trailing_blanks(self) -> None:
        """The blank lines taken for empty paragraphs were the row's end after all."""
        while len(self.paragraphs) > 1 and not self.paragraphs[-1]:
            self.paragraphs.pop()
            self.lines.pop()

    @property
    def first(self) -> int:
        return self.lines[0]

    @property
    def last(self) -> int:
        return self.lines[-1]

    def build(self) -> Cell:
        return Cell(tuple(self.paragraphs), Span(self.first, self.last), positions=tuple(self.lines))


class _TableBuilder:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.cells: list[_CellBuilder] = []
        # Indexes into self.cells where a cell opened right after blank lines: possible row ends.
        self.breaks: list[int] = []
        self.width = 0
        self.blank_lines: list[int] = []

    @property
    def row_complete(self) -> bool:
        n = len(self.cells)
        if n <= self.width or not self.rows or not self.breaks:
            return n >= self.width
        # Wider than the table after a blank line: a narrow row with the next one glued on, complete when
        # the glued part is a full row.
        return n - self.width in self.breaks

    def _split_point(self) -> int | None:
        """Where an over-wide row splits: before a full-width tail, else at the last break within the width."""
        if not self.rows or len(self.cells) <= self.width or not self.breaks:
            return None
        if len(self.cells) - self.width in self.breaks:
            return len(self.cells) - self.width
        candidates = [b for b in self.breaks if b <= self.width]
        return candidates[-1] if candidates else None

    def close_row(self, upto: int | None = None) -> None:
        if upto is None:
            while (split := self._split_point()) is not None:
                self.close_row(split)
        cells = self.cells if upto is None else self.cells[:upto]
        if upto is not None and cells:
            cells[-1].drop_trailing_blanks()
        if cells:
            built = tuple(c.build() for c in cells)
            breaks = tuple(b for b in self.breaks if 0 < b < len(built))
            self.rows.append(Row(built, Span(built[0].span.first, built[-1].span.last), breaks=breaks))
            self.width = max(self.width, len(built))
        self.cells = [] if upto is None else self.cells[upto:]
        self.breaks = [] if upto is None else [b - upto for b in self.breaks if b > upto]

    def open_cell(self, text: str, line: int) -> None:
        if self.blank_lines and self.cells:
            # The blanks were empty paragraphs of the previous cell.
            for blank in self.blank_lines:
                self.cells[-1].add("", blank)
            self.breaks.append(len(self.cells))
        self.blank_lines = []
        self.cells.append(_CellBuilder(text, line))
        if self.rows and self.breaks and len(self.cells) > 2 * self.width:
            # No full row was glued on: stop waiting and split where the old row most likely ended.
            candidates = [b for b in self.breaks if b <= self.width]
            if candidates:
                self.close_row(candidates[-1])

    def continue_cell(self, text: str, line: int) -> None:
        for blank in self.blank_lines:
            self.cells[-1].add("", blank)
        self.blank_lines = []
        self.cells[-1].add(text, line)

    def build(self) -> Table:
        self.close_row()
        return Table(tuple(self.rows), Span(self.rows[0].span.first, self.rows[-1].span.last))


def read_text(text: str, source: str) -> Document:
    """Parse Tika plain text into a :class:`Document`. ``source`` names the file for provenance."""
    lines = split_lines(text)
    blocks: list[Paragraph | Table] = []
    table: _TableBuilder | None = None

    def end_table() -> None:
        nonlocal table
        if table is not None:
            blocks.append(table.build())
            table = None

    for number, line in enumerate(lines, start=1):
        is_cell = line.startswith("\t")
        content, bookmarks = _strip_bookmarks(line[1:] if is_cell else line)
        blank = not is_cell and not content.strip()

        if table is None:
            if blank:
                continue
            if is_cell:
                table = _TableBuilder()
                table.open_cell(content, number)
            else:
                blocks.append(Paragraph(content, Span(number, number), bookmarks))
            continue

        if blank:
            table.blank_lines.append(number)
            continue
        after_blank = len(table.blank_lines)
        if is_cell:
            if after_blank and table.row_complete:
                table.blank_lines = []
                if after_blank >= 2:
                    end_table()
                    table = _TableBuilder()
                else:
                    table.close_row()
            table.open_cell(content, number)
            continue
        # A column-0 line inside a table.
        if HEADING.match(content) or (after_blank and table.row_complete):
            end_table()
            blocks.append(Paragraph(content, Span(number, number), bookmarks))
        else:
            table.continue_cell(content, number)

    end_table()
    return Document(source=source, blocks=tuple(blocks), line_count=len(lines))


def accepts(data: bytes) -> bool:
    """Every file that no reader of a binary format took: text, or refused as not text by :func:`read`."""
    return True


def read(data: bytes, source: str) -> Reading:
    """Decode, normalise and read the Tika text of the raw file ``source``."""
    decoded = encoding.decode(data, source)
    return Reading(read_text(normalise(decoded.text), source), FORMAT, decoded.encoding)
