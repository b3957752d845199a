"""The national tables against the prose that repeats their figures, their notes and forms; and the anomalies and
gaps of a document of the national tables (family ``national``).

Prose figures are in 万元 to the printed decimals. Against tables in 元, exact to the fen, the tolerance is one
unit of the prose figure's last printed digit (0.01万元: 100 yuan), which covers a figure rounded (half a unit)
and one truncated (the Shanghai finance bureau prints 87.70 for 877,080 元): when the difference is beyond half a
unit the row passes and its ``note`` says that the prose truncated rather than rounded. In a document whose tables
print 万元 too (Jiangsu), the prose copies their figures: half a unit of each figure
(:mod:`pipeline.tables.checks.statements`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from pipeline.tables.checks import statements
from pipeline.tables.checks.national import National, cell
from pipeline.tables.checks.national_totals import across
from pipeline.tables.checks.rows import Figure, clean, compare, make_row, occurrence, skip
from pipeline.tables.checks.statements import _prose_cmp, more_prose_figures, prose_figure
from pipeline.tables.national.vocabulary import TABLES, key


def _norm_name(name: str) -> str:
    """A function's name as compared: no spaces or numbering, 其它 as 其他, and without a closing 支出 (a class is
    printed 公共安全支出 in the table, 公共安全（类） in prose)."""
    return key(name).replace("其它", "其他").removesuffix("支出")


class NationalProse:
    def __init__(self, tables: dict[str, list[dict]], national: National, unit: str = "元") -> None:
        self.t, self.n = tables, national
        # Prose in 万元 of a document whose tables print 元 may truncate when it converts (one unit of its last
        # digit); where the tables print 万元 too, the prose copies their figure (half a unit, like any figure).
        self.weight = 2 if unit == "元" else 1
        self.lines = {r["line_code"]: r for r in tables.get("budget_lines", []) if r["line_code"] !=
                      "expenditure_function_item"}
        self.items = [r for r in tables.get("budget_lines", []) if r["line_code"] == "expenditure_function_item"]

    def summary(self, table: str, side: str, line_code: str) -> dict | None:
        return next((r for r in self.n.summary.get(table, []) if r["side"] == side and r["line_code"] == line_code), None)

    def total(self, table: str) -> dict | None:
        return next((r for r in self.n.all.get(table, []) if r["row_kind"] == "total"), None)

    def run(self) -> Iterator[dict]:
        yield from self.prose_figures()
        yield from self.function_items()
        yield from self.three_public()
        yield from self.notes()
        yield from self.forms()

    def prose_figures(self) -> Iterator[dict]:
        fin, fis = "financial_summary", "fiscal_allocation_summary"
        pairs = (
            ("income_total", lambda: self.summary(fin, "income", "total"), "amount_yuan"),
            ("income_fiscal_allocation", lambda: self.summary(fin, "income", "fiscal_allocation"), "amount_yuan"),
            ("income_operations", lambda: self.summary(fin, "income", "operations_income"), "amount_yuan"),
            ("income_business", lambda: self.summary(fin, "income", "business_income"), "amount_yuan"),
            ("income_other", lambda: self.summary(fin, "income", "other_income") or self.summary(
                fin, "income", "other_funds"), "amount_yuan"),
            ("expenditure_total", lambda: self.summary(fin, "expenditure", "total"), "amount_yuan"),
            ("expenditure_fiscal_allocation", lambda: self.summary(fis, "expenditure", "total"), "amount_yuan"),
            ("expenditure_general_public_budget", lambda: self.total("general_public_budget_expenditure"), "total_yuan"),
            ("expenditure_government_fund", lambda: self.total("government_fund_expenditure"), "total_yuan"),
            ("expenditure_state_capital", lambda: self.total("state_capital_expenditure"), "total_yuan"),
            ("institutional_operating_costs", lambda: self.summary("three_public", "expenditure",
                                                                    "institutional_operating_costs"), "amount_yuan"),
        )
        if self.total("institutional_operating_costs") is not None:  # its own table by economic classification
            pairs = tuple(p for p in pairs if p[0] != "institutional_operating_costs") + (
                ("institutional_operating_costs", lambda: self.total("institutional_operating_costs"), "total_yuan"),)
        out = []
        for code, find, field in pairs:
            prose = self.lines.get(code)
            if prose is None:
                continue
            row = find()
            if row is None:
                out.append(skip("prose_figure_matches_table", "the table line is not in the document",
                                subject=prose["label_zh"], source_ref=prose["source_ref"]))
                continue
            out.append(_prose_cmp("prose_figure_matches_table", prose_figure(prose, self.weight), cell(row, field),
                                  subject=prose["label_zh"]))
        out += more_prose_figures(self)
        yield from out or [skip("prose_figure_matches_table", "no prose figure of the 编制说明 was read")]

    def function_items(self) -> Iterator[dict]:
        printed = self.n.function.get("general_public_budget_expenditure", [])
        table = [r for r in printed if r["row_kind"] == "line"]
        names = {}
        for r in table:
            names[tuple(_norm_name(x) for x in _path(r, table))] = r
        if not self.items:
            yield skip("function_item_matches_table", "no item of 财政拨款支出主要内容 was read")
        for item in self.items:
            if not printed:  # the table is not in the document (e.g. the tables part of a disclosure is missing)
                yield skip("function_item_matches_table", "the 一般公共预算 function table is not in the document",
                           subject=item["label_zh"], source_ref=item["source_ref"])
                continue
            path = tuple(_norm_name(p) for p in item.get("_path", ()))
            row = names.get(path) if len(path) == 3 else next(
                (r for p, r in names.items() if p[-1:] == path[-1:] and len(path) == 1), None)
            if row is None and len(path) == 2:  # 类 and 项 printed, the 款 not
                row = next((r for p, r in names.items() if len(p) == 3 and (p[0], p[2]) == path), None)
            if row is None or row["level"] != 3:
                same = [r for r in table if r["level"] == 3 and r["total_yuan"] is not None and
                        abs(r["total_yuan"] - item["amount_yuan"]) <= 100]
                hint = ("; a 项 row of the same amount: " + ", ".join(f"{r['function_code']} {r['name_zh']}" for r in same)
                        if same else "")
                yield make_row("function_item_matches_table", "fail", subject=item["label_zh"],
                               stated_label_zh=item["label_zh"], stated_yuan=item["amount_yuan"],
                               stated_text=item["amount_text"], stated_source_ref=item["source_ref"],
                               source_ref=item["source_ref"],
                               note="no 项 row of the 一般公共预算 function table has this 类/款/项 path" + hint)
                continue
            yield _prose_cmp("function_item_matches_table", prose_figure(item, self.weight), cell(row, "total_yuan"),
                             subject=item["label_zh"])
        planned = [i for i in self.items if i.get("_planned")]
        if not planned:
            yield skip("function_item_consistent", "no item states its year's budget twice")
        for item in planned:
            yuan, text, ref = item["_planned"]
            yield compare("function_item_consistent", prose_figure(item, 1), [Figure("预算安排", yuan, ref, text)],
                          unit="元", subject=item["label_zh"])

    def three_public(self) -> Iterator[dict]:
        prose = self.t.get("_three_public_prose", [])
        table = {r["expense_code"]: r for r in self.t.get("three_public_expenses", [])}
        if not prose or not table:
            yield skip("three_public_prose_matches_table", "no 三公 prose or no 三公 table")
            return
        for p in prose:
            row = table.get(p["expense_code"])
            stated = Figure(p["expense_code"], p["amount_yuan"], p["source_ref"], p["amount_text"])
            if row is None:
                yield skip("three_public_prose_matches_table", "the 三公 table has no such column",
                           subject=p["expense_code"], source_ref=p["source_ref"])
                continue
            fig = Figure(row["label_zh"], row["amount_yuan"] if row["amount_yuan"] is not None else Decimal(0),
                         row["source_ref"], row["amount_text"] or "0万元")
            yield compare("three_public_prose_matches_table", stated, [fig], unit="万元",
                          subject=row["label_zh"], note=None if row["amount_yuan"] is not None else "blank cell, counted as 0")

    def notes(self) -> Iterator[dict]:
        notes = self.t.get("_notes", [])
        empty_notes = [n for n in notes if n["says_empty"]]
        if not empty_notes:
            yield skip("table_note_agrees_with_table", "no note says a table is empty")
        for n in empty_notes:
            status = "fail" if n["has_figures"] else "pass"
            yield make_row("table_note_agrees_with_table", status, subject=TABLES[n["table_code"]], found_text=n["text"],
                           source_ref=n["source_ref"], computed_source_ref=n["table_ref"],
                           note="the note says the table is empty, but the table prints figures" if n["has_figures"] else None)

    def forms(self) -> Iterator[dict]:
        if "_forms" not in self.t:
            return  # a template without 绩效目标 forms (Shanghai's are read; another layout prints none)
        forms = self.t.get("_forms", [])
        if not forms:
            yield skip("performance_form_funds_add_up", "no 绩效目标 form")
        for form in forms:
            f = form["figures"]
            fig = lambda k, label: Figure(label, f[k][0], f[k][2], f[k][1] + "元", weight=Decimal(0)) if k in f else Figure(label, None)  # noqa: E731
            for total, parts in (("annual_total", (("annual_current", "当年财政拨款"), ("annual_carryover", "上年结转资金"),
                                                   ("annual_other", "其他资金"))),
                                 ("project_total", (("project_fiscal", "财政资金"), ("project_other", "其他资金")))):
                label = {"annual_total": "年度资金申请总额", "project_total": "项目资金总额"}[total]
                yield compare("performance_form_funds_add_up", fig(total, label), [fig(k, lb) for k, lb in parts],
                              unit="元", subject=f"{form['name']} {label}")
        funds = self.lines.get("performance_projects_funds")
        if not forms or funds is None:
            yield skip("performance_funds_match_forms", "no 绩效目标 forms or no stated project funds")
        else:
            yield compare("performance_funds_match_forms", prose_figure(funds, 1),
                          [Figure(form["name"] or "", form["figures"]["annual_total"][0],
                                  form["figures"]["annual_total"][2], weight=Decimal(0))
                           for form in forms if "annual_total" in form["figures"]], unit="元")


def _path(row: dict, table: list[dict]) -> tuple[str, ...]:
    """The 类, 款, 项 names of a row (looked up in the same table)."""
    by_parts = {tuple(p for p in (r["class_code"], r["section_code"], r["item_code"]) if p): r["name_zh"] for r in table}
    parts = tuple(p for p in (row["class_code"], row["section_code"], row["item_code"]) if p)
    return tuple(by_parts.get(parts[:k], "") for k in range(1, len(parts) + 1))


def anomalies(tables: dict[str, list[dict]]) -> Iterator[tuple[str, list[dict]]]:
    """The national anomaly and completeness checks: (check_id, occurrences)."""
    found = []
    for name, scheme in (("function_lines", "function"), ("economic_lines", "economic")):
        for r in tables.get(name, []):
            code = r.get("_code")
            if code is not None and not code.fits(scheme):
                found.append(occurrence("code_digits_do_not_fit_level", r["source_ref"], " ".join(code.parts),
                                        subject=f"{TABLES[r['table_code']]} {r['name_zh']}",
                                        note=f"{scheme} classification: 类 3 digits, 款 2" + (", 项 2" if scheme == "function" else "")))
    yield "code_digits_do_not_fit_level", found
    notes = tables.get("_notes", [])
    yield "table_empty", [occurrence("table_empty", t["source_ref"],
                                     next((n["text"] for n in notes if n["table_code"] == t["table_code"]), t["title_zh"]),
                                     subject=t["table_code"]) for t in tables.get("_tables", []) if not t["has_figures"]]
    yield "table_note_names_another_table", [
        occurrence("table_note_names_another_table", n["source_ref"], n["text"], subject=n["table_code"],
                   note=f"the note speaks of {', '.join(n['about'])}, the table is {n['table_code']}")
        for n in notes if n["about"] and n["table_code"] not in n["about"]]
    seen: dict[tuple, str] = {}
    repeats = []
    for p in tables.get("_paragraphs", []):  # within a group (a template's sections may restate each other)
        text = (p.get("group"), re.sub(r"\s+", "", p["text"]))
        if len(text[1]) >= 20 and text in seen:
            repeats.append(occurrence("prose_paragraph_repeated", p["source_ref"], p["text"][:200],
                                      note=f"first printed at {seen[text]}"))
        seen.setdefault(text, p["source_ref"])
    yield "prose_paragraph_repeated", repeats
    if "_level" in tables:  # the level of government the cover names (Shanghai 区级 / 市级)
        level = (tables.get("_level") or [{}])[0]
        other = {"区级": "市级", "市级": "区级"}.get(level.get("cover") or "")
        yield "level_wording_differs", [
            occurrence("level_wording_differs", level["source_ref"], text[:120],
                       note=f"the cover says {level['cover']}")
            for text in level.get("glossary", []) if other and other in text][:1]
    yield "table_missing", [occurrence("table_missing", None, t["title_zh"], subject=t["table_code"])
                            for t in tables.get("_missing_tables", [])]


def run(tables: dict[str, list[dict]], unit: str = "元") -> Iterator[dict]:
    """Every check of the family ``national`` on one document's tables (``unit``: the document's tables' unit)."""
    n = National(tables)
    yield from n.run()
    yield from across(n)
    yield from NationalProse(tables, n, unit).run()
    yield from statements.run(tables, n)
    for check_id, rows in anomalies(tables):
        yield from rows or [clean(check_id)]

