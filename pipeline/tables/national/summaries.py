"""Summary tables printed as label and amount blocks -> ``summary_lines`` rows.

Provinces print the national summary tables differently: Shanghai's 财务收支预算总表 has one label column and
amount columns per side (:func:`pipeline.tables.national.lines.summary_rows`); others print each side as one or
more *blocks* of a label column and its amount column: 收入 | 支出 by function | 支出 by use (Jiangsu's
收支预算总表), 收入 | 支出 by use (its 财政拨款收支预算总表). Income by source may be printed as groups with their 小计
and the lines under them (:func:`source_rows`), and a table of one row whose columns are the lines
(:func:`row_of_lines`, a 支出预算总表 of 合计 | 基本支出 | 项目支出 …). What the lines mean is national
(:mod:`.vocabulary`); which function a template calls is its layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document.model import Row
from pipeline.errors import DocumentError
from pipeline.tables.national.grids import Grid
from pipeline.tables.national.lines import amount, cell_at_start
from pipeline.tables.national.vocabulary import (
    EXPENDITURE_LINES,
    SOURCE_GROUPS,
    SOURCE_LINES,
    income_line,
    key,
    match,
)

_AMOUNT_LABEL = re.compile(r"^(?:金额|预算数|合计)$")
_NAME_LABEL = re.compile(r"名称$|^项目$")
_FUNDS = ("general_public_budget", "government_fund", "state_capital", "personnel", "public_operating", "project")


@dataclass(frozen=True)
class Block:
    side: str  # income | expenditure
    kind: str  # income | function | use
    label: int  # grid column of the labels
    amount: int  # grid column of the amounts


def blocks(grid: Grid) -> list[Block]:
    """The label/amount column pairs of a summary table, by their headings: the side from the top heading
    (收入 / 支出), the kind from the heading between (功能分类 / 支出用途; 收入 on the income side)."""
    out = []
    for c in range(len(grid.labels) - 1):
        parts = [key(p) for p in grid.labels[c].split("/")]
        nxt = [key(p) for p in grid.labels[c + 1].split("/")]
        if not (_NAME_LABEL.search(parts[-1]) and _AMOUNT_LABEL.match(nxt[-1])):
            continue
        side = "expenditure" if "支出" in parts[0] else ("income" if "收入" in parts[0] else None)
        if side is None:
            continue
        middle = "".join(parts[1:-1])
        kind = "income" if side == "income" else ("function" if "功能" in middle else "use")
        out.append(Block(side, kind, c, c + 1))
    return out


def _line(side: str, kind: str, label: str) -> str | None:
    if side == "income":
        return income_line(label)
    code = match(label, EXPENDITURE_LINES)  # a use, or 小计 / 结转下年 / 合计
    if kind == "function" and code not in ("subtotal", "carry_forward", "total"):
        return "function_class"
    return code


def _record(table_code: str, side: str, seq: int, line_code: str, label: str, value, text: str, ref: str,
            cell_ref: str, unit: str) -> dict:
    return {"table_code": table_code, "side": side, "row_seq": seq, "line_code": line_code, "label_zh": label,
            "amount_yuan": value, **{f"{f}_yuan": None for f in _FUNDS}, "source_ref": ref,
            "_cells": {"amount_yuan": cell_ref}, "_texts": {"amount_yuan": text}, "_unit": unit}


def block_rows(grid: Grid, table_code: str, unit: str, source: str) -> list[dict]:
    """The lines of a summary table printed as blocks (module docstring), side by side: each side numbered from
    1, block by block (收入; 支出 by function, then by use), then the lines whose label spans the blocks of its
    side (当年支出小计, 支出合计), whose amount is in the side's last amount column. Blank lines are left out; a
    line whose amount cell is blank is published with an empty amount (the class list as printed)."""
    found = blocks(grid)
    sides = [s for s in ("income", "expenditure") if any(b.side == s for b in found)]
    if sides != ["income", "expenditure"]:
        raise DocumentError(source, f"table {table_code}: expected label and amount columns of an income and an "
                                    f"expenditure side, found the headings {list(grid.labels)}", grid.table.span)
    out = []
    for side in sides:
        mine = [b for b in found if b.side == side]
        last_amount = mine[-1].amount
        lines, spanning = {b: [] for b in mine}, []
        for row in grid.body:
            for b in mine:
                cell = cell_at_start(row, b.label)
                if cell is None or not cell.text.strip():
                    continue
                start = b.label
                spans = start + cell.col_span - 1 >= b.amount
                target = last_amount if spans else b.amount
                (spanning if spans else lines[b]).append((b, row, cell, cell_at_start(row, target)))
        seq = 0
        for b, row, cell, value_cell in [x for b in mine for x in lines[b]] + spanning:
            label = re.sub(r"\s+", "", cell.text)
            code = _line(side, b.kind, label)
            if code is None:
                raise DocumentError(source, f"table {table_code}: unknown {side} line {label!r}", cell.span)
            text = re.sub(r"\s+", "", value_cell.text) if value_cell is not None else ""
            at = value_cell.span if value_cell is not None else cell.span
            seq += 1
            out.append(_record(table_code, side, seq, code, label, amount(text, unit, source, at), text,
                               cell.span.join(at).ref, at.ref, unit))
    return out


def source_rows(grid: Grid, table_code: str, unit: str, source: str) -> list[dict]:
    """Income by source printed as groups (``一般公共预算资金 | 小计 | 金额`` and the lines under it, the group's
    label merged down) -> ``summary_lines`` of the income side: the 小计 of a group has the group's line_code
    (``general_public_budget`` …), the lines under it their own (:data:`~.vocabulary.SOURCE_LINES`). The label
    of a 小计 line is the group's label and 小计 (``一般公共预算资金小计``)."""
    amount_col = max(c for c in range(len(grid.labels)) if _AMOUNT_LABEL.match(grid.last(c)))
    out, group = [], None
    for row in grid.body:
        texts = [(c, cell) for c in range(amount_col) if (cell := cell_at_start(row, c)) is not None
                 and cell.text.strip()]
        value_cell = cell_at_start(row, amount_col)
        text = re.sub(r"\s+", "", value_cell.text) if value_cell is not None else ""
        if not texts and not text:
            continue
        if not texts:
            raise DocumentError(source, f"table {table_code}: an amount without a label", row.span)
        labels = [re.sub(r"\s+", "", cell.text) for _, cell in texts]
        if len(labels) >= 2 and key(labels[-1]) == "小计":
            group = labels[0]
            code = match(group, SOURCE_GROUPS)
            label = group + labels[-1]
        else:
            label = labels[-1]
            code = match(label, SOURCE_LINES)
            if code is None and len(labels) == 1 and texts[0][0] == 0:
                code = match(label, SOURCE_GROUPS)  # a group printed without lines or 小计
        if code is None:
            raise DocumentError(source, f"table {table_code}: unknown income line {label!r}", texts[-1][1].span)
        first = texts[0][1]
        at = value_cell.span if value_cell is not None else row.span
        out.append(_record(table_code, "income", len(out) + 1, code, label, amount(text, unit, source, at), text,
                           first.span.join(at).ref, at.ref, unit))
    return out


def row_of_lines(grid: Grid, table_code: str, side: str, unit: str, source: str) -> list[dict]:
    """A table of one data row whose column headings are its lines (合计 | 基本支出 | 项目支出 | 单位预留机动经费 |
    结转下年资金) -> one ``summary_lines`` row per column."""
    data = [row for row in grid.body if any(t.strip() for t in row.texts())]
    if len(data) != 1:
        raise DocumentError(source, f"table {table_code}: expected one row of figures, found {len(data)}",
                            grid.table.span)
    row: Row = data[0]
    out = []
    for c, heading in enumerate(grid.labels):
        label = grid.last(c)
        code = match(label, EXPENDITURE_LINES) if side == "expenditure" else income_line(label)
        if code is None:
            raise DocumentError(source, f"table {table_code}: unknown column {heading!r}", grid.table.span)
        cell = cell_at_start(row, c)
        text = re.sub(r"\s+", "", cell.text) if cell is not None else ""
        at = cell.span if cell is not None else row.span
        out.append(_record(table_code, side, len(out) + 1, code, label, amount(text, unit, source, at), text, at.ref,
                           at.ref, unit))
    return out
