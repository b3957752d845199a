"""The 编制说明 of a Shanghai budget: the income and expenditure figures of its first paragraphs, and one item per
项 of the 一般公共预算 function table (财政拨款支出主要内容), as ``budget_lines`` rows in 万元 as printed.

    2025年，…收入预算3,121.42万元，其中：财政拨款收入3,121.42万元，比2024年预算增加107.62万元；事业收入0万元；…
    支出预算…，其中：财政拨款支出预算…。财政拨款支出预算中，一般公共预算拨款支出预算…；政府性基金拨款支出预算0万元，…
    1.“一般公共服务支出（类）财政事务（款）行政运行（项）”1,623.18万元，主要用于…
    1. “一般公共服务支出-政府办公厅（室）及相关机构事务-行政运行”科目1,202.95万元，…
    …2022年当年预算执行数为132.59万元，2023年预算安排441.25万元，比2022年预算执行数增加60.54%。

Each item row carries, for the checks only, its function path (``_path``: 类, 款, 项 names as printed) and the
amount the item says is budgeted for the year (``_planned``, when it says so).
"""

from __future__ import annotations

import re

from pipeline.document.model import Paragraph
from pipeline.tables.templates.figures import labelled
from pipeline.tables.templates.shanghai_budget.text import CHANGE, NUM, Prose

_SEP = r"\s*[，,]?\s*"
# (line_code, parent, label as printed, pattern before the figure)
INCOME = (
    ("income_fiscal_allocation", "income_total", "财政拨款收入", r"财政拨款收入"),
    ("income_operations", "income_total", "事业收入", r"(?<!单位)事业收入"),
    ("income_business", "income_total", "事业单位经营收入", r"事业单位经营收入"),
    ("income_other", "income_total", "其他收入", r"其他收入"),
)
EXPENDITURE = (
    ("expenditure_fiscal_allocation", "expenditure_total", "财政拨款支出预算", r"(?<!拨款)财政拨款支出预算"),
    ("expenditure_general_public_budget", "expenditure_fiscal_allocation", "一般公共预算拨款支出预算",
     r"一般公共预算拨款支出预算"),
    ("expenditure_government_fund", "expenditure_fiscal_allocation", "政府性基金拨款支出预算", r"政府性基金拨款支出预算"),
    ("expenditure_state_capital", "expenditure_fiscal_allocation", "国有资本经营预算拨款支出预算",
     r"国有资本经营预算拨款支出预算"),
)
_ITEM_HEAD = r"(?P<no>\d{1,3})\s*[.．、]\s*[“\"](?P<path>[^”\"]{2,120})[”\"]\s*(?:科目)?"
_ITEM = _ITEM_HEAD + r"\s*" + NUM
_PLANNED_HEAD = r"(?:19|20)\d{2}\s*年\s*预算安排"
_PLANNED = _PLANNED_HEAD + r"\s*" + NUM
_REASON = re.compile(r"财政拨款收入支出(?:增加|减少|持平|变化)?的?主要原因是[:：]?(?P<reason>[^。]*)")
_LEVELS = re.compile(r"^(?P<lei>.+?)（类）(?P<kuan>.+?)（款）(?P<xiang>.+?)（项）$")


def split_path(path: str) -> tuple[str, ...]:
    """The 类, 款, 项 names of an item's printed path: ``A（类）B（款）C（项）`` or ``A-B-C``."""
    text = re.sub(r"\s+", "", path)
    if m := _LEVELS.match(text):
        return m["lei"], m["kuan"], m["xiang"]
    parts = tuple(p for p in re.split(r"[-－—–]", text) if p)
    return parts if len(parts) == 3 else (text,)


def _row(code, parent, label, amount, text, ref, change=(None, None), change_ref=None) -> dict:
    return {"line_code": code, "parent_line_code": parent, "label_zh": label, "amount_yuan": amount,
            "amount_text": text, "change_yuan": change[0], "change_text": change[1], "change_reason_zh": None,
            "source_ref": ref, "change_source_ref": change_ref if change[0] is not None else None}


def explanation(paragraphs: list[Paragraph], source: str, warnings: list[str]) -> list[dict]:
    prose = Prose(paragraphs, source)
    text = prose.text
    rows: list[dict] = []
    # Every figure is read right after its label, or is an error there (figures.labelled): never the next match.
    first_item = next(labelled(prose, _ITEM_HEAD, _ITEM), None)
    head_end = first_item.start() if first_item else len(text)

    def figure(code, parent, label, pattern, start, end) -> dict | None:
        m = next(labelled(prose, pattern, pattern + r"\s*(?:为)?\s*" + NUM + rf"(?:{_SEP}(?P<change>{CHANGE}))?",
                          start, end, label), None)
        if m is None:
            return None
        amount, literal = prose.figure(m)
        change_match = re.match(CHANGE, m.group("change")) if m.group("change") else None
        row = _row(code, parent, label, amount, literal, prose.ref(m, "num"), prose.change(change_match),
                   prose.ref(m, "change") if m.group("change") else None)
        rows.append(row)
        return row

    figure("income_total", None, "收入预算", r"收入预算", 0, head_end)
    expenditure = r"(?<!拨款)支出预算"
    expenditure_at = next(labelled(prose, expenditure, expenditure + r"\s*(?:为)?\s*" + NUM, 0, head_end), None)
    income_end = expenditure_at.start() if expenditure_at else head_end
    for code, parent, label, pattern in INCOME:
        figure(code, parent, label, pattern, 0, income_end)
    if expenditure_at is not None:
        figure("expenditure_total", None, "支出预算", r"(?<!拨款)支出预算", expenditure_at.start(), head_end)
        for code, parent, label, pattern in EXPENDITURE:
            figure(code, parent, label, pattern, expenditure_at.start(), head_end)
    if reason := _REASON.search(text, 0, head_end):
        for row in rows:
            if row["line_code"] in ("income_fiscal_allocation", "expenditure_fiscal_allocation") and row["change_yuan"]:
                row["change_reason_zh"] = reason.group("reason").strip() or None
    items = list(labelled(prose, _ITEM_HEAD, _ITEM, head_end))
    seen: set[str] = set()
    for k, m in enumerate(items):
        label = re.sub(r"\s+", "", m.group("path"))
        if label in seen:
            warnings.append(f"{source}:{prose.span(m.start(), m.end()).where}: the item {label!r} is stated again; "
                            "the first is kept")
            continue
        seen.add(label)
        amount, literal = prose.figure(m)
        row = _row("expenditure_function_item", "expenditure_fiscal_allocation", label, amount, literal,
                   prose.ref(m))
        row["_path"] = split_path(label)
        end = items[k + 1].start() if k + 1 < len(items) else len(text)
        if planned := next(labelled(prose, _PLANNED_HEAD, _PLANNED, m.end(), end), None):
            row["_planned"] = (*prose.figure(planned), prose.ref(planned))
        rows.append(row)
    return rows
