"""The Hebei template's vocabulary: its title and section headings, the printed figure and change patterns, and
the labels of income sources, “三公” categories, fixed-asset lines and procurement columns with their codes."""

from __future__ import annotations

import re

TEMPLATE_ID = "hebei-department-budget-2019"

TITLE = re.compile(r"^(?P<department>.+?)(?P<year>(?:19|20)\d{2})\s*年(?:度)?部门预算(?:信息)?公开$")
SECTION = re.compile(r"^[\s\u3000]*(?P<number>[一二三四五六七八九十]{1,3})、\s*(?P<title>.+)$")
# Section keys by a word of their title, in template order.
SECTION_KEYS = (
    ("duties", ("部门职责", "机构设置")),
    ("overview", ("总体情况",)),
    ("running_costs", ("机关运行经费",)),
    ("three_public", ("三公",)),
    ("performance", ("绩效",)),
    ("procurement", ("政府采购",)),
    ("assets", ("国有资产", "固定资产")),
    ("glossary", ("名词解释",)),
    ("other", ("其他需要说明",)),
)

# A printed amount with its unit; a stray full stop before the unit (``4.37。万元``) is tolerated.
NUM = r"[0-9０-９][0-9０-９,，.．]*"
AMT = rf"(?P<num>{NUM})\s*[。.]?\s*(?P<unit>万元|元)"
AMT_ANY = rf"{NUM}\s*[。.]?\s*(?:万元|元)"
CHANGE = rf"(?P<dir>增加|减少|增长|下降)\s*{AMT}"
DIRECTION = r"(?P<dir>增加|减少|增长|下降)\s*"
INCOME_CODES = {
    "一般公共预算收入": "income_general_public_budget",
    "一般公共预算拨款收入": "income_general_public_budget",
    "基金预算收入": "income_government_fund",
    "政府性基金预算收入": "income_government_fund",
    "财政专户核拨收入": "income_special_account",
    "财政专户管理资金收入": "income_special_account",
    "其他来源收入": "income_other",
    "其他收入": "income_other",
    "事业收入": "income_operations",
    "上年结转": "income_carryover",
    "上年结转收入": "income_carryover",
}
THREE_PUBLIC = (
    # code, parent, label pattern (as printed)
    ("outbound_travel", "total", r"因公出国[（(]境[)）]费"),
    ("vehicles", "total", r"公务用车购置及运[行维]+[护]?费"),
    ("vehicle_purchase", "vehicles", r"公务用车购置费"),
    ("vehicle_operation", "vehicles", r"公务用车运[行维]+[护]?费"),
    ("official_reception", "total", r"公务接待费"),
)
ASSET_CODES = (
    # code, label stem
    ("total", "资产总额"),
    ("buildings_office", "办公用房"),
    ("buildings", "房屋"),
    ("vehicles", "车辆"),
    ("equipment_over_200k", "单价在20万元以上的设备"),
    ("other", "其他固定资产"),
)
# Index in SECTION_KEYS of 八、名词解释: a text whose last section comes before it was cut off.
CUT_OFF_BEFORE = [key for key, _ in SECTION_KEYS].index("glossary")
PROCUREMENT_COLUMNS = (
    "project_name_zh", "project_budget_yuan", "item_name_zh", "catalogue_code", "quantity_unit_zh",
    "quantity", "unit_price_yuan", "amount_yuan", "current_year_total_yuan", "general_public_budget_yuan",
    "government_fund_yuan", "special_account_yuan", "other_sources_yuan", "other_channels_yuan",
)
# Header words the procurement table must show, by the column index they sit at in its widest header row.
PROCUREMENT_HEADER = {8: "合计", 9: "一般公共预算拨款", 10: "基金预算拨款", 11: "财政专户核拨", 12: "其他来源收入"}


def compact(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def printed_literal(match: re.Match, group: str) -> str:
    """The printed text from ``group`` to the end of ``match``: the figure with its unit, as printed."""
    return match.string[match.start(group):match.end()].strip()


CODE_DIGITS = re.compile(r"[0-9]{3}")
DEPARTMENT_CODE = re.compile(r"^(编制部门[：:])?\s*([0-9]{3,})\s*(.+)$")
