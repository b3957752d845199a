"""Tables across pages: the ruled parts of one table on consecutive pages joined into a logical table.

A table continues the previous page's last table when nothing but running headers / footers / page numbers
lies below that one and above this one, and every column edge of the new part matches an edge of the first
part (within :data:`EDGE_TOLERANCE`). Its leading rows are dropped as a repeated header when they equal the
first part's header rows; a part without header rows is appended; a same-shaped table with header rows of its
own that differ is a new table (one performance-target form per page). A part with fewer columns is mapped
onto the first part's columns: the last page of a split table may hold only the 合计 row, where the rulings
between 类 / 款 / 项 / 名称 are missing. Leading rows without figures continue the table unless they share a
heading with its header (then they are a header of their own). A first part of header rows only (``收入 | 支出``
at the foot of a page) whose next-page part has the same outer edges and a finer grid is mapped onto that
part's columns.

Header rows of the first part: the rows before the first row holding a number or a code (or a lone 合计, or
nothing at all), extended so that no merged header cell is cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.document.readers.pdf import refs
from pipeline.document.readers.pdf.model import Cell, Line, PdfDocument, Table

EDGE_TOLERANCE = 3.0  # column edges of two table parts that match (points)
_AMOUNT = re.compile(r"^[-−–+]?\(?[\d,，]*\d(?:\.\d+)?\)?%?$")
_TOTAL = re.compile(r"^(?:合计|总计|小计|收入总计|支出总计|本年收入合计|本年支出合计|总合计)$")


def _is_data_row(cells: list[Cell]) -> bool:
    """A row holds data when a cell is a number or a code, or when its only text is a total label (合计 alone
    is the total row of an empty table; 合计 among other labels is a heading)."""
    texts = [c.text.replace(" ", "") for c in cells if c.text]
    if any(_AMOUNT.match(s) for s in texts):
        return True
    return len(texts) == 1 and bool(_TOTAL.match(texts[0]))


def header_row_count(t: Table) -> int:
    """Leading grid rows that are column headings (see the module docstring)."""
    k = 0
    for r in range(1, t.n_rows + 1):
        cells = t.row_cells(r)
        if _is_data_row(cells) or all(c.blank for c in cells):
            break
        k = r
    if k == t.n_rows:  # nothing looks like data: a form, or a header-only part
        return 0 if t.n_rows > 6 else k
    changed = True
    while changed and k:
        changed = False
        for c in t.cells:
            if c.row <= k < c.row + c.rowspan - 1:
                k = c.row + c.rowspan - 1
                changed = True
    return k


@dataclass(slots=True)
class LogicalRow:
    page: int
    table: int
    row: int  # grid row on its page
    cells: list[Cell]  # anchor cells of the row
    texts: list[str]  # one text per logical column (a merged cell's text at its anchor column)
    # logical columns (0-based, end exclusive) each cell of ``cells`` covers
    columns: list[tuple[int, int]] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return refs.row_ref(self.page, self.table, self.row)


@dataclass(slots=True)
class LogicalTable:
    """A table as a person reads it: one or more ruled parts on consecutive pages."""

    parts: list[Table]
    header: list[LogicalRow]  # header rows of the first part
    rows: list[LogicalRow]  # body rows of all parts, repeated headers left out
    repeated_header_rows: dict[int, int]  # page -> leading rows dropped as a repeated header
    caption: list[Line]  # body lines between the previous item on the page and the table
    after: list[Line]  # body lines after the last part, up to the next table or the page end
    warnings: list[str] = field(default_factory=list)
    grid: int = 0  # the part whose grid columns are the table's (a header-only first part may be coarser)

    @property
    def pages(self) -> list[int]:
        return [t.page for t in self.parts]

    @property
    def n_cols(self) -> int:
        return self.parts[self.grid].n_cols

    @property
    def ref(self) -> str:
        """The table's rows as drawn, from the first part's first row to the last part's last row."""
        first, last = self.parts[0], self.parts[-1]
        return refs.rows_ref((first.page, first.index, 1), (last.page, last.index, last.n_rows))

    def header_labels(self) -> list[str]:
        """One label per column: the header texts above it, top to bottom, joined with ``/``."""
        labels: list[list[str]] = [[] for _ in range(self.n_cols)]
        for row in self.header:
            for text, (start, end) in zip((c.text for c in row.cells), row.columns):
                for col in range(start, end):
                    if text and (not labels[col] or labels[col][-1] != text):
                        labels[col].append(text)
        return ["/".join(seen) for seen in labels]


def _rows(t: Table, start: int, colmap: list[int], n_cols: int) -> list[LogicalRow]:
    out = []
    for r in range(start, t.n_rows + 1):
        cells = t.row_cells(r)
        texts = [""] * n_cols
        columns = [(colmap[c.col - 1], colmap[c.col - 1 + c.colspan] if c.col - 1 + c.colspan < len(colmap) else n_cols)
                   for c in cells]
        for c, (j, _) in zip(cells, columns):
            texts[j] = c.text
        out.append(LogicalRow(t.page, t.index, r, cells, texts, columns))
    return out


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _column_map(first: Table, part: Table) -> list[int] | None:
    """Logical column (0-based, in the first part's grid) of each grid column of ``part``, or None when the
    parts do not line up."""
    edges = first.col_edges
    out = []
    for x in part.col_edges:
        j = min(range(len(edges)), key=lambda i: abs(edges[i] - x))
        if abs(edges[j] - x) > EDGE_TOLERANCE:
            return None
        out.append(j)
    if out[0] != 0 or out[-1] != len(edges) - 1 or out != sorted(set(out)):
        return None
    return out[:-1]


def _own_header(t: Table, lt: LogicalTable) -> bool:
    """Whether ``t`` starts with header rows of its own: leading rows without figures that share a heading with
    the table it would continue (a form printed again on the next page). Leading rows without figures that
    share none (labels of the table's body: ``九、医疗卫生支出``, the rest of a row cut at the page break)
    continue it."""
    k = header_row_count(t)
    if not k:
        return False
    if not lt.header:
        return True
    head = {_norm(x) for r in lt.header for x in r.texts if _norm(x)}
    return any(_norm(c.text) in head for r in range(1, k + 1) for c in t.row_cells(r) if c.text)


def _regrid(lt: LogicalTable, t: Table) -> bool:
    """Continue ``lt``, a table of header rows only that ends its page (``收入 | 支出``), with ``t``, the next
    page's first table, when ``t`` has the same outer edges and a finer grid: the header rows are mapped onto
    ``t``'s columns, which become the table's."""
    if lt.rows or len(lt.parts) != 1 or not lt.header:
        return False
    colmap = _column_map(t, lt.parts[0])
    if colmap is None:
        return False
    h = header_row_count(t)
    rows = _rows(t, 1, list(range(t.n_cols)), t.n_cols)
    lt.header = _rows(lt.parts[0], 1, colmap, t.n_cols)[: len(lt.header)] + rows[:h]
    lt.rows = rows[h:]
    lt.parts.append(t)
    lt.grid = 1
    lt.after = []
    return True


def stitch_tables(doc: PdfDocument) -> list[LogicalTable]:
    """The document's tables, those that continue on the next page joined (see the module docstring).

    ``caption``: the body lines between the previous table on the page (or the page top) and the table.
    ``after``: the body lines after the table's last part up to the next table or the page end (so the
    caption of a following table on the same page is also in the previous table's ``after``)."""
    out: list[LogicalTable] = []
    prev_open: LogicalTable | None = None  # the table that ends the previous page, if one does
    for page in doc.pages:
        items = [it for it in page.items() if not (isinstance(it, Line) and it.role != "body")]
        caption: list[Line] = []
        open_here: LogicalTable | None = None
        for pos, it in enumerate(items):
            if isinstance(it, Line):
                caption.append(it)
                if open_here is not None:
                    open_here.after.append(it)
                continue
            t = it
            colmap = _column_map(prev_open.parts[0], t) if pos == 0 and prev_open is not None else None
            k = 0
            if colmap is not None:
                lt = prev_open
                n_h = len(lt.header)
                if n_h and t.n_rows > n_h:
                    head = [_norm(x) for r in lt.header for x in r.texts]
                    mine = [_norm(x) for r in _rows(t, 1, colmap, lt.n_cols)[:n_h] for x in r.texts]
                    if mine == head:
                        k = n_h
                if not k and _own_header(t, lt):
                    colmap = None  # header rows of its own that differ: a new table of the same shape
            if colmap is not None:
                if k:
                    lt.repeated_header_rows[t.page] = k
                if t.n_cols != lt.n_cols:
                    lt.warnings.append(f"p{t.page}: this part has {t.n_cols} grid columns, mapped onto {lt.n_cols}")
                lt.parts.append(t)
                lt.rows.extend(_rows(t, k + 1, colmap, lt.n_cols))
                lt.after = []
            elif pos == 0 and prev_open is not None and _regrid(prev_open, t):
                lt = prev_open
            else:
                h = header_row_count(t)
                rows = _rows(t, 1, list(range(t.n_cols)), t.n_cols)
                lt = LogicalTable(parts=[t], header=rows[:h], rows=rows[h:], repeated_header_rows={},
                                  caption=caption, after=[])
                out.append(lt)
            caption = []
            open_here = lt
        prev_open = open_here if items and isinstance(items[-1], Table) else None
    return out
