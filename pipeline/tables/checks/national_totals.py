"""Totals that must agree between the national tables (family ``national``): 财政拨款 totals between the summary
tables, each summary total with the table that details it, the economic classification with the 基本支出."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.tables.checks.national import FUNDS, National, cell, cmp, or_zero
from pipeline.tables.checks.rows import skip


def _line(n: National, table: str, side: str, line_code: str) -> dict | None:
    return next((r for r in n.summary.get(table, []) if r["side"] == side and r["line_code"] == line_code), None)


def _total(n: National, table: str) -> dict | None:
    return next((r for r in n.all.get(table, []) if r["row_kind"] == "total"), None)


def _pair(check_id: str, a: dict | None, fa: str, la: str, b: dict | None, fb: str, lb: str) -> dict:
    if a is None or b is None:
        return skip(check_id, f"missing figure: {la if a is None else lb}", subject=f"{la} = {lb}",
                    source_ref=(a or b or {}).get("source_ref"))
    return cmp(check_id, cell(a, fa, la), [cell(b, fb, lb)], subject=f"{la} = {lb}")


def across(n: National) -> Iterator[dict]:
    fin, fis = "financial_summary", "fiscal_allocation_summary"
    # 财政拨款 figures between the tables
    yield _pair("fiscal_allocation_totals_agree", _line(n, fin, "income", "fiscal_allocation"), "amount_yuan",
                "财务收支预算总表 财政拨款收入", _line(n, fis, "income", "total"), "amount_yuan", "财政拨款收支预算总表 收入总计")
    yield _pair("fiscal_allocation_totals_agree", _line(n, fis, "income", "total"), "amount_yuan",
                "财政拨款收支预算总表 收入总计", _line(n, fis, "expenditure", "total"), "amount_yuan",
                "财政拨款收支预算总表 支出总计")
    by_source = n.summary.get("income_summary")  # a 收入预算总表 by source, not by function (Jiangsu)
    if _total(n, "income_summary") is None and by_source:
        funds = [r for r in by_source
                 if r["line_code"] in ("general_public_budget", "government_fund", "state_capital")]
        a = _line(n, fin, "income", "fiscal_allocation")
        if a is not None and funds:
            yield cmp("fiscal_allocation_totals_agree", cell(a, "amount_yuan", "财务收支预算总表 财政拨款收入"),
                      [cell(r, "amount_yuan") for r in funds], subject="财务收支预算总表 财政拨款 = 收入预算总表 Σ 财政拨款资金")
    else:
        yield _pair("fiscal_allocation_totals_agree", _line(n, fin, "income", "fiscal_allocation"), "amount_yuan",
                    "财务收支预算总表 财政拨款收入", _total(n, "income_summary"), "fiscal_allocation_yuan",
                    "收入预算总表 合计 财政拨款收入")
    for code, zh in (("general_public_budget", "一般公共预算"), ("government_fund", "政府性基金"),
                     ("state_capital", "国有资本经营预算")):
        a, b = _line(n, fin, "income", code), _line(n, fis, "income", code)
        if a is not None or b is not None:
            yield _pair("fiscal_allocation_totals_agree", a, "amount_yuan", f"财务收支预算总表 {zh}", b, "amount_yuan",
                        f"财政拨款收支预算总表 {zh}")
    # each summary total with the table that details it (by function, or by source / by use)
    yield _pair("totals_agree_across_tables", _line(n, fin, "income", "total"), "amount_yuan", "财务收支预算总表 收入总计",
                _total(n, "income_summary") or _line(n, "income_summary", "income", "total"),
                "total_yuan" if _total(n, "income_summary") else "amount_yuan", "收入预算总表 合计")
    by_use = n.summary.get("expenditure_summary")  # a 支出预算总表 of one row by use (Jiangsu)
    if _total(n, "expenditure_summary") is None and by_use:
        for r in by_use:
            yield _pair("totals_agree_across_tables", _line(n, fin, "expenditure", r["line_code"]), "amount_yuan",
                        f"财务收支预算总表 {r['label_zh']}", r, "amount_yuan", f"支出预算总表 {r['label_zh']}")
    else:
        yield _pair("totals_agree_across_tables", _line(n, fin, "expenditure", "total"), "amount_yuan",
                    "财务收支预算总表 支出总计", _total(n, "expenditure_summary"), "total_yuan", "支出预算总表 合计")
    spending = _line(n, fis, "expenditure", "total")
    by_income = spending is not None and spending.get("general_public_budget_yuan") is None and any(
        _line(n, fis, "income", field.removesuffix("_yuan")) for field, _ in FUNDS)
    if by_income:  # the 财政拨款收支预算总表 gives its funds on the income side only (Jiangsu)
        yield from _funds_by_income(n)
    for field, table in () if by_income else FUNDS:
        label = {"general_public_budget_expenditure": "一般公共预算", "government_fund_expenditure": "政府性基金",
                 "state_capital_expenditure": "国有资本经营"}[table]
        total = _total(n, table)
        if spending is None and total is None:
            continue
        if total is None and table in n.function:
            total_fig = or_zero(None, "total_yuan", f"{label}支出功能分类预算表 合计")
            if spending is not None:
                yield cmp("totals_agree_across_tables", cell(spending, field, f"财政拨款收支预算总表 支出总计 {label}"),
                          [total_fig], subject=f"财政拨款收支预算总表 {label} = {label}支出功能分类预算表 合计")
            continue
        yield _pair("totals_agree_across_tables", spending, field, f"财政拨款收支预算总表 支出总计 {label}", total,
                    "total_yuan", f"{label}支出功能分类预算表 合计")
    # the economic classification of the basic expenditure
    function_total = _total(n, "general_public_budget_expenditure")
    basic_line = _line(n, fis, "expenditure", "basic")
    if function_total is not None and function_total.get("basic_yuan") is None and basic_line is not None:
        economic = _total(n, "fiscal_allocation_basic_expenditure") or _total(
            n, "general_public_budget_basic_expenditure")
        yield _pair("economic_total_equals_basic", economic, "total_yuan", "基本支出经济分类 合计", basic_line,
                    "amount_yuan", "财政拨款收支预算总表 基本支出")
    else:
        yield _pair("economic_total_equals_basic", _total(n, "general_public_budget_basic_expenditure"), "total_yuan",
                    "基本支出经济分类 合计", function_total, "basic_yuan", "一般公共预算支出功能分类预算表 合计 基本支出")


def _funds_by_income(n: National) -> Iterator[dict]:
    """A 财政拨款收支预算总表 whose expenditure side is by use (Jiangsu): its income lines by fund
    (一般公共预算, 政府性基金预算) against the 合计 of the function table of each fund."""
    for field, table in FUNDS:
        line = _line(n, "fiscal_allocation_summary", "income", field.removesuffix("_yuan"))
        total = _total(n, table)
        if line is None and total is None:
            continue
        label = {"general_public_budget_expenditure": "一般公共预算", "government_fund_expenditure": "政府性基金",
                 "state_capital_expenditure": "国有资本经营"}[table]
        yield _pair("totals_agree_across_tables", line, "amount_yuan", f"财政拨款收支预算总表 {label}", total,
                    "total_yuan", f"{label}支出功能分类预算表 合计")
