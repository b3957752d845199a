"""A ruled table of the intermediate document with its header understood: which rows are headings, and one
label per column (the heading texts above it, top to bottom, joined with ``/``: ``项目/功能分类科目编码/类``).

A row is data when a cell holds a number or a code, or when its only text is a total (合计 alone is the total
row of an empty table); the header is the rows before the first data row. A merged heading covers the columns
that carry its span (the intermediate document repeats a merged cell's span in every column it covers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document.model import Row, Table
from pipeline.tables.national.vocabulary import TOTAL_LABEL, key

_DATA = re.compile(r"^[-−–+]?\(?[\d,，]*\d(?:\.\d+)?\)?%?$")


def is_data_row(row: Row) -> bool:
    texts = [re.sub(r"\s+", "", t) for t in row.texts() if t.strip()]
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


def read_grid(table: Table) -> Grid:
    n = next((i for i, row in enumerate(table.rows) if is_data_row(row)), len(table.rows))
    width = table.width
    labels: list[list[str]] = [[] for _ in range(width)]
    for row in table.rows[:n]:
        texts = row.texts(width)
        by_span = {}
        for cell in row.cells:
            if cell.text:
                by_span.setdefault(cell.span, cell.text)
        for c in range(width):
            text = texts[c] or (by_span.get(row.cells[c].span, "") if c < len(row.cells) else "")
            text = re.sub(r"\s+", "", text)
            if text and (not labels[c] or labels[c][-1] != text):
                labels[c].append(text)
    return Grid(table, n, tuple("/".join(parts) for parts in labels))
