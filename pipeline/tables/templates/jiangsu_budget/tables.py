"""The twelve tables of a Jiangsu budget disclosure -> rows of the national tables (:mod:`pipeline.tables.national`)
and of ``procurement_items``, with the notes the checks need (``_tables``, ``_notes``, ``_missing_tables``,
``_labels``: labels printed otherwise than the layout prints them)."""

from __future__ import annotations

import re

from pipeline.document.model import Row, Table
from pipeline.errors import DocumentError
from pipeline.tables.national import lines
from pipeline.tables.national.grids import join_cut_rows, read_grid
from pipeline.tables.national.summaries import block_rows, row_of_lines, source_rows
from pipeline.tables.national.vocabulary import (
    ECONOMIC_TABLES,
    FUNCTION_TABLES,
    SOURCE_GROUPS,
    SOURCE_LABELS,
    SOURCE_LINES,
    key,
    match,
)
from pipeline.tables.templates.jiangsu_budget.layout import (
    EMPTY_NOTE,
    PROCUREMENT_CATEGORY,
    TABLE_NAMES,
    TWELVE_TABLES,
    UNIT,
    compact,
)
from pipeline.tables.templates.jiangsu_budget.structure import JsTable

FUNCTION_ROLES = ("total", "basic", "project", "fiscal_allocation", "operations_income", "business_income",
                  "other_income")
ECONOMIC_ROLES = ("total", "personnel", "public_operating")
_ORDINAL_START = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[.．、])")
_BOTTOM = re.compile(r"^(?:当年|上年|收入|支出|结转)")
_CODE = re.compile(r"^\d{3,7}$")


def _summary_fragment(col: int, text: str) -> bool:
    """The rest of a label of the 收支预算总表 cut by a page break: every line there starts with its number
    (一、, 1.) or is one of the bottom lines (当年收入小计 …)."""
    t = compact(text)
    return not _ORDINAL_START.match(t) and not _BOTTOM.match(t)


def _source_fragment(col: int, text: str) -> bool:
    """The rest of a label of the 收入预算总表 (income by source): none of its lines, groups or 小计."""
    return key(text) != "小计" and match(text, SOURCE_GROUPS) is None and match(text, SOURCE_LINES) is None


def _name_fragment(col: int, text: str) -> bool:
    return not _CODE.match(compact(text))


def _notes_inside(t: JsTable, grid) -> tuple[Table, list[str]]:
    """Rows of a classification table that hold a note instead of a line (``此表为空`` in the code column)."""
    kept, notes = [], []
    for k, row in enumerate(t.table.rows):
        texts = [compact(x) for x in row.grid_texts() if x.strip()]
        if k >= grid.n_header and len(texts) == 1 and EMPTY_NOTE.search(texts[0]):
            notes.append((texts[0], row.span.ref))
            continue
        kept.append(row)
    return Table(tuple(kept), t.table.span), notes


def read_tables(source: str, tables: list[JsTable]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in (
        "function_lines", "economic_lines", "summary_lines", "classification_codes", "three_public_expenses",
        "procurement_items", "_tables", "_notes", "_labels")}
    seen: dict[str, JsTable] = {}
    for t in tables:
        if t.code in seen:
            raise DocumentError(source, f"the table {TABLE_NAMES[t.code]} is printed twice (first at "
                                        f"{seen[t.code].title.span.ref})", t.title.span)
        seen[t.code] = t
        if t.unit is None:
            raise DocumentError(source, f"expected a line '部门：… 单位：万元' under the title {t.title.clean!r}",
                                t.title.span)
        unit = t.unit
        table = t.table
        if t.code in ("financial_summary", "fiscal_allocation_summary"):
            table = join_cut_rows(table, _summary_fragment)
        elif t.code == "income_summary":
            table = join_cut_rows(table, _source_fragment)
        elif t.code in FUNCTION_TABLES or t.code in ECONOMIC_TABLES or t.code == "procurement":
            table = join_cut_rows(table, _name_fragment)
        grid = read_grid(table)
        inside: list = []
        if t.code != "income_summary" and (t.code in FUNCTION_TABLES or t.code in ECONOMIC_TABLES):
            table, inside = _notes_inside(JsTable(t.code, t.title, table), grid)
            grid = read_grid(table)
        if t.code in ("financial_summary", "fiscal_allocation_summary"):
            rows = block_rows(grid, t.code, unit, source)
            out["summary_lines"] += rows
            out["_labels"] += _misprints(rows)
        elif t.code == "income_summary":
            rows = source_rows(grid, t.code, unit, source)
            out["summary_lines"] += rows
            out["_labels"] += _misprints(rows)
        elif t.code == "expenditure_summary":
            rows = row_of_lines(grid, t.code, "expenditure", unit, source)
            out["summary_lines"] += rows
        elif t.code in FUNCTION_TABLES:
            rows = lines.classification_rows(grid, t.code, "function", unit, source, FUNCTION_ROLES)
            out["function_lines"] += rows
            out["classification_codes"] += lines.code_rows(rows, "function")
        elif t.code in ECONOMIC_TABLES:
            rows = lines.classification_rows(grid, t.code, "economic", unit, source, ECONOMIC_ROLES)
            out["economic_lines"] += rows
            out["classification_codes"] += lines.code_rows(rows, "economic")
        elif t.code == "three_public":
            expenses, others = lines.three_public_rows(grid, unit, source, UNIT)
            rows = expenses + others
            out["three_public_expenses"] += expenses
            out["summary_lines"] += others
        else:
            rows = procurement_rows(grid, unit, source)
            out["procurement_items"] += rows
        has_figures = any(r.get(k) is not None for r in rows for k in r if k.endswith("_yuan"))
        out["_tables"].append({"table_code": t.code, "title_zh": t.title.clean, "has_figures": has_figures,
                               "source_ref": t.table.span.ref})
        notes = [(n.clean, n.span.ref) for n in t.notes] + inside
        for text, ref in notes:
            out["_notes"].append({"table_code": t.code, "text": text, "says_empty": bool(EMPTY_NOTE.search(text)),
                                  "about": [], "has_figures": has_figures, "source_ref": ref,
                                  "table_ref": t.table.span.ref})
    codes: dict[tuple, dict] = {}
    for row in out["classification_codes"]:  # a code printed in several tables: its first place
        codes.setdefault((row["classification"], row["code"], row["name_zh"]), row)
    out["classification_codes"] = list(codes.values())
    out["_missing_tables"] = [{"table_code": code, "title_zh": TABLE_NAMES[code]} for code in TWELVE_TABLES
                              if code not in seen]
    return out


def _misprints(rows: list[dict]) -> list[dict]:
    """Labels matched to a line they are not printed as (财政转专户管理资金 for 财政专户管理资金)."""
    out = []
    for r in rows:
        printed = SOURCE_LABELS.get(r["line_code"])
        label = key(r["label_zh"]).removesuffix("小计")
        if printed is not None and label != printed:
            out.append({"label_zh": r["label_zh"], "expected_zh": printed, "source_ref": r["source_ref"]})
    return out


def _text(row: Row, col: int) -> str:
    cell = lines.cell_at_start(row, col)
    return re.sub(r"\s+", "", cell.text) if cell is not None else ""


def procurement_rows(grid, unit: str, source: str) -> list[dict]:
    """政府采购预算表: ``采购品目大类 | 专项名称 | 经济科目 | 采购物品名称 | 采购组织形式 | 总计``. Rows: 合计 (``total``),
    the categories ``一、货物 A`` (``category``), a project with its economic item (``project``; a blank 专项名称
    repeats the one above) and the items bought (``item``). Every row but 合计 names its category."""
    heads = [grid.last(c) for c in range(len(grid.labels))]
    need = {"采购品目大类": "category", "专项名称": "project", "经济科目": "economic", "采购物品名称": "item",
            "采购组织形式": "method", "总计": "amount"}
    cols = {role: next((c for c, h in enumerate(heads) if h == label), None) for label, role in need.items()}
    if any(c is None for c in cols.values()):
        raise DocumentError(source, f"the 政府采购 table: expected the columns {list(need)}, found {heads}",
                            grid.table.span)
    out: list[dict] = []
    category = code = project = economic = item = None
    for row in grid.body:
        texts = {role: _text(row, c) for role, c in cols.items()}
        if not any(texts.values()):
            continue
        cell = lines.cell_at_start(row, cols["amount"])
        value = lines.amount(texts["amount"], unit, source, cell.span if cell else row.span)
        kind = "item"
        if key(texts["category"]) == "合计":
            kind = "total"
        elif m := PROCUREMENT_CATEGORY.match(texts["category"]):
            kind, category, code, project, economic, item = "category", m["name"], m["code"], None, None, None
        elif texts["category"]:
            raise DocumentError(source, f"the 政府采购 table: unknown category {texts['category']!r}", row.span)
        elif not texts["item"] and not texts["method"]:
            kind = "project"
            project = texts["project"] or project
            economic = texts["economic"] or economic
            item = None  # a blank name below a project row is no item of an earlier project
        elif not texts["item"]:  # the item's name merged with the row above (物业管理服务 in two ways)
            if item is None:
                raise DocumentError(source, "the 政府采购 table: an item without a name (a blank 采购物品名称 with no "
                                            "item row above it in its project)", row.span)
            texts["item"] = item
        if kind == "item":
            item = texts["item"]
        if kind == "item" and category is None:
            raise DocumentError(source, "the 政府采购 table: an item before any category (一、货物 …)", row.span)
        out.append({"row_seq": len(out) + 1, "row_kind": kind,
                    "project_name_zh": "合计" if kind == "total" else (project if kind in ("project", "item") else None),
                    "project_budget_yuan": None,
                    "item_name_zh": texts["item"] or (category if kind == "category" else None),
                    "catalogue_code": code if kind == "category" else None,
                    "quantity_unit_zh": None, "quantity": None, "unit_price_yuan": None, "amount_yuan": value,
                    "current_year_total_yuan": None, "general_public_budget_yuan": None,
                    "government_fund_yuan": None, "special_account_yuan": None, "other_sources_yuan": None,
                    "other_channels_yuan": None, "category_zh": category if kind != "total" else None,
                    "economic_item_zh": economic if kind in ("project", "item") else None,
                    "procurement_method_zh": texts["method"] or None, "source_ref": row.span.ref,
                    "_text": texts["amount"], "_unit": unit, "_cell": cell.span.ref if cell else row.span.ref})
    return out
