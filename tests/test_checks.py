"""The checks table: the catalogue, the seed's results, and for every check a seed copy with one figure changed
that fires it, next to near misses that must not (inside tolerance, a 其中 line, a missing figure -> skip).

Assertions are on check_id, status, subject and location fields, never on message text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.paths import SCHEMAS_DIR
from pipeline.raw.discover import RawDocument
from pipeline.tables.checks import run_checks
from pipeline.tables.checks.catalogue import (
    CATALOGUE,
    KINDS,
    STATUSES,
    schema_enums,
    schema_with_enums,
)
from pipeline.tables.parse import parse_text

IDENTITIES = [c.id for c in CATALOGUE if c.kind == "identity"]


def parse(text: str):
    raw = RawDocument(path=Path("/nonexistent/doc.tika.txt"), relpath="doc.tika.txt", sha256="ab" * 32, manifest=None)
    return parse_text(text, raw)


def checks_of(text: str, check_id: str | None = None) -> list[dict]:
    rows = parse(text).tables["checks"]
    return [r for r in rows if check_id is None or r["check_id"] == check_id]


def sub(text: str, old: str, new: str, *, line: int | None = None) -> str:
    """``text`` with ``old`` replaced by ``new``: once in the whole text (``old`` must be unique), or on line
    ``line`` (1-based) only."""
    if line is None:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)
    lines = text.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


def one(rows: list[dict], **where) -> dict:
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, [(r["check_id"], r["subject"], r["status"]) for r in rows])
    return found[0]


# -- catalogue and schema ---------------------------------------------------------------------------------


def test_committed_schema_enums_are_the_catalogue():
    schema = json.loads((SCHEMAS_DIR / "checks.schema.json").read_text(encoding="utf-8"))
    enums = {f["name"]: f["constraints"].get("enum") for f in schema["fields"] if f["name"] in schema_enums()}
    assert enums == schema_enums(), "run: python -m pipeline.tables.checks --write-schema schemas/checks.schema.json"
    assert schema_with_enums(json.loads(json.dumps(schema))) == schema


def test_catalogue_ids_unique_and_kinds_known():
    ids = [c.id for c in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert {c.kind for c in CATALOGUE} <= set(KINDS)
    assert all(c.description and c.title_zh for c in CATALOGUE)


def test_package_readme_lists_every_check(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "datapackage" / "README.md").read_text(encoding="utf-8")
    for c in CATALOGUE:
        assert f"| `{c.id}` | {c.kind} |" in readme


# -- the seed -----------------------------------------------------------------------------------------------


def test_every_check_has_a_row_on_the_seed(seed_parsed):
    rows = seed_parsed.tables["checks"]
    # the Hebei template's families: its own checks and the common ones (the national ones: tests/test_national_checks.py)
    # document_part_missing has no row for a document of one file (tests/test_disclosure_parts.py)
    assert {r["check_id"] for r in rows} == {c.id for c in CATALOGUE if c.applies_to in ("common", "hebei")
                                            and c.id != "document_part_missing"}
    assert {r["status"] for r in rows} <= set(STATUSES)
    keys = [(r["check_id"], r["check_seq"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_seed_identities_pass(seed_parsed):
    rows = [r for r in seed_parsed.tables["checks"] if r["check_kind"] in ("identity", "soft")]
    not_passed = {(r["check_id"], r["status"]) for r in rows if r["status"] != "pass"}
    # The one row that is not a pass: the zero-total rule does not apply to a non-zero 三公 total.
    assert not_passed == {("three_public_zero_total_zero_items", "skip")}
    for r in rows:
        if r["check_id"] == "three_public_no_negative_amounts":
            assert r["status"] == "pass" and r["source_ref"] == "L65"
        elif r["status"] == "pass":
            assert abs(r["difference_yuan"]) <= r["tolerance_yuan"] or r["check_id"] in (
                "change_implies_valid_previous_year", "running_costs_within_public_operating",
                "fixed_assets_subset_within_parent")
            assert r["stated_source_ref"] and r["computed_source_ref"], r


def test_seed_provenance_of_a_comparison(seed_parsed):
    rows = seed_parsed.tables["checks"]
    row = one(rows, check_id="fixed_assets_total_matches_prose")
    assert (row["stated_yuan"], row["stated_text"], row["stated_source_ref"]) == (10971000, "1097.10万元", "L1658")
    assert (row["computed_yuan"], row["computed_source_ref"]) == (10971000, "L1669-L1671")
    assert (row["difference_yuan"], row["tolerance_yuan"]) == (0, 100)
    basic = one(rows, check_id="basic_equals_personnel_plus_public_operating")
    assert basic["tolerance_yuan"] == 150  # three figures printed to 0.01万元: 3 × 50 yuan
    furniture = one(rows, check_id="procurement_line_quantity_times_price", subject="9 办公家具")
    assert furniture["tolerance_yuan"] == 8500  # 16.9 × half of 0.1万元 + half of 0.01万元


def test_seed_anomalies_point_at_their_lines(seed_parsed):
    warns = [r for r in seed_parsed.tables["checks"] if r["status"] == "warn"]
    assert {(r["check_id"], r["source_ref"], r["found_text"]) for r in warns} == {
        ("amount_written_oddly", "L65", "4.37。万元"),
        ("numbering_restarts_or_repeats", "L506-L514", "1、换届选举及人事任免"),
        ("quantity_not_a_count", "L1646-L1656", "16.9 台"),
        ("activity_without_indicators", "L506-L514", "1、换届选举及人事任免"),
        ("activity_without_indicators", "L526-L534", "1、发展城市义务教育"),
        ("activity_without_indicators", "L536-L544", "2、教育政务管理"),
        ("activity_without_indicators", "L626-L634", "十一、建设与环保政务管理"),
        # 十四、政务管理's description and goal cells cross a page break: each printed twice, read once.
        ("paragraph_printed_twice", "L718-L762", "综合业务管理"),
        ("paragraph_printed_twice", "L763-L809", "协助领导组织起草或审核上报区政府以及以政府办公室名义发布的公文；办理镇政府各部门和"
         "下级政府报送的文电；对部门间出现的争议问题提出处理意见；组织起草街道领导重要讲话及其他重要文稿；组织专题调研；承办领导"
         "交办的其他事项。"),
    }
    for check_id in ("indicator_without_standards", "section_without_content", "section_missing"):
        assert one(seed_parsed.tables["checks"], check_id=check_id)["status"] == "pass"


def test_seed_document_sections_and_score(seed_parsed):
    sections = seed_parsed.tables["document_sections"]
    assert [s["section_key"] for s in sections] == [
        "duties", "overview", "running_costs", "three_public", "performance", "procurement", "assets",
        "glossary", "other"]
    assert all(s["is_present"] and s["has_content"] for s in sections)
    other = sections[-1]
    assert (other["source_ref"], other["has_data"], other["row_count"]) == ("L1706-L1707", False, 0)
    procurement = sections[5]
    assert (procurement["source_ref"], procurement["row_count"]) == ("L1478-L1656", 10)  # 9 table rows + prose total
    (doc,) = seed_parsed.tables["documents"]
    assert str(doc["completeness_score"]) == "1.0000"


# -- one figure changed: fires; near misses: don't ----------------------------------------------------------

# (check_id, substitutions, expected status, subject or None)
FIRES = [
    ("income_equals_expenditure", [("年预算收入6041.24万元", "年预算收入6041.44万元", None)], "fail", None),
    ("income_equals_sources", [("一般公共预算收入6041.24万元", "一般公共预算收入6041.04万元", None)], "fail", None),
    ("expenditure_equals_basic_plus_project", [("项目支出109.79万元，包括", "项目支出109.99万元，包括", None)], "fail", None),
    ("basic_equals_personnel_plus_public_operating", [("人员经费5785.30万元", "人员经费5785.90万元", None)], "fail", None),
    ("project_equals_named_items", [("主要为社区经费43.03万元", "主要为社区经费42.03万元", None)], "fail", None),
    ("change_equals_basic_plus_project_changes", [("基本支出增加498.63万元", "基本支出增加498.93万元", None)],
     "fail", None),
    ("change_implies_valid_previous_year", [("预算增加222.15万元", "预算增加7222.15万元", None)], "fail", "预算收入"),
    ("running_costs_within_public_operating", [("共计安排8.46万元", "共计安排246.15万元", None)], "warn", None),
    ("three_public_total_equals_categories", [("预算安排4.37万元", "预算安排4.57万元", None)], "fail", None),
    ("three_public_vehicles_equals_parts", [("公务用车运维费4.37万元", "公务用车运维费4.17万元", None)], "fail", None),
    ("three_public_change_equals_category_changes", [("相比减少0.23万元，其中", "相比减少0.43万元，其中", None)],
     "fail", None),
    ("three_public_vehicles_change_equals_parts", [("公务用车运维费减少0.23万元", "公务用车运维费减少0.13万元", None)], "fail", None),
    ("three_public_zero_total_zero_items", [("预算安排4.37万元", "预算安排0万元", None)], "fail", None),
    ("activity_budget_equals_sub_activities", [("66.76", "65.76", 527)], "fail", "08 义务教育"),
    ("activity_budget_matches_project_item", [("43.03", "44.03", 1137)], "fail", "社区经费"),
    ("activities_total_within_project", [("66.76", "67.76", 517)], "warn", None),
    ("procurement_line_quantity_times_price", [("5", "6", 1604)], "fail", "6 计算机设备"),
    ("procurement_lines_sum_to_total", [("8.46", "8.56", 1525)], "fail", None),
    ("procurement_total_matches_prose", [("政府采购预算8.46万元", "政府采购预算8.66万元", None)], "fail", None),
    ("procurement_amount_equals_funding", [("1.69", "1.89", 1655)], "fail", "9 办公家具"),
    ("procurement_current_year_equals_sources", [("1.69", "1.89", 1656)], "fail", "9 办公家具"),
    ("fixed_assets_parts_sum_to_total", [("203.15", "203.35", 1691)], "fail", None),
    ("fixed_assets_subset_within_parent", [("715.68", "815.68", 1679)], "fail", "其中：办公用房（平方米）"),
    ("fixed_assets_total_matches_prose", [("1097.10万元", "1097.30万元", None)], "fail", None),
]

# (check_id, substitutions, expected status, subject or None): inside tolerance, 其中 lines, missing figures.
NEAR_MISSES = [
    ("income_equals_expenditure", [("年预算收入6041.24万元", "年预算收入6041.25万元", None)], "pass", None),
    ("income_equals_sources", [("一般公共预算收入6041.24万元", "一般公共预算收入6041.23万元", None)], "pass", None),
    ("income_equals_sources", [("，其中：一般公共预算收入6041.24万元，基金预算收入0万元，财政专户核拨收入0万元，"
                                "其他来源收入0万元", "", None)], "skip", None),
    ("expenditure_equals_basic_plus_project", [("基本支出5931.45万元，", "基本支出5931.46万元，", None)], "pass", None),
    ("expenditure_equals_basic_plus_project", [("；项目支出109.79万元，包括", "；包括", None)], "skip", None),
    ("basic_equals_personnel_plus_public_operating", [("人员经费5785.30万元", "人员经费5785.31万元", None)], "pass",
     None),
    ("project_equals_named_items", [("主要为社区经费43.03万元", "主要为社区经费43.04万元", None)], "pass", None),
    ("project_equals_named_items", [("主要为社区经费43.03万元及民办教师经费66.76万元", "主要为社区和教育", None)],
     "skip", None),
    ("change_equals_basic_plus_project_changes", [("基本支出增加498.63万元", "基本支出增加498.64万元", None)],
     "pass", None),
    ("change_equals_basic_plus_project_changes", [("项目支出减少276.48万元", "项目支出有所调整", None)], "skip", None),
    ("change_implies_valid_previous_year", [("预算增加222.15万元", "预算增加6041.25万元", None)], "pass", "预算收入"),
    ("running_costs_within_public_operating", [("共计安排8.46万元", "共计安排146.16万元", None)], "pass", None),
    ("three_public_total_equals_categories", [("预算安排4.37万元", "预算安排4.38万元", None)], "pass", None),
    ("three_public_vehicles_equals_parts", [("公务用车运维费4.37万元", "公务用车运维费4.38万元", None)], "pass", None),
    ("three_public_change_equals_category_changes", [("相比减少0.23万元，其中", "相比减少0.24万元，其中", None)],
     "pass", None),
    ("three_public_change_equals_category_changes", [("相比减少0.23万元，其中", "相比，其中", None)], "skip", None),
    ("three_public_vehicles_change_equals_parts", [("公务用车运维费减少0.23万元", "公务用车运维费减少0.24万元", None)], "pass", None),
    ("three_public_zero_total_zero_items", [("预算安排4.37万元", "预算安排0万元", None),
                                            ("运维费4.37。万元", "运维费0万元", None),
                                            ("公务用车运维费4.37万元", "公务用车运维费0万元", None)], "pass", None),
    ("activity_budget_equals_sub_activities", [("66.76", "66.77", 527)], "pass", "08 义务教育"),
    ("activity_budget_equals_sub_activities", [("66.76", "", 527)], "skip", "08 义务教育"),
    ("activity_budget_matches_project_item", [("43.03", "43.04", 1137)], "pass", "社区经费"),
    ("activity_budget_matches_project_item", [("社区经费43.03万元", "卫生经费43.03万元", None)], "skip", "卫生经费"),
    # Two level-1 activities name 社区 equally: the one whose budget is the item's (十四, 43.03) is the match.
    ("activity_budget_matches_project_item", [("八、义务教育", "八、社区教育", 516), ("十四、政务管理", "十四、社区政务管理", 716)],
     "pass", "社区经费"),
    # … and when neither has the item's amount, which one the item funds is unknown: skip rather than guess.
    ("activity_budget_matches_project_item", [("八、义务教育", "八、社区教育", 516), ("十四、政务管理", "十四、社区政务管理", 716),
                                              ("社区经费43.03万元", "社区经费43.05万元", None)], "skip", "社区经费"),
    # One level-1 activity naming 社区 (holding the 43.03) is found before the level-2 社区建设.
    ("activity_budget_matches_project_item", [("十四、政务管理", "十四、社区政务管理", 716)], "pass", "社区经费"),
    ("activities_total_within_project", [("66.76", "66.77", 517)], "pass", None),
    ("procurement_line_quantity_times_price", [("0.45", "0.451", 1605)], "pass", "6 计算机设备"),
    ("procurement_line_quantity_times_price", [("0.45", "", 1605)], "skip", "6 计算机设备"),
    ("procurement_lines_sum_to_total", [("8.46", "8.47", 1525)], "pass", None),
    ("procurement_total_matches_prose", [("政府采购预算8.46万元", "政府采购预算8.47万元", None)], "pass", None),
    ("procurement_amount_equals_funding", [("1.69", "1.70", 1655)], "pass", "9 办公家具"),
    ("procurement_amount_equals_funding", [("1.69", "", 1654)], "skip", "9 办公家具"),
    ("procurement_current_year_equals_sources", [("1.69", "1.70", 1656)], "pass", "9 办公家具"),
    ("procurement_current_year_equals_sources", [("1.69", "", 1655)], "skip", "9 办公家具"),
    ("income_equals_expenditure", [("2019年支出预算6041.24万元", "2019年支出预算", None)], "skip", None),
    ("basic_equals_personnel_plus_public_operating", [("包括人员经费5785.30万元和", "包括", None)], "skip", None),
    ("three_public_total_equals_categories", [("因公出国（境）费0万元；", "", None)], "skip", None),
    ("three_public_vehicles_equals_parts", [("公务用车购置费为0万元，", "", None)], "skip", None),
    ("running_costs_within_public_operating", [("共计安排8.46万元", "共计安排若干", None)], "skip", None),
    ("activities_total_within_project", [("66.76", "", 517), ("43.03", "", 717)], "skip", None),
    ("fixed_assets_parts_sum_to_total", [("1097.10", "", 1671)], "skip", None),
    ("fixed_assets_parts_sum_to_total", [("203.15", "203.16", 1691)], "pass", None),
    # A 其中 line is a subset, not a part: changing it leaves the parts' sum alone.
    ("fixed_assets_parts_sum_to_total", [("715.68", "700.00", 1679)], "pass", None),
    ("fixed_assets_subset_within_parent", [("715.68", "715.69", 1679)], "pass", "其中：办公用房（平方米）"),
    ("fixed_assets_total_matches_prose", [("1097.10万元", "1097.11万元", None)], "pass", None),
    ("fixed_assets_total_matches_prose", [("上年末固定资产金额为1097.10万元，", "", None)], "skip", None),
]


def _apply(text: str, subs) -> str:
    for old, new, line in subs:
        text = sub(text, old, new, line=line)
    return text


@pytest.mark.parametrize("check_id, subs, status, subject", FIRES + NEAR_MISSES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(FIRES + NEAR_MISSES)])
def test_one_figure_changed(seed_text, check_id, subs, status, subject):
    rows = checks_of(_apply(seed_text, subs), check_id)
    row = one(rows, subject=subject) if subject else one(rows)
    assert row["status"] == status
    if status == "skip":
        assert row["difference_yuan"] is None and row["computed_yuan"] is None
    elif status in ("fail", "warn"):
        assert row["stated_source_ref"] and row["computed_source_ref"]


def test_project_item_matches_a_level_1_activity_before_a_level_2_one(seed_text):
    # 社区经费 names the level-2 14.08 社区建设 (L1136-L1144) in the seed; once its level-1 parent says 社区 too,
    # the parent is the match.
    renamed = sub(seed_text, "十四、政务管理", "十四、社区政务管理", line=716)
    for text, ref in ((seed_text, "L1136-L1144"), (renamed, "L716-L814")):
        row = one(checks_of(text, "activity_budget_matches_project_item"), subject="社区经费")
        assert (row["status"], row["computed_source_ref"]) == ("pass", ref)


def test_every_identity_and_soft_check_has_a_firing_fixture():
    fired = {c for c, _, status, _ in FIRES if status in ("fail", "warn")}
    missing = {c.id for c in CATALOGUE if c.kind in ("identity", "soft") and c.applies_to != "national"} - fired
    assert missing == {"three_public_no_negative_amounts"}  # the template cannot read a negative: see below


def test_no_negative_three_public_amounts(seed_parsed):
    tables = {name: [dict(r) for r in rows] for name, rows in seed_parsed.tables.items()}
    sections = tables.pop("document_sections")
    (row,) = [r for r in run_checks(tables, sections, "万元") if r["check_id"] == "three_public_no_negative_amounts"]
    assert row["status"] == "pass"
    next(r for r in tables["three_public_expenses"] if r["expense_code"] == "official_reception")["amount_yuan"] = -100
    (row,) = [r for r in run_checks(tables, sections, "万元") if r["check_id"] == "three_public_no_negative_amounts"]
    assert (row["status"], row["source_ref"]) == ("fail", "L65")


# -- anomalies and completeness -------------------------------------------------------------------------------


def warns(text: str, check_id: str) -> list[dict]:
    return [r for r in checks_of(text, check_id) if r["status"] == "warn"]


def test_amount_written_oddly(seed_text):
    fixed = sub(seed_text, "运维费4.37。万元", "运维费4.37万元")
    assert one(checks_of(fixed, "amount_written_oddly"))["status"] == "pass"
    elsewhere = sub(fixed, "人员经费5785.30万元", "人员经费5785.30。万元")
    assert [(r["source_ref"], r["found_text"]) for r in warns(elsewhere, "amount_written_oddly")] == [
        ("L59", "5785.30。万元")]


def test_numbering_restarts_or_repeats(seed_text):
    fixed = sub(seed_text, "\t　　1、换届选举及人事任免\n", "\t　　2、换届选举及人事任免\n")
    assert one(checks_of(fixed, "numbering_restarts_or_repeats"))["status"] == "pass"
    skipped = sub(fixed, "9、环保工作", "10、环保工作")
    assert [r["source_ref"] for r in warns(skipped, "numbering_restarts_or_repeats")] == ["L1166-L1174", "L1196-L1204"]
    sections = sub(fixed, "七、国有资产信息", "八、国有资产信息")
    # 八 printed twice: where 七 was expected, and again where 九 was.
    assert [(r["source_ref"], r["subject"]) for r in warns(sections, "numbering_restarts_or_repeats")] == [
        ("L1657", "sections"), ("L1695", "sections")]


def test_quantity_not_a_count(seed_text):
    not_a_count = sub(seed_text, "台", "米", line=1651)
    assert one(checks_of(not_a_count, "quantity_not_a_count"))["status"] == "pass"
    whole = sub(seed_text, "16.9", "17", line=1652)
    assert one(checks_of(whole, "quantity_not_a_count"))["status"] == "pass"
    vehicles = sub(not_a_count, "13", "13.5", line=1682)
    (row,) = warns(vehicles, "quantity_not_a_count")
    assert (row["source_ref"], row["found_text"]) == ("L1681-L1683", "13.5 台、辆")


def test_indicator_without_standards(seed_text):
    blank = sub(seed_text, "60%以下", "", line=124)
    (row,) = warns(blank, "indicator_without_standards")
    assert (row["subject"], row["source_ref"], row["found_text"]) == ("01.01", "L116-L124", "政务公开率")


def test_activity_without_indicators_only_leaves(seed_text):
    # 08 has sub-activities: only they are reported, never the parent.
    rows = warns(seed_text, "activity_without_indicators")
    assert "08" not in {r["subject"] for r in rows} and "08.01" in {r["subject"] for r in rows}


def test_activity_with_an_indicator_is_not_reported(seed_text):
    text = seed_text
    for line, value in zip(range(630, 635), ("环保检查完成率", "≥90%", "≥80%", "≥70%", "＜70%")):
        text = sub(text, "\t", f"\t{value}", line=line)
    rows = warns(text, "activity_without_indicators")
    assert [r["subject"] for r in rows] == ["07.02", "08.01", "08.02"]  # 11 has an indicator now


def test_section_without_content_and_missing(seed_text):
    empty = sub(seed_text, "我部门无其他需要说明的事项。", "")
    parsed = parse(empty)
    (row,) = [r for r in parsed.tables["checks"] if r["check_id"] == "section_without_content"]
    assert (row["status"], row["subject"]) == ("warn", "other") and row["source_ref"].startswith("L1706")
    assert str(parsed.tables["documents"][0]["completeness_score"]) == "0.8889"
    other = parsed.tables["document_sections"][-1]
    assert other["is_present"] and not other["has_content"]

    missing = sub(seed_text, "九、其他需要说明的事项\n", "")
    parsed = parse(missing)
    (row,) = [r for r in parsed.tables["checks"] if r["check_id"] == "section_missing"]
    assert (row["status"], row["subject"], row["source_ref"]) == ("warn", "other", None)
    other = parsed.tables["document_sections"][-1]
    assert (other["is_present"], other["has_content"], other["source_ref"]) == (False, False, None)
    assert str(parsed.tables["documents"][0]["completeness_score"]) == "0.8889"


# -- the tolerance rule -----------------------------------------------------------------------------------------

from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.tables.checks.rows import Figure, compare  # noqa: E402


def printed(yuan: int) -> str:
    """``yuan`` rounded to 0.01万元 as a disclosure prints it."""
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}万元"


def figure(label: str, text: str) -> Figure:
    return Figure(label, int(Decimal(text[:-2]) * 10000), "L1", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8))
def test_rounding_alone_never_fails_an_identity(parts):
    # True amounts in yuan, each printed rounded to 0.01万元, and their true total printed the same way.
    row = compare("income_equals_sources", figure("total", printed(sum(parts))),
                  [figure(f"p{i}", printed(p)) for i, p in enumerate(parts)], unit="万元")
    assert row["status"] == "pass"
    assert row["tolerance_yuan"] == 50 * (len(parts) + 1)  # 0.00万元 is rounded too: only a bare 0 is exact


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8), st.integers(1, 10**6))
def test_an_error_beyond_the_printed_precision_fails_however_large_the_total(parts, error):
    texts = [printed(p) for p in parts]
    total = sum(int(Decimal(t[:-2]) * 10000) for t in texts)
    tol = 50 * (len(parts) + 1)
    wrong = total + tol + error  # printed totals are multiples of 100 yuan: round up to one
    wrong += -wrong % 100
    row = compare("income_equals_sources", figure("total", printed(wrong)),
                  [figure(f"p{i}", t) for i, t in enumerate(texts)], unit="万元")
    assert row["status"] == "fail" and row["difference_yuan"] == wrong - total
