"""The check catalogue: every check the pipeline runs on a document, documented in this one place.

The ``checks`` Table Schema's enums (``check_id``, ``check_kind``) and the checks section of the package README
are generated from :data:`CATALOGUE` (see :func:`schema_enums` and :func:`catalogue_markdown`); a test fails
when the committed schema disagrees with it.

Kinds:

- ``identity``: an equation the budget must satisfy (pass / fail, or skip when a figure is missing).
- ``soft``: a relation that usually holds but may legitimately not (pass / warn, or skip); never fails.
- ``anomaly``: something the source got wrong in how it is written (one warn row per occurrence, else one pass).
- ``completeness``: something the template expects that the document lacks (warn per gap, else one pass).

Tolerance (identity and soft checks): absolute, from the printed precision. Every rounded figure involved
contributes half a unit of its last printed digit (``6041.24万元`` → 0.005万元 = 50 yuan; a product
``quantity × unit price`` contributes ``|quantity|`` half-units of the price); a zero printed without decimals
(``0万元``: nothing) is exact, ``0.00万元`` is not. The sum, rounded down to the fen (all amounts are whole
fen), is the ``tolerance_yuan`` of the row. Never a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("identity", "soft", "anomaly", "completeness")
STATUSES = ("pass", "fail", "warn", "skip")


@dataclass(frozen=True)
class Check:
    id: str
    kind: str
    title_zh: str
    description: str  # what is compared, with what tolerance, when it skips


CATALOGUE: tuple[Check, ...] = (
    # -- section 二: income and expenditure --------------------------------------------------------------
    Check("income_equals_expenditure", "identity", "收入合计＝支出合计",
          "Total income (预算收入) equals total expenditure (支出预算), both from `budget_lines`."),
    Check("income_equals_sources", "identity", "收入合计＝各来源之和",
          "Total income equals the sum of the income sources stated after it (一般公共预算收入, 基金预算收入, "
          "…; `budget_lines` rows whose parent is `income_total`). Skips when no source is stated."),
    Check("expenditure_equals_basic_plus_project", "identity", "支出合计＝基本支出＋项目支出",
          "Total expenditure equals basic (基本支出) plus project (项目支出) expenditure."),
    Check("basic_equals_personnel_plus_public_operating", "identity", "基本支出＝人员经费＋日常公用经费",
          "Basic expenditure equals personnel costs (人员经费) plus routine public operating costs (日常公用经费)."),
    Check("project_equals_named_items", "identity", "项目支出＝所列项目之和",
          "Project expenditure equals the sum of the project items it names (…主要为社区经费43.03万元及…). "
          "Skips when no item is named."),
    Check("change_equals_basic_plus_project_changes", "identity", "总增减＝基本支出增减＋项目支出增减",
          "The stated year-on-year change of total expenditure equals the stated change of basic plus that of "
          "project expenditure (a 持平 is an exact 0)."),
    Check("change_implies_valid_previous_year", "identity", "增减与本年数相符",
          "Each stated change agrees with its amount: the previous-year figure it implies (amount minus change, "
          "in `difference_yuan`) is not negative, beyond tolerance. One row per `budget_lines` or "
          "`three_public_expenses` row with a stated change."),
    # -- section 三 ------------------------------------------------------------------------------------------
    Check("running_costs_within_public_operating", "soft", "机关运行经费≤日常公用经费",
          "机关运行经费 (section 三) does not exceed 日常公用经费 (section 二): running costs are paid from public "
          "operating funds, though budgets may also draw on project funds. Warns, never fails."),
    # -- section 四: 三公 ----------------------------------------------------------------------------------
    Check("three_public_total_equals_categories", "identity", "三公经费＝出国＋公务用车＋接待",
          "The 三公 total equals 因公出国（境）费 + 公务用车购置及运维费 + 公务接待费. Skips when a category is "
          "not stated."),
    Check("three_public_vehicles_equals_parts", "identity", "公务用车购置及运维费＝购置费＋运维费",
          "公务用车购置及运维费 equals 公务用车购置费 + 公务用车运维费."),
    Check("three_public_change_equals_category_changes", "identity", "三公增减＝各项增减之和",
          "The stated change of the 三公 total equals the sum of the stated changes of its categories. The "
          "breakdown of a change (其中…) names what changed: a category whose change is not stated is taken as "
          "unchanged and named in `note`. Skips when the total's change or every category change is missing."),
    Check("three_public_vehicles_change_equals_parts", "identity", "公务用车增减＝购置增减＋运维增减",
          "The stated change of 公务用车购置及运维费 equals the changes of 购置费 and 运维费 (unstated parts as "
          "in `three_public_change_equals_category_changes`)."),
    Check("three_public_no_negative_amounts", "identity", "三公经费无负数",
          "No 三公 amount is negative. One row per document; `found_text` lists negative amounts."),
    Check("three_public_zero_total_zero_items", "identity", "三公经费为零则各项为零",
          "When the 三公 total is zero every category is zero. Skips (not applicable) when the total is not zero."),
    # -- section 五: performance activities -------------------------------------------------------------
    Check("activity_budget_equals_sub_activities", "identity", "活动预算＝子活动预算之和",
          "A level-1 activity's 年度预算数 equals the sum of its sub-activities' budgets, where both are given; "
          "sub-activities without a budget are left out and named in `note`. Skips when no sub-activity has one."),
    Check("activity_budget_matches_project_item", "identity", "活动预算与项目支出所列项目相符",
          "Each project item named in section 二 (社区经费, 民办教师经费 …) equals the budget of the activity "
          "of section 五 it names (社区建设 43.03 ↔ 社区经费; 义务教育 66.76 ↔ 民办教师经费), matched by "
          "shared words of the names (教师 ~ 教育), level-1 activities first, then the one sharing most words. Skips "
          "when no activity matches, or when two or more match equally well (which one is meant is unknown)."),
    Check("activities_total_within_project", "soft", "活动预算合计与项目支出",
          "The level-1 activity budgets sum to project expenditure (项目支出): the activity table budgets the "
          "project funds. Warns, never fails; skips when no activity has a budget."),
    # -- section 六: procurement -------------------------------------------------------------------------
    Check("procurement_line_quantity_times_price", "identity", "数量×单价＝金额",
          "On every item line of the procurement table, quantity × unit price equals the amount (tolerance: "
          "|quantity| half-units of the price plus half a unit of the amount). Skips a line lacking a figure."),
    Check("procurement_lines_sum_to_total", "identity", "各行金额之和＝合计",
          "The item lines' amounts sum to the table's 合计 row. Skips when there is no 合计 row."),
    Check("procurement_total_matches_prose", "identity", "采购明细与正文相符",
          "The item lines' amounts sum to the 政府采购预算 stated in the prose of section 六 (with "
          "`procurement_lines_sum_to_total`, a wrong 合计 and a wrong prose figure are told apart)."),
    Check("procurement_amount_equals_funding", "identity", "采购金额＝当年预算资金＋其他渠道资金",
          "On every row, the amount (总计) equals 当年部门预算安排资金 合计 + 其他渠道资金 (a blank cell is 0 "
          "and named in `note`). Skips a row without an amount."),
    Check("procurement_current_year_equals_sources", "identity", "当年预算资金＝各来源之和",
          "On every row, 当年部门预算安排资金 合计 equals 一般公共预算拨款 + 基金预算拨款 + 财政专户核拨 + "
          "其他来源收入 (blank cells are 0). Skips a row without that 合计."),
    # -- section 七: fixed assets ------------------------------------------------------------------------
    Check("fixed_assets_parts_sum_to_total", "identity", "各类资产之和＝资产总额",
          "The parts (1、房屋 2、车辆 …) sum to 资产总额; 其中 lines are subsets of the line above, not parts, and "
          "are left out; a part with a blank value counts as 0 and is named in `note`."),
    Check("fixed_assets_subset_within_parent", "identity", "其中项≤所属项",
          "A 其中 line's value does not exceed the value of the line it belongs to."),
    Check("fixed_assets_total_matches_prose", "identity", "资产总额与正文相符",
          "The table's 资产总额 equals the fixed-asset total stated in the prose of section 七 "
          "(上年末固定资产金额)."),
    # -- anomalies -----------------------------------------------------------------------------------------
    Check("amount_written_oddly", "anomaly", "金额书写异常",
          "A printed amount with stray punctuation inside it or before its unit (`4.37。万元`). `found_text` "
          "is the literal; `source_ref` the lines of the row that holds it."),
    Check("numbering_restarts_or_repeats", "anomaly", "编号重复或不连续",
          "A numbered item whose printed number is not the next one: section headings (一、…九、), activities "
          "(一、… and 1、… under each), glossary terms. `found_text` is the number as printed with the item."),
    Check("quantity_not_a_count", "anomaly", "数量与计量单位不符",
          "A quantity with a fractional part whose unit counts things (台, 辆, 个, 套, 件 …), e.g. 16.9 台, in "
          "the procurement or fixed-asset table."),
    Check("indicator_without_standards", "anomaly", "绩效指标缺评价标准",
          "A performance indicator missing one or more of its 优/良/中/差 grade standards."),
    Check("activity_without_indicators", "anomaly", "活动无绩效指标",
          "An activity without sub-activities that has no performance indicator (and so no grade standards)."),
    Check("section_without_content", "anomaly", "章节无内容",
          "One of the nine template sections whose heading is present with nothing under it."),
    # -- completeness ------------------------------------------------------------------------------------
    Check("section_missing", "completeness", "章节缺失",
          "One of the template's nine sections (一 to 九) is not in the document; see `document_sections`."),
)

BY_ID = {c.id: c for c in CATALOGUE}


def schema_enums() -> dict[str, list[str]]:
    """The enums of the ``checks`` Table Schema, by field name."""
    return {"check_id": [c.id for c in CATALOGUE], "check_kind": list(KINDS), "status": list(STATUSES)}


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (package README and the repository README)."""
    lines = ["| check_id | kind | 名称 | what it compares |", "| --- | --- | --- | --- |"]
    for c in CATALOGUE:
        description = c.description.replace("|", "\\|")
        lines.append(f"| `{c.id}` | {c.kind} | {c.title_zh} | {description} |")
    return "\n".join(lines)


def schema_with_enums(schema: dict) -> dict:
    """``schema`` (the ``checks`` Table Schema as JSON) with its enums set from the catalogue."""
    enums = schema_enums()
    for f in schema["fields"]:
        if f["name"] in enums:
            f.setdefault("constraints", {})["enum"] = enums[f["name"]]
    return schema
