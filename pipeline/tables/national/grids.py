"""A ruled table of the intermediate document with its header understood: which rows are headings, and one
label per column (the heading texts above it, top to bottom, joined with ``/``: ``项目/功能分类科目编码/类``).

A row is data when a cell holds a number or a code, or when its only text is a total (合计 alone is the total
row of an empty table); the header is the rows before the first data row. A heading merged across columns
(``col_span``) labels each column it covers.
"""

from __future__ import annotations

import re
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.document.model import Cell, Row, Table
from pipeline.tables.national.vocabulary import TOTAL_LABEL, key

_DATA = re.compile(r"^[-−–+]?\(?[\d,，]*\d(?:\.\d+)?\)?%?$")


def is_data_row(row: Row) -> bool:
    texts = [re.sub(r"\s+", "", t) for t in row.grid_texts() if t.strip()]
    if any(_DATA.match(t) for t in texts):
        return True
    return len(texts) == 1 and bool(TOTAL_LABEL.match(texts[0]))


@dataclass(frozen=True)
class Grid:
    table: Table
    n_header: int
    labels: tuple[str, ...]  # one per column

    @property
    def body(self) -> tuple[Row, ...]:
        return self.table.rows[self.n_header:]

    def last(self, col: int) -> str:
        """The last part of a column's label, as matched (:func:`~.vocabulary.key`)."""
        return key(self.labels[col].rsplit("/", 1)[-1])

    def top(self, col: int) -> str:
        return key(self.labels[col].split("/", 1)[0])

    def columns(self, predicate) -> list[int]:
        return [c for c in range(len(self.labels)) if predicate(self, c)]


def width(table: Table) -> int:
    """The table's grid columns (a merged cell counts the columns it covers)."""
    return max((r.grid_before + sum(c.col_span for c in r.cells) for r in table.rows), default=0)


def read_grid(table: Table) -> Grid:
    n = next((i for i, row in enumerate(table.rows) if is_data_row(row)), len(table.rows))
    labels: list[list[str]] = [[] for _ in range(width(table))]
    for row in table.rows[:n]:
        for c in range(len(labels)):
            cell = row.cell_at(c)  # a heading merged across columns labels each of them
            text = re.sub(r"\s+", "", cell.text) if cell is not None else ""
            if text and (not labels[c] or labels[c][-1] != text):
                labels[c].append(text)
    return Grid(table, n, tuple("/".join(parts) for parts in labels))


def join_cut_rows(table: Table, fragment: Callable[[int, str], bool]) -> Table:
    """``table`` with each row cut at a page break joined again: a row that starts a page (``Row.starts_page``)
    without a figure, whose every text ``fragment(column, text)`` says is the rest of a label (the template knows
    its labels: ``业支出`` is no line of its own) and continues a text of the row above, is that row's end."""
    rows: list[Row] = []
    for row in table.rows:
        texts = row.grid_texts()
        filled = [c for c, t in enumerate(texts) if t.strip()]
        prev = rows[-1] if rows else None
        if (prev is None or not row.starts_page or not filled or is_data_row(row)
                or not all(fragment(c, texts[c]) and (prev.cell_at(c) is not None and prev.cell_at(c).text.strip())
                           for c in filled)):
            rows.append(row)
            continue
        cells = []
        start = prev.grid_before
        for cell in prev.cells:
            more = row.cell_at(start)
            if start in filled and more is not None:
                cell = Cell((cell.text + more.text.strip(),), cell.span.join(more.span), col_span=cell.col_span,
                            row_span=cell.row_span, merged_above=cell.merged_above)
            cells.append(cell)
            start += cell.col_span
        rows[-1] = dataclasses.replace(prev, cells=tuple(cells), span=prev.span.join(row.span))
    return Table(tuple(rows), table.span) if len(rows) != len(table.rows) else table
