"""The rows a correct parse of a rendered disclosure must give: the generator's known answers.

:func:`expected_tables` maps a :class:`~pipeline.synth.records.Disclosure` to ``{table: [row, ...]}`` with the
fields of ``schemas/`` except ``document_id``, ``source_ref`` and ``change_source_ref`` (where in the text a
value was printed is checked separately, against the rendered lines). Amounts are exact yuan with two places (fen).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.document.normalise import normalise
from pipeline.synth import vocab
from pipeline.synth.records import YUAN, Disclosure
from pipeline.tables.amounts import fen
from pipeline.synth.render import amount_text, change_text

UNREFERENCED = ("document_id", "source_ref", "change_source_ref")


def _yuan(units: int) -> Decimal:
    """An amount of the generator (hundredths of 万元) in yuan, as the package publishes it."""
    return fen(units * YUAN)


def _line(code, parent, label, amount, text, change=None, change_txt=None, reason=None) -> dict:
    return {"line_code": code, "parent_line_code": parent, "label_zh": label, "amount_yuan": _yuan(amount),
            "amount_text": text, "change_yuan": None if change is None else _yuan(change),
            "change_text": change_txt, "change_reason_zh": reason}


def budget_lines(d: Disclosure) -> list[dict]:
    b, t, g = d.budget, d.trim_zeros, d.grouped_thousands
    a = lambda v: amount_text(v, t, g) + "万元"  # noqa: E731

    def change(v: int) -> tuple[int, str]:
        return v, ("持平" if v == 0 else change_text(v, t, g))

    rows = [_line("income_total", None, "预算收入", b.total, a(b.total), *change(b.total_change))]
    rows += [_line(INCOME_CODES[label], "income_total", label, v, a(v)) for label, v in b.income]
    rows.append(_line("expenditure_total", None, "支出预算", b.total, a(b.total), *change(b.total_change)))
    rows.append(_line("expenditure_basic", "expenditure_total", "基本支出", b.basic, a(b.basic), *change(b.basic_change),
                      b.basic_reason if b.basic_change else None))
    rows.append(_line("expenditure_personnel", "expenditure_basic", "人员经费", b.personnel, a(b.personnel)))
    rows.append(_line("expenditure_public_operating", "expenditure_basic", "日常公用经费", b.public_operating,
                      a(b.public_operating)))
    rows.append(_line("expenditure_project", "expenditure_total", "项目支出", b.project, a(b.project),
                      *change(b.project_change), b.project_reason if b.project_change else None))
    rows.append(_line("expenditure_project_own_level", "expenditure_project", "本级支出", b.project, a(b.project)))
    rows += [_line("expenditure_project_item", "expenditure_project", label, v, a(v)) for label, v in b.project_items]
    rows.append(_line("institutional_operating_costs", None, "机关运行经费", b.running_costs, a(b.running_costs)))
    if d.procurement:
        total = sum(i.amount for i in d.procurement)
        rows.append(_line("procurement_total", None, "政府采购预算", total, amount_text(total, t) + "万元"))
    if d.assets:
        total = d.assets.total
        rows.append(_line("fixed_assets_total", None, "上年末固定资产金额", total, amount_text(total, t) + "万元"))
    return rows


INCOME_CODES = {
    "一般公共预算收入": "income_general_public_budget", "一般公共预算拨款收入": "income_general_public_budget",
    "基金预算收入": "income_government_fund", "政府性基金预算收入": "income_government_fund",
    "财政专户核拨收入": "income_special_account", "财政专户管理资金收入": "income_special_account",
    "其他来源收入": "income_other", "其他收入": "income_other", "事业收入": "income_operations",
    "上年结转": "income_carryover", "上年结转收入": "income_carryover",
}


def three_public_expenses(d: Disclosure) -> list[dict]:
    p, t = d.three_public, d.trim_zeros
    a = lambda v: amount_text(v, t) + "万元"  # noqa: E731

    def row(code, parent, label, amount, text, change, ctext, reason=None):
        return {"expense_code": code, "parent_expense_code": parent, "label_zh": label, "amount_yuan": _yuan(amount),
                "amount_text": text, "change_yuan": _yuan(change), "change_text": ctext, "change_reason_zh": reason}

    return [
        row("total", None, "“三公”经费", p.total, a(p.total), p.total_change,
            "持平" if p.total_change == 0 else change_text(p.total_change, t), p.reason if p.total_change else None),
        row("outbound_travel", "total", "因公出国（境）费", p.outbound, a(p.outbound), p.outbound_change,
            change_text(p.outbound_change, t)),
        row("vehicles", "total", p.vehicles_label, p.vehicles,
            amount_text(p.vehicles, t) + ("。万元" if p.stray_full_stop else "万元"), p.vehicles_change,
            change_text(p.vehicles_change, t)),
        row("vehicle_purchase", "vehicles", "公务用车购置费", p.purchase, a(p.purchase), p.purchase_change,
            change_text(p.purchase_change, t)),
        row("vehicle_operation", "vehicles", p.operation_label, p.operation, a(p.operation), p.operation_change,
            change_text(p.operation_change, t)),
        row("official_reception", "total", "公务接待费", p.reception, a(p.reception), p.reception_change,
            "持平" if p.reception_change == 0 else change_text(p.reception_change, t)),
    ]


def read_once(paragraphs: tuple[str, ...]) -> list[str]:
    """A cell's paragraphs as the parse gives them: one printed twice in a row is read once (and reported)."""
    return [p for i, p in enumerate(paragraphs) if i == 0 or p != paragraphs[i - 1]]


def printed_twice(act) -> list[str]:
    """The paragraphs of ``act``'s description printed twice in a row: by the page-break quirk, or adversarial."""
    if len(act.description) == 1 and act.printed_twice:
        return [act.description[0]]
    return [p for i, p in enumerate(act.description) if i > 0 and p == act.description[i - 1]]


def activities_and_indicators(d: Disclosure) -> tuple[list[dict], list[dict]]:
    activities, indicators = [], []

    def add(act, activity_id, parent, level):
        budget = None if act.budget is None else amount_text(act.budget, d.trim_zeros)
        activities.append({
            "activity_id": activity_id, "parent_activity_id": parent, "level": level, "number_printed": act.number,
            "name_zh": act.name, "annual_budget_yuan": None if act.budget is None else _yuan(act.budget),
            "annual_budget_text": budget, "description_zh": "\n".join(read_once(act.description)),
            "performance_goal_zh": act.goal})
        for seq, ind in enumerate(act.indicators, start=1):
            indicators.append({"activity_id": activity_id, "indicator_seq": seq, "indicator_name_zh": ind.name,
                               **dict(zip(("standard_excellent_zh", "standard_good_zh", "standard_fair_zh",
                                           "standard_poor_zh"), (s or None for s in ind.standards)))})

    for i, act in enumerate(d.activities, start=1):
        add(act, f"{i:02d}", None, 1)
        for k, child in enumerate(act.children, start=1):
            add(child, f"{i:02d}.{k:02d}", f"{i:02d}", 2)
    return activities, indicators


def procurement_items(d: Disclosure) -> list[dict]:
    if not d.procurement:
        return []
    y = lambda v: _yuan(v) if v else None  # noqa: E731
    items = d.procurement
    s = lambda f: sum(getattr(i, f) for i in items)  # noqa: E731
    grouping = {"category_zh": None, "economic_item_zh": None, "procurement_method_zh": None}
    rows = [{"row_seq": 1, "row_kind": "total", "project_name_zh": "合计", "project_budget_yuan": y(s("amount")),
             "item_name_zh": None, "catalogue_code": None, "quantity_unit_zh": None, "quantity": None,
             "unit_price_yuan": None, "amount_yuan": y(s("amount")), "current_year_total_yuan": y(s("current_year")),
             "general_public_budget_yuan": y(s("general")), "government_fund_yuan": y(s("fund")),
             "special_account_yuan": y(s("special")), "other_sources_yuan": y(s("other_sources")),
             "other_channels_yuan": y(s("other_channels")), **grouping}]
    for seq, i in enumerate(items, start=2):
        rows.append({"row_seq": seq, "row_kind": "item", "project_name_zh": i.project, "project_budget_yuan": None,
                     "item_name_zh": i.item, "catalogue_code": i.code, "quantity_unit_zh": i.unit,
                     "quantity": Decimal(i.quantity), "unit_price_yuan": y(i.unit_price), "amount_yuan": y(i.amount),
                     "current_year_total_yuan": y(i.current_year), "general_public_budget_yuan": y(i.general),
                     "government_fund_yuan": y(i.fund), "special_account_yuan": y(i.special),
                     "other_sources_yuan": y(i.other_sources), "other_channels_yuan": y(i.other_channels),
                     **grouping})
    return rows


def fixed_assets(d: Disclosure) -> list[dict]:
    a = d.assets
    if a is None:
        return []
    t = d.trim_zeros
    as_of = date(a.as_of_year, 12, 31)

    def row(code, parent, subset, label, qty, qunit, qtext, value):
        text = (amount_text(value, t, d.grouped_thousands)
                if value or code in ("total", "buildings", "buildings_office") else None)
        return {"line_code": code, "parent_line_code": parent, "is_subset": subset, "label_zh": label,
                "quantity": None if qty is None else Decimal(qty), "quantity_unit_zh": qunit, "quantity_text": qtext,
                "value_yuan": None if text is None else _yuan(value), "value_text": text, "as_of_date": as_of}

    return [
        row("total", None, False, "资产总额", None, None, "——", a.total),
        row("buildings", "total", False, "1、房屋（平方米）", a.building_area, "平方米", f"{a.building_area:,}",
            a.building_value),
        row("buildings_office", "buildings", True, "其中：办公用房（平方米）", a.office_area, "平方米",
            f"{a.office_area:,}", a.office_value),
        row("vehicles", "total", False, "2、车辆（台、辆）", a.vehicle_count or None, "台、辆",
            str(a.vehicle_count) if a.vehicle_count else None, a.vehicle_value),
        row("equipment_over_200k", "total", False, "3、单价在20万元以上的设备", a.equipment_count or None, None,
            str(a.equipment_count) if a.equipment_count else None, a.equipment_value),
        row("other", "total", False, "4、其他固定资产", None, None, None, a.other_value),
    ]


def expected_tables(d: Disclosure) -> dict[str, list[dict]]:
    """Every table the template produces from ``d``'s text, in the template's row order."""
    activities, indicators = activities_and_indicators(d)
    duties = [{"kind": "department_duty", "number_printed": "一二三四五六七八九十"[i], "heading_zh": heading,
               "text_zh": f"{heading}。{rest}"} for i, (heading, rest) in enumerate(d.duties)]
    goals = [{"kind": "overall_performance_goal", "number_printed": None, "heading_zh": None, "text_zh": text}
             for text in d.overall_goals]
    goals += [{"kind": "duty_performance_goal", "number_printed": None, "heading_zh": heading, "text_zh": body}
              for heading, body in d.duty_goals]
    return _canonical({
        "organisation_units": [{"unit_seq": i, "unit_name_zh": u.name, "unit_nature_zh": u.nature,
                                "unit_grade_zh": u.grade, "funding_form_zh": u.funding}
                               for i, u in enumerate(d.units, start=1)],
        "responsibilities": [{"responsibility_seq": i, **row} for i, row in enumerate(duties + goals, start=1)],
        "budget_lines": budget_lines(d),
        "three_public_expenses": three_public_expenses(d),
        "performance_activities": activities,
        "performance_indicators": indicators,
        "procurement_items": procurement_items(d),
        "fixed_assets": fixed_assets(d),
        "glossary": [{"term_seq": i, "term_zh": term, "definition_zh": definition}
                     for i, (term, definition) in enumerate(d.glossary, start=1)],
    })


def _canonical(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Text as the parser publishes it: folded by pipeline.document.normalise (e.g. ``18,299`` -> ``18299``)."""
    return {name: [{k: normalise(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
            for name, rows in tables.items()}


def without_refs(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Parsed tables with the fields :func:`expected_tables` leaves out removed, for comparison."""
    return {name: [{k: v for k, v in row.items() if k not in UNREFERENCED} for row in rows]
            for name, rows in tables.items()}


def expected_anomalies(d: Disclosure) -> list[tuple[str, str, str]]:
    """The source anomalies the generator put into ``d``, as the ``checks`` table must report them: one
    ``(check_id, subject, found_text)`` per warn row, sorted. Everything else in a generated document is clean."""
    found = []
    p = d.three_public
    if p.stray_full_stop:
        found.append(("amount_written_oddly", p.vehicles_label, amount_text(p.vehicles, d.trim_zeros) + "。万元"))
    for item in d.procurement or ():
        if item.unit in vocab.COUNTED_UNITS and Decimal(item.quantity) % 1:
            found.append(("quantity_not_a_count", item.item, f"{item.quantity} {item.unit}"))
    for i, act in enumerate(d.activities, start=1):
        for activity_id, a in ((f"{i:02d}", act), *((f"{i:02d}.{k:02d}", c) for k, c in enumerate(act.children, 1))):
            found += [("indicator_without_standards", activity_id, ind.name) for ind in a.indicators
                      if "" in ind.standards]
            if not a.children and not a.indicators:
                found.append(("activity_without_indicators", activity_id, f"{a.number}、{a.name}"))
            # subject: the first text of the activity's row, its printed name
            found += [("paragraph_printed_twice", normalise(f"{a.number}、{a.name}"), normalise(p))
                      for p in printed_twice(a)]
    return sorted(found)
