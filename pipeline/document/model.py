"""The intermediate document: what every reader produces and every template consumes.

A disclosure is a sequence of blocks, each a paragraph or a table; a table is rows of cells; a cell is
paragraphs. Every block, row and cell carries the :class:`Span` of source positions it came from, which
becomes the published ``source_ref``. Readers (Tika text, PDF, DOCX) differ only in how they find this
structure and in how they name its positions for a person:

* a reader numbers its positions 1, 2, … in reading order (the lines of a text file; for other formats, e.g.
  the text lines and table cells of a PDF, or the paragraphs and cells of a Word file) and gives every span
  the same :class:`Locator`, which turns a range of positions into the reference a person follows in the
  source (``L12-L14`` in a text file; ``p9:r3c2`` in a PDF);
* templates only compare, join and report spans, whatever the reader.

A text file's spans keep the default locator (:data:`LINES`): their positions are its lines.

Merged cells: a reader that knows them (DOCX) says so on the cell (``col_span``, ``row_span``,
``merged_above``) and on the row (``cells_exact``, ``grid_before``); a reader that cannot tell (Tika text)
leaves the defaults. Either way a horizontally merged cell is one :class:`Cell`, and a cell continuing a
vertical merge from the row above is an empty :class:`Cell` (as Tika prints it), so templates read both alike.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


class Locator:
    """How a reader names its positions for a person (its ``source_ref`` format, documented in docs/).

    ``lines`` is True when positions are the lines of the raw file itself: errors and warnings then give the
    line number, as editors and the build report count lines.
    """

    lines = False

    def ref(self, first: int, last: int) -> str:
        raise NotImplementedError

    def position(self, ref: str) -> int | None:
        """The first position a ``source_ref`` of this format names (None for one it did not make): checks
        order rows and sections by it."""
        raise NotImplementedError


class LineLocator(Locator):
    """Positions are the 1-based lines of a text file: ``L<n>`` or ``L<first>-L<last>``."""

    lines = True

    def ref(self, first: int, last: int) -> str:
        return f"L{first}" if first == last else f"L{first}-L{last}"

    def position(self, ref: str) -> int | None:
        m = re.match(r"^L(\d+)", ref)
        return int(m.group(1)) if m else None


LINES = LineLocator()


@dataclass(frozen=True)
class Span:
    """1-based, inclusive range of a reader's positions (source lines for text files; see the module docstring)."""

    first: int
    last: int
    # How the reader names the positions; not part of a span's value (equal positions, equal spans).
    locator: Locator = field(default=LINES, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.first < 1 or self.last < self.first:
            raise ValueError(f"bad span {self.first}-{self.last}")

    @property
    def ref(self) -> str:
        """The published provenance: ``L<n>``, ``L<first>-L<last>``, or the reader's own format."""
        return self.locator.ref(self.first, self.last)

    @property
    def line(self) -> int | None:
        """The first line, when positions are lines of the raw file; None for other readers."""
        return self.first if self.locator.lines else None

    @property
    def where(self) -> str:
        """Where to look, in messages: the first line number of a text file (``1675``), else :attr:`ref`."""
        return str(self.first) if self.locator.lines else self.ref

    def join(self, other: Span) -> Span:
        return Span(min(self.first, other.first), max(self.last, other.last), self.locator)


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
    """A table cell: its paragraphs as printed (empty paragraphs kept) and its source lines.

    ``col_span``: the grid columns the cell covers (more than 1 for a horizontally merged cell); ``row_span``:
    the rows a vertically merged cell covers, on the cell that holds its text; ``merged_above``: the cell
    continues a vertical merge from the row above (its text is there; its own paragraphs are empty). Readers
    that cannot tell leave 1, 1, False.
    """

    paragraphs: tuple[str, ...]
    span: Span
    col_span: int = 1
    row_span: int = 1
    merged_above: bool = False
    # The position of each paragraph, where the reader knows it (Tika text: its line); else empty.
    positions: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @functools.cached_property  # read many times by the template; the cell never changes
    def text(self) -> str:
        """Non-empty paragraphs, trimmed, joined by newlines; ``""`` for an empty cell.

        A paragraph that repeats the one before it (empty ones between do not count) is read once: that is how
        a merged cell's content comes out when Word prints it again across a page break (in the seed, lines 718
        and 762), and an author's own repetition looks the same. Never silently: :attr:`repeats` lists each
        one, and the checks report it (``paragraph_printed_twice``). ``paragraphs`` keeps everything as read.
        """
        return "\n".join(self._read[0])

    @property
    def repeats(self) -> tuple[tuple[str, Span, Span], ...]:
        """The paragraphs :attr:`text` reads once though printed twice in a row: (text, first print, repeat)."""
        return self._read[1]

    @functools.cached_property
    def _read(self) -> tuple[tuple[str, ...], tuple[tuple[str, Span, Span], ...]]:
        parts: list[str] = []
        repeats = []
        last_at = None
        for i, paragraph in enumerate(self.paragraphs):
            text = _clean(paragraph)
            if not text:
                continue
            at = self._span_of(i)
            if parts and parts[-1] == text:
                repeats.append((text, last_at, at))
            else:
                parts.append(text)
            last_at = at
        return tuple(parts), tuple(repeats)

    def _span_of(self, index: int) -> Span:
        if len(self.positions) == len(self.paragraphs):
            return Span(self.positions[index], self.positions[index], self.span.locator)
        return self.span

    @property
    def is_empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Row:
    """A table row. ``cells_exact``: the reader knows the row's cells from the file (DOCX), so a row with fewer
    cells than the table is wide ends early by design (merged or omitted grid columns), not because cells
    were lost in reading (Tika text, where vanished trailing cells are guessed)."""

    cells: tuple[Cell, ...]
    span: Span
    cells_exact: bool = False
    grid_before: int = 0  # grid columns the row leaves out before its first cell (DOCX ``w:gridBefore``)
    # Cells (by index, > 0) that opened right after blank lines in Tika text, where an empty paragraph and a
    # row end look alike: where another row may begin (see :func:`regroup`). Other readers know their rows.
    breaks: tuple[int, ...] = field(default=(), compare=False, repr=False)
    # The first row a table draws on a page after its first (a PDF reader knows; a row cut at the page break
    # continues there). False where the reader cannot tell.
    starts_page: bool = False

    def texts(self, width: int | None = None) -> list[str]:
        """Cell texts, padded with ``""`` to ``width`` (cells that vanished at the row's end)."""
        values = [c.text for c in self.cells]
        if width is not None and len(values) < width:
            values += [""] * (width - len(values))
        return values

    def grid_texts(self, width: int | None = None) -> list[str]:
        """Texts by grid column, padded to ``width``: a cell covering k columns gives its text then k-1 ``""``,
        and columns left out before the first cell are ``""``. Equal to :meth:`texts` when no cell is merged."""
        values = [""] * self.grid_before
        for cell in self.cells:
            values.append(cell.text)
            values += [""] * (cell.col_span - 1)
        if width is not None and len(values) < width:
            values += [""] * (width - len(values))
        return values

    def cell_at(self, column: int) -> Cell | None:
        """The cell covering grid ``column`` (0-based), or None when the row has none there."""
        start = self.grid_before
        for cell in self.cells:
            if start <= column < start + cell.col_span:
                return cell
            start += cell.col_span
        return None

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


def _without_trailing_blanks(cell: Cell) -> Cell:
    """``cell`` without the empty paragraphs at its end: they were the end of its row (Tika text)."""
    keep = len(cell.paragraphs)
    while keep > 1 and not cell.paragraphs[keep - 1] and len(cell.positions) == len(cell.paragraphs):
        keep -= 1
    if keep == len(cell.paragraphs):
        return cell
    span = Span(cell.span.first, cell.positions[keep - 1], cell.span.locator)
    return Cell(cell.paragraphs[:keep], span, positions=cell.positions[:keep])


def regroup(rows: tuple[Row, ...], width: int, starts) -> tuple[Row, ...]:
    """``rows`` cut again where ``starts`` says a row begins, when some are narrower than ``width``.

    A row narrower than ``width`` may be two rows the reader glued together, or the reader may have cut such
    rows in the wrong places: in Tika text, two rows in a row whose trailing merged cells vanished look like
    one row with empty paragraphs, and the next full row can take cells of both (see
    :mod:`pipeline.document.readers.tika_text`). Only a template knows what a row begins with, so it passes
    ``starts(texts, i, reader_cut)``: whether a row begins at cell ``i`` of ``texts`` (the cell texts of a
    run of rows, in order), ``reader_cut`` telling whether the reader began a row there. When a run of rows
    (those the reader does not know exactly: ``cells_exact`` rows stay as read) holds a narrow one, its cells
    are cut where ``starts`` holds, among the reader's row starts and possible row ends (:attr:`Row.breaks`).
    """
    out: list[Row] = []
    run: list[Row] = []

    def flush() -> None:
        if all(len(row.cells) >= width for row in run):
            out.extend(run)
            run.clear()
            return
        cells = [cell for row in run for cell in row.cells]
        texts = [cell.text for cell in cells]
        cuts, at = {}, 0
        for row in run:
            cuts[at] = True
            cuts.update({at + b: False for b in row.breaks})
            at += len(row.cells)
        begins = [0] + [i for i in sorted(cuts) if i > 0 and starts(texts, i, cuts[i])]
        if begins == [i for i, by_reader in sorted(cuts.items()) if by_reader]:
            out.extend(run)  # the reader's rows stand
        else:
            for a, b in zip(begins, [*begins[1:], len(cells)]):
                part = (*cells[a:b - 1], _without_trailing_blanks(cells[b - 1]))
                out.append(Row(part, part[0].span.join(part[-1].span),
                               breaks=tuple(i - a for i in sorted(cuts) if a < i < b)))
        run.clear()

    for row in rows:
        if row.cells and not row.cells_exact:
            run.append(row)
            continue
        if run:
            flush()
        out.append(row)
    if run:
        flush()
    return tuple(out)


Block = Paragraph | Table


@dataclass(frozen=True)
class DocumentPart:
    """One file of a disclosure published as several (:mod:`pipeline.document.parts`): its part name
    (``explanation``, ``tables``), the raw file, and the positions of the document it holds."""

    name: str
    source: str
    first: int
    last: int  # first - 1 for a part without positions


@dataclass(frozen=True)
class Document:
    """A disclosure as blocks in reading order. ``source`` names the raw file (relative path).

    A disclosure published as several files has ``parts`` (one per file, in order, see
    :mod:`pipeline.document.parts`) and ``missing_parts``: ``(part, file)`` the manifest lists that raw/ lacks.
    """

    source: str
    blocks: tuple[Block, ...]
    line_count: int
    parts: tuple[DocumentPart, ...] = ()
    missing_parts: tuple[tuple[str, str], ...] = ()

    def part_of(self, span: Span) -> str | None:
        """The name of the part ``span`` begins in (None for a document of one file)."""
        for part in reversed(self.parts):
            if part.first <= span.first:
                return part.name
        return None

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def repeated_paragraphs(self) -> list[tuple[str, str, Span, Span, Span]]:
        """Every paragraph a cell reads once though printed twice in a row (:attr:`Cell.repeats`), as (the
        text of the first non-empty cell of the row as read, the paragraph, first print, repeat, the table's
        span), in document order."""
        found = []
        for table in self.tables:
            for row in table.rows:
                for cell in row.cells:
                    for text, first, again in cell.repeats:
                        where = next((c.text.split("\n")[0] for c in row.cells if c.text), "")
                        found.append((where, text, first, again, table.span))
        return found
