"""The checks of the national tables (family "national"): each identity and soft check fails (or warns) when one
figure of a real document is changed, and passes on the document as printed; the anomalies fire on their cases."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from conftest import RAW_DIR

from pipeline.document import parts, readers
from pipeline.tables import checks
from pipeline.tables.checks.catalogue import CATALOGUE
from pipeline.tables.templates import jiangsu_budget, shanghai_budget

GOV = "shanghai-putuo-government-office-2025-department-budget.pdf"
# A Jiangsu disclosure published as two files whose figures all agree: the checks only a template that prints
# them (万元 tables, 部门预算情况说明, the 三公 table's 会议费 and 培训费, the grouped 政府采购 table) run on it.
JIANGSU = "jiangsu-party-committee-general-office-2018-budget"


@pytest.fixture(scope="module")
def result():
    return shanghai_budget.parse(readers.read((RAW_DIR / GOV).read_bytes(), GOV).document)


@pytest.fixture(scope="module")
def jiangsu():
    files = [(part, f"{JIANGSU}-{suffix}.pdf") for part, suffix in (("explanation", "text"), ("tables", "tables"))]
    document = parts.combine([(part, readers.read((RAW_DIR / name).read_bytes(), name).document)
                              for part, name in files], " + ".join(name for _, name in files))
    return jiangsu_budget.parse(document)


def run(result, tables) -> list[dict]:
    position = result.title_span.locator.position
    sections = checks.section_rows(result.sections, tables, position)
    return checks.run_checks(tables, sections, result.source_amount_unit_zh, position,
                             families=result.check_families)


def _row(tables, name, **match):
    return next(r for r in tables[name] if all(r.get(k) == v for k, v in match.items()))


def _add(row, field, yuan):
    row[field] = (row[field] or Decimal(0)) + Decimal(yuan)


# check_id -> how to break the document's tables (one figure changed)
BREAK = {
    "hierarchy_adds_up": lambda t: (_add(_row(t, "function_lines", table_code="general_public_budget_expenditure",
                                              function_code="2010301"), "total_yuan", 1),
                                    _add(_row(t, "function_lines", table_code="general_public_budget_expenditure",
                                              function_code="2010301"), "basic_yuan", 1)),
    "total_row_equals_classes": lambda t: _add(_row(t, "function_lines", table_code="expenditure_summary",
                                                    row_kind="total"), "project_yuan", 100),
    "line_total_equals_parts": lambda t: _add(_row(t, "economic_lines", economic_code="30101"), "personnel_yuan", 1),
    "same_code_same_amounts": lambda t: _add(_row(t, "function_lines", table_code="income_summary",
                                                  function_code="2010350"), "total_yuan", 5),
    "summary_matches_function_tables": lambda t: _add(_row(t, "summary_lines", table_code="fiscal_allocation_summary",
                                                           side="expenditure", label_zh="三、卫生健康支出"),
                                                      "general_public_budget_yuan", 10),
    "summary_income_equals_expenditure": lambda t: _add(_row(t, "summary_lines", table_code="financial_summary",
                                                             side="income", line_code="total"), "amount_yuan", 1),
    "summary_total_equals_lines": lambda t: _add(_row(t, "summary_lines", table_code="financial_summary",
                                                      side="income", line_code="general_public_budget"),
                                                 "amount_yuan", 1),
    "fiscal_allocation_totals_agree": lambda t: _add(_row(t, "summary_lines", table_code="fiscal_allocation_summary",
                                                          side="income", line_code="general_public_budget"),
                                                     "amount_yuan", 1),
    "totals_agree_across_tables": lambda t: _add(_row(t, "function_lines", table_code="income_summary",
                                                      row_kind="total"), "total_yuan", 1),
    "economic_total_equals_basic": lambda t: _add(_row(t, "economic_lines", row_kind="total"), "total_yuan", 1),
    "prose_figure_matches_table": lambda t: _add(_row(t, "budget_lines", line_code="income_total"),
                                                 "amount_yuan", 101),
    "function_item_matches_table": lambda t: _add(_row(t, "budget_lines", line_code="expenditure_function_item",
                                                       label_zh="卫生健康支出-行政事业单位医疗-事业单位医疗"),
                                                  "amount_yuan", 10000),
    "function_item_consistent": lambda t: _row(t, "budget_lines", line_code="expenditure_function_item").update(
        _planned=(Decimal("12029900.00"), "1202.99万元", "p6:l9")),
    "three_public_prose_matches_table": lambda t: _add(_row(t, "_three_public_prose", expense_code="official_reception"),
                                                       "amount_yuan", 10000),
    "table_note_agrees_with_table": lambda t: _row(t, "_notes", table_code="government_fund_expenditure").update(
        has_figures=True),
    "performance_form_funds_add_up": lambda t: t.update(_forms=[{"name": "x", "source_ref": "p9:r1-3", "figures": {
        "annual_total": (Decimal("100.00"), "100.00", "p9:r1c2"), "annual_current": (Decimal("101.00"), "101.00", "p9:r2c2"),
        "annual_carryover": (Decimal("0.00"), "0.00", "p9:r3c2"), "annual_other": (Decimal("0.00"), "0.00", "p9:r3c4")}}]),
    "performance_funds_match_forms": lambda t: BREAK["performance_form_funds_add_up"](t),
}


# check_id -> how to break the Jiangsu disclosure's tables (one figure changed)
JIANGSU_BREAK = {
    "change_percent_matches": lambda t: _row(t, "budget_lines", line_code="income_total").update(
        _percent=(Decimal("27.31"), "增长27.31%", "%", "explanation:p5:l15-p6:l2")),
    "share_percent_matches": lambda t: t["_shares"][0].update(
        _share=(Decimal("15.77"), "15.77%", "explanation:p11:l3")),
    "prose_changes_add_up": lambda t: _add(_row(t, "budget_lines", line_code="expenditure_basic"), "change_yuan",
                                           10000),
    "three_public_table_total_equals_columns": lambda t: _add(_row(t, "summary_lines", table_code="three_public",
                                                                  line_code="total"), "amount_yuan", 10000),
    "procurement_groups_add_up": lambda t: _add(_row(t, "procurement_items", row_kind="item"), "amount_yuan", 10000),
    "running_costs_within_goods_and_services": lambda t: _add(_row(t, "economic_lines",
                                                                   table_code="institutional_operating_costs",
                                                                   row_kind="total"), "total_yuan", 10000),
}


def statuses(rows, check_id) -> set[str]:
    return {r["status"] for r in rows if r["check_id"] == check_id}


def test_the_document_as_printed_passes_every_national_identity(result, jiangsu):
    rows = run(result, result.tables)
    bad = {r["check_id"] for r in rows if r["status"] in ("fail", "warn") and r["check_id"] in BREAK}
    assert bad == set()
    more = run(jiangsu, jiangsu.tables)
    bad = {r["check_id"] for r in more if r["status"] in ("fail", "warn") and r["check_id"] in {*BREAK, *JIANGSU_BREAK}}
    assert bad == set()
    # every check has a row on one of them (the Jiangsu ones have none on a Shanghai document, and the reverse)
    seen = {r["check_id"] for r in rows} | {r["check_id"] for r in more}
    # (document_part_missing is given its parts by the parse: tests/test_disclosure_parts.py)
    assert {c.id for c in CATALOGUE if c.applies_to in ("common", "national")} - {"document_part_missing"} == seen
    assert set(JIANGSU_BREAK) & {r["check_id"] for r in rows} == set()


@pytest.mark.parametrize("check_id", sorted(JIANGSU_BREAK))
def test_each_jiangsu_check_fires_when_one_figure_is_changed(jiangsu, check_id):
    tables = copy.deepcopy(jiangsu.tables)
    JIANGSU_BREAK[check_id](tables)
    rows = run(jiangsu, tables)
    expected = "warn" if next(c for c in CATALOGUE if c.id == check_id).kind == "soft" else "fail"
    assert expected in statuses(rows, check_id), [r for r in rows if r["check_id"] == check_id]


@pytest.mark.parametrize("check_id", sorted(BREAK))
def test_each_national_check_fires_when_one_figure_is_changed(result, check_id):
    tables = copy.deepcopy(result.tables)
    BREAK[check_id](tables)
    rows = run(result, tables)
    expected = "warn" if next(c for c in CATALOGUE if c.id == check_id).kind == "soft" else "fail"
    assert expected in statuses(rows, check_id), [r for r in rows if r["check_id"] == check_id]


def test_every_national_identity_and_soft_check_has_a_firing_case():
    national = {c.id for c in CATALOGUE if c.applies_to == "national" and c.kind in ("identity", "soft")}
    assert national == set(BREAK) | set(JIANGSU_BREAK) and not set(BREAK) & set(JIANGSU_BREAK)


def test_national_anomalies_fire_on_their_cases(result):
    tables = copy.deepcopy(result.tables)
    tables["_paragraphs"].append(dict(tables["_paragraphs"][5]))  # a paragraph printed twice
    tables["_missing_tables"].append({"table_code": "three_public", "title_zh": "“三公”经费和机关运行经费预算表"})
    tables["_level"][0]["glossary"].append("是市级预算主管部门…")
    row = _row(tables, "function_lines", table_code="income_summary", function_code="2010301")
    row["_code"] = type(row["_code"])(("201", "3", "01"))  # 款 printed with one digit
    rows = run(result, tables)
    for check_id in ("prose_paragraph_repeated", "table_missing", "level_wording_differs",
                     "code_digits_do_not_fit_level"):
        assert "warn" in statuses(rows, check_id), check_id
    (repeat,) = [r for r in rows if r["check_id"] == "prose_paragraph_repeated"]
    assert repeat["note"].startswith("first printed at p")
