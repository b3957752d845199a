"""Ruling segments -> ruled tables; characters -> their cells.

Collinear touching rulings are merged; rulings that touch form a connected component; each component with at
least two horizontal and two vertical rulings is a grid whose row and column edges are the distinct y and x
positions. Between two neighbouring grid cells, a missing ruling means one merged cell (union-find ->
``rowspan`` / ``colspan``). A character goes to the cell under its centre; a cell's characters are grouped into
lines and joined (no space between CJK: ``事业单位⏎经营收入`` -> ``事业单位经营收入``).

A row that Word cuts at a page break has its top border on the previous page only: on the new page the
table's outer vertical rulings reach above its first horizontal ruling. That edge is closed, so the row is a
row of the table, not a line of text above it.
"""

from __future__ import annotations

from bisect import bisect_right

from pipeline.document.readers.pdf.characters import BOT, TOP, X0, X1
from pipeline.document.readers.pdf.lines import group_lines, join_lines, line_text
from pipeline.document.readers.pdf.model import Cell, Table

RULE_SNAP = 2.0  # rulings closer than this (points) are the same grid edge / touch each other
OPEN_EDGE = 3.0  # outer vertical rulings reaching this far past the last horizontal one: a row without its border


def _merge_segments(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Merge collinear, touching segments ``(pos, a, b)``."""
    out: list[list[float]] = []
    for pos, a, b in sorted(segs):
        for o in reversed(out[-8:]):
            if abs(o[0] - pos) <= 1.0 and a <= o[2] + RULE_SNAP and b >= o[1] - RULE_SNAP:
                o[1], o[2] = min(o[1], a), max(o[2], b)
                break
        else:
            out.append([pos, a, b])
    return [(o[0], o[1], o[2]) for o in out]


def _cluster(values: list[float], tol: float) -> list[float]:
    """Distinct positions: values closer than ``tol`` collapse into their mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def find_tables(rules: list[tuple], page: int) -> list[Table]:
    """The ruled tables of a page, top to bottom, numbered from 1."""
    hs = _merge_segments([(r[1], r[2], r[3]) for r in rules if r[0] == "h"])
    vs = _merge_segments([(r[1], r[2], r[3]) for r in rules if r[0] == "v"])
    if len(hs) < 2 or len(vs) < 2:
        return []
    uf = _UnionFind(len(hs) + len(vs))
    tol = RULE_SNAP
    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                uf.union(i, len(hs) + j)
    comps: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        comps.setdefault(uf.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        comps.setdefault(uf.find(len(hs) + j), ([], []))[1].append(v)
    tables = [t for ch, cv in comps.values() if len(ch) >= 2 and len(cv) >= 2
              for t in [_grid_table(ch, cv, page)] if t is not None]
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    for k, t in enumerate(tables, start=1):
        t.index = k
        for c in t.cells:
            c.table = k
    return tables


def _covers(segments: list[tuple[float, float]], a: float, b: float) -> bool:
    """Whether a ruling of ``segments`` covers the middle of ``[a, b]``."""
    m = (a + b) * 0.5
    return any(lo - 1 <= m <= hi + 1 for lo, hi in segments)


def _close_open_edges(hs: list[tuple], vs: list[tuple]) -> list[tuple]:
    """``hs`` with the missing top (bottom) ruling of a row cut by a page break: when the table's outer vertical
    rulings, left and right, both reach above its first (below its last) horizontal ruling by more than
    :data:`OPEN_EDGE`, the row between is a row of the table whose border Word drew on the other page only."""
    left, right = min(v[0] for v in vs), max(v[0] for v in vs)
    sides = [[v for v in vs if abs(v[0] - x) <= RULE_SNAP] for x in (left, right)]
    top, bottom = min(h[0] for h in hs), max(h[0] for h in hs)
    out = list(hs)
    reach_up = [min(v[1] for v in side) for side in sides]
    if all(top - y > OPEN_EDGE for y in reach_up) and abs(reach_up[0] - reach_up[1]) <= RULE_SNAP:
        out.append((min(reach_up), left, right))
    reach_down = [max(v[2] for v in side) for side in sides]
    if all(y - bottom > OPEN_EDGE for y in reach_down) and abs(reach_down[0] - reach_down[1]) <= RULE_SNAP:
        out.append((max(reach_down), left, right))
    return out


def _grid_table(hs: list[tuple], vs: list[tuple], page: int) -> Table | None:
    hs = _close_open_edges(hs, vs)
    ys = _cluster([h[0] for h in hs], RULE_SNAP)
    xs = _cluster([v[0] for v in vs], RULE_SNAP)
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1 or nr * nc < 2:
        return None
    v_at = [[(v[1], v[2]) for v in vs if abs(v[0] - x) <= RULE_SNAP] for x in xs]
    h_at = [[(h[1], h[2]) for h in hs if abs(h[0] - y) <= RULE_SNAP] for y in ys]
    uf = _UnionFind(nr * nc)  # no ruling between two neighbouring grid cells: one merged cell
    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covers(v_at[c + 1], ys[r], ys[r + 1]):
                uf.union(r * nc + c + 1, r * nc + c)
            if r + 1 < nr and not _covers(h_at[r + 1], xs[c], xs[c + 1]):
                uf.union((r + 1) * nc + c, r * nc + c)
    groups: dict[int, list[int]] = {}
    for i in range(nr * nc):
        groups.setdefault(uf.find(i), []).append(i)
    anchors = sorted((min(i // nc for i in g), min(i % nc for i in g), max(i // nc for i in g),
                      max(i % nc for i in g)) for g in groups.values())
    grid = [[-1] * nc for _ in range(nr)]
    cells = []
    for k, (r0, c0, r1, c1) in enumerate(anchors):
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if grid[r][c] == -1:
                    grid[r][c] = k
        cells.append(Cell(page=page, table=0, row=r0 + 1, col=c0 + 1, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1,
                          text="", lines=[], bbox=_r((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])), words=[]))
    return Table(page=page, index=0, bbox=_r((xs[0], ys[0], xs[-1], ys[-1])), col_edges=[round(x, 2) for x in xs],
                 row_edges=[round(y, 2) for y in ys], cells=cells, grid=grid)


def _r(b) -> tuple[float, float, float, float]:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))


def split_chars(tables: list[Table], chars: list[tuple]) -> tuple[list[list[tuple]], list[tuple]]:
    """Characters per table (by centre) and the characters outside every table."""
    per_table: list[list[tuple]] = [[] for _ in tables]
    if not tables:
        return per_table, chars
    free: list[tuple] = []
    boxes = [t.bbox for t in tables]
    for c in chars:
        cx2, cy2 = c[X0] + c[X1], c[TOP] + c[BOT]  # twice the centre, against doubled bounds
        for k, b in enumerate(boxes):
            if 2 * b[0] <= cx2 <= 2 * b[2] and 2 * b[1] <= cy2 <= 2 * b[3]:
                per_table[k].append(c)
                break
        else:
            free.append(c)
    return per_table, free


def fill_table(t: Table, chars: list[tuple]) -> int:
    """Put characters into the cells of a table; returns the duplicate glyphs dropped."""
    xs, ys, grid = t.col_edges, t.row_edges, t.grid
    last_col, last_row = len(xs) - 2, len(ys) - 2
    per_cell: dict[int, list[tuple]] = {}
    for c in chars:
        col = bisect_right(xs, (c[X0] + c[X1]) * 0.5) - 1
        row = bisect_right(ys, (c[TOP] + c[BOT]) * 0.5) - 1
        col = 0 if col < 0 else (last_col if col > last_col else col)
        row = 0 if row < 0 else (last_row if row > last_row else row)
        per_cell.setdefault(grid[row][col], []).append(c)
    dups = 0
    for k, cc in per_cell.items():
        cell = t.cells[k]
        grouped, d = group_lines(cc)
        dups += d
        texts, words = [], []
        for lc in grouped:
            s, w, _ = line_text(lc)
            texts.append(s)
            words.extend(w)
        cell.lines = texts
        cell.text = join_lines(texts)
        cell.words = words
    return dups
