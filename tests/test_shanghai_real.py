"""The six real Shanghai PDFs in raw/, read through the Shanghai template: figures read by hand from the page
images (/PINS of the layout study: totals, a few 项 rows, the 三公 figures) against the published rows, and every
check row of these documents that does not pass, each with the reason it does not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import RAW_DIR

from pipeline.raw.discover import discover
from pipeline.tables.parse import parse_raw_document

FILES = {
    "fin": "shanghai-putuo-finance-bureau-2025-department-budget.pdf",
    "gov": "shanghai-putuo-government-office-2025-department-budget.pdf",
    "unit": "shanghai-putuo-government-office-2025-unit-budget.pdf",
    "w23": "shanghai-putuo-wanli-street-2023-department-budget.pdf",
    "w24": "shanghai-putuo-wanli-street-2024-department-budget.pdf",
    "w25": "shanghai-putuo-wanli-street-2025-department-budget.pdf",
}


@pytest.fixture(scope="module")
def parsed():
    by_name = {d.relpath: d for d in discover(RAW_DIR)}
    return {key: parse_raw_document(by_name[name]) for key, name in FILES.items()}


def Y(text: str) -> Decimal:  # noqa: N802 - a printed figure in 元, as the package holds it
    return Decimal(text.replace(",", "")).quantize(Decimal("0.01"))


def W(text: str) -> Decimal:  # noqa: N802 - a printed figure in 万元
    return (Decimal(text) * 10000).quantize(Decimal("0.01"))


# -- documents --------------------------------------------------------------------------------------------

DOCS = {
    "fin": ("上海市普陀区财政局", 2025, "budget", "上海市普陀区2025年区级部门预算"),
    "gov": ("上海市普陀区人民政府办公室", 2025, "budget", "上海市普陀区2025年区级部门预算"),
    "unit": ("上海市普陀区人民政府办公室", 2025, "unit-budget", "上海市普陀区2025年区级单位预算"),
    "w23": ("上海市普陀区人民政府万里街道办事处", 2023, "budget", "上海市普陀区2023年区级部门预算"),
    "w24": ("上海市普陀区人民政府万里街道办事处", 2024, "budget", "上海市普陀区2024年区级部门预算"),
    "w25": ("上海市普陀区人民政府万里街道办事处", 2025, "budget", "上海市普陀区2025年区级部门预算"),
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_the_cover_names_department_year_and_kind(parsed, key):
    (doc,) = parsed[key].tables["documents"]
    department, year, kind, title = DOCS[key]
    assert (doc["department_name_zh"], doc["fiscal_year"], doc["kind"], doc["title_zh"]) == (department, year, kind, title)
    assert doc["template"] == "shanghai-budget-2023" and doc["source_format"] == "pdf" and doc["source_encoding"] is None
    assert doc["region_zh"] == "上海市普陀区" and doc["province_zh"] == "上海市" and doc["source_ref"] == "p1:l1"
    assert doc["document_id"].endswith(f"-{year}-{kind}")


def test_the_department_and_unit_budget_of_one_office_are_two_documents(parsed):
    assert parsed["gov"].document_id != parsed["unit"].document_id


# -- figures read by hand (PINS) ---------------------------------------------------------------------------

# key -> 收入总计 (表1, income side, with its cells), 表5 合计 row (合计 / 基本支出 / 项目支出, its row), 表8 合计 row
# (合计 / 人员经费 / 公用经费, its row)
TOTALS = {
    "fin": ("31,214,205.80", "p9:r16c1-p9:r16c2", ("31,214,205.80", "25,121,091.00", "6,093,114.80"), "p16:r10",
            ("25,121,091.00", "22,826,756.00", "2,294,335.00"), "p20:r19"),
    "gov": ("91,016,775.35", "p8:r16c1-p8:r16c2", ("91,016,775.35", "24,606,775.35", "66,410,000.00"), "p15:r11",
            ("24,606,775.35", "22,473,997.81", "2,132,777.54"), "p19:r17"),
    "unit": ("91,016,775.35", "p8:r13c1-p8:r13c2", ("91,016,775.35", "24,606,775.35", "66,410,000.00"), "p15:r11",
             ("24,606,775.35", "22,473,997.81", "2,132,777.54"), "p19:r17"),
    "w23": ("164,978,640", "p10:r16c1-p10:r16c2", ("164,978,640", "99,406,297", "65,572,343"), "p23:r17",
            ("99,406,297", "84,024,865", "15,381,432"), "p27:r17"),
    "w24": ("156,211,123", "p10:r16c1-p10:r16c2", ("156,211,123", "99,706,020", "56,505,103"), "p26:r9",
            ("99,706,020", "88,537,451", "11,168,569"), "p30:r19"),
    "w25": ("189,767,551", "p9:r16c1-p9:r16c2", ("189,767,551", "101,341,746", "88,425,805"), "p24:r9",
            ("101,341,746", "90,514,044", "10,827,702"), "p28:r19"),
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_totals(parsed, key):
    t = parsed[key].tables
    income, income_ref, t5, t5_ref, t8, t8_ref = TOTALS[key]
    fin = {(r["side"], r["line_code"]): r for r in t["summary_lines"] if r["table_code"] == "financial_summary"}
    assert fin[("income", "total")]["amount_yuan"] == Y(income) and fin[("income", "total")]["source_ref"] == income_ref
    assert fin[("expenditure", "total")]["amount_yuan"] == Y(income)  # 支出总计, printed beside it
    (total5,) = [r for r in t["function_lines"] if r["table_code"] == "general_public_budget_expenditure"
                 and r["row_kind"] == "total"]
    assert (total5["total_yuan"], total5["basic_yuan"], total5["project_yuan"]) == tuple(map(Y, t5))
    assert total5["source_ref"] == t5_ref and total5["name_zh"] == "合计"
    (total8,) = [r for r in t["economic_lines"] if r["row_kind"] == "total"]
    assert (total8["total_yuan"], total8["personnel_yuan"], total8["public_operating_yuan"]) == tuple(map(Y, t8))
    assert total8["source_ref"] == t8_ref


# key -> 表5 项 rows: (ref, code, name, 合计, 基本支出, 项目支出) with None for a blank cell
ITEMS = {
    "fin": [("p15:r6", "2010601", "行政运行", "16,231,840.80", "16,093,326.00", "138,514.80"),
            ("p15:r9", "2010608", "财政委托业务支出", "4,188,000.00", None, "4,188,000.00"),
            ("p16:r9", "2210203", "购房补贴", "2,687,760.00", "2,687,760.00", None)],
    "gov": [("p14:r6", "2010301", "行政运行", "12,029,501.84", "11,919,501.84", "110,000.00"),
            ("p14:r8", "2010350", "事业运行", "3,807,295.58", "3,767,295.58", "40,000.00"),
            ("p15:r6", "2101102", "事业单位医疗", "314,218.15", "314,218.15", None)],
    "unit": [("p14:r7", "2010302", "一般行政管理事务", "46,140,000.00", None, "46,140,000.00"),
             ("p14:r13", "2080505", "机关事业单位基本养老保险缴费支出", "1,763,159.52", "1,763,159.52", None),
             ("p15:r9", "2210201", "住房公积金", "1,741,445.22", "1,741,445.22", None)],
    "w23": [("p21:r10", "2060702", "科普活动", "100,000", "0", "100,000"),
            ("p21:r20", "2080505", "机关事业单位基本养老保险缴费支出", "4,412,547", "4,412,547", "0"),
            ("p23:r13", "2210201", "住房公积金", "3,526,694", "3,526,694", "0")],
    "w24": [("p25:r9", "2120101", "行政运行", "16,603,248", "16,353,248", "250,000"),
            ("p25:r6", "2101102", "事业单位医疗", "1,601,424", "1,601,424", "0"),
            ("p26:r6", "2210203", "购房补贴", "3,201,700", "3,201,700", "0")],
    "w25": [("p23:r11", "2120104", "城管执法", "6,522,681", "6,522,681", "0"),
            ("p23:r18", "2129999", "其他城乡社区支出", "52,348,937", "0", "52,348,937"),
            ("p24:r5", "2210201", "住房公积金", "3,846,732", "3,846,732", "0")],
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_function_items(parsed, key):
    rows = {r["source_ref"]: r for r in parsed[key].tables["function_lines"]
            if r["table_code"] == "general_public_budget_expenditure"}
    for ref, code, name, total, basic, project in ITEMS[key]:
        r = rows[ref]
        assert (r["function_code"], r["name_zh"], r["level"]) == (code, name, 3)
        assert (r["class_code"], r["section_code"], r["item_code"]) == (code[:3], code[3:5], code[5:])
        assert (r["total_yuan"], r["basic_yuan"], r["project_yuan"]) == tuple(None if v is None else Y(v)
                                                                          for v in (total, basic, project))


# key -> 表8 lines: (ref, code, name, 合计, 人员经费, 公用经费)
ECONOMIC = {
    "fin": [("p19:r5", "30101", "基本工资", "2,642,448.00", "2,642,448.00", "0.00"),
            ("p20:r8", "30217", "公务接待费", "9,500.00", "0.00", "9,500.00")],
    "gov": [("p18:r5", "30101", "基本工资", "2,540,192.00", "2,540,192.00", None),
            ("p19:r6", "30217", "公务接待费", "185,000.00", None, "185,000.00")],
    "unit": [("p18:r13", "30199", "其他工资福利支出", "1,193,509.00", "1,193,509.00", None),
             ("p19:r14", "30302", "退休费", "1,188,720.00", "1,188,720.00", None)],
    "w23": [("p26:r7", "30107", "绩效工资", "10,302,736", "10,302,736", None),
            ("p27:r12", "30231", "公务用车运行维护费", "215,600", None, "215,600")],
    "w24": [("p29:r8", "30108", "机关事业单位基本养老保险缴费", "4,608,515", "4,608,515", "0"),
            ("p30:r14", "30231", "公务用车运行维护费", "215,600", "0", "215,600"),
            ("p29:r6", "3012", "津贴补贴", "16,623,810", "16,623,810", "0")],  # 款 printed `2`: published as printed
    "w25": [("p27:r6", "30102", "津贴补贴", "18,149,307", "18,149,307", "0"),
            ("p28:r4", "30209", "物业管理费", "1,143,816", "0", "1,143,816")],
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_economic_lines(parsed, key):
    rows = {r["source_ref"]: r for r in parsed[key].tables["economic_lines"]}
    for ref, code, name, total, personnel, public in ECONOMIC[key]:
        r = rows[ref]
        assert (r["economic_code"], r["name_zh"], r["level"]) == (code, name, 2)
        assert (r["total_yuan"], r["personnel_yuan"], r["public_operating_yuan"]) == tuple(
            None if v is None else Y(v) for v in (total, personnel, public))


# key -> 三公 table (万元): 合计, 因公出国(境)费, 公务接待费, 公务用车 小计, 购置费, 运行费 (None: blank), 机关运行经费
THREE = {
    "fin": ("p21", ("0.95", None, "0.95", None, None, None), "229.43"),
    "gov": ("p20", ("867.50", "839.00", "28.50", None, None, None), "213.28"),
    "unit": ("p20", ("867.50", "839.00", "28.50", None, None, None), "213.28"),
    "w23": ("p28", ("22.91", "0", "1.35", "21.56", "0", "21.56"), "786.09"),
    "w24": ("p31", ("47.91", "0", "1.35", "46.56", "25", "21.56"), "443.18"),
    "w25": ("p29", ("37.91", "0", "1.35", "36.56", "15", "21.56"), "464.64"),
}
CODES = ("total", "outbound_travel", "official_reception", "vehicles", "vehicle_purchase", "vehicle_operation")


@pytest.mark.parametrize("key", sorted(FILES))
def test_three_public_table(parsed, key):
    page, values, running = THREE[key]
    rows = {r["expense_code"]: r for r in parsed[key].tables["three_public_expenses"]}
    for col, (code, value) in enumerate(zip(CODES, values), start=1):
        r = rows[code]
        assert r["source_ref"] == f"{page}:r4c{col}"
        assert r["amount_yuan"] == (None if value is None else W(value))  # a blank cell stays blank
        assert r["amount_text"] == (None if value is None else value + "万元")
    assert rows["vehicles"]["parent_expense_code"] == "total" and rows["vehicle_purchase"]["parent_expense_code"] == "vehicles"
    (cost,) = [r for r in parsed[key].tables["summary_lines"] if r["line_code"] == "institutional_operating_costs"]
    assert cost["amount_yuan"] == W(running) and cost["source_ref"] == f"{page}:r4c7"


def test_three_public_changes_come_from_the_prose(parsed):
    rows = {r["expense_code"]: r for r in parsed["w24"].tables["three_public_expenses"]}
    # p32: “三公”经费预算数为47.91万元，比2023年预算增加25万元 … 公务用车购置费25万元，比2023年预算增加25万元
    assert rows["total"]["change_yuan"] == W("25") and rows["total"]["change_text"] == "增加25万元"
    assert rows["total"]["change_source_ref"] == "p32:l3"
    assert rows["vehicle_purchase"]["change_yuan"] == W("25")


def test_the_prose_figures_of_the_explanation(parsed):
    lines = {(r["line_code"], r["label_zh"]): r for r in parsed["gov"].tables["budget_lines"]}
    income = lines[("income_total", "收入预算")]
    assert (income["amount_yuan"], income["amount_text"], income["source_ref"]) == (W("9101.68"), "9101.68万元", "p6:l2-3")
    fiscal = lines[("income_fiscal_allocation", "财政拨款收入")]
    assert (fiscal["change_yuan"], fiscal["change_text"]) == (-W("2389.52"), "减少2389.52万元")
    assert fiscal["change_reason_zh"] == "项目调整"
    item = lines[("expenditure_function_item", "一般公共服务支出-政府办公厅（室）及相关机构事务-一般行政管理事务")]
    assert (item["amount_yuan"], item["amount_text"]) == (W("4614"), "4614万元")  # printed 4,614万元
    assert lines[("procurement_services", "政府采购服务预算")]["amount_yuan"] == W("34")
    assert lines[("institutional_operating_costs", "机关运行经费")]["amount_yuan"] == W("213.28")


def test_the_unit_budgets_wider_summary_table(parsed):
    """The 单位预算's 财务收支预算总表 splits each function class into 人员经费, 公用经费 and 项目支出 (p8)."""
    rows = {r["label_zh"]: r for r in parsed["unit"].tables["summary_lines"]
            if r["table_code"] == "financial_summary" and r["side"] == "expenditure"}
    total = rows["支出总计"]
    assert (total["amount_yuan"], total["personnel_yuan"], total["public_operating_yuan"], total["project_yuan"]) == (
        Y("91,016,775.35"), Y("22,473,997.81"), Y("2,132,777.54"), Y("66,410,000.00"))


# -- row counts, derived from the pages ---------------------------------------------------------------------

def test_row_counts_of_the_government_office(parsed):
    t = parsed["gov"].tables
    by_table = {}
    for r in t["function_lines"]:
        by_table[r["table_code"]] = by_table.get(r["table_code"], 0) + 1
    # 表2, 表3, 表5: 4 类 + 4 款 + 12 项 + 合计 (p9-10, p11-12, p14-15); 表6, 表7 empty: their 合计 row only
    assert by_table == {"income_summary": 21, "expenditure_summary": 21, "general_public_budget_expenditure": 21,
                        "government_fund_expenditure": 1, "state_capital_expenditure": 1}
    # 表1: income side 7 lines + 收入总计, expenditure side 4 类 + 支出总计; 表4: 3 + 1, 4 + 1; the 三公 table's 机关运行经费
    assert len(t["summary_lines"]) == 8 + 5 + 4 + 5 + 1
    assert len(t["three_public_expenses"]) == 6 and len(t["glossary"]) == 8
    assert [r["term_zh"] for r in t["glossary"]][:2] == ["财政拨款收入", "事业收入"]


# -- every check that does not pass, and why ----------------------------------------------------------------

EMPTY_TABLES = "表6 政府性基金 and 表7 国有资本经营 are printed empty (a 合计 row without figures, and a note)"


def _empty(fund: str, capital: str) -> dict:
    """The rows every document gets for its two empty tables: nothing to sum (skip) and the table_empty anomaly."""
    out = {}
    for page in (fund, capital):
        for check_id in ("hierarchy_adds_up", "total_row_equals_classes", "line_total_equals_parts"):
            out[(check_id, "skip", page)] = EMPTY_TABLES + ": nothing to check"
    return out


NO_FORMS = {("performance_form_funds_add_up", "skip", None): "no 绩效目标 form is printed",
            ("performance_funds_match_forms", "skip", None): "no 绩效目标 form is printed"}
NO_PLANNED = {("function_item_consistent", "skip", None): "the items do not state their year's budget a second time"}
NOT_ZERO = "the 三公 total is not zero: the zero-total check does not apply"

NOT_PASSING = {
    "fin": {
        **_empty("p17:r16", "p18:r16"), **NO_FORMS, **NO_PLANNED,
        ("change_implies_valid_previous_year", "skip", "p21:r4c2"): "因公出国(境)费 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p21:r4c5"): "购置费 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p21:r4c6"): "运行费 is a blank cell of the 三公 table",
        ("three_public_vehicles_change_equals_parts", "skip", "p22:l5"):
            "p22 states no change for 公务车购置及运行费 itself, only for its parts",
        ("three_public_zero_total_zero_items", "skip", "p21:r4c1"): NOT_ZERO,
        ("amount_written_oddly", "warn", "p21:r4c5"): "p22: '与2024年预算一致0万元' is odd wording for 持平",
        ("amount_written_oddly", "warn", "p21:r4c6"): "p22: '与2024年预算一致0万元' is odd wording for 持平",
        ("function_item_matches_table", "fail", "p7:l21-22"):
            "PRINTED ERROR: item 7 says 887.36万元 for 职业年金, the table (p15) has 873,617.00 元 = 87.36万元",
        ("table_empty", "warn", "p17:r1-16"): EMPTY_TABLES, ("table_empty", "warn", "p18:r1-16"): EMPTY_TABLES,
        ("table_note_names_another_table", "warn", "p18:l3"):
            "PRINTED ERROR: the note under 表7 (国有资本经营) says 无政府性基金预算 (a copy of 表6's note)",
    },
    "gov": {
        **_empty("p16:r12", "p17:r12"), **NO_FORMS, **NO_PLANNED,
        ("change_implies_valid_previous_year", "skip", "p20:r4c4"): "公务用车 小计 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p20:r4c5"): "购置费 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p20:r4c6"): "运行费 is a blank cell of the 三公 table",
        ("three_public_zero_total_zero_items", "skip", "p20:r4c1"): NOT_ZERO,
        ("table_empty", "warn", "p16:r1-12"): EMPTY_TABLES, ("table_empty", "warn", "p17:r1-12"): EMPTY_TABLES,
    },
    "unit": {
        **_empty("p16:r11", "p17:r11"), **NO_FORMS, **NO_PLANNED,
        ("change_implies_valid_previous_year", "skip", "p20:r4c4"): "公务用车 小计 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p20:r4c5"): "购置费 is a blank cell of the 三公 table",
        ("change_implies_valid_previous_year", "skip", "p20:r4c6"): "运行费 is a blank cell of the 三公 table",
        ("three_public_zero_total_zero_items", "skip", "p20:r4c1"): NOT_ZERO,
        ("table_empty", "warn", "p16:r1-11"): EMPTY_TABLES, ("table_empty", "warn", "p17:r1-11"): EMPTY_TABLES,
    },
    "w23": {
        **_empty("p24:r16", "p25:r16"),
        ("change_implies_valid_previous_year", "fail", "p6:l4-6"):
            "PRINTED ERROR: 政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元 (the 一般公共预算 clause's change copied)",
        ("three_public_vehicles_change_equals_parts", "skip", "p29:l5-6"):
            "p29 states no change for 公务车购置及运行费 itself, only for its parts",
        ("three_public_zero_total_zero_items", "skip", "p28:r4c1"): NOT_ZERO,
        ("function_item_consistent", "fail", "p7:l22-24"):
            "PRINTED ERROR: item 16 (职业年金) says 220.63万元 and then 2023年预算安排441.25万元 (item 15's figure)",
        ("performance_form_funds_add_up", "fail", "p35:r6c8"):
            "PRINTED ERROR: p35 其中：当年财政拨款 11,419,043.00 exceeds 年度资金申请总额 10,903,043.00",
        ("performance_funds_match_forms", "warn", "p29:l17-18"):
            "p29 says 3328.13万元 of project funds, the five forms total 3,351.33万元 (may count something else)",
        ("table_empty", "warn", "p24:r1-16"): EMPTY_TABLES, ("table_empty", "warn", "p25:r1-16"): EMPTY_TABLES,
    },
    "w24": {
        **_empty("p27:r15", "p28:r15"), **NO_FORMS,
        ("three_public_zero_total_zero_items", "skip", "p31:r4c1"): NOT_ZERO,
        ("function_item_consistent", "fail", "p9:l18-19"):
            "PRINTED ERROR: item 31 (住房公积金) says 350.35万元 and then 2024年预算安排352.67万元 (2023's figure)",
        ("table_note_agrees_with_table", "fail", "p31:l3"):
            "PRINTED ERROR: the 三公 table prints 47.91 … and its note says 本表为空表",
        ("code_digits_do_not_fit_level", "warn", "p29:r6"): "PRINTED ERROR: 款 `2` for `02` (津贴补贴)",
        ("code_digits_do_not_fit_level", "warn", "p29:r7"): "PRINTED ERROR: 款 `7` for `07` (绩效工资)",
        ("table_empty", "warn", "p27:r1-15"): EMPTY_TABLES, ("table_empty", "warn", "p28:r1-15"): EMPTY_TABLES,
        ("level_wording_differs", "warn", "p1:l1"): "p5: the 名词解释 says 市级 in a 区级 budget",
    },
    "w25": {
        **_empty("p25:r16", "p26:r16"), **NO_FORMS, **NO_PLANNED,
        ("three_public_zero_total_zero_items", "skip", "p29:r4c1"): NOT_ZERO,
        **{("hierarchy_adds_up", "fail", ref): "PRINTED ERROR: 212 01 城乡社区管理事务 94,995,790 is 1 more than its "
           "项 rows (94,995,789), so 212 城乡社区支出 154,369,326 is 1 less than its 款 rows; in 表2, 表3 and 表5"
           for ref in ("p12:r17c5", "p12:r17c6", "p12:r18c5", "p12:r18c6", "p17:r1c5", "p17:r2c5", "p23:r7c5",
                       "p23:r8c5")},
        **{("line_total_equals_parts", "fail", ref): "PRINTED ERROR: 94,995,790 ≠ 77,381,546 + 17,614,243 (= 94,995,789)"
           for ref in ("p17:r2c5", "p23:r8c5")},
        ("function_item_matches_table", "fail", "p7:l17"): "PRINTED ERROR: item 21 names 卫生健康支出（款）计划生育事务（项）; "
            "the table's path is 210 07 计划生育事务（款） 17 计划生育服务（项） (the amount, 20.00万元, agrees)",
        ("table_empty", "warn", "p25:r1-16"): EMPTY_TABLES, ("table_empty", "warn", "p26:r1-16"): EMPTY_TABLES,
    },
}


@pytest.mark.parametrize("key", sorted(FILES))
def test_every_check_that_does_not_pass_is_explained(parsed, key):
    found = {(r["check_id"], r["status"], r["stated_source_ref"] or r["source_ref"])
             for r in parsed[key].tables["checks"] if r["status"] != "pass"}
    assert found == set(NOT_PASSING[key])


def test_printed_errors_point_at_page_and_cells(parsed):
    (row,) = [r for r in parsed["w25"].tables["checks"] if r["check_id"] == "line_total_equals_parts"
              and r["stated_source_ref"] == "p23:r8c5"]
    assert (row["stated_yuan"], row["computed_yuan"], row["difference_yuan"]) == (Y("94995790"), Y("94995789"), Y("1"))
    assert row["computed_source_ref"] == "p23:r8c6 p23:r8c7" and row["tolerance_yuan"] == Y("0")
    assert "rounding alone could explain" in row["note"]  # said, not used to pass it


def test_truncated_prose_figures_pass_and_say_so(parsed):
    """The finance bureau truncates 万元 figures (87.70 for 877,080 元): within one unit of the last digit."""
    rows = {r["stated_text"]: r for r in parsed["fin"].tables["checks"] if r["check_id"] == "function_item_matches_table"}
    for text, yuan in (("87.70万元", "877,080.00"), ("78.21万元", "782,164.00"), ("204.91万元", "2,049,197.00"),
                       ("268.77万元", "2,687,760.00")):
        r = rows[text]
        assert r["status"] == "pass" and r["computed_yuan"] == Y(yuan) and r["tolerance_yuan"] == Y("100")
        assert "truncates rather than rounds" in r["note"]
    rounded = rows["1623.18万元"]  # 16,231,840.80 元 rounds to 1623.18: no note
    assert rounded["status"] == "pass" and rounded["note"] is None
