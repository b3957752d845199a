"""The other narrative sections of a Shanghai budget: 主要职能 (``responsibilities``), 机构设置
(``organisation_units``: the numbered budget units), 名词解释 (``glossary``) and 其他相关情况说明: the 三公 figures
and their changes, 机关运行经费, 政府采购 and 绩效目标 figures (``budget_lines``), in 万元 as printed."""

from __future__ import annotations

import re

from pipeline.document.model import Paragraph
from pipeline.tables.templates.figures import labelled
from pipeline.tables.templates.shanghai_budget.text import CHANGE, NUM, Prose

_UNIT = re.compile(r"^(?P<n>\d{1,2})\s*[.．、]\s*(?P<name>.+?)[。；;]?$")
# 三公 prose: expense_code -> the words before its figure.
THREE_PUBLIC = (
    ("total", r"“?三公”?经费(?:预算数|预算)?\s*为?"),
    ("outbound_travel", r"因公出国[（(]境[)）]费"),
    ("vehicles", r"公务(?:用)?车购置及运行(?:维护)?费"),
    ("vehicle_purchase", r"公务(?:用)?车购置费"),
    ("vehicle_operation", r"公务(?:用)?车(?:用车)?运行(?:维护)?费"),
    ("official_reception", r"公务接待费"),
)
_REASON = re.compile(r"[，,。]?\s*主要原因是[:：]?(?P<reason>[^。；;]*)")


def organisation(paragraphs: list[Paragraph]) -> list[dict]:
    """The budget units listed 1. 2. … (a 单位预算 lists its 内设机构 （一）… instead: not budget units)."""
    out = []
    for p in paragraphs:
        if m := _UNIT.match(p.clean):
            out.append({"unit_seq": len(out) + 1, "unit_name_zh": m["name"].strip(), "unit_nature_zh": None,
                        "unit_grade_zh": None, "funding_form_zh": None, "source_ref": p.span.ref})
    return out


def other(paragraphs: list[Paragraph], source: str) -> tuple[list[dict], list[dict]]:
    """``budget_lines`` rows (机关运行经费, 政府采购, 绩效目标) and the 三公 figures (``expense_code``, amount,
    literal, ref, change, change literal, change ref, reason) of 其他相关情况说明."""
    prose = Prose(paragraphs, source)
    text = prose.text
    lines: list[dict] = []

    def line(code, parent, label, pattern):
        if m := next(labelled(prose, pattern, pattern + r"\s*" + NUM, name=label), None):
            amount, literal = prose.figure(m)
            lines.append({"line_code": code, "parent_line_code": parent, "label_zh": label, "amount_yuan": amount,
                          "amount_text": literal, "change_yuan": None, "change_text": None, "change_reason_zh": None,
                          "source_ref": prose.ref(m), "change_source_ref": None})

    line("institutional_operating_costs", None, "机关运行经费", r"机关运行经费预算(?:数)?\s*为")
    line("procurement_total", None, "政府采购预算", r"政府采购预算")
    for code, label in (("procurement_goods", "政府采购货物预算"), ("procurement_works", "政府采购工程预算"),
                        ("procurement_services", "政府采购服务预算")):
        line(code, "procurement_total", label, label)
    line("performance_projects_funds", None, "涉及项目预算资金", r"涉及项目预算资金")
    three = []
    block_end = text.find("机关运行经费") if "机关运行经费" in text else len(text)
    for code, words in THREE_PUBLIC:
        figure = words + r"\s*" + NUM + rf"(?:[，,。]?\s*(?:其中[:：])?\s*(?P<change>{CHANGE}))?"
        m = next(labelled(prose, words, figure, 0, block_end), None)  # its figure, or an error there
        if m is None:
            continue
        amount, literal = prose.figure(m)
        change_match = re.match(CHANGE, m.group("change")) if m.group("change") else None
        change = prose.change(change_match)
        reason = _REASON.match(text, m.end()) if m.group("change") else None
        three.append({"expense_code": code, "amount_yuan": amount, "amount_text": literal, "source_ref": prose.ref(m),
                      "change_yuan": change[0], "change_text": change[1],
                      "change_source_ref": prose.ref(m, "change") if change[0] is not None else None,
                      "change_reason_zh": (reason.group("reason").strip() or None) if reason else None})
    return lines, three
