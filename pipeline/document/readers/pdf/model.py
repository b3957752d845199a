"""What the PDF reader sees on the pages: plain dataclasses, safe to pickle, send to a worker and compare.

Coordinates are PDF points with the origin at the top-left of the page as displayed (crop box, page rotation
applied); ``bbox = (x0, top, x1, bottom)``. Page numbers are 1-based physical pages. No pypdfium2 object
survives :func:`~pipeline.document.readers.pdf.reader.read_pdf`.

Every line, cell and row names itself for people with a source reference (:mod:`.refs`): ``p9:l3`` (the 3rd
text line of page 9 outside tables), ``p9:r3c2`` (grid row 3, column 2 of the page's first ruled table),
``p9:t2:r3c2`` (of its second table), ``p9:r3`` (the whole row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document.readers.pdf import refs

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters on one line with no wide gap inside (a cell fragment, a word)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Line:
    """One line of drawn text outside the ruled tables of a page."""

    page: int
    no: int  # 1-based within the page, top to bottom
    text: str  # characters in x order; a space where the drawn gap is wide
    bbox: BBox
    height: float  # line height (loose box height, ~1.1 x font size)
    words: list[Word]  # runs separated by wide gaps, with their x positions
    role: str = "body"  # body | header | footer | page_number
    leader: bool = False  # holds a dot leader (a 目录 entry)

    @property
    def ref(self) -> str:
        return refs.line_ref(self.page, self.no)


@dataclass(slots=True)
class Cell:
    """One cell of a ruled table: a merged cell once, at its top-left grid position."""

    page: int
    table: int  # 1-based table number within the page
    row: int  # 1-based grid row
    col: int  # 1-based grid column
    rowspan: int
    colspan: int
    text: str  # the cell's lines joined (no space between CJK), '' when blank
    lines: list[str]  # the cell's text lines as drawn
    bbox: BBox  # the ruled box of the cell
    words: list[Word]

    @property
    def ref(self) -> str:
        return refs.cell_ref(self.page, self.table, self.row, self.col)

    @property
    def blank(self) -> bool:
        return self.text == ""


@dataclass(slots=True)
class Table:
    """A ruled table as drawn on one page."""

    page: int
    index: int  # 1-based on the page
    bbox: BBox
    col_edges: list[float]  # n_cols + 1 x positions
    row_edges: list[float]  # n_rows + 1 y positions
    cells: list[Cell]  # anchor cells, row-major
    grid: list[list[int]] = field(default_factory=list, repr=False)  # (row, col) -> index in cells

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def cell_at(self, row: int, col: int) -> Cell:
        """The cell covering grid position (row, col), 1-based (a merged cell covers several)."""
        return self.cells[self.grid[row - 1][col - 1]]

    def row_cells(self, row: int) -> list[Cell]:
        """The anchor cells whose top-left corner is in grid row ``row``, left to right."""
        return [c for c in self.cells if c.row == row]

    def row_texts(self, row: int, spread: bool = False) -> list[str]:
        """``n_cols`` texts of a grid row: a merged cell's text at its anchor column, or with ``spread`` in every
        position it covers (handy for header rows)."""
        out = []
        for col in range(1, self.n_cols + 1):
            c = self.cell_at(row, col)
            out.append(c.text if (spread or (c.row == row and c.col == col)) else "")
        return out


@dataclass(slots=True)
class Page:
    number: int  # 1-based physical page
    width: float
    height: float
    rotation: int
    lines: list[Line]
    tables: list[Table]
    n_chars: int  # drawn, non-blank characters kept
    hidden_chars: int  # characters of the text layer that are not drawn (clipped, invisible, off the page)
    duplicate_chars: int  # glyphs drawn twice on top of each other, counted once
    n_images: int
    warnings: list[str] = field(default_factory=list)

    def items(self) -> list[Line | Table]:
        """Lines and tables in reading order (top to bottom)."""
        return sorted([*self.lines, *self.tables], key=lambda it: (it.bbox[1], it.bbox[0]))


@dataclass(slots=True)
class PdfDocument:
    pages: list[Page]
    metadata: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    def page(self, number: int) -> Page:
        return self.pages[number - 1]

    def resolve(self, ref: str) -> Page | Line | list[Line] | Cell | list[Cell]:
        """Follow a source reference (:mod:`.refs`) of one page back to what it names."""
        r = refs.parse_ref(ref)
        page = self.page(r.page)
        if r.line is not None:
            lines = [ln for ln in page.lines if r.line <= ln.no <= (r.line_end or r.line)]
            return lines if r.line_end is not None else lines[0]
        if r.row is not None:
            table = page.tables[(r.table or 1) - 1]
            return table.cell_at(r.row, r.col) if r.col is not None else table.row_cells(r.row)
        return page
