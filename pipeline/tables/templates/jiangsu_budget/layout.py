"""The vocabulary of the Jiangsu provincial department-budget layout (江苏省省级部门预算公开, as printed 2017-2018).

A disclosure has four parts, headed ``第一部分 部门概况``, ``第二部分 …部门预算表``, ``第三部分 …部门预算情况说明`` and
``第四部分 名词解释`` (a 目录 lists them first). It is published as one file, or as two: an explanation document
(the four parts, with ``具体公开表样附后`` under 第二部分) and a tables document printed from the workbook of the
twelve 公开表. Every table has a title (``一、收支预算总表``, ``公开01表：收支预算总表``, ``表一`` above a bare
title, ``2017年度<部门>部门收支预算总表``), a ``部门：<部门>  单位：万元`` line (``单位：万元`` alone in some
files) and a ruled grid; amounts are 万元 with two decimals. 2017 prints the tables in one order (七 政府性基金,
十 机关运行经费, 十一 三公), 2018 in another (09 三公, 10 基金, 11 机关运行经费): tables are found by their title,
never by their number or page. Everything national about the tables is in :mod:`pipeline.tables.national`.
"""

from __future__ import annotations

import re

TEMPLATE_ID = "jiangsu-budget-2017"
UNIT = "万元"

_ORDINAL = r"[一二三四五六七八九十]{1,3}"
# The document's title on its first page: ``江苏省人民检察院2017年部门预算``, ``2018年度江苏省高级人民法院预算公开``,
# ``江苏省政协办公厅2018年度部门预算公开`` (read from the paragraphs before the 目录, joined).
TITLE = re.compile(r"^(?P<before>.*?)(?P<year>(?:19|20)\d{2})年度?(?P<after>.*?)(?:部门)?预算(?:公开)?$")
# The cover of a tables document printed by the finance department: ``江苏省2018年度省级部门预算公开报表``.
TABLES_COVER = re.compile(r"^(?P<region>.*?)(?P<year>(?:19|20)\d{2})年度?省级部门预算公开报表$")
COVER_DEPARTMENT = re.compile(r"^部\s*门\s*[:：]\s*(?P<name>\S.*)$")
DATE_LINE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
TOC = re.compile(r"目录$")  # alone, or run into the cover's last line (江苏省财政厅印制目录)

# The parts: 第一部分 … 第四部分, by the words of their heading.
PART_HEADING = re.compile(rf"^第(?P<n>{_ORDINAL})部分")
PARTS = (  # first match wins: a heading may run on into the text under it (…部门预算表2017年度部门预算公开表附后。)
    ("glossary", re.compile(r"名[词称]解释")),
    ("budget_explanation", re.compile(r"情况说明")),
    ("budget_tables", re.compile(r"预算表|公开表")),
    ("overview", re.compile(r"部门概况")),
)
# A part heading printed on two lines (第三部分 江苏省高级人民法院2018 / 年度预算情况说明): the second line.
HEADING_TAIL = re.compile(r"^(?:(?:19|20)\d{2}\s*年度?)?.{0,12}(?:部门预算表|预算表|情况说明|部门概况|名词解释)$")

# Sections of 第一部分 (numbered 一、…; 2017 and 2018 order them differently): key, heading words.
OVERVIEW_SECTIONS = (
    ("duties", re.compile(r"主要职[能责]")),
    ("organisation", re.compile(r"机构设置")),
    ("tasks", re.compile(r"工作任务")),
    ("budget_basis", re.compile(r"编制.{0,4}依据")),
)
NUMBERED = re.compile(rf"^(?P<n>{_ORDINAL})\s*[、.．]\s*(?P<rest>.*)$", re.S)
# The template's sections, in order (key, expected). budget_basis (收支预算编制依据) is printed in 2017 only.
SECTIONS = (("duties", True), ("organisation", True), ("tasks", True), ("budget_basis", False),
            ("budget_tables", True), ("budget_explanation", True), ("glossary", True))

# The sections of 第三部分 (one per table, then 其他重要事项), by their heading's words (first match wins).
EXPLANATION_SECTIONS = (
    ("procurement", re.compile(r"政府采购")),
    ("fiscal_summary", re.compile(r"财政拨款收支预算总[表体]")),
    ("fiscal_basic", re.compile(r"财政拨款基本支出")),
    ("fiscal_expenditure", re.compile(r"财政拨款支出")),
    ("overall", re.compile(r"收支预算总[表体]")),
    ("income", re.compile(r"收入预算")),
    ("fund", re.compile(r"政府性基金")),
    ("gpb_basic", re.compile(r"一般公共预算基本支出")),
    ("running_costs", re.compile(r"机关运行经费")),
    ("three_public", re.compile(r"三公")),
    ("gpb_expenditure", re.compile(r"一般公共预算支出")),
    ("expenditure", re.compile(r"支出预算")),
    ("other", re.compile(r"其他重要事项")),
)
EXPLANATION_HEADING = re.compile(rf"^(?P<n>{_ORDINAL})\s*[、.．]\s*(?P<title>[^，。：:]{{2,60}}?(?:情况说明|表说明|事项说明))")

# Table titles -> table_code (pipeline.tables.national.vocabulary), matched on the title without its number,
# label, year, department and the (功能科目) / (经济科目) / (一般公共预算) suffixes; first match wins.
TABLE_TITLES = (
    (re.compile(r"财政拨款收支预算总表$"), "fiscal_allocation_summary"),
    (re.compile(r"(?<!财政拨款)收支预算总表$"), "financial_summary"),
    (re.compile(r"收入预算总表$"), "income_summary"),
    (re.compile(r"(?<!收)支出预算总表$"), "expenditure_summary"),
    (re.compile(r"政府性基金.{0,8}支出预算表$"), "government_fund_expenditure"),
    (re.compile(r"财政拨款基本支出预算表$"), "fiscal_allocation_basic_expenditure"),
    (re.compile(r"财政拨款支出预算表$"), "fiscal_allocation_expenditure"),
    (re.compile(r"机关运行经费支出预算表$"), "institutional_operating_costs"),
    (re.compile(r"三公”?经费、会议费、培训费支出预算表$"), "three_public"),
    (re.compile(r"一般公共预算基本支出预算表$"), "general_public_budget_basic_expenditure"),
    (re.compile(r"一般公共预算支出预算表$"), "general_public_budget_expenditure"),
    (re.compile(r"政府采购(?:支出)?预算表$"), "procurement"),
)
# The twelve tables every disclosure prints (a missing one is a completeness gap) and their names.
TWELVE_TABLES = ("financial_summary", "income_summary", "expenditure_summary", "fiscal_allocation_summary",
                 "fiscal_allocation_expenditure", "fiscal_allocation_basic_expenditure",
                 "general_public_budget_expenditure", "general_public_budget_basic_expenditure", "three_public",
                 "government_fund_expenditure", "institutional_operating_costs", "procurement")
TABLE_NAMES = {
    "financial_summary": "收支预算总表", "income_summary": "收入预算总表", "expenditure_summary": "支出预算总表",
    "fiscal_allocation_summary": "财政拨款收支预算总表", "fiscal_allocation_expenditure": "财政拨款支出预算表",
    "fiscal_allocation_basic_expenditure": "财政拨款基本支出预算表",
    "general_public_budget_expenditure": "一般公共预算支出预算表",
    "general_public_budget_basic_expenditure": "一般公共预算基本支出预算表",
    "three_public": "一般公共预算“三公”经费、会议费、培训费支出预算表",
    "government_fund_expenditure": "政府性基金支出预算表",
    "institutional_operating_costs": "一般公共预算机关运行经费支出预算表", "procurement": "政府采购支出预算表",
}
TABLE_LABEL = re.compile(rf"^(?:{_ORDINAL}\s*[、.．]\s*|公开\s*\d{{1,2}}\s*表\s*[:：]?\s*|表{_ORDINAL}\s*)")
TITLE_SUFFIX = re.compile(r"[（(](?:功能科目|经济科目|一般公共预算)[)）]$")
# The line under a title: 部门：江苏省人民检察院  单位：万元 (or 单位：万元 alone); the name may wrap.
UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?P<unit>万元|元)")
DEPARTMENT = re.compile(r"^部\s*门(?:名称)?\s*[:：]\s*(?P<name>.+?)\s*(?:单位\s*[:：]|$)")
# A note under (or inside) a table: 注：本部门无相关收支项目 / 说明：… / (无政府性基金支出）/ 此表为空.
NOTE = re.compile(r"^(?:注\s*[:：]|说明\s*[:：]|[（(]无|此表为空|本表为空)")
EMPTY_NOTE = re.compile(r"无相关收支|无该项目|无.{0,12}政府性基金|此表为空|本表为空|本表数为零")
# The announcement of a tables document the explanation does not hold: 具体公开表样附后 / …公开表附后 / 附件：…公开表.
TABLES_ATTACHED = re.compile(r"附后|附件\s*[:：].{0,30}公开表")

# 政府采购预算表: the category rows (一、货物 A).
PROCUREMENT_CATEGORY = re.compile(rf"^{_ORDINAL}\s*[、.．]\s*(?P<name>货物|工程|服务)\s*(?P<code>[ABC])?$")


def compact(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def table_code(title: str) -> str | None:
    """The national table a printed title names (``公开 07 表：一般公共预算支出预算表（功能科目）`` ->
    ``general_public_budget_expenditure``); None for any other text."""
    text = TITLE_SUFFIX.sub("", TABLE_LABEL.sub("", compact(title)))
    return next((code for pattern, code in TABLE_TITLES if pattern.search(text)), None)


def explanation_key(title: str) -> str | None:
    text = compact(title)
    return next((key for key, pattern in EXPLANATION_SECTIONS if pattern.search(text)), None)
