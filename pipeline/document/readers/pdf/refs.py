"""Source references into a PDF: where a published value was read, in a form a person can follow.

Pages are the physical pages of the file, 1-based (the disclosures print no page numbers, or ones that
differ). Lines are the drawn text lines of a page *outside* its ruled tables, counted from the top. Rows and
columns are those of a ruled table's grid as drawn, header rows counted, so a person counts them on the
page; a merged cell is named by its top-left position.

==========================  =========================================================================
``p9``                      page 9
``p9:l3``                   the 3rd text line of page 9
``p9:l3-5``                 lines 3 to 5 of page 9 (a wrapped paragraph)
``p7:l30-p8:l2``            from line 30 of page 7 to line 2 of page 8 (a paragraph across a page break)
``p9:r3c2``                 the cell at grid row 3, column 2 of the first ruled table of page 9
``p9:t2:r3c2``              the same in the page's 2nd table (``t1`` is never written)
``p9:r3``                   the whole of grid row 3
``p9:r3-7``                 rows 3 to 7 (a table or part of one)
``p14:r1-p15:r11``          from row 1 on page 14 to row 11 on page 15 (a table split across pages)
``p9:r16c1-p9:r16c2``       cells 1 to 2 of row 16 (one side of a two-sided summary table)
``p9:l1-p10:r16``           from a line to a table row (a caption with its table)
==========================  =========================================================================

:data:`PATTERN` is the regular expression the Table Schemas use for these references.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_N = r"[1-9][0-9]*"
_LOC = rf"p{_N}(?::(?:l{_N}|(?:t{_N}:)?r{_N}(?:c{_N})?))?"
# One location, then optionally the end of a range: a number on the same page (a line or a row), or a location.
PATTERN = rf"{_LOC}(?:-(?:{_N}|{_LOC}))?"

_REF = re.compile(
    r"^p(?P<page>\d+)(?::(?:l(?P<line>\d+)(?:-(?:p(?P<lpage>\d+):l)?(?P<line_end>\d+))?"
    r"|(?:t(?P<table>\d+):)?r(?P<row>\d+)(?:c(?P<col>\d+)|-(?:p(?P<rpage>\d+):(?:t(?P<rtable>\d+):)?r)?"
    r"(?P<row_end>\d+))?))?$")


class Ref(NamedTuple):
    page: int
    line: int | None = None
    line_end: int | None = None  # last line of a range (on page_end)
    table: int | None = None
    row: int | None = None
    col: int | None = None
    row_end: int | None = None  # last row of a range (on page_end)
    page_end: int | None = None  # last page of a range; None when the range (or location) is on one page


def parse_ref(ref: str) -> Ref:
    """A reference to one place or a range of lines or rows (not the mixed forms, which only :data:`PATTERN`
    admits): ``'p9:t2:r3c2'`` -> ``Ref(page=9, table=2, row=3, col=2)``; ``ValueError`` when malformed."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"not a PDF source reference: {ref!r}")
    g = {k: int(v) for k, v in m.groupdict().items() if v is not None}
    page_end = g.get("lpage", g.get("rpage"))
    return Ref(page=g["page"], line=g.get("line"), line_end=g.get("line_end"), table=g.get("table"),
               row=g.get("row"), col=g.get("col"), row_end=g.get("row_end"), page_end=page_end)


def _table(table: int) -> str:
    return "" if table == 1 else f"t{table}:"


def line_ref(page: int, no: int) -> str:
    return f"p{page}:l{no}"


def lines_ref(first: tuple[int, int], last: tuple[int, int]) -> str:
    """Lines from ``(page, line)`` to ``(page, line)``."""
    (p0, l0), (p1, l1) = first, last
    if (p0, l0) == (p1, l1):
        return line_ref(p0, l0)
    return f"p{p0}:l{l0}-{l1}" if p0 == p1 else f"p{p0}:l{l0}-p{p1}:l{l1}"


def cell_ref(page: int, table: int, row: int, col: int) -> str:
    return f"p{page}:{_table(table)}r{row}c{col}"


def row_ref(page: int, table: int, row: int) -> str:
    return f"p{page}:{_table(table)}r{row}"


def rows_ref(first: tuple[int, int, int], last: tuple[int, int, int]) -> str:
    """Rows from ``(page, table, row)`` to ``(page, table, row)``."""
    (p0, t0, r0), (p1, t1, r1) = first, last
    if (p0, t0, r0) == (p1, t1, r1):
        return row_ref(p0, t0, r0)
    if (p0, t0) == (p1, t1):
        return f"{row_ref(p0, t0, r0)}-{r1}"
    return f"{row_ref(p0, t0, r0)}-{row_ref(p1, t1, r1)}"
