"""The nine tables of a Shanghai budget document -> rows of the national tables (:mod:`pipeline.tables.national`),
and the 绩效目标 forms -> the figures the checks compare (not published as a table)."""

from __future__ import annotations

import re

from pipeline.document.model import Table
from pipeline.errors import DocumentError
from pipeline.tables.national import lines
from pipeline.tables.national.grids import read_grid
from pipeline.tables.national.vocabulary import ECONOMIC_TABLES, FUNCTION_TABLES, SUMMARY_TABLES, TABLES
from pipeline.tables.templates.shanghai_budget.layout import EMPTY_NOTE, NOTE, NOTE_SUBJECTS, compact
from pipeline.tables.templates.shanghai_budget.structure import NationalTable

FUNCTION_ROLES = ("total", "basic", "project", "fiscal_allocation", "operations_income", "business_income",
                  "other_income")
ECONOMIC_ROLES = ("total", "personnel", "public_operating")
# Labels of the 绩效目标 form's funds block -> what the figure is.
FORM_FUNDS = {"项目资金总额": "project_total", "其中:财政资金": "project_fiscal", "年度资金申请总额": "annual_total",
              "其中:当年财政拨款": "annual_current", "上年结转资金": "annual_carryover"}


def read_tables(source: str, tables: list[NationalTable]) -> dict[str, list[dict]]:
    """Rows of ``function_lines``, ``economic_lines``, ``summary_lines``, ``classification_codes`` and
    ``three_public_expenses``, plus the checks' notes ``_tables`` (every national table met) and ``_notes``."""
    out: dict[str, list[dict]] = {name: [] for name in ("function_lines", "economic_lines", "summary_lines",
                                                         "classification_codes", "three_public_expenses",
                                                         "_tables", "_notes")}
    seen: dict[str, NationalTable] = {}
    for t in tables:
        if t.code in seen:
            raise DocumentError(source, f"the table {TABLES[t.code]} is printed twice (first at "
                                        f"{seen[t.code].title.span.ref})", t.title.span)
        seen[t.code] = t
        if t.unit is None:
            raise DocumentError(source, f"expected a line '编制部门：… 单位：元' under the title {t.title.clean!r}",
                                t.title.span)
        grid = read_grid(t.table)
        if t.code in FUNCTION_TABLES:
            rows = lines.classification_rows(grid, t.code, "function", t.unit, source, FUNCTION_ROLES)
            out["function_lines"] += rows
            out["classification_codes"] += lines.code_rows(rows, "function")
        elif t.code in ECONOMIC_TABLES:
            rows = lines.classification_rows(grid, t.code, "economic", t.unit, source, ECONOMIC_ROLES)
            out["economic_lines"] += rows
            out["classification_codes"] += lines.code_rows(rows, "economic")
        elif t.code in SUMMARY_TABLES:
            rows = lines.summary_rows(grid, t.code, t.unit, source)
            out["summary_lines"] += rows
        else:  # the 三公 table
            expenses, running = lines.three_public_rows(grid, t.unit, source, t.unit)
            rows = expenses + running
            out["three_public_expenses"] += expenses
            out["summary_lines"] += running
        has_figures = any(r.get(k) is not None for r in rows for k in r if k.endswith("_yuan"))
        out["_tables"].append({"table_code": t.code, "title_zh": t.title.clean, "has_figures": has_figures,
                               "source_ref": t.table.span.ref})
        for note in t.notes:
            text = NOTE.match(compact(note.text)).group("text")
            about = [code for code, pattern in NOTE_SUBJECTS if pattern.search(text)]
            out["_notes"].append({"table_code": t.code, "text": note.clean, "says_empty": bool(EMPTY_NOTE.search(text)),
                                  "about": about, "has_figures": has_figures, "source_ref": note.span.ref,
                                  "table_ref": t.table.span.ref})
    codes: dict[tuple, dict] = {}
    for row in out["classification_codes"]:  # a code printed in several tables: its first place
        codes.setdefault((row["classification"], row["code"], row["name_zh"]), row)
    out["classification_codes"] = list(codes.values())
    return out


def read_forms(source: str, forms: list[Table]) -> list[dict]:
    """The funds block of each 财政项目支出绩效目标填报表: ``{name, figures: {key: (yuan, text, ref)}, source_ref}``."""
    out = []
    for form in forms:
        name, figures = None, {}
        for row in form.rows:
            cells = [c for c in row.cells]
            for i, cell in enumerate(cells):
                label = compact(cell.text).replace("：", ":")
                following = next((c for c in cells[i + 1:] if c.text.strip() and c.span != cell.span), None)
                if label == "项目名称" and following is not None:
                    name = following.text.strip()
                key = FORM_FUNDS.get(label)
                if label == "其他资金":  # printed twice: in the project block, then in the year's block
                    key = "project_other" if "project_other" not in figures else "annual_other"
                if key is None or following is None or key in figures:
                    continue
                literal = re.sub(r"\s+", "", following.text)
                figures[key] = (lines.amount(literal, "元", source, following.span), literal, following.span.ref)
        if figures:
            out.append({"name": name, "figures": figures, "source_ref": form.span.ref})
    return out
