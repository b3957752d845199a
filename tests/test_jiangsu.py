"""The fourteen Jiangsu files in raw/ as the ten disclosures they are, read by the Jiangsu template.

``fixtures/jiangsu-pins.json`` holds figures read by hand from the page images of every disclosure (the Jiangsu
study: each table's totals and a few rows, the 三公 table, the prose's figures); the parse must give exactly them.
Every check of these documents that does not pass is listed in ``NOT_PASSING`` with the reason (the printed
errors the study found, the 2017 definition of 机关运行经费, the empty 政府性基金 tables …): a new failure, or an
explained one that passes, fails the test.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal

import pytest
from conftest import REPO, RAW_DIR

from pipeline.raw.discover import discover
from pipeline.raw.manifest import load_manifest
from pipeline.tables.parse import parse_raw_document

FIXTURES = REPO / "tests" / "fixtures"
PINS = json.loads((FIXTURES / "jiangsu-pins.json").read_text(encoding="utf-8"))
IDS = [p["id"] for p in PINS]
# The document each pin is of, by the department its title prints (the tables print the long forms).
DEPARTMENTS = {"procuratorate": "江苏省人民检察院", "high-court": "江苏省高级人民法院",
               "npc-standing-committee-office": "江苏省人大常委会办公厅",
               "party-committee-general-office": "江苏省委办公厅", "cppcc-office": "江苏省政协办公厅"}


def wan(text: str | None) -> Decimal | None:
    """A printed 万元 figure as exact yuan (``17,981.68`` -> 179816800.00); None for a blank cell."""
    if text is None:
        return None
    return (Decimal(text.replace(",", "").replace(" (sic)", "")) * 10000).quantize(Decimal("0.01"))


def label(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def raws():
    return {f.relpath: raw for raw in discover(RAW_DIR) for f in raw.files if f.relpath.startswith("jiangsu-")}


@pytest.fixture(scope="module")
def parsed(raws):
    out = {}
    for pin in PINS:
        first = next(iter(pin["files"].values())) + ".pdf"
        out[pin["id"]] = parse_raw_document(raws[first])
    return out


def test_fourteen_files_are_ten_disclosures_whose_origin_the_manifest_records(raws):
    files = sorted(p.name for p in RAW_DIR.glob("jiangsu-*.pdf"))
    assert len(files) == 14 and len({id(r) for r in raws.values()}) == 10
    manifest = load_manifest(RAW_DIR)
    for name in files:
        entry = manifest[name]
        assert entry.province_zh == "江苏省" and entry.source_url is None and entry.retrieved_date is None
        assert "ae86jack/open-budget" in entry.origin and "c32777dbe8060eb730f55772c881ba438d93fe4f" in entry.origin
        two = name.endswith(("-text.pdf", "-tables.pdf"))
        assert (entry.disclosure is not None) == two
        if two:
            assert entry.part == ("explanation" if name.endswith("-text.pdf") else "tables")
            raw = raws[name]
            assert [f.part for f in raw.parts] == ["explanation", "tables"] and raw.missing == ()


@pytest.mark.parametrize("pin_id", IDS)
def test_the_document(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)
    doc = parsed[pin_id].tables["documents"][0]
    body = pin_id.rsplit("-", 1)[0]
    assert (doc["department_name_zh"], doc["fiscal_year"]) == (DEPARTMENTS[body], pin["year"])
    assert (doc["template"], doc["source_amount_unit_zh"], doc["province_zh"]) == ("jiangsu-budget-2017", "万元", "江苏省")
    files = parsed[pin_id].tables["document_files"]
    expected = [("whole", pin["files"]["all"] + ".pdf")] if "all" in pin["files"] else [
        ("explanation", pin["files"]["text"] + ".pdf"), ("tables", pin["files"]["tables"] + ".pdf")]
    assert [(f["part"], f["file"]) for f in files] == expected
    assert doc["source_file"] == expected[0][1]
    # a row's source_ref names its part when the disclosure is two files
    refs = [r["source_ref"] for t in ("function_lines", "budget_lines") for r in parsed[pin_id].tables[t]]
    prefixed = {bool(re.match(r"^(explanation|tables):", ref)) for ref in refs}
    assert prefixed == {"all" not in pin["files"]}


def _summary(tables, table_code, side):
    return [r for r in tables["summary_lines"] if r["table_code"] == table_code and r["side"] == side]


@pytest.mark.parametrize("pin_id", IDS)
def test_the_summary_tables_as_read_by_hand(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)
    t = parsed[pin_id].tables
    income = {label(r["label_zh"]): r["amount_yuan"] for r in _summary(t, "financial_summary", "income")}
    assert income == {label(k): wan(v) for k, v in pin["summary"]["income"].items()}
    spending = {label(r["label_zh"]): r["amount_yuan"] for r in _summary(t, "financial_summary", "expenditure")}
    for block in ("function", "use", "expenditure_totals"):
        for k, v in pin["summary"][block].items():
            assert spending[label(k)] == wan(v), k
    classes = [r for r in _summary(t, "financial_summary", "expenditure") if r["line_code"] == "function_class"]
    assert len(classes) == 20  # the twenty classes of the 2017-18 classification, printed with or without money
    assert {label(r["label_zh"]) for r in classes if r["amount_yuan"]} == {label(k) for k in pin["summary"]["function"]}
    fiscal = pin["fiscal"]
    income = {label(r["label_zh"]): r["amount_yuan"] for r in _summary(t, "fiscal_allocation_summary", "income")}
    use = {label(r["label_zh"]): r["amount_yuan"] for r in _summary(t, "fiscal_allocation_summary", "expenditure")}
    assert {k: v for k, v in income.items() if k != "收入合计"} == {label(k): wan(v) for k, v in fiscal["income"].items()}
    assert {k: v for k, v in use.items() if k != "支出合计"} == {label(k): wan(v) for k, v in fiscal["use"].items()}
    assert income["收入合计"] == use["支出合计"] == wan(fiscal["total"])
    by_use = {r["line_code"]: r["amount_yuan"] for r in _summary(t, "expenditure_summary", "expenditure")}
    assert by_use["total"] == wan(pin["summary"]["expenditure_totals"]["支出合计"])


@pytest.mark.parametrize("pin_id", IDS)
def test_the_classification_tables_as_read_by_hand(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)
    t = parsed[pin_id].tables
    for key, table, lines, code in (("gpb_function", "general_public_budget_expenditure", "function_lines",
                                     "function_code"),
                                    ("gpb_basic", "general_public_budget_basic_expenditure", "economic_lines",
                                     "economic_code")):
        rows = [r for r in t[lines] if r["table_code"] == table]
        (total,) = [r for r in rows if r["row_kind"] == "total"]
        assert total["total_yuan"] == wan(pin[key]["total"]), key
        by_code = {r[code]: r for r in rows if r["row_kind"] == "line"}
        for c, name, value in pin[key]["rows"]:
            assert (label(by_code[c]["name_zh"]), by_code[c]["total_yuan"]) == (label(name), wan(value)), (key, c)
    # the 财政拨款 tables repeat the 一般公共预算 ones row for row (no 政府性基金 money in these documents)
    for fiscal, general, lines in (("fiscal_allocation_expenditure", "general_public_budget_expenditure",
                                    "function_lines"),
                                   ("fiscal_allocation_basic_expenditure", "general_public_budget_basic_expenditure",
                                    "economic_lines")):
        def rows(table, lines=lines):
            return [(r["row_kind"], r["function_code"] if lines == "function_lines" else r["economic_code"],
                     label(r["name_zh"]), r["total_yuan"]) for r in t[lines] if r["table_code"] == table]
        assert rows(fiscal) == rows(general) and rows(fiscal)
    (running,) = [r for r in t["economic_lines"] if r["table_code"] == "institutional_operating_costs"
                  and r["row_kind"] == "total"]
    assert running["total_yuan"] == wan(pin["jiguan"]["total"])


THREE_PUBLIC_COLUMNS = ("table_total", "total", "outbound_travel", "vehicles", "vehicle_purchase", "vehicle_operation",
                        "official_reception", "meeting_fees", "training_fees")


@pytest.mark.parametrize("pin_id", IDS)
def test_the_three_public_table_with_meetings_and_training(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)
    t = parsed[pin_id].tables
    found = {r["expense_code"]: r["amount_yuan"] for r in t["three_public_expenses"]}
    others = {r["line_code"]: r["amount_yuan"] for r in t["summary_lines"] if r["table_code"] == "three_public"}
    found.update(table_total=others["total"], meeting_fees=others["meeting_fees"],
                 training_fees=others["training_fees"])
    assert [found[c] for c in THREE_PUBLIC_COLUMNS] == [wan(v) for v in pin["sangong"]["values"]]
    # 会议费 and 培训费 are no 三公经费: not rows of three_public_expenses, whose total is the 三公 alone
    assert set(r["expense_code"] for r in t["three_public_expenses"]) == set(THREE_PUBLIC_COLUMNS[1:7])


@pytest.mark.parametrize("pin_id", IDS)
def test_the_procurement_table(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)["procurement"]
    rows = parsed[pin_id].tables["procurement_items"]
    (total,) = [r for r in rows if r["row_kind"] == "total"]
    categories = {r["catalogue_code"]: r["amount_yuan"] for r in rows if r["row_kind"] == "category"}
    assert total["amount_yuan"] == wan(pin["total"])
    assert [categories.get(c) for c in "ABC"] == [wan(pin[k]) for k in ("goods", "works", "services")]
    items = [r for r in rows if r["row_kind"] == "item"]
    assert items and all(r["category_zh"] and r["project_name_zh"] and r["procurement_method_zh"] for r in items)
    assert sum(r["amount_yuan"] for r in items) == total["amount_yuan"]


# Prose items of the pins -> budget_lines line codes (where the label says which line it is).
PROSE_LINES = {"收入、支出预算总计": "income_total", "基本支出": "expenditure_basic", "项目支出": "expenditure_project",
               "单位预留机动经费": "expenditure_reserve", "人员经费": "expenditure_personnel",
               "公用经费": "expenditure_public_operating", "机关运行经费": "institutional_operating_costs",
               "会议费": "meeting_fees", "培训费": "training_fees"}


@pytest.mark.parametrize("pin_id", IDS)
def test_the_prose_figures_and_changes(parsed, pin_id):
    pin = next(p for p in PINS if p["id"] == pin_id)
    lines = {r["line_code"]: r for r in parsed[pin_id].tables["budget_lines"]}
    checked = 0
    for name, amount, change, _ in pin["prose"]["items"]:
        code = PROSE_LINES.get(name)
        if code is None:
            continue
        row = lines[code]
        assert row["amount_yuan"] == wan(amount), name
        if change is not None:
            assert row["change_yuan"] == wan(change.replace("+", "")), name
        checked += 1
    assert checked >= 6
    assert lines["income_total"]["amount_yuan"] == lines["expenditure_total"]["amount_yuan"] == wan(
        pin["summary"]["income"]["收入合计"])


# Every check of these documents that does not pass: (document, check_id, status, subject or found text as
# printed in the row) -> why. The numbers (#1 …) are those of the Jiangsu study's list of printed errors.
_EMPTY_FUND = "the 政府性基金 table is printed empty (these bodies have no fund money): nothing to sum"
_NO_TOTAL_CHANGE = "the prose states the 三公 categories' changes but not the 三公 total's"
_RUNNING_2017 = ("2017's 机关运行经费 table counted running costs paid from projects and equipment (310), so it "
                 "exceeds the basic 302; from 2018 it is the 302 (the prose says the 口径 changed)")
_COMMON = {  # in every disclosure
    ("three_public_zero_total_zero_items", "skip", None): "the 三公 total is not zero: the rule does not apply",
    ("hierarchy_adds_up", "skip", "政府性基金预算支出功能分类预算表"): _EMPTY_FUND,
    ("total_row_equals_classes", "skip", "政府性基金预算支出功能分类预算表"): _EMPTY_FUND,
    ("table_empty", "warn", "government_fund_expenditure"): _EMPTY_FUND,
    ("function_item_consistent", "skip", None): "no item states the year's budget a second time (a Shanghai form)",
    ("three_public_change_equals_category_changes", "skip", None): _NO_TOTAL_CHANGE,
    ("three_public_vehicles_change_equals_parts", "skip", None): "the prose states no change of the vehicles' total",
}
NOT_PASSING = {
    "cppcc-office-2017": {
        ("running_costs_within_goods_and_services", "warn", "机关运行经费 ≤ 基本支出 302 商品和服务支出"): _RUNNING_2017,
        ("label_printed_otherwise", "warn", "财政转专户管理资金小计"): "#27: 收入预算总表 prints 财政转专户管理资金",
    },
    "cppcc-office-2018": {},
    "high-court-2017": {
        ("function_item_matches_table", "fail", "公共安全（类）法院（款）一般行政事务管理（项）"):
            "#31: the prose names 一般行政事务管理, the table 2040502 一般行政管理事务",
        ("table_note_agrees_with_table", "skip", None): "no note under the empty 政府性基金 table",
        ("change_percent_matches", "fail", "住房保障（类）住房改革支出（款）提租补贴（项） 增长79.05%"):
            "#11: 865.57 / 1,094.42 = 79.09 %",
        ("running_costs_within_goods_and_services", "warn", "机关运行经费 ≤ 基本支出 302 商品和服务支出"): _RUNNING_2017,
    },
    "high-court-2018": {
        ("change_implies_valid_previous_year", "skip", "公务用车购置费"):
            "the 三公 table leaves 公务用车购置费 blank; the prose says it did not change",
        ("function_item_matches_table", "fail", "公共安全（类）法院（款）一般行政事务管理（项）"):
            "#31: 一般行政事务管理 for 2040502 一般行政管理事务",
        ("table_note_agrees_with_table", "skip", None): "no note under the empty 政府性基金 table",
        ("change_percent_matches", "fail", "公共安全（类）法院（款）一般行政事务管理（项） 减少5.95%"):
            "#12: the decrease is 382.92 (6,432.89 − 6,049.97), not the printed 392.92; 5.95 % is of 382.92",
        ("percentage_written_oddly", "warn", "减少9.52"): "#13: 案件执行 减少 9.52， without its % sign",
    },
    "npc-standing-committee-office-2017": {
        ("income_equals_sources", "skip", None): "the prose states the income (全部由省财政拨款) without source figures",
        ("function_item_matches_table", "fail", "（类）人大事务行政运行（项）"):
            "#15: 10,528.33 is the 201 class, 2010101 行政运行 is 4,545.94",
        ("share_percent_matches", "fail", "因公出国（境）费 占 “三公”经费 8.75%"): "#14: shares of the table's 合计, "
                                                                             "not of the 三公经费 (26.69 %)",
        ("share_percent_matches", "fail", "公务用车购置及运行费 占 “三公”经费 7.22%"): "#14 (22.03 %)",
        ("share_percent_matches", "fail", "公务接待费 占 “三公”经费 16.81%"): "#14 (51.28 %)",
        ("running_costs_within_goods_and_services", "warn", "机关运行经费 ≤ 基本支出 302 商品和服务支出"): _RUNNING_2017,
    },
    "npc-standing-committee-office-2018": {
        ("change_implies_valid_previous_year", "skip", "公务用车购置费"):
            "the 三公 table leaves 公务用车购置费 blank; the prose states its change",
        ("change_percent_matches", "fail", "单位预留机动经费 增长1312.56%"): "#16: 1,557.29 / 128.43 = 1,212.56 %",
    },
    "party-committee-general-office-2017": {
        ("table_note_agrees_with_table", "skip", None): "no note under the empty 政府性基金 table",
        ("change_percent_matches", "fail",
         "一般公共服务（类）党委办公厅（室）及相关机构事务（款）行政运行（项） 增长1.66%"): "#17: 101.48 / 6,005.51 = 1.69 %",
        ("running_costs_within_goods_and_services", "warn", "机关运行经费 ≤ 基本支出 302 商品和服务支出"): _RUNNING_2017,
    },
    "party-committee-general-office-2018": {
        ("change_implies_valid_previous_year", "skip", "公务用车购置费"):
            "the 三公 table leaves 公务用车购置费 blank; the prose states its change",
    },
    "procuratorate-2017": {
        ("table_note_agrees_with_table", "skip", None): "no note under the empty 政府性基金 table",
        ("prose_figure_matches_table", "fail", "基本支出"): "#1: the prose prints 12323.46, the tables 12,323.48",
        ("change_percent_matches", "fail", "机关运行经费 增长129.97%"): "#2: 3,401.59 / 2,630.96 = 129.29 %",
        ("share_percent_matches", "fail", "因公出国（境）费 占 “三公”经费 18.85%"): "#3: 110 / 584.35 = 18.82 %",
        ("share_percent_matches", "fail", "公务用车购置及运行费 占 “三公”经费 54.43%"): "#3: 54.39 %",
        ("share_percent_matches", "fail", "公务接待费 占 “三公”经费 26.72%"): "#3: 26.79 %",
        ("running_costs_within_goods_and_services", "warn", "机关运行经费 ≤ 基本支出 302 商品和服务支出"): _RUNNING_2017,
    },
    "procuratorate-2018": {
        ("function_item_matches_table", "fail",
         "社会保障和就业（类）行政事业单位离退休（款）未归口管理行政单位离退休费（项）"):
            "the prose names 未归口管理行政单位离退休费, the table 2080504 未归口管理的行政单位离退休 (same amount)",
        ("change_percent_matches", "fail", "收入预算总计 增长21.95%"): "#5: 3,958.67 / 17,996.68 = 22.00 %",
        ("change_percent_matches", "fail", "公共安全（类）检察（款）一般行政管理事务（项） 增长0.06%"):
            "#7: 21.8 / 3,644.20 = 0.60 %",
        ("change_percent_matches", "fail",
         "公共安全（类）检察（款）公诉、审判、侦查、执行等检察监督支出（项） 降幅0.66%"): "#8: 134 / 2,029 = 6.60 %",
        ("prose_changes_add_up", "fail", "财政拨款 增减 = 一般公共预算 + 政府性基金 增减"):
            "#4: 财政拨款 增加 3,958.98 against 一般公共预算收入 增加 3,959.28 (= 21,940.96 − 17,981.68)",
    },
}


@pytest.mark.parametrize("pin_id", IDS)
def test_every_check_that_does_not_pass_is_explained(parsed, pin_id):
    rows = parsed[pin_id].tables["checks"]
    found = Counter((r["check_id"], r["status"], r["subject"] if r["check_id"] != "label_printed_otherwise"
                     and r["check_id"] != "percentage_written_oddly" else r["found_text"])
                    for r in rows if r["status"] != "pass")
    expected = {**_COMMON, **NOT_PASSING[pin_id]}
    assert set(found) == set(expected), (set(found) - set(expected), set(expected) - set(found))
    assert all(n == 1 for n in found.values()), found


def test_truncated_and_adjusted_percentages_pass_saying_so(parsed):
    """The study's 'T' cases (#18-#25): within one unit of the last digit, not half: a pass with a note."""
    noted = {(pin_id, r["subject"]) for pin_id, d in parsed.items() for r in d.tables["checks"]
             if r["status"] == "pass" and "within one unit of the last printed digit" in (r["note"] or "")}
    assert ("cppcc-office-2018", "机关运行经费 下降66.69%") in noted  # #18: 66.68 %
    assert ("procuratorate-2017", "公共安全（类）支出 增长2.31%") in noted  # #19: 2.3153 %
    assert ("procuratorate-2018", "基本支出 占 支出合计 合计 63.75%") in noted  # #21: nudged so shares add to 100
    assert ("party-committee-general-office-2018", "公务用车购置及运行费 占 “三公”经费 80.92%") in noted  # #25


def _digests(package, columns: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    import csv
    import hashlib
    out = {}
    for table, cols in columns.items():
        rows: dict[str, list[str]] = {}
        for part in sorted((package / "data" / "csv" / table).glob("part-*.csv")):
            with part.open(newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    rows.setdefault(row["document_id"], []).append("\x1f".join(row[c] for c in cols))
        out[table] = {doc: hashlib.sha256("\n".join(r).encode()).hexdigest() for doc, r in rows.items()}
    return out


def test_the_rows_of_the_hebei_and_shanghai_documents_are_unchanged():
    """The committed package holds, for every table the package had before the Jiangsu template, the same rows for
    the Hebei and Shanghai documents (their columns then; a column added since is empty for them)."""
    before = json.loads((FIXTURES / "rows-before-jiangsu.json").read_text(encoding="utf-8"))["tables"]
    now = _digests(REPO / "datapackage", {t: v["columns"] for t, v in before.items()})
    for table, v in before.items():
        assert v["documents"], table
        for doc, digest in v["documents"].items():
            assert now[table].get(doc) == digest, (table, doc)
    import csv
    for part in (REPO / "datapackage" / "data" / "csv" / "procurement_items").glob("part-*.csv"):
        with part.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["document_id"] in before["procurement_items"]["documents"]:
                    assert row["category_zh"] == row["economic_item_zh"] == row["procurement_method_zh"] == ""


def test_prose_copying_a_table_in_wan_yuan_gets_half_a_unit_of_each_figure(parsed):
    """#1: 12323.46 against the table's 12,323.48: 200 yuan apart, beyond 50 + 50 (no truncation allowance: the
    prose copies a 万元 figure, it does not convert 元)."""
    (row,) = [r for r in parsed["procuratorate-2017"].tables["checks"]
              if r["check_id"] == "prose_figure_matches_table" and r["subject"] == "基本支出"]
    assert (row["status"], row["difference_yuan"], row["tolerance_yuan"]) == ("fail", Decimal("-200.00"),
                                                                             Decimal("100.00"))
    assert (row["stated_text"], row["stated_source_ref"], row["computed_source_ref"]) == (
        "12323.46万元", "p19:l7-10", "p10:r4c6")


def _procurement(*rows: tuple[str, ...]) -> list[dict]:
    """The 政府采购 rows read from a grid of the given texts (header first), each cell its own position."""
    from pipeline.document.model import Cell, Row, Span, Table
    from pipeline.tables.national.grids import read_grid
    from pipeline.tables.templates.jiangsu_budget.tables import procurement_rows

    built, n = [], 0
    for texts in rows:
        cells = tuple(Cell((t,), Span(n + i + 1, n + i + 1)) for i, t in enumerate(texts))
        n += len(texts)
        built.append(Row(cells, Span(cells[0].span.first, cells[-1].span.last)))
    return procurement_rows(read_grid(Table(tuple(built), Span(1, n))), "万元", "x.pdf")


PROCUREMENT_HEAD = ("采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计")


def test_a_blank_item_name_repeats_the_item_above_but_never_one_of_another_project():
    rows = _procurement(PROCUREMENT_HEAD, ("合计", "", "", "", "", "200.00"), ("三、服务 C", "", "", "", "", "200.00"),
                        ("", "项目甲", "30209", "", "", "150.00"), ("", "", "", "物业管理服务", "分散采购", "100.00"),
                        ("", "", "", "", "集中采购", "50.00"))
    assert [(r["row_kind"], r["project_name_zh"], r["item_name_zh"], r["procurement_method_zh"]) for r in rows][3:] \
        == [("item", "项目甲", "物业管理服务", "分散采购"), ("item", "项目甲", "物业管理服务", "集中采购")]
    from pipeline.errors import DocumentError

    with pytest.raises(DocumentError, match="an item without a name") as info:
        _procurement(PROCUREMENT_HEAD, ("合计", "", "", "", "", "150.00"), ("三、服务 C", "", "", "", "", "150.00"),
                     ("", "项目甲", "30209", "", "", "100.00"), ("", "", "", "物业管理服务", "分散采购", "100.00"),
                     ("", "项目乙", "30213", "", "", "50.00"), ("", "", "", "", "分散采购", "50.00"))
    assert info.value.line == 37  # the nameless row's first cell
