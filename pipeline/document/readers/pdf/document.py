"""A read PDF -> the intermediate document (:mod:`pipeline.document.model`), with its places named for people.

Positions are numbered in reading order, page by page: every drawn text line outside the tables (running
headers, footers and page numbers left out) and every cell of a ruled table, top to bottom. A
:class:`PdfLocator` names a range of positions in the reader's ``source_ref`` format (:mod:`.refs`):
``p6:l2-3`` for a paragraph, ``p9:r3c2`` for a cell, ``p9:r3`` for a row, ``p14:r1-p15:r11`` for a table.

Blocks, in reading order:

* a :class:`~pipeline.document.model.Paragraph` per typeset paragraph: a line continues the paragraph above it
  when that one reaches the right margin of the text (see :func:`_right_edges`),
  this one is in the same font size, is not indented further than the paragraph's first line and does not
  start a numbered item (``1.``, ``（一）``, ``一、``, ``第二部分 ``); a paragraph may continue on the next page;
Texts are normalised as every reader's are (:mod:`pipeline.document.normalise`: Unicode spaces, full-width
digits, thousands separators), so ``31,214,205.80`` reads ``31214205.80``.

* a :class:`~pipeline.document.model.Table` per logical table (:mod:`.stitching`: parts on consecutive pages
  joined, repeated header rows left out), its rows in the model's grid (``cells_exact``): a merged cell once,
  with its ``col_span`` and ``row_span``; a column covered by a cell merged from a row above is an empty
  ``merged_above`` cell.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from pipeline.document.model import Cell, Document, Locator, Paragraph, Row, Span, Table
from pipeline.document.normalise import normalise
from pipeline.document.readers.pdf import refs
from pipeline.document.readers.pdf.lines import join_lines
from pipeline.document.readers.pdf.model import Line, PdfDocument
from pipeline.document.readers.pdf.stitching import LogicalTable, stitch_tables

_EDGE_WINDOW = 1.5  # points: line ends this close are at the same margin
_EDGE_MIN_LINES = 3  # lines that must end at a margin for it to be the text's right edge
# The start of a numbered item: it never continues the paragraph above.
_ITEM_START = re.compile(r"^\s*(?:\d{1,3}\s*[.．、](?!\d)|\d{1,2}[.．](?=\s*\d{4}\s*年)"
                         r"|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
                         r"|第[一二三四五六七八九十]{1,3}(?:部分|章|节)\s)")


class PdfLocator(Locator):
    """Names the positions of one PDF: ``places[i - 1]`` is ``(page, table, row, col)`` of position ``i``, with
    ``table`` 0 and ``row`` the line number for a text line."""

    def __init__(self) -> None:
        self.places: list[tuple[int, int, int, int]] = []
        self._by_ref: dict[str, int] = {}

    def add(self, page: int, table: int, row: int, col: int) -> int:
        self.places.append((page, table, row, col))
        position = len(self.places)
        self._by_ref.setdefault(self._name(self.places[-1]), position)
        if table:  # a whole row's reference names its first cell
            self._by_ref.setdefault(refs.row_ref(page, table, row), position)
        return position

    @staticmethod
    def _name(place: tuple[int, int, int, int], whole_row: bool = False) -> str:
        page, table, row, col = place
        if table == 0:
            return refs.line_ref(page, row)
        return refs.row_ref(page, table, row) if whole_row else refs.cell_ref(page, table, row, col)

    def ref(self, first: int, last: int) -> str:
        a, b = self.places[first - 1], self.places[last - 1]
        if first == last:
            return self._name(a)
        if a[1] == 0 and b[1] == 0:
            return refs.lines_ref((a[0], a[2]), (b[0], b[2]))
        if a[1] and b[1]:
            if a[:3] == b[:3]:  # cells of one row
                whole = first == self._by_ref.get(self._name(a)) and all(
                    p[:3] == a[:3] for p in self.places[first - 1:last]) and (
                    last == len(self.places) or self.places[last][:3] != a[:3]) and (
                    first == 1 or self.places[first - 2][:3] != a[:3])
                return refs.row_ref(a[0], a[1], a[2]) if whole else f"{self._name(a)}-{self._name(b)}"
            return refs.rows_ref((a[0], a[1], a[2]), (b[0], b[1], b[2]))
        return f"{self._name(a, True)}-{self._name(b, True)}"  # lines and rows: a caption with its table

    def position(self, ref: str) -> int | None:
        """The first position a reference of this locator names (None when it names none)."""
        start = re.match(r"^p\d+(?::(?:l\d+|(?:t\d+:)?r\d+(?:c\d+)?))?", ref or "")
        if not start:
            return None
        return self._by_ref.get(start.group())


def _paragraph_starts(lines: list[Line], right: dict[int, float]) -> list[bool]:
    """For each line, whether it starts a new paragraph (see the module docstring); ``right`` is the right edge
    of the text on each page."""
    starts = []
    first_x0 = 0.0
    for i, ln in enumerate(lines):
        prev = lines[i - 1] if i else None
        new = (prev is None or prev.bbox[2] < right[prev.page] - 2.5 * prev.height
               or ln.bbox[0] > first_x0 + 0.5 * ln.height or bool(_ITEM_START.match(ln.text))
               or abs(ln.height - prev.height) > 0.2 * max(ln.height, prev.height)  # another font size
               or prev.leader or ln.leader)
        if new:
            first_x0 = ln.bbox[0]
        starts.append(new)
    return starts


def to_document(pdf: PdfDocument, source: str) -> Document:
    """The intermediate document of a read PDF (see the module docstring)."""
    locator = PdfLocator()
    tables = stitch_tables(pdf)
    first_part = {(t.parts[0].page, t.parts[0].index): t for t in tables}
    part_of = {(p.page, p.index): t for t in tables for p in t.parts}
    cell_pos: dict[tuple[int, int, int, int], int] = {}
    blocks: list[tuple[str, object]] = []  # ("lines", [(Line, position)]) runs and ("table", LogicalTable)
    run: list[tuple[Line, int]] = []
    for page in pdf.pages:
        for item in page.items():
            if isinstance(item, Line):
                if item.role == "body":
                    run.append((item, locator.add(page.number, 0, item.no, 0)))
                continue
            for c in item.cells:  # positions of every drawn cell, repeated header rows too
                cell_pos[(c.page, c.table, c.row, c.col)] = locator.add(c.page, c.table, c.row, c.col)
            if (item.page, item.index) in first_part:
                if run:
                    blocks.append(("lines", run))
                    run = []
                blocks.append(("table", first_part[(item.page, item.index)]))
            elif (item.page, item.index) not in part_of:  # pragma: no cover - every part belongs to a table
                raise AssertionError(f"p{item.page}: table {item.index} was not stitched")
    if run:
        blocks.append(("lines", run))
    right = _right_edges(pdf)
    out: list[Paragraph | Table] = []
    for kind, value in blocks:
        if kind == "table":
            out.append(_table(value, cell_pos, locator))
        else:
            out.extend(_paragraphs(value, right, locator))
    return Document(source=source, blocks=tuple(out), line_count=0)


def _right_edges(pdf: PdfDocument) -> dict[int, float]:
    """The right edge of the text on each page, from the lines of all pages of the same width (a page of short
    lines has the same margins as the others): the furthest line end within one line height of the margin where
    most lines end (justified text ends there; a hanging comma reaches a little further). A line ending further
    out (a caption drawn wider than the text) is not the text's edge. Without such a margin, the furthest end."""
    ends: dict[float, list[tuple[float, float]]] = {}
    for p in pdf.pages:
        ends.setdefault(p.width, []).extend((ln.bbox[2], ln.height) for ln in p.lines if ln.role == "body")
    edge: dict[float, float] = {}
    for width, lines in ends.items():
        xs = sorted(x for x, _ in lines)
        if not xs:
            continue
        margin, count = xs[-1], 0
        for i, x in enumerate(xs):  # the densest 1.5 pt window of line ends
            j = bisect_right(xs, x + _EDGE_WINDOW)
            if j - i > count:
                margin, count = xs[j - 1], j - i
        if count < _EDGE_MIN_LINES:
            edge[width] = xs[-1]
            continue
        height = sorted(h for _, h in lines)[len(lines) // 2]
        edge[width] = max(x for x in xs if x <= margin + height)
    return {p.number: edge.get(p.width, p.width) for p in pdf.pages}


def _paragraphs(run: list[tuple[Line, int]], right: dict[int, float], locator: PdfLocator) -> list[Paragraph]:
    out: list[Paragraph] = []
    group: list[tuple[Line, int]] = []
    for item, new in zip(run, _paragraph_starts([ln for ln, _ in run], right)):
        if new and group:
            out.append(_paragraph(group, locator))
            group = []
        group.append(item)
    if group:
        out.append(_paragraph(group, locator))
    return out


def _paragraph(items: list[tuple[Line, int]], locator: PdfLocator) -> Paragraph:
    text = normalise(join_lines([ln.text for ln, _ in items]))
    return Paragraph(text, Span(items[0][1], items[-1][1], locator))


def _table(lt: LogicalTable, cell_pos: dict, locator: PdfLocator) -> Table:
    """Rows of cells in the model's grid: a merged cell once, covering ``col_span`` columns (of the first part's
    grid); a column covered by a cell merged from the row above is an empty ``merged_above`` cell."""
    rows = []
    first_page = lt.parts[0].page
    for lrow in [*lt.header, *lt.rows]:
        starts = {start: (cell, end) for cell, (start, end) in zip(lrow.cells, lrow.columns)}
        first = cell_pos[(lrow.cells[0].page, lrow.cells[0].table, lrow.cells[0].row, lrow.cells[0].col)]
        last = cell_pos[(lrow.cells[-1].page, lrow.cells[-1].table, lrow.cells[-1].row, lrow.cells[-1].col)]
        row_span = Span(first, last, locator)
        cells, col = [], 0
        while col < lt.n_cols:
            if col in starts:
                cell, end = starts[col]
                pos = cell_pos[(cell.page, cell.table, cell.row, cell.col)]
                # wrapped lines joined: a cell is one paragraph
                cells.append(Cell((normalise(cell.text),), Span(pos, pos, locator), col_span=end - col,
                                  row_span=cell.rowspan))
                col = end
            else:
                cells.append(Cell(("",), row_span, merged_above=True))
                col += 1
        first_on_page = lrow.row == lt.repeated_header_rows.get(lrow.page, 0) + 1
        rows.append(Row(tuple(cells), row_span, cells_exact=True,
                        starts_page=lrow.page != first_page and first_on_page))
    return Table(tuple(rows), rows[0].span.join(rows[-1].span))
