"""What the national tables' columns and lines mean, by the words printed in their headers and labels.

Matching is on the label with white space, brackets' width and a leading number (``一、``, ``1.``) removed
(:func:`key`), so ``因公出国(境)费`` and ``因公出国（境）费`` are the same column.
"""

from __future__ import annotations

import re

# table_code -> the national table's name (titles vary by province and year; templates map them to these).
TABLES = {
    "financial_summary": "财务收支预算总表",
    "income_summary": "收入预算总表",
    "expenditure_summary": "支出预算总表",
    "fiscal_allocation_summary": "财政拨款收支预算总表",
    "fiscal_allocation_expenditure": "财政拨款支出预算表",
    "general_public_budget_expenditure": "一般公共预算支出功能分类预算表",
    "government_fund_expenditure": "政府性基金预算支出功能分类预算表",
    "state_capital_expenditure": "国有资本经营预算支出功能分类预算表",
    "fiscal_allocation_basic_expenditure": "财政拨款基本支出预算表",
    "general_public_budget_basic_expenditure": "一般公共预算基本支出部门预算经济分类预算表",
    "institutional_operating_costs": "一般公共预算机关运行经费支出预算表",
    "three_public": "“三公”经费和机关运行经费预算表",
}
FUNCTION_TABLES = ("income_summary", "expenditure_summary", "fiscal_allocation_expenditure",
                   "general_public_budget_expenditure", "government_fund_expenditure", "state_capital_expenditure")
ECONOMIC_TABLES = ("fiscal_allocation_basic_expenditure", "general_public_budget_basic_expenditure",
                   "institutional_operating_costs")
SUMMARY_TABLES = ("financial_summary", "fiscal_allocation_summary")
# Tables by fund whose sum is the 财政拨款 table of the same classification (a code's 财政拨款 = Σ its funds).
FISCAL_ALLOCATION_PARTS = {
    "fiscal_allocation_expenditure": ("general_public_budget_expenditure", "government_fund_expenditure",
                                      "state_capital_expenditure"),
    "fiscal_allocation_basic_expenditure": ("general_public_budget_basic_expenditure",),
}

# The last part of a column's header label -> the amount it holds (a field of the row, without ``_yuan``).
AMOUNT_COLUMNS = {
    "合计": "total", "小计": "total", "预算数": "amount", "金额": "amount",
    "基本支出": "basic", "项目支出": "project", "人员经费": "personnel", "公用经费": "public_operating",
    "财政拨款收入": "fiscal_allocation", "事业收入": "operations_income", "事业单位经营收入": "business_income",
    "其他收入": "other_income", "一般公共预算": "general_public_budget", "政府性基金预算": "government_fund",
    "国有资本经营预算": "state_capital",
}
# Code columns: the last part of the header label.
CODE_PARTS = ("类", "款", "项")
NAME_COLUMN = re.compile(r"(?:科目)?名称$|^项目$")
TOTAL_LABEL = re.compile(r"^(?:合计|总计)$")

# Lines of the income side of a summary table, by label (after key()).
INCOME_LINES = (
    (re.compile(r"^财政拨款(?:收入)?$"), "fiscal_allocation"),
    (re.compile(r"^一般公共预算(?:资金)?$"), "general_public_budget"),
    (re.compile(r"^政府性基金(?:预算)?(?:资金)?$"), "government_fund"),
    (re.compile(r"^国有资本经营预算(?:资金)?$"), "state_capital"),
    (re.compile(r"^事业收入$"), "operations_income"),
    (re.compile(r"^事业单位经营收入$"), "business_income"),
    (re.compile(r"^其他收入$"), "other_income"),
    (re.compile(r"^上年结转(?:结余)?(?:资金|收入)?$|^上年结余$"), "carryover"),
    (re.compile(r"^(?:收入总计|收入合计|合计|总计)$"), "total"),
    # Sources as provinces that print them as groups name them (Jiangsu: 财政拨款, 财政专户, 其他资金).
    (re.compile(r"^财政.{0,2}专户管理资金$"), "special_account"),  # Jiangsu cppcc 2017 prints 财政转专户管理资金
    (re.compile(r"^其他资金$"), "other_funds"),
    (re.compile(r"^(?:当年|本年)收入小计$"), "subtotal"),
    (re.compile(r"^上年结转(?:和结余)?资金$"), "carryover"),
)
EXPENDITURE_TOTAL = re.compile(r"^(?:支出总计|支出合计|合计|总计)$")
CARRY_FORWARD = re.compile(r"^结转下年(?:资金)?$|^年末结转(?:和结余)?$")
# The expenditure side by use (支出用途), where a summary table prints it beside or instead of the functions.
USE_LINES = (
    (re.compile(r"^基本支出$"), "basic"),
    (re.compile(r"^项目支出$"), "project"),
    (re.compile(r"^单位预留机动经费$"), "reserve"),
)
EXPENDITURE_LINES = (
    *USE_LINES,
    (re.compile(r"^(?:当年|本年)支出小计$"), "subtotal"),
    (CARRY_FORWARD, "carry_forward"),
    (EXPENDITURE_TOTAL, "total"),
)
# Income by source, printed as groups with their 小计 and lines (收入预算总表 not by function): the group's
# label -> its line_code, and the lines under the groups.
SOURCE_GROUPS = (
    (re.compile(r"^一般公共预算(?:资金)?$"), "general_public_budget"),
    (re.compile(r"^政府性基金(?:预算)?(?:资金)?$"), "government_fund"),
    (re.compile(r"^财政.{0,2}专户管理资金$"), "special_account"),
    (re.compile(r"^其他资金$"), "other_funds"),
    (re.compile(r"^上年结转和结余资金$|^上年结转资金$"), "carryover"),
)
SOURCE_LINES = (
    (re.compile(r"^公共财政拨款\(补助\)资金$"), "general_public_budget_allocation"),
    (re.compile(r"^专项收入$"), "earmarked_revenue"),
    (re.compile(r"^专户管理(?:教育)?收费$"), "special_account_fees"),
    (re.compile(r"^其他非税收入$"), "special_account_other_non_tax"),
    (re.compile(r"^事业收入$"), "operations_income"),
    (re.compile(r"^(?:事业单位)?经营收入$"), "business_income"),
    (re.compile(r"^其他收入$"), "other_income"),
    (re.compile(r"^债务资金(?:\(银行贷款\))?$"), "debt_financing"),
    (re.compile(r"^其中:动用上年结转和结余资金$"), "carryover_used"),
    (re.compile(r"^(?:收入总计|合计|总计)$"), "total"),
)
# The labels of the groups as printed by the layouts (a label that only resembles one is reported).
SOURCE_LABELS = {"special_account": "财政专户管理资金"}

# The 三公 table: the last part of a column's label -> (expense_code, parent_expense_code); the 机关运行经费 column.
THREE_PUBLIC_COLUMNS = {
    "合计": ("total", None), "因公出国(境)费": ("outbound_travel", "total"), "公务接待费": ("official_reception", "total"),
    "小计": ("vehicles", "total"), "公务用车购置及运行费": ("vehicles", "total"),
    "公务用车购置及运行维护费": ("vehicles", "total"),
    "购置费": ("vehicle_purchase", "vehicles"), "运行费": ("vehicle_operation", "vehicles"),
    "运行维护费": ("vehicle_operation", "vehicles"),
}
RUNNING_COSTS_COLUMN = re.compile(r"机关运行经费")
VEHICLES_COLUMN = re.compile(r"公务用车购置及运行")
# Columns some provinces print in the 三公 table that are not 三公经费 (summary_lines of table three_public).
THREE_PUBLIC_OTHER = {"会议费": "meeting_fees", "培训费": "training_fees"}

_NUMBER_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[.．、](?!\d))\s*")
_WIDTH = str.maketrans("（）：，", "():,")


def key(label: str) -> str:
    """A label as matched: no white space, ASCII brackets, colon and comma, no leading list number."""
    text = re.sub(r"\s+", "", label).translate(_WIDTH)
    return _NUMBER_PREFIX.sub("", text)


def income_line(label: str) -> str | None:
    """The ``summary_lines.line_code`` of an income-side label, or None when it is not one of the national lines."""
    k = key(label)
    return next((code for pattern, code in INCOME_LINES if pattern.match(k)), None)


def match(label: str, vocabulary) -> str | None:
    """The code of the first ``(pattern, code)`` of ``vocabulary`` matching ``label`` (after :func:`key`)."""
    k = key(label)
    return next((code for pattern, code in vocabulary if pattern.match(k)), None)
