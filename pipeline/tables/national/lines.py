"""Rows of the national tables -> rows of ``function_lines``, ``economic_lines``, ``summary_lines``,
``three_public_expenses`` and ``classification_codes``. Pure functions of a :class:`~.grids.Grid`.

Amounts are exact (:func:`pipeline.tables.amounts.to_yuan`), in the unit the template says the table prints;
a blank cell is None, never 0; a figure that is not a number is a :class:`~pipeline.errors.DocumentError` at
its cell. Each row also carries ``_cells``: the ``source_ref`` of every amount's cell, which the checks use to
point at the very cell and which is not published (:func:`published` drops every key starting with ``_``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Row, Span
from pipeline.errors import DocumentError
from pipeline.tables.amounts import AmountError, to_yuan
from pipeline.tables.national import codes
from pipeline.tables.national.grids import Grid
from pipeline.tables.national.vocabulary import (
    AMOUNT_COLUMNS,
    CARRY_FORWARD,
    CODE_PARTS,
    EXPENDITURE_TOTAL,
    NAME_COLUMN,
    RUNNING_COSTS_COLUMN,
    THREE_PUBLIC_COLUMNS,
    THREE_PUBLIC_OTHER,
    VEHICLES_COLUMN,
    TOTAL_LABEL,
    income_line,
    key,
)

_NOTHING = re.compile(r"^[-—–－]+$")  # a dash printed for "nothing": the same as a blank cell


def published(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]


def amount(text: str, unit: str, source: str, at: Span) -> Decimal | None:
    """The exact yuan of a printed cell; None for a blank cell (or a lone dash)."""
    text = re.sub(r"\s+", "", text or "")
    if not text or _NOTHING.match(text):
        return None
    try:
        return to_yuan(text, unit)
    except AmountError as exc:
        raise DocumentError(source, f"expected an amount in {unit}, found {exc}", at) from exc


def _cell(row: Row, col: int):
    """The cell at the start of grid column ``col``, or None (a column covered by a merged cell is not its own)."""
    cell = row.cell_at(col)
    if cell is None or cell.merged_above:
        return None
    start = row.grid_before
    for c in row.cells:
        if c is cell:
            return cell if start == col else None
        start += c.col_span
    return None


cell_at_start = _cell  # public: templates that read a table's rows by grid column


def _text(row: Row, col: int | None) -> str:
    cell = None if col is None else _cell(row, col)
    return re.sub(r"\s+", "", cell.text) if cell is not None else ""


def _amounts(grid: Grid, row: Row, columns: dict[str, int], unit: str, source: str) -> tuple[dict, dict]:
    """The amounts of a row by field, and the checks' notes: ``_cells`` (each amount's cell), ``_texts`` (each
    amount as printed) and ``_unit`` (the table's unit: 元 tables print exact figures, 万元 ones rounded)."""
    values, cells, texts = {}, {}, {}
    for role, col in columns.items():
        cell = _cell(row, col)
        text = re.sub(r"\s+", "", cell.text) if cell else ""
        values[f"{role}_yuan"] = amount(text, unit, source, cell.span if cell else row.span)
        cells[f"{role}_yuan"] = (cell.span if cell else row.span).ref
        texts[f"{role}_yuan"] = text
    return values, {"_cells": cells, "_texts": texts, "_unit": unit}


def amount_columns(grid: Grid, after: int = -1) -> dict[str, int]:
    """Amount columns right of column ``after``, by the meaning of their label's last part (first one wins)."""
    out: dict[str, int] = {}
    for c in range(after + 1, len(grid.labels)):
        role = AMOUNT_COLUMNS.get(grid.last(c))
        if role is not None:
            out.setdefault(role, c)
    return out


def classification_rows(grid: Grid, table_code: str, scheme: str, unit: str, source: str,
                        roles: tuple[str, ...]) -> list[dict]:
    """The rows of a table by classification code (``scheme``: ``function`` or ``economic``); ``roles`` are the
    amount fields the table's schema has. Blank padding rows are left out; the 合计 row is ``row_kind`` total."""
    code_cols = [c for c in range(len(grid.labels)) if grid.last(c) in CODE_PARTS]
    whole_code = [c for c in range(len(grid.labels)) if grid.last(c).endswith(("编码", "代码")) and c not in code_cols]
    name_col = next((c for c in range(len(grid.labels)) if NAME_COLUMN.search(grid.last(c))
                     and c not in code_cols), None)
    if not (code_cols or whole_code) or name_col is None:
        raise DocumentError(source, f"table {table_code}: expected code columns (类/款/项 or 科目编码) and a name "
                                    f"column, found the headings {list(grid.labels)}", grid.table.span)
    first_amount = max([*code_cols, *whole_code, name_col])
    columns = {role: col for role, col in amount_columns(grid, first_amount).items() if role in roles}
    rest = list(range(first_amount + 1, len(grid.labels)))
    if "total" not in columns and len(rest) == 1:
        columns = {"total": rest[0]}  # one amount column (金额, 机关运行经费支出): the row's total
    if "total" not in columns:
        raise DocumentError(source, f"table {table_code}: no 合计 column among the headings {list(grid.labels)}",
                            grid.table.span)
    code_span = code_cols or whole_code
    out = []
    for row in grid.body:
        parts = [_text(row, c) for c in code_span]
        name = _text(row, name_col)
        label = next((t for t in [*parts, name] if t), "")
        values, notes = _amounts(grid, row, columns, unit, source)
        if not label and all(v is None for v in values.values()):
            continue  # a blank padding row
        record = {"table_code": table_code, "row_seq": len(out) + 1, "row_kind": "line",
                  "level": None, f"{scheme}_code": None, "class_code": None, "section_code": None,
                  "name_zh": name or label, **{f"{r}_yuan": values.get(f"{r}_yuan") for r in roles},
                  "source_ref": row.span.ref, **notes}
        if scheme == "function":
            record["item_code"] = None
        if TOTAL_LABEL.match(key(label)):
            record.update(row_kind="total", name_zh=key(label))
        else:
            code, why = (codes.from_parts(parts) if code_cols else codes.from_full(parts[0], scheme))
            if code is None:
                raise DocumentError(source, f"table {table_code}: a row named {name!r}: {why}", row.span)
            if not name:
                raise DocumentError(source, f"table {table_code}: the row of code {code.full} has no name", row.span)
            part_fields = ("class_code", "section_code", "item_code")[: len(codes.DIGITS[scheme])]
            if code.level > len(part_fields):
                raise DocumentError(source, f"table {table_code}: code {code.parts} has more parts than the "
                                            f"{scheme} classification's levels", row.span)
            record.update(level=code.level, **{f"{scheme}_code": code.full},
                          **dict(zip(part_fields, [*code.parts, None, None][: len(part_fields)])),
                          _code=code)
        out.append(record)
    return out


def code_rows(rows: list[dict], scheme: str) -> list[dict]:
    """``classification_codes`` rows: each code and printed name met in ``rows``, at its first place."""
    out: dict[tuple[str, str], dict] = {}
    for row in rows:
        code = row.get("_code")
        if code is None or (code.full, row["name_zh"]) in out:
            continue
        out[(code.full, row["name_zh"])] = {"classification": scheme, "code": code.full, "level": code.level,
                                            "parent_code": code.parent, "name_zh": row["name_zh"],
                                            "source_ref": row["source_ref"]}
    return list(out.values())


def _sides(grid: Grid) -> list[tuple[str, list[int]]]:
    """The two sides of a summary table: (``income`` | ``expenditure``, its columns), by the top heading."""
    sides: list[tuple[str, list[int]]] = []
    for c in range(len(grid.labels)):
        top = grid.top(c)
        side = "expenditure" if "支出" in top else ("income" if "收入" in top else None)
        if side is None:
            continue
        if not sides or sides[-1][0] != side:
            sides.append((side, []))
        sides[-1][1].append(c)
    return sides


def summary_rows(grid: Grid, table_code: str, unit: str, source: str) -> list[dict]:
    """The lines of a two-sided summary table (收入 | 支出), each side numbered from 1, blank lines left out."""
    sides = _sides(grid)
    if [s for s, _ in sides] != ["income", "expenditure"]:
        raise DocumentError(source, f"table {table_code}: expected an income side and an expenditure side, found "
                                    f"the headings {list(grid.labels)}", grid.table.span)
    out = []
    for side, cols in sides:
        label_col = cols[0]
        columns = {}
        for c in cols[1:]:
            role = AMOUNT_COLUMNS.get(grid.last(c))
            if role is not None:
                columns.setdefault("amount" if role in ("total", "amount") else role, c)
        seq = 0
        for row in grid.body:
            label = _text(row, label_col)
            values, notes = _amounts(grid, row, columns, unit, source)
            if not label and all(v is None for v in values.values()):
                continue
            if side == "income":
                line_code = income_line(label)
                if line_code is None:
                    raise DocumentError(source, f"table {table_code}: unknown income line {label!r}",
                                        _cell(row, label_col).span if _cell(row, label_col) else row.span)
            else:
                line_code = ("total" if EXPENDITURE_TOTAL.match(key(label)) else
                             "carry_forward" if CARRY_FORWARD.match(key(label)) else "function_class")
            if not label:
                raise DocumentError(source, f"table {table_code}: an amount without a label", row.span)
            seq += 1
            first, last = _cell(row, cols[0]), _cell(row, cols[-1])
            ref = first.span.join(last.span).ref if first and last else row.span.ref
            out.append({"table_code": table_code, "side": side, "row_seq": seq, "line_code": line_code,
                        "label_zh": label, "amount_yuan": values.get("amount_yuan"),
                        **{f"{r}_yuan": values.get(f"{r}_yuan") for r in
                           ("general_public_budget", "government_fund", "state_capital", "personnel",
                            "public_operating", "project")},
                        "source_ref": ref, **notes})
    return out


def three_public_rows(grid: Grid, unit: str, source: str, unit_zh: str) -> tuple[list[dict], list[dict]]:
    """The 三公 table's data row -> ``three_public_expenses`` rows (one per 三公 column, blank cells empty) and
    ``summary_lines`` rows (table ``three_public``) of its other columns: 机关运行经费 (Shanghai), 会议费 and
    培训费 and the table's 合计 over all of them (Jiangsu): they are printed in the table but are not 三公经费."""
    data = [row for row in grid.body if any(t.strip() for t in row.texts())]
    if len(data) != 1:
        raise DocumentError(source, f"the 三公 table: expected one row of figures, found {len(data)}",
                            grid.table.span)
    (row,) = data
    others = any(THREE_PUBLIC_OTHER.get(key(label.split("/")[-1])) for label in grid.labels)
    expenses, lines = [], []
    for c, label in enumerate(grid.labels):
        cell = _cell(row, c)
        if cell is None:
            continue
        value = amount(cell.text, unit, source, cell.span)
        text = (re.sub(r"\s+", "", cell.text) + unit_zh) if value is not None else None
        parts = label.split("/")
        line = ("institutional_operating_costs" if RUNNING_COSTS_COLUMN.search(grid.top(c)) else
                THREE_PUBLIC_OTHER.get(key(parts[-1])) or ("total" if others and len(parts) == 1 else None))
        if line is not None:
            lines.append({"table_code": "three_public", "side": "expenditure", "row_seq": len(lines) + 1,
                          "line_code": line, "label_zh": grid.top(c) if line == "institutional_operating_costs"
                          else parts[-1], "amount_yuan": value, **{f"{r}_yuan": None for r in
                                                                   ("general_public_budget", "government_fund",
                                                                    "state_capital", "personnel", "public_operating",
                                                                    "project")},
                          "source_ref": cell.span.ref, "_cells": {"amount_yuan": cell.span.ref},
                          "_texts": {"amount_yuan": re.sub(r"\s+", "", cell.text)}, "_unit": unit})
            continue
        code = _three_public_code([key(p) for p in parts])
        if code is None:
            raise DocumentError(source, f"the 三公 table: unknown column {label!r}", cell.span)
        printed = parts[-2] if key(parts[-1]) == "小计" and len(parts) > 1 else parts[-1]
        expenses.append({"expense_code": code[0], "parent_expense_code": code[1], "label_zh": printed,
                         "amount_yuan": value, "amount_text": text, "change_yuan": None, "change_text": None,
                         "change_reason_zh": None, "source_ref": cell.span.ref, "change_source_ref": None})
    return expenses, lines


def _three_public_code(parts: list[str]) -> tuple[str, str | None] | None:
    """``(expense_code, parent)`` of a 三公 column by its heading path: 小计 under 公务用车购置及运行费 is the
    vehicles, 小计 or 合计 under “三公”经费 the 三公 total; ``公务用车`` before a part is dropped."""
    last = parts[-1]
    if last in ("小计", "合计") and len(parts) > 1:
        if VEHICLES_COLUMN.search(parts[-2]):
            return "vehicles", "total"
        if "三公" in parts[-2] or last == "合计":
            return "total", None
    return THREE_PUBLIC_COLUMNS.get(last) or THREE_PUBLIC_COLUMNS.get(re.sub(r"^公务用车", "", last))
