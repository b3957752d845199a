"""Every table of the seed disclosure (2019 budget of 万庄镇), checked against the figures printed in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import SEED_NAME

from pipeline.metadata.schemas import load_tables


def by(rows, key):
    return {r[key]: r for r in rows}


def test_every_table_has_rows_with_exactly_the_schema_fields(seed_parsed):
    metas = load_tables()
    national = {"summary_lines", "function_lines", "economic_lines", "classification_codes"}  # not in Hebei's layout
    assert set(seed_parsed.tables) == set(metas) - national
    for name, rows in seed_parsed.tables.items():
        assert rows, name
        for row in rows:
            assert tuple(row) == metas[name].field_names, name  # the schema's fields, in its order
            assert row["document_id"] == seed_parsed.document_id
            # checks and document_sections may point nowhere (a check that found nothing, a missing section)
            if row["source_ref"] is None:
                assert name in ("checks", "document_sections"), name
            else:
                assert row["source_ref"].startswith("L"), name


def test_document_row(seed_parsed):
    (doc,) = seed_parsed.tables["documents"]
    assert doc["document_id"] == "langfangshi-guangyangqu-wanzhuangzhen-renminzhengfu-2019-budget"
    assert doc["department_name_zh"] == "廊坊市广阳区万庄镇人民政府"
    assert doc["department_code"] == "911"
    assert doc["region_zh"] == "廊坊市广阳区" and doc["province_zh"] == "河北省"
    assert doc["fiscal_year"] == 2019 and doc["kind"] == "budget"
    assert doc["source_file"] == SEED_NAME
    assert doc["source_sha256"] == "7e14bb58b678b6a1df673d0190c0fa9f226da3eb2841450e0acbee02cf40ead1"
    assert doc["source_amount_unit_zh"] == "万元"
    assert doc["source_ref"] == "L2"


def test_organisation_units(seed_parsed):
    units = seed_parsed.tables["organisation_units"]
    assert len(units) == 6
    assert units[0]["unit_name_zh"] == "廊坊市广阳区万庄镇财政所" and units[0]["source_ref"] == "L23-L26"
    assert [u["unit_nature_zh"] for u in units] == ["行政", "行政", "行政", "事业", "事业", "行政"]
    assert {u["unit_grade_zh"] for u in units} == {"正科级"} and {u["funding_form_zh"] for u in units} == {"财政拨款"}


def test_responsibilities(seed_parsed):
    rows = seed_parsed.tables["responsibilities"]
    kinds = [r["kind"] for r in rows]
    assert kinds.count("department_duty") == 3
    assert kinds.count("overall_performance_goal") == 1
    assert kinds.count("duty_performance_goal") == 14
    first = rows[0]
    assert first["number_printed"] == "一" and first["heading_zh"] == "转变乡镇职能，明确乡镇工作重点"
    goal = next(r for r in rows if r["heading_zh"] == "残疾人综合职责")
    assert goal["source_ref"] == "L74" and goal["text_zh"].startswith("对持证残疾人需求情况")


def test_budget_lines(seed_parsed):
    lines = {(r["line_code"], r["label_zh"]): r for r in seed_parsed.tables["budget_lines"]}
    amount = {k: v["amount_yuan"] for k, v in lines.items()}
    assert amount[("income_total", "预算收入")] == 60412400
    assert amount[("expenditure_total", "支出预算")] == 60412400
    assert amount[("income_general_public_budget", "一般公共预算收入")] == 60412400
    assert amount[("income_government_fund", "基金预算收入")] == 0
    basic = lines[("expenditure_basic", "基本支出")]
    assert (basic["amount_yuan"], basic["change_yuan"]) == (59314500, 4986300)
    assert basic["change_reason_zh"] == "主要为人员经费支出" and basic["change_source_ref"] == "L61"
    assert basic["change_text"] == "增加498.63万元"  # the printed change only, like 三公's change_text
    assert amount[("expenditure_personnel", "人员经费")] == 57853000
    assert amount[("expenditure_public_operating", "日常公用经费")] == 1461500
    project = lines[("expenditure_project", "项目支出")]
    assert (project["amount_yuan"], project["change_yuan"]) == (1097900, -2764800)
    assert project["parent_line_code"] == "expenditure_total" and project["source_ref"] == "L59"
    items = {k[1]: v["amount_yuan"] for k, v in lines.items() if k[0] == "expenditure_project_item"}
    assert items == {"社区经费": 430300, "民办教师经费": 667600}
    assert amount[("institutional_operating_costs", "机关运行经费")] == 84600
    assert lines[("income_total", "预算收入")]["change_yuan"] == 2221500
    assert lines[("income_total", "预算收入")]["amount_text"] == "6041.24万元"


def test_three_public_expenses(seed_parsed):
    rows = by(seed_parsed.tables["three_public_expenses"], "expense_code")
    assert (rows["total"]["amount_yuan"], rows["total"]["change_yuan"]) == (43700, -2300)
    assert rows["vehicles"]["amount_yuan"] == 43700 and rows["vehicles"]["amount_text"] == "4.37。万元"
    assert rows["vehicle_operation"]["amount_yuan"] == 43700 and rows["vehicle_operation"]["change_yuan"] == -2300
    assert rows["vehicle_purchase"]["amount_yuan"] == 0
    assert rows["outbound_travel"]["amount_yuan"] == 0 and rows["outbound_travel"]["change_yuan"] is None
    assert rows["official_reception"]["amount_yuan"] == 0 and rows["official_reception"]["change_yuan"] == 0
    assert rows["vehicle_operation"]["parent_expense_code"] == "vehicles"
    assert all(r["source_ref"] == "L65" for r in rows.values())


def test_performance_activities_and_indicators(seed_parsed):
    acts = by(seed_parsed.tables["performance_activities"], "activity_id")
    inds = seed_parsed.tables["performance_indicators"]
    assert len(acts) == 46 and len(inds) == 110
    assert sum(a["level"] == 1 for a in acts.values()) == 14
    assert acts["08"]["name_zh"] == "义务教育" and acts["08"]["annual_budget_yuan"] == 667600
    assert acts["08.01"]["annual_budget_yuan"] == 667600 and acts["08.01"]["parent_activity_id"] == "08"
    assert acts["14"]["annual_budget_yuan"] == 430300 and acts["14.08"]["name_zh"] == "社区建设"
    assert acts["14.08"]["annual_budget_yuan"] == 430300
    # The stray second "1、" under 七 is kept, numbered as printed.
    assert (acts["07.02"]["number_printed"], acts["07.02"]["name_zh"]) == ("1", "换届选举及人事任免")
    # Continuation paragraphs after 43 empty ones (lines 718-762) belong to the same cell, and the merged
    # cell's repeated text is kept once.
    assert acts["14"]["description_zh"] == "综合业务管理"
    assert acts["14"]["performance_goal_zh"].startswith("协助领导") and "\n" not in acts["14"]["performance_goal_zh"]
    assert acts["14"]["source_ref"] == "L716-L814"
    # A Word tab inside a cell stays in the text.
    assert acts["14.06"]["description_zh"].startswith("社会保障事务\t切实解决")
    assert all(i[f] for i in inds for f in
               ("standard_excellent_zh", "standard_good_zh", "standard_fair_zh", "standard_poor_zh"))
    assert {i["activity_id"] for i in inds} <= set(acts)
    first = inds[0]
    assert (first["activity_id"], first["indicator_name_zh"], first["standard_poor_zh"]) == ("01.01", "政务公开率", "60%以下")


def test_procurement_items(seed_parsed):
    rows = seed_parsed.tables["procurement_items"]
    items = [r for r in rows if r["row_kind"] == "item"]
    (total,) = [r for r in rows if r["row_kind"] == "total"]
    assert len(items) == 8 and sum(r["amount_yuan"] for r in items) == 84600 == total["amount_yuan"]
    furniture = items[-1]
    assert furniture["item_name_zh"] == "办公家具" and furniture["catalogue_code"] == "A06"
    assert furniture["quantity"] == Decimal("16.9") and furniture["unit_price_yuan"] == 1000
    assert furniture["amount_yuan"] == 16900 and furniture["general_public_budget_yuan"] == 16900
    assert furniture["source_ref"] == "L1646-L1656"
    assert items[0]["catalogue_code"] == "A020204" and items[0]["quantity_unit_zh"] == "台"
    assert all(r["government_fund_yuan"] is None for r in rows)


def test_fixed_assets(seed_parsed):
    rows = by(seed_parsed.tables["fixed_assets"], "line_code")
    assert rows["total"]["value_yuan"] == 10971000 and rows["total"]["quantity"] is None
    assert rows["vehicles"]["quantity"] == 13 and rows["vehicles"]["value_yuan"] == 1782700
    assert rows["vehicles"]["quantity_unit_zh"] == "台、辆"
    # printed "15,034": *_text columns hold the figure without thousands separators (pipeline/document/normalise.py)
    assert rows["buildings"]["quantity"] == 15034 and rows["buildings"]["quantity_text"] == "15034"
    assert rows["buildings_office"]["is_subset"] and rows["buildings_office"]["parent_line_code"] == "buildings"
    parts = [r["value_yuan"] or 0 for r in rows.values() if not r["is_subset"] and r["line_code"] != "total"]
    assert sum(parts) == 10971000
    assert {r["as_of_date"] for r in rows.values()} == {date(2018, 12, 31)}


def test_glossary(seed_parsed):
    rows = seed_parsed.tables["glossary"]
    assert len(rows) == 10 and [r["term_seq"] for r in rows] == list(range(1, 11))
    assert rows[6]["term_zh"] == "“三公”经费" and rows[6]["source_ref"] == "L1702"


@pytest.mark.parametrize("table", ["budget_lines", "three_public_expenses", "procurement_items", "fixed_assets",
                                   "performance_activities", "checks"])
def test_amounts_are_decimals_of_two_places_never_floats(seed_parsed, table):
    seen = 0
    for row in seed_parsed.tables[table]:
        for key, value in row.items():
            if key.endswith("_yuan") and value is not None:
                assert type(value) is Decimal and value.as_tuple().exponent == -2, (table, key, value)
                seen += 1
    assert seen
