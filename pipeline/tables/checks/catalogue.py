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
# Which documents a check runs on: a template names the families that apply to its documents
# (TemplateResult.check_families): "common" (any template), "hebei" (the Hebei template's sections),
# "national" (the national tables: Shanghai, and any template that reads them).
FAMILIES = ("common", "hebei", "national")
_COMMON = {"income_equals_expenditure", "income_equals_sources", "change_implies_valid_previous_year",
           "three_public_total_equals_categories", "three_public_vehicles_equals_parts",
           "three_public_change_equals_category_changes", "three_public_vehicles_change_equals_parts",
           "three_public_no_negative_amounts", "three_public_zero_total_zero_items", "amount_written_oddly",
           "numbering_restarts_or_repeats", "section_without_content", "section_missing", "document_part_missing"}


@dataclass(frozen=True)
class Check:
    id: str
    kind: str
    title_zh: str
    description: str  # what is compared, with what tolerance, when it skips
    family: str = ""  # see FAMILIES; "" means "common" or "hebei" by _COMMON (the checks older than families)

    @property
    def applies_to(self) -> str:
        return self.family or ("common" if self.id in _COMMON else "hebei")


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
          "of section 五 it names (社区建设 43.03 ↔ 社区经费; 义务教育 66.76 ↔ 民办教师经费). The activities with a "
          "budget whose names share a word with the item's (教师 ~ 教育) are the candidates, level-1 activities "
          "first, then those sharing most words: one whose budget equals the item passes (another activity may "
          "say the item's words too, or more of them: `note` says how many were candidates). If none does, the "
          "best candidate is compared (fail) when it is the only best; the row skips when no activity matches, "
          "or when two or more match equally well (which one is meant is unknown)."),
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
    Check("paragraph_printed_twice", "anomaly", "段落重复（只读一次）",
          "A paragraph printed twice in a row inside a table cell (empty paragraphs between do not count) is read "
          "once: Word prints a merged cell's text again across a page break, and in the text an author's own "
          "repetition looks the same. One warn row per repeat: `found_text` is the paragraph, `subject` the first "
          "text of its row, `source_ref` runs from the first print to the repeat, `note` names both.",
          family="common"),
    Check("section_without_content", "anomaly", "章节无内容",
          "One of the nine template sections whose heading is present with nothing under it."),
    # -- completeness ------------------------------------------------------------------------------------
    Check("section_missing", "completeness", "章节缺失",
          "One of the template's sections is not in the document; see `document_sections`."),
    Check("document_part_missing", "completeness", "文件缺失",
          "A disclosure published as several files (an explanation and a tables document, see `document_files`) "
          "lacks one: the raw manifest lists it but the raw folder does not hold it, or the document announces "
          "it (具体公开表样附后) and it is not given. One warn row per part missing (`subject`: the part, "
          "`found_text`: its file as the manifest names it, or the part's name where the document only announces "
          "it), else one pass row; no row for a disclosure of one file that announces no other. The document is "
          "published from the parts there are."),
    # -- the national tables (family "national") ----------------------------------------------------------
    Check("hierarchy_adds_up", "identity", "类＝Σ款＝Σ项",
          "In every table by classification code (`function_lines`, `economic_lines`), each 类 row equals the sum "
          "of its 款 rows and each 款 row the sum of its 项 rows, in every amount column (a blank cell counts as 0). "
          "One fail row per parent row and column that does not add up, pointing at its cell (`stated_source_ref`) "
          "and the cells summed; else one pass row per table (`note`: how many sums). Skips a table without "
          "parent rows.", "national"),
    Check("total_row_equals_classes", "identity", "合计＝Σ类",
          "In every table by classification code, the 合计 row equals the sum of the 类 rows, in every amount "
          "column. One fail row per table and column that does not add up, else one pass row per table.", "national"),
    Check("line_total_equals_parts", "identity", "合计＝各分项之和",
          "On every line, the total equals its parts: 合计 = 基本支出 + 项目支出 (expenditure by function), 合计 = "
          "财政拨款收入 + 事业收入 + 事业单位经营收入 + 其他收入 (收入预算总表), 合计 = 人员经费 + 公用经费 (economic "
          "classification); in the summary tables 合计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算 (财政拨款收支"
          "预算总表) and 合计 = 人员经费 + 公用经费 + 项目支出 (a 单位预算's 财务收支预算总表). A blank part counts as 0. "
          "One fail row per line that does not add up, else one pass row per table.", "national"),
    Check("same_code_same_amounts", "identity", "同一科目各表一致",
          "The same function code gives the same amounts in every table that repeats it: 支出预算总表 合计 = "
          "收入预算总表 合计 (income and expenditure by function), and 收入预算总表 财政拨款收入 = the sum of the "
          "一般公共预算, 政府性基金 and 国有资本经营 tables' 合计 (fiscal allocations by function); where a code's "
          "income is all 财政拨款, 支出预算总表 基本支出 and 项目支出 also equal the three tables' sums. A code "
          "missing from a table counts as 0 there. One fail row per code and comparison, else one pass row per "
          "comparison.", "national"),
    Check("summary_matches_function_tables", "identity", "总表与功能分类表一致",
          "The expenditure lines of the summary tables (by function 类, matched by name) equal the 类 rows of the "
          "function tables: 财务收支预算总表 = 支出预算总表 合计; 财政拨款收支预算总表 合计 = the sum of the three "
          "function tables, and its 一般公共预算 / 政府性基金预算 / 国有资本经营预算 columns = each table's 合计. "
          "A line whose name no 类 row has fails. One fail row per line and column, else one pass row per table.",
          "national"),
    Check("summary_income_equals_expenditure", "identity", "收入总计＝支出总计",
          "In each summary table (财务收支预算总表, 财政拨款收支预算总表), 收入总计 equals 支出总计.", "national"),
    Check("summary_total_equals_lines", "identity", "总计＝各行之和",
          "In each summary table, a side's total equals its lines: 收入总计 = 财政拨款 + 事业收入 + 事业单位经营收入 + "
          "其他收入 (+ 上年结转, when printed; or the three funds in 财政拨款收支预算总表), 财政拨款 = 一般公共预算 + "
          "政府性基金 + 国有资本经营 (when printed), 支出总计 = the sum of the 类 lines (+ 结转下年). A blank line "
          "counts as 0.", "national"),
    Check("fiscal_allocation_totals_agree", "identity", "财政拨款各表一致",
          "The 财政拨款 figures agree between the tables: 财务收支预算总表 财政拨款收入 = 财政拨款收支预算总表 收入总计 "
          "= 收入预算总表 合计 财政拨款收入, and its 一般公共预算 / 政府性基金 / 国有资本经营 lines = the same lines of "
          "财政拨款收支预算总表.", "national"),
    Check("totals_agree_across_tables", "identity", "各表合计一致",
          "The totals agree between the tables: 财务收支预算总表 收入总计 = 收入预算总表 合计 and 支出总计 = 支出预算总表 "
          "合计; 财政拨款收支预算总表's 一般公共预算 / 政府性基金预算 / 国有资本经营预算 支出总计 = the 合计 of the "
          "matching function table.", "national"),
    Check("economic_total_equals_basic", "identity", "经济分类合计＝一般公共预算基本支出",
          "The 合计 of the basic expenditure by economic classification equals the 基本支出 of the 一般公共预算 "
          "function table's 合计 row.", "national"),
    Check("prose_figure_matches_table", "identity", "说明数字与表一致",
          "Each figure of the 编制说明 and 其他相关情况说明 prose (`budget_lines`, in 万元) equals the same figure in "
          "the tables (in 元): 收入预算 = 收入总计; 财政拨款收入, 事业收入 … = their 财务收支预算总表 lines; 支出预算 = "
          "支出总计; 财政拨款支出预算 = 财政拨款收支预算总表 支出总计; 一般公共预算 / 政府性基金 / 国有资本经营 拨款支出"
          "预算 = the function tables' 合计; 机关运行经费 = the 三公 table's. Tolerance: one unit of the prose "
          "figure's last printed digit (0.01万元: 100 yuan), so a figure truncated rather than rounded passes, with "
          "`note` saying so whenever the difference exceeds half a unit (what rounding alone explains).",
          "national"),
    Check("function_item_matches_table", "identity", "支出主要内容与功能分类表一致",
          "Each item of 财政拨款支出主要内容 (`budget_lines` `expenditure_function_item`) equals the 合计 of the 项 row "
          "of the 一般公共预算 function table it names by its 类 / 款 / 项 path (names compared without spaces, "
          "brackets' width, 其它/其他), with the tolerance of `prose_figure_matches_table`. An item whose path "
          "names no 项 row fails (`note` names the row of the same amount, if any).", "national"),
    Check("function_item_consistent", "identity", "支出主要内容前后一致",
          "An item that also states the year's budget (…年预算安排X万元) states the same amount twice (half a unit "
          "of each printed figure).", "national"),
    Check("three_public_prose_matches_table", "identity", "三公说明与表一致",
          "Each 三公 figure stated in 其他相关情况说明 equals the same cell of the 三公 table (both 万元; half a unit "
          "of each printed figure; a blank cell counts as 0).", "national"),
    Check("table_note_agrees_with_table", "identity", "表注与表一致",
          "A note under a table that says the table is empty (本表为空表) sits under a table without figures.",
          "national"),
    Check("performance_form_funds_add_up", "identity", "绩效目标表资金相符",
          "In each 财政项目支出绩效目标填报表, 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金 and 项目资金总额 "
          "= 财政资金 + 其他资金 (exact: 元 with fen).", "national"),
    Check("performance_funds_match_forms", "soft", "绩效目标资金与填报表",
          "The project funds stated in 绩效目标设置情况 (涉及项目预算资金) equal the sum of the forms' "
          "年度资金申请总额. Warns, never fails (the prose may count other projects); skips without forms.",
          "national"),
    Check("change_percent_matches", "identity", "增减百分比与金额相符",
          "A percentage printed with a stated change (`增长8.85%`, `增长16倍`) equals |change| ÷ (amount − change) "
          "(× 100 for %), the previous year's figure being the amount less the change. The range the rounding of "
          "the amount and the change allows (half a unit of each one's last printed digit) must meet the printed "
          "percentage ± half a unit of its last digit; within one unit instead of half it passes, with `note` saying "
          "it was truncated; beyond, it fails. `stated_text` is the percentage as printed, `note` the computed value "
          "and its range (no yuan columns: a percentage is not an amount). One row per percentage.", "national"),
    Check("share_percent_matches", "identity", "占比与金额相符",
          "A share printed with a figure (`占“三公”经费的18.85%`, `基本支出…万元，占63.75%`) equals the figure ÷ the "
          "whole it names (the 三公经费 of the 三公 table; the total the paragraph states) × 100, with the tolerance "
          "of `change_percent_matches`: shares rounded to add up to 100% pass with a `note`. Skips when the whole "
          "is not stated.", "national"),
    Check("prose_changes_add_up", "identity", "增减之和相符",
          "Stated year-on-year changes that must add up: the total's = the classes' (when the prose states every "
          "class the 收支预算总表 prints with money), the total's = 基本支出 + 项目支出 + 单位预留机动经费's, the "
          "财政拨款's = its funds' (一般公共预算, 政府性基金), the income's = its sources'; half a unit of each printed "
          "figure. No row where a term's change is not stated.", "national"),
    Check("three_public_table_total_equals_columns", "identity", "三公表合计＝三公经费＋会议费＋培训费",
          "In a 三公 table that also prints 会议费 and 培训费 (Jiangsu), its 合计 equals the 三公经费 plus 会议费 and "
          "培训费 (`summary_lines` of table `three_public`).", "national"),
    Check("procurement_groups_add_up", "identity", "采购项目、品目与合计相符",
          "In a procurement table that groups its rows (Jiangsu: 货物 / 工程 / 服务, each project, its items), the "
          "items add up to their project, the projects to their category and the categories to 合计. One fail row "
          "per group that does not add up, else one pass row.", "national"),
    Check("running_costs_within_goods_and_services", "soft", "机关运行经费≤商品和服务支出",
          "The 机关运行经费 table's 合计 does not exceed the 302 商品和服务支出 of the basic expenditure by economic "
          "classification: running costs are goods and services of the basic expenditure (Jiangsu from 2018; its "
          "2017 tables also counted project money and equipment, 310). Warns, never fails.", "national"),
    Check("code_digits_do_not_fit_level", "anomaly", "科目编码位数不符",
          "A printed code whose parts do not have the digits of their level (function: 类 3, 款 2, 项 2; economic: "
          "类 3, 款 2), e.g. 款 `2` for `02`. Published as printed.", "national"),
    Check("table_empty", "anomaly", "空表",
          "A national table printed without any figure (usually with a note saying the department has no such "
          "funds); `found_text` quotes the note when there is one.", "national"),
    Check("table_note_names_another_table", "anomaly", "表注所指有误",
          "A note under a table names the funds of another table (a 国有资本经营 table whose note speaks of "
          "政府性基金).", "national"),
    Check("prose_paragraph_repeated", "anomaly", "段落重复",
          "A paragraph of the narrative sections printed twice (as drawn on the pages: text hidden by a clip path "
          "is not read, so a text-layer duplicate is not reported).", "national"),
    Check("level_wording_differs", "anomaly", "级次表述不一",
          "The 名词解释 speaks of another level of government than the cover (市级 in a 区级 budget).", "national"),
    Check("percentage_written_oddly", "anomaly", "百分比书写异常",
          "A percentage printed without its % sign (`减少9.52，`), as read with a stated change.", "national"),
    Check("label_printed_otherwise", "anomaly", "行名称书写有误",
          "A fixed line of a table printed otherwise than the layout prints it (`财政转专户管理资金` for "
          "财政专户管理资金); read as the line it resembles, published as printed.", "national"),
    Check("table_missing", "completeness", "缺少预算表",
          "One of the nine national tables is not in the document (`subject`: its table_code).", "national"),
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
