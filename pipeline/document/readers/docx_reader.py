"""Reader for Word .docx files: the main document's XML -> the intermediate document, nothing guessed.

The package is opened by :mod:`pipeline.document.readers.docx_package` (in memory, bounded); the XML is
parsed by lxml there (no DTD, no entities) and read here as python-docx models WordprocessingML (``w:tc``
with its ``gridSpan`` and ``vMerge``, ``w:tr`` with ``gridBefore``), on plain lxml elements: python-docx's
own element classes made reading about 1.4 times slower. (python-docx writes the generator's .docx files.)

Unlike Tika's text, the XML says where every paragraph, row and cell begins and ends, so there is nothing
to guess: rows are rows, an empty paragraph in a cell is an empty
paragraph, a merged cell is one cell with its ``col_span``/``row_span`` (a cell continuing a vertical merge
is an empty cell marked ``merged_above``, as Tika prints it), and a row that ends early (``gridAfter``) is
known to (``Row.cells_exact``).

**Source references** (published as ``source_ref``), numbered as a person counts them in Word, from 1:

* ``P<n>``: the n-th paragraph of the document body outside tables, empty paragraphs included (Word shows
  each as ``¶`` with formatting marks on);
* ``T<t>``: the t-th table of the body; ``T<t>:R<r>`` its r-th row; ``T<t>:R<r>:C<c>`` the cell that starts in
  its c-th grid column (the columns of the table's full-width rows: a cell merged across two columns still
  leaves the next cell in column 3);
* a range joins two of these with ``-``: ``P5-P9``, ``T3:R4-R6`` (rows 4 to 6 of table 3), ``P12-T2:R9``
  (paragraph 12 to row 9 of table 2).

**Word features**, each read or refused with a message that says where:

* Tracked changes are read as accepted: inserted and moved-to text is read, deleted and moved-from text and
  deleted table rows are not.
* Fields (page numbers, cross references, ``fldSimple`` and ``fldChar`` fields) are read as their shown
  result, never their instruction.
* Bookmarks are kept on the paragraph (``Paragraph.bookmarks``), as the Tika reader keeps Tika's markers.
* A line break (``w:br``, ``w:cr``, including page and column breaks) ends a paragraph of the model, as it
  ends a line of Tika's text; a tab is ``\\t``; a non-breaking hyphen ``-``; hidden text (``w:vanish``) is
  not read, since Word does not show it.
* Text boxes holding text are refused (their text would otherwise be lost or land in the middle of the
  paragraph that anchors them); empty ones and pictures are ignored. ``mc:AlternateContent`` is read through
  its first choice only, never its fallback copy.
* Headers, footers, footnotes and comments are other parts of the package and are not read: the
  disclosure's figures are in the body.
* Content controls (``w:sdt``) and custom XML wrappers are read through; a table nested in a cell gives its
  paragraphs to that cell; an embedded document (``w:altChunk``) is refused.

Each paragraph's text goes through :func:`pipeline.document.normalise.normalise`, as Tika text does, so both
routes give the same text columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pipeline.document.model import Cell, Document, Locator, Paragraph, Row, Span, Table
from pipeline.document.normalise import normalise
from pipeline.document.readers.docx_package import open_package, parse_part
from pipeline.document.readers.reading import Reading
from pipeline.errors import DocumentError

FORMAT = "docx"
# The source_ref this reader's spans publish (regular expression, unanchored): P<n>, T<t>:R<r>[:C<c>], ranges.
REF_PATTERN = r"(P[0-9]+|T[0-9]+:R[0-9]+(:C[0-9]+)?)(-((P[0-9]+|T[0-9]+:R[0-9]+(:C[0-9]+)?)|R[0-9]+))?"
ZIP_SIGNATURE = b"PK\x03\x04"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Elements whose content is not part of the accepted, shown text.
_SKIP = {W + t for t in ("del", "moveFrom", "pPr", "rPr", "instrText", "delText", "fldData", "tcPr", "trPr",
                         "tblPr", "tblGrid", "sectPr", "commentReference", "footnoteReference",
                         "endnoteReference", "delInstrText")} | {MC + "Fallback"}
_WRAPPERS = {W + t for t in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo")}
_BREAKS = {W + "br", W + "cr"}
_TABS = {W + "tab", W + "ptab"}


class DocxLocator(Locator):
    """Names a .docx's positions (paragraphs, rows and cells in reading order) as the module docstring says."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self._positions: dict[str, int] = {}

    def add(self, label: str) -> int:
        self.labels.append(label)
        self._positions.setdefault(label, len(self.labels))
        return len(self.labels)

    def ref(self, first: int, last: int) -> str:
        a, b = self.labels[first - 1], self.labels[last - 1]
        if first == last:
            return a
        table, _, row = b.rpartition(":R")
        if table and a.startswith(table + ":R") and ":C" not in a and ":C" not in b:
            return f"{a}-R{row}"
        return f"{a}-{b}"

    def position(self, ref: str) -> int | None:
        return self._positions.get(ref.split("-")[0])


@dataclass
class _Counter:
    paragraph: int = 0
    table: int = 0
    bookmarks: list[str] = field(default_factory=list)


def _hidden(run: etree._Element) -> bool:
    rpr = run.find(W + "rPr")
    if rpr is None:
        return False
    vanish = rpr.find(W + "vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


class _Text:
    """The pieces of one Word paragraph: text split at line breaks, and its bookmarks."""

    def __init__(self, source: str, where: str) -> None:
        self.pieces = [""]
        self.bookmarks: list[str] = []
        self.source = source
        self.where = where

    def walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "t":
                self.pieces[-1] += child.text or ""
            elif tag in _TABS:
                self.pieces[-1] += "\t"
            elif tag in _BREAKS:
                self.pieces.append("")
            elif tag == W + "noBreakHyphen":
                self.pieces[-1] += "-"
            elif tag == W + "bookmarkStart":
                name = child.get(W + "name")
                if name:
                    self.bookmarks.append(name)
            elif tag == W + "txbxContent":
                self._text_box(child)
            elif tag == W + "r" and _hidden(child):
                continue
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is not None:
                    self.walk(choice)
            else:
                self.walk(child)

    def _text_box(self, box: etree._Element) -> None:
        inner = _Text(self.source, self.where)
        inner.walk(box)
        text = " ".join(p.strip() for p in inner.pieces if p.strip())
        if text:
            raise DocumentError(self.source, f"{self.where} holds a text box with text ({text[:30]!r}): text in text "
                                             "boxes is not read; move it into the body or a table cell and save "
                                             "the file again")


def _paragraph_pieces(p: etree._Element, source: str, where: str) -> tuple[list[str], list[str]]:
    text = _Text(source, where)
    text.walk(p)
    return [normalise(piece) for piece in text.pieces], text.bookmarks


def _children(element: etree._Element):
    """Block-level children, reading through content controls and custom XML."""
    for child in element:
        if child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content)
        else:
            yield child


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.count = _Counter()
        self.blocks: list[Paragraph | Table] = []
        self.locator = DocxLocator()

    def span(self, label: str) -> Span:
        position = self.locator.add(label)
        return Span(position, position, self.locator)

    def body(self, body: etree._Element) -> None:
        for child in _children(body):
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag == W + "altChunk":
                raise DocumentError(self.source, f"after P{self.count.paragraph} (T{self.count.table}): an embedded "
                                                 "document (w:altChunk) is not read; open the file in Word and save "
                                                 "it again as .docx")
            elif child.tag == W + "bookmarkStart" and child.get(W + "name"):
                self.count.bookmarks.append(child.get(W + "name"))

    def paragraph(self, p: etree._Element) -> None:
        self.count.paragraph += 1
        ref = f"P{self.count.paragraph}"
        pieces, bookmarks = _paragraph_pieces(p, self.source, ref)
        bookmarks = [*self.count.bookmarks, *bookmarks]
        span = self.span(ref)
        for piece in pieces:
            if piece.strip():  # Tika's text has no line for an empty body paragraph either
                self.blocks.append(Paragraph(piece, span, tuple(bookmarks)))
                bookmarks = []
        self.count.bookmarks = bookmarks

    def table(self, tbl: etree._Element) -> None:
        self.count.table += 1
        t = self.count.table
        trs = [tr for tr in _children(tbl) if tr.tag == W + "tr" and not _deleted_row(tr)]
        try:
            grid = [_row_grid(tr) for tr in trs]
        except ValueError as exc:
            raise DocumentError(self.source, f"T{t}: {exc}") from exc
        rows: list[Row] = []
        for r, (tr, cells) in enumerate(zip(trs, grid), start=1):
            row_span = self.span(f"T{t}:R{r}")
            built = []
            for column, span, merge, tc in cells:
                ref = f"T{t}:R{r}:C{column + 1}"
                paragraphs = tuple(self.cell_paragraphs(tc, ref))
                down = _row_span(grid, r - 1, column) if merge == "restart" else 1
                built.append(Cell(paragraphs, self.span(ref), col_span=span, row_span=down,
                                  merged_above=merge == "continue"))
            rows.append(Row(tuple(built), row_span, cells_exact=True, grid_before=_grid_before(tr)))
        if rows:  # a table without rows shows nothing
            self.blocks.append(Table(tuple(rows), Span(rows[0].span.first, rows[-1].span.last, self.locator)))

    def cell_paragraphs(self, tc: etree._Element, ref: str) -> list[str]:
        out: list[str] = []
        for child in _children(tc):
            if child.tag == W + "p":
                out.extend(_paragraph_pieces(child, self.source, ref)[0])
            elif child.tag == W + "tbl":  # a nested table: its cells' paragraphs, in reading order
                for tr in _children(child):
                    if tr.tag == W + "tr" and not _deleted_row(tr):
                        for tc_inner in _children(tr):
                            if tc_inner.tag == W + "tc":
                                out.extend(self.cell_paragraphs(tc_inner, ref))
        return out


def _deleted_row(tr: etree._Element) -> bool:
    trpr = tr.find(W + "trPr")
    return trpr is not None and (trpr.find(W + "del") is not None or trpr.find(W + "hidden") is not None)


def _grid_before(tr: etree._Element) -> int:
    trpr = tr.find(W + "trPr")
    before = trpr.find(W + "gridBefore") if trpr is not None else None
    value = before.get(W + "val", "0") if before is not None else "0"
    if not value.isdigit():
        raise ValueError(f"w:gridBefore {value!r} is not a number of columns")
    return int(value)


def _row_grid(tr) -> list[tuple[int, int, str | None, etree._Element]]:
    """(grid column, columns spanned, vMerge, element) of each cell of a row, deleted cells left out."""
    column = _grid_before(tr)
    out = []
    for tc in _children(tr):
        if tc.tag != W + "tc":
            continue
        tcpr = tc.find(W + "tcPr")
        span, merge = 1, None
        if tcpr is not None:
            # As python-docx's CT_Tc.grid_span and CT_Tc.vMerge read them (w:vMerge without w:val continues a
            # merge), on plain lxml elements: python-docx's element classes made reading ~1.4x slower.
            if tcpr.find(W + "cellDel") is not None:
                continue
            grid_span = tcpr.find(W + "gridSpan")
            if grid_span is not None:
                value = grid_span.get(W + "val", "1")
                if not value.isdigit():
                    raise ValueError(f"w:gridSpan {value!r} is not a number of columns")
                span = max(1, int(value))
            v_merge = tcpr.find(W + "vMerge")
            if v_merge is not None:
                merge = v_merge.get(W + "val", "continue")
        out.append((column, span, merge, tc))
        column += span
    return out


def _row_span(grid, row: int, column: int) -> int:
    """Rows covered by the vertically merged cell starting at ``row``, ``column`` (0-based)."""
    n = 1
    for cells in grid[row + 1:]:
        below = next((c for c in cells if c[0] == column), None)
        if below is None or below[2] != "continue":
            break
        n += 1
    return n


def read_docx(data: bytes, source: str) -> Document:
    """The intermediate document of the .docx in ``data``; :class:`DocumentError` when it cannot be read."""
    package = open_package(data, source)
    root = parse_part(package.document_xml, package.main_part, source)
    body = root.find(W + "body")
    if body is None:
        raise DocumentError(source, f"ZIP entry {package.main_part!r} has no w:body: not a Word document")
    reader = _Reader(source)
    reader.body(body)
    return Document(source=source, blocks=tuple(reader.blocks), line_count=0)


def accepts(data: bytes) -> bool:
    """A ZIP file: read as a Word package (another kind of ZIP is refused by :func:`read`, saying what it is)."""
    return data.startswith(ZIP_SIGNATURE)


def read(data: bytes, source: str) -> Reading:
    return Reading(read_docx(data, source), FORMAT, None)
