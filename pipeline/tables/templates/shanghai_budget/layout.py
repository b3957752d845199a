"""The vocabulary of the Shanghai budget layout (上海 区级/市级 部门预算 and 单位预算, as printed 2023-2025).

Cover: ``上海市普陀区2025年区级部门预算`` and ``预算主管部门：…`` (单位预算: ``…区级单位预算``, ``预算单位：…``). Then a
目录, and sections that each start on a new page with an unnumbered heading (numbered only in the 目录): 主要职能,
机构设置, 名词解释, 编制说明, the nine tables (each with its title, a ``编制部门：… 单位：元`` line, a ruled grid and
sometimes a ``注:`` line), 其他相关情况说明, 项目经费情况说明 (部门预算 only), and in some years 绩效目标 forms.
Everything national about the tables (columns, codes, lines) is in :mod:`pipeline.tables.national`.
"""

from __future__ import annotations

import re

TEMPLATE_ID = "shanghai-budget-2023"

COVER = re.compile(r"^(?P<title>(?P<prefix>.*?)(?P<year>(?:19|20)\d{2})\s*年(?:度)?(?P<level>区级|市级)?"
                   r"(?P<kind>部门|单位)预算)$")
COVER_UNIT = re.compile(r"^(?P<label>预算主管部门|预算单位|主管部门|部门名称|单位名称)\s*[:：]\s*(?P<name>\S.*)$")
KINDS = {"部门": "budget", "单位": "unit-budget"}

# Sections in template order: (key, heading pattern on a page, whether a 单位预算 has it). A heading is an
# unnumbered paragraph; the 目录 lists them numbered (一、部门主要职能), which these patterns do not match.
_UNNUMBERED = r"^(?![一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.．、])"
SECTIONS = (
    ("duties", re.compile(_UNNUMBERED + r".{0,60}主要职能$"), True),
    ("organisation", re.compile(_UNNUMBERED + r".{0,60}机构设置$"), True),
    ("glossary", re.compile(r"^名词解释$"), True),
    ("budget_explanation", re.compile(_UNNUMBERED + r".{0,20}预算编制说明$"), True),
    ("budget_tables", None, True),  # the nine tables: present when any of them is
    ("other", re.compile(r"^其他相关情况说明$"), True),
    ("project_funds", re.compile(_UNNUMBERED + r".{0,60}项目经费情况说明$"), False),
    ("performance", None, False),  # the 绩效目标 forms, where printed (not expected)
)
EXPECTED = {"budget": 7, "unit-budget": 6}  # sections a document of the kind is expected to have
TOC = re.compile(r"^目录$")

# Table titles -> national table_code, matched on the title without spaces, year and 部门/单位/预算单位.
TABLE_TITLES = (
    (re.compile(r"财务收支预算总表$"), "financial_summary"),
    (re.compile(r"(?<!财政拨款)收入预算总表$"), "income_summary"),
    (re.compile(r"(?<!财政拨款收)支出预算总表$"), "expenditure_summary"),
    (re.compile(r"财政拨款收支预算总表$"), "fiscal_allocation_summary"),
    (re.compile(r"一般公共预算支出功能分类预算表$"), "general_public_budget_expenditure"),
    (re.compile(r"政府性基金预算支出功能分类预算表$"), "government_fund_expenditure"),
    (re.compile(r"国有资本经营预算支出功能分类预算表$"), "state_capital_expenditure"),
    (re.compile(r"一般公共预算基本支出(?:部门预算)?经济分类预算表$"), "general_public_budget_basic_expenditure"),
    (re.compile(r"“?三公”?经费和机关运行经费预算表$"), "three_public"),
)
# The nine tables every Shanghai budget prints (a missing one is a completeness gap), in their order.
NINE_TABLES = tuple(code for _, code in TABLE_TITLES)
TITLE_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}年)?(?:部门|预算单位|单位)?")
# The line under a title: 编制部门：X  单位：元 (unit: 元, or 万元 for the 三公 table).
UNIT_LINE = re.compile(r"(?:编制部门|编制单位)\s*[:：]\s*(?P<department>.*?)\s*单位\s*[:：]\s*(?P<unit>万元|元)\s*$")
# A note under a table: 注:本部门2025年无政府性基金预算财政拨款安排的预算，故本表为空表。
NOTE = re.compile(r"^注\s*[:：]\s*(?P<text>.+)$")
EMPTY_NOTE = re.compile(r"本表为空表|故本表无数据|本表无数据")
# What a note says the table is about (to compare with the table it sits under).
NOTE_SUBJECTS = (
    ("government_fund_expenditure", re.compile(r"政府性基金")),
    ("state_capital_expenditure", re.compile(r"国有资本经营")),
    ("three_public", re.compile(r"三公|机关运行经费")),
)
PERFORMANCE_FORM = re.compile(r"绩效目标(?:填报|申报)?表")


def compact(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def table_code(title: str) -> str | None:
    """The national table a printed title names (``2025年部门收入预算总表`` -> ``income_summary``)."""
    text = TITLE_PREFIX.sub("", re.sub(r"^(?:\d{1,2}\s*[.．、])", "", compact(title)))
    return next((code for pattern, code in TABLE_TITLES if pattern.search(text)), None)
