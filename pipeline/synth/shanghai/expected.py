"""The rows a correct parse of a synthetic Shanghai disclosure must give: the generator's known answers, with
the ``source_ref`` of every table row (the page and grid row it was drawn on)."""

from __future__ import annotations

from decimal import Decimal

from pipeline.synth.shanghai.records import ECONOMIC, FUNCTIONS, GLOSSARY, ORDINALS, ShanghaiDisclosure
from pipeline.synth.shanghai.render import hundredths_text, wan, yuan_text
from pipeline.tables.amounts import fen

FUNCTION_FIELDS = ("total_yuan", "basic_yuan", "project_yuan", "fiscal_allocation_yuan", "operations_income_yuan",
                   "business_income_yuan", "other_income_yuan")
SUMMARY_FIELDS = ("amount_yuan", "general_public_budget_yuan", "government_fund_yuan", "state_capital_yuan",
                  "personnel_yuan", "public_operating_yuan", "project_yuan")


def _y(fen_amount: int) -> Decimal:
    return fen(Decimal(fen_amount) / 100)


def _cell(v: int, d: ShanghaiDisclosure) -> Decimal | None:
    """What a cell of an amount prints back as: a zero printed blank is empty, else the amount."""
    return None if v == 0 and d.layout.zero == "" else _y(v)


def _ref(place: tuple[int, int], cols: str = "") -> str:
    page, row = place
    return f"p{page}:r{row}{cols}"


def function_lines(d: ShanghaiDisclosure, places: dict) -> list[dict]:
    rows = []
    for table in ("income_summary", "expenditure_summary", "general_public_budget_expenditure",
                  "government_fund_expenditure", "state_capital_expenditure"):
        empty = table in ("government_fund_expenditure", "state_capital_expenditure")
        lines = [] if empty else d.lines()
        for seq, (code, basic, project) in enumerate(lines, start=1):
            parts = [code[:3], code[3:5] or None, code[5:7] or None]
            amounts = dict.fromkeys(FUNCTION_FIELDS)
            amounts["total_yuan"] = _y(basic + project)
            if table == "income_summary":
                amounts.update(fiscal_allocation_yuan=_y(basic + project), operations_income_yuan=_cell(0, d),
                               business_income_yuan=_cell(0, d), other_income_yuan=_cell(0, d))
            else:
                amounts.update(basic_yuan=_cell(basic, d), project_yuan=_cell(project, d))
            rows.append({"table_code": table, "row_seq": seq, "row_kind": "line", "level": len(code) // 2,
                         "function_code": code, "class_code": parts[0], "section_code": parts[1],
                         "item_code": parts[2], "name_zh": FUNCTIONS[code], **amounts,
                         "source_ref": _ref(places[table][seq - 1])})
        amounts = dict.fromkeys(FUNCTION_FIELDS)
        if not empty:
            amounts["total_yuan"] = _y(d.total)
            if table == "income_summary":
                amounts.update(fiscal_allocation_yuan=_y(d.total), operations_income_yuan=_cell(0, d),
                               business_income_yuan=_cell(0, d), other_income_yuan=_cell(0, d))
            else:
                amounts.update(basic_yuan=_cell(d.basic, d), project_yuan=_cell(d.project, d))
        rows.append({"table_code": table, "row_seq": len(lines) + 1, "row_kind": "total", "level": None,
                     "function_code": None, "class_code": None, "section_code": None, "item_code": None,
                     "name_zh": "合计", **amounts, "source_ref": _ref(places[table][-1])})
    return rows


def economic_lines(d: ShanghaiDisclosure, places: dict) -> list[dict]:
    table = "general_public_budget_basic_expenditure"
    rows = []
    lines = d.economic_lines()
    for seq, (code, personnel, public) in enumerate(lines, start=1):
        rows.append({"table_code": table, "row_seq": seq, "row_kind": "line", "level": 1 if len(code) == 3 else 2,
                     "economic_code": code, "class_code": code[:3], "section_code": code[3:] or None,
                     "name_zh": ECONOMIC[code], "total_yuan": _y(personnel + public),
                     "personnel_yuan": _cell(personnel, d), "public_operating_yuan": _cell(public, d),
                     "source_ref": _ref(places[table][seq - 1])})
    personnel, public = sum(e.personnel for e in d.economic), sum(e.public for e in d.economic)
    rows.append({"table_code": table, "row_seq": len(lines) + 1, "row_kind": "total", "level": None,
                 "economic_code": None, "class_code": None, "section_code": None, "name_zh": "合计",
                 "total_yuan": _y(personnel + public), "personnel_yuan": _cell(personnel, d),
                 "public_operating_yuan": _cell(public, d), "source_ref": _ref(places[table][-1])})
    return rows


def classification_codes(d: ShanghaiDisclosure, places: dict) -> list[dict]:
    out = []
    for seq, (code, _, _) in enumerate(d.lines()):  # first printed in 收入预算总表
        out.append({"classification": "function", "code": code, "level": len(code) // 2,
                    "parent_code": code[:-2] if len(code) > 3 else None, "name_zh": FUNCTIONS[code],
                    "source_ref": _ref(places["income_summary"][seq])})
    for seq, (code, _, _) in enumerate(d.economic_lines()):
        out.append({"classification": "economic", "code": code, "level": 1 if len(code) == 3 else 2,
                    "parent_code": code[:3] if len(code) > 3 else None, "name_zh": ECONOMIC[code],
                    "source_ref": _ref(places["general_public_budget_basic_expenditure"][seq])})
    return out


def _summary(table, side, seq, code, label, place, cols, **amounts) -> dict:
    return {"table_code": table, "side": side, "row_seq": seq, "line_code": code, "label_zh": label,
            **dict.fromkeys(SUMMARY_FIELDS), **amounts, "source_ref": f"{_ref(place, cols[0])}-{_ref(place, cols[1])}"}


def summary_lines(d: ShanghaiDisclosure, places: dict) -> list[dict]:
    total = _y(d.total)
    classes = [(c, b + p) for c, b, p in d.lines() if len(c) == 3]
    fin, fis = places["financial_summary"], places["fiscal_allocation_summary"]
    out = []
    left = [("fiscal_allocation", "一、财政拨款收入", total), ("general_public_budget", "1.一般公共预算资金", total),
            ("government_fund", "2.政府性基金", None), ("state_capital", "3.国有资本经营预算", None),
            ("operations_income", "二、事业收入", None), ("business_income", "三、事业单位经营收入", None),
            ("other_income", "四、其他收入", None)]
    for seq, (code, label, amount) in enumerate(left, start=1):
        out.append(_summary("financial_summary", "income", seq, code, label, fin[seq - 1], ("c1", "c2"),
                            amount_yuan=amount))
    out.append(_summary("financial_summary", "income", len(left) + 1, "total", "收入总计", fin[-1], ("c1", "c2"),
                        amount_yuan=total))
    for seq, (code, amount) in enumerate(classes, start=1):
        out.append(_summary("financial_summary", "expenditure", seq, "function_class",
                            f"{ORDINALS[seq - 1]}、{FUNCTIONS[code]}", fin[seq - 1], ("c3", "c4"), amount_yuan=_y(amount)))
    out.append(_summary("financial_summary", "expenditure", len(classes) + 1, "total", "支出总计", fin[-1], ("c3", "c4"),
                        amount_yuan=total))
    left = [("general_public_budget", "一、一般公共预算资金", total), ("government_fund", "二、政府性基金", None),
            ("state_capital", "三、国有资本经营预算", None)]
    for seq, (code, label, amount) in enumerate(left, start=1):
        out.append(_summary("fiscal_allocation_summary", "income", seq, code, label, fis[seq - 1], ("c1", "c2"),
                            amount_yuan=amount))
    out.append(_summary("fiscal_allocation_summary", "income", len(left) + 1, "total", "收入总计", fis[-1],
                        ("c1", "c2"), amount_yuan=total))
    for seq, (code, amount) in enumerate(classes, start=1):
        out.append(_summary("fiscal_allocation_summary", "expenditure", seq, "function_class",
                            f"{ORDINALS[seq - 1]}、{FUNCTIONS[code]}", fis[seq - 1], ("c3", "c7"),
                            amount_yuan=_y(amount), general_public_budget_yuan=_y(amount)))
    out.append(_summary("fiscal_allocation_summary", "expenditure", len(classes) + 1, "total", "支出总计", fis[-1],
                        ("c3", "c7"), amount_yuan=total, general_public_budget_yuan=total))
    (place,) = places["three_public"]
    running = _hundredths(d.running_costs)
    out.append({"table_code": "three_public", "side": "expenditure", "row_seq": 1,
                "line_code": "institutional_operating_costs", "label_zh": "机关运行经费预算数",
                **dict.fromkeys(SUMMARY_FIELDS), "amount_yuan": running, "source_ref": _ref(place, "c7")})
    return out


def _hundredths(v: int) -> Decimal:
    return fen(Decimal(v) * 100)


def three_public_expenses(d: ShanghaiDisclosure, places: dict) -> list[dict]:
    out, rec, buy, run = d.three_public
    (place,) = places["three_public"]
    columns = (("total", None, "合计", out + rec + buy + run), ("outbound_travel", "total", "因公出国(境)费", out),
               ("official_reception", "total", "公务接待费", rec), ("vehicles", "total", "公务用车购置及运行费", buy + run),
               ("vehicle_purchase", "vehicles", "购置费", buy), ("vehicle_operation", "vehicles", "运行费", run))
    rows = []
    for col, (code, parent, label, v) in enumerate(columns, start=1):
        blank = v == 0 and d.layout.zero == ""
        rows.append({"expense_code": code, "parent_expense_code": parent, "label_zh": label,
                     "amount_yuan": None if blank else _hundredths(v),
                     "amount_text": None if blank else hundredths_text(v, d, cell=True) + "万元",
                     "change_yuan": Decimal("0.00"), "change_text": "持平", "change_reason_zh": None,
                     "source_ref": _ref(place, f"c{col}")})
    return rows


def budget_lines(d: ShanghaiDisclosure) -> list[dict]:
    """The prose figures (without their refs): 编制说明, 机关运行经费, 政府采购."""
    def line(code, parent, label, value, text, change=None, change_text=None, reason=None):
        return {"line_code": code, "parent_line_code": parent, "label_zh": label, "amount_yuan": value,
                "amount_text": text, "change_yuan": change, "change_text": change_text, "change_reason_zh": reason}

    total = wan(d.total, d)
    total_text = f"{total:.2f}万元" if d.total else "0万元"
    change = fen(Decimal(d.change) * 100) if d.change else Decimal("0.00")
    ch_text = ("持平" if not d.change else f"{'增加' if d.change > 0 else '减少'}{Decimal(abs(d.change)) / 100:.2f}万元")
    reason = "项目调整" if d.change else None
    value = fen(total * 10000)
    rows = [line("income_total", None, "收入预算", value, total_text),
            line("income_fiscal_allocation", "income_total", "财政拨款收入", value, total_text, change, ch_text, reason),
            line("income_operations", "income_total", "事业收入", Decimal("0.00"), "0万元"),
            line("income_business", "income_total", "事业单位经营收入", Decimal("0.00"), "0万元"),
            line("income_other", "income_total", "其他收入", Decimal("0.00"), "0万元"),
            line("expenditure_total", None, "支出预算", value, total_text),
            line("expenditure_fiscal_allocation", "expenditure_total", "财政拨款支出预算", value, total_text, change,
                 ch_text, reason),
            line("expenditure_general_public_budget", "expenditure_fiscal_allocation", "一般公共预算拨款支出预算", value,
                 total_text, change, ch_text),
            line("expenditure_government_fund", "expenditure_fiscal_allocation", "政府性基金拨款支出预算",
                 Decimal("0.00"), "0万元", Decimal("0.00"), "持平"),
            line("expenditure_state_capital", "expenditure_fiscal_allocation", "国有资本经营预算拨款支出预算",
                 Decimal("0.00"), "0万元", Decimal("0.00"), "持平")]
    for item in d.items:
        names = FUNCTIONS[item.code[:3]], FUNCTIONS[item.code[:5]], FUNCTIONS[item.code]
        label = ("{}（类）{}（款）{}（项）" if d.layout.brackets else "{}-{}-{}").format(*names)
        v = wan(item.total, d)
        rows.append(line("expenditure_function_item", "expenditure_fiscal_allocation", label, fen(v * 10000),
                         f"{v:.2f}万元" if item.total else "0万元"))
    rows.append(line("institutional_operating_costs", None, "机关运行经费", _hundredths(d.running_costs),
                     hundredths_text(d.running_costs, d) + "万元"))
    g, w, s = d.procurement
    for code, parent, label, v in (("procurement_total", None, "政府采购预算", g + w + s),
                                   ("procurement_goods", "procurement_total", "政府采购货物预算", g),
                                   ("procurement_works", "procurement_total", "政府采购工程预算", w),
                                   ("procurement_services", "procurement_total", "政府采购服务预算", s)):
        rows.append(line(code, parent, label, _hundredths(v), hundredths_text(v, d) + "万元"))
    return rows


def text_tables(d: ShanghaiDisclosure) -> dict[str, list[dict]]:
    """glossary, responsibilities, organisation_units (without their refs)."""
    region = d.department[: d.department.index("区") + 1]
    units = [f"{d.department}本部", *(f"{region}{u}" for u in d.units)]
    duties = [f"{d.department}是区政府工作部门。", "主要职能包括：", *(f"{k}.{t}" for k, t in enumerate(d.duties, 1))]
    return {
        "glossary": [{"term_seq": k, "term_zh": t, "definition_zh": x} for k, (t, x) in enumerate(GLOSSARY, start=1)],
        "organisation_units": [{"unit_seq": k, "unit_name_zh": u, "unit_nature_zh": None, "unit_grade_zh": None,
                                "funding_form_zh": None} for k, u in enumerate(units, start=1)],
        "responsibilities": [{"responsibility_seq": k, "kind": "department_duty",
                              "number_printed": str(k - 2) if k > 2 else None, "heading_zh": None,
                              "text_zh": text.split(".", 1)[1] if k > 2 else text} for k, text in enumerate(duties, 1)],
    }


def expected_tables(d: ShanghaiDisclosure, places: dict) -> dict[str, list[dict]]:
    return {"function_lines": function_lines(d, places), "economic_lines": economic_lines(d, places),
            "summary_lines": summary_lines(d, places), "classification_codes": classification_codes(d, places),
            "three_public_expenses": three_public_expenses(d, places), "budget_lines": budget_lines(d),
            **text_tables(d)}


__all__ = ["expected_tables", "yuan_text"]
