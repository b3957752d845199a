"""第三部分 部门预算情况说明 of a Jiangsu disclosure -> ``budget_lines`` (in 万元 as printed), the 三公 figures with
their changes, and, for the checks only, the percentages printed with them (``_percent``: a change's growth or
fall; ``_share``: a part of a whole).

One section per table (一、收支预算总体情况说明 … 十三、其他重要事项说明); each states its figures in sentences such
as ``收入、支出预算总计17996.68万元，与上年相比收、支预算总计各增加1463.8万元，增长8.85%`` or ``项目支出预算数为5533
万元。与上年相比减少20万元，减少0.36%`` (the change may follow in the next sentence), ``因公出国（境）费支出110万元，
占“三公”经费的18.85%``, ``1．检察（款）行政运行（项）支出7968.14万元``. The text of a section is read with its white
space removed (justified lines print ``一 般 公 共 预 算 收 入``), its paragraphs joined, so a sentence broken over
lines or pages is read whole. A figure printed twice (the same 财政拨款 total in sections 四, 五 and 七) is kept
where it is first stated.

Each figure is read right after its label, or it is an error at its paragraph, never the next match
(:func:`pipeline.tables.templates.figures.labelled`): the figures of :data:`LINES`, :data:`SHARES` and
:data:`THREE_PUBLIC`, each function class and 项, and the change in amount stated after any of them (its words
``与上年相比增加`` or ``本年数小于上年预算数`` followed by what looks like a figure: it reads, or it is an error).
So is a percentage (:func:`pipeline.tables.templates.figures.read_percent`): the share stated right after a figure
(``，占…%``) and the change in per cent or times right after a change in amount (``，增长…%``, ``增长16倍``; its sign
may be missing, ``减少9.52``, a published warn).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Paragraph
from pipeline.tables.amounts import FIGURE_START
from pipeline.tables.templates.figures import labelled, read_at, read_percent
from pipeline.tables.templates.jiangsu_budget.layout import compact
from pipeline.tables.templates.jiangsu_budget.structure import Section
from pipeline.tables.templates.text import Prose

FIG = r"(?P<num>\d+(?:\.\d+)?)(?P<unit>万元)"
# A label and its figure may be joined by 为 (read_at, figures._CONNECT, allows it too: one rule for both).
_TO_FIG = r"(?:为)?" + FIG
_NUM = r"\d+(?:\.\d+)?"
CHANGE = re.compile(
    rf"(?:与|比|较)(?:上年|(?:19|20)\d{{2}}年)度?(?:预算)?数?(?:相比)?[，,]?[^，。；\d%\n]{{0,16}}?"
    rf"(?:(?P<dir>增加|减少|增长|下降|降低)(?:（[^）]*）)?(?P<cnum>{_NUM})万元"
    r"|(?P<flat>持平|一致|相同|相等|不变|未发生变化|无变化))"
    rf"|本年数(?P<cmp>小于|大于)上年预算数(?P<cnum2>{_NUM})万元"
    r"|本年数(?P<flat2>等于)上年(?:预算)?数")
# The words of a change in amount up to its figure (CHANGE without its figure), and a change in per cent or times.
CHANGE_WORDS = re.compile(r"(?:与|比|较)(?:上年|(?:19|20)\d{2}年)度?(?:预算)?数?(?:相比)?[，,]?[^，。；\d%\n]{0,16}?"
                          r"(?:增加|减少|增长|下降|降低)(?:（[^）]*）)?|本年数(?:小于|大于)上年预算数")
_RATIO = re.compile(r"[0-9０-９.．]+[%％倍]")
# A change in per cent or times after a change in amount (its sign may be missing: 减少9.52, a published warn), and
# a share of a whole after a figure: each its words, then its number (read, or an error: figures.read_percent).
PERCENT_WORDS = r"(?:（[^）]*）)?[，,]?(?P<pdir>增长|增幅|增加|下降|降幅|减少|降低|上升)(?:（[^）]*）)?"
PERCENT = re.compile(rf"{PERCENT_WORDS}(?P<pnum>{_NUM})(?P<punit>%|％|倍)?")
SHARE_WORDS = r"[，,]?占(?:“?三公”?经费的|本年支出合计的)?"
SHARE = re.compile(rf"{SHARE_WORDS}(?P<snum>{_NUM})(?P<sunit>%|％)")
_PERCENT_WORDS, _SHARE_WORDS = re.compile(PERCENT_WORDS), re.compile(SHARE_WORDS)
_FIGURE = re.compile(r"\d万元")
_WINDOW = 200  # characters after a figure searched for its change

# (section, line_code, parent, label, words before the figure); first statement wins.
LINES = (
    ("overall", "income_total", None, "收入预算总计", r"收入、支出预算总计"),
    ("overall", "expenditure_total", None, "支出预算总计", r"收入、支出预算总计"),
    ("overall", "income_fiscal_allocation", "income_total", "财政拨款收入", r"财政拨款收入预算总计"),
    ("overall", "income_general_public_budget", "income_fiscal_allocation", "一般公共预算收入",
     r"一般公共预算收入(?:预算)?"),
    ("overall", "income_government_fund", "income_fiscal_allocation", "政府性基金收入", r"政府性基金收入预算"),
    ("overall", "income_special_account", "income_total", "财政专户管理资金收入", r"财政专户管理资金收入预算总计"),
    ("overall", "income_other", "income_total", "其他资金收入", r"其他资金收入预算总计"),
    ("overall", "income_carryover", "income_total", "上年结转资金", r"上年结转资金预算数为"),
    ("overall", "expenditure_basic", "expenditure_total", "基本支出", r"基本支出预算数?为"),
    ("overall", "expenditure_project", "expenditure_total", "项目支出", r"项目支出预算数?为"),
    ("overall", "expenditure_reserve", "expenditure_total", "单位预留机动经费", r"单位预留机动经费预算数?为"),
    ("fiscal_summary", "expenditure_fiscal_allocation", None, "财政拨款收、支总预算",
     r"财政拨款收、?支(?:总)?预算"),
    ("fiscal_expenditure", "expenditure_fiscal_allocation", None, "财政拨款支出预算", r"财政拨款预算支出"),
    ("fiscal_basic", "expenditure_fiscal_allocation_basic", None, "财政拨款基本支出", r"财政拨款基本支出预算"),
    ("fiscal_basic", "expenditure_personnel", "expenditure_fiscal_allocation_basic", "人员经费", r"人员经费"),
    ("fiscal_basic", "expenditure_public_operating", "expenditure_fiscal_allocation_basic", "公用经费", r"公用经费"),
    ("fund", "expenditure_government_fund", None, "政府性基金支出", r"政府性基金支出预算支出"),
    ("gpb_expenditure", "expenditure_general_public_budget", None, "一般公共预算财政拨款支出",
     r"一般公共预算财政拨款支出预算"),
    ("three_public", "meeting_fees", None, "会议费", r"会议费预算支出"),
    ("three_public", "training_fees", None, "培训费", r"培训费预算支出"),
    ("running_costs", "institutional_operating_costs", None, "机关运行经费", r"机关运行经费(?:预算支出|支出预算)"),
    ("procurement", "procurement_total", None, "政府采购预算", r"政府采购(?:支出)?预算总(?:金)?额为?"),
    ("procurement", "procurement_goods", "procurement_total", "政府采购货物预算",
     r"(?:拟(?:购买|采购)货物(?:支出)?|货物类政府采购支出预算)"),
    ("procurement", "procurement_works", "procurement_total", "政府采购工程预算",
     r"(?:拟(?:购买|采购)工程(?:支出)?|工程类政府采购支出预算)"),
    ("procurement", "procurement_services", "procurement_total", "政府采购服务预算",
     r"(?:拟(?:购买|采购)服务(?:支出)?|服务类政府采购支出预算)"),
    ("other", "performance_projects_funds", None, "绩效目标管理项目资金", r"涉及财政性资金合计"),
)
# 三公 figures (expense_code, the words before the figure) in the 三公 section's list.
THREE_PUBLIC = (
    ("outbound_travel", "因公出国（境）费", r"因公出国[（(]境[)）]费(?:预算)?支出"),
    ("vehicles", "公务用车购置及运行费", r"公务用车购置及运行(?:维护)?费(?:预算)?支出"),
    ("vehicle_purchase", "公务用车购置费", r"公务用车购置(?:费)?(?:预算)?支出"),
    ("vehicle_operation", "公务用车运行维护费", r"公务用车运行维护费(?:预算)?支出"),
    ("official_reception", "公务接待费", r"公务接待费(?:预算)?支出"),
)
# Shares of a whole stated in sections 二 and 三 (一般公共预算收入…万元，占99.92%).
SHARES = (
    ("income", "income_total", r"(?P<label>一般公共预算收入|政府性基金收入|财政专户管理资金|其他资金)"),
    ("expenditure", "expenditure_total", r"(?P<label>基本支出|项目支出|单位预留机动经费)"),
)
# A function class: the shortest label ending in 支出 that a figure follows (read, or an error).
_CLASS_HEAD = rf"(?<![^\n])\d+[.．、](?P<label>[^，。\n\d]{{2,30}}?支出)(?=(?:为)?{FIGURE_START.pattern})"
_CLASS_HEADING = re.compile(r"[（(][一二三四五六七八九十]{1,3}[)）](?P<name>[^（()）\n，。]{2,30}?)(?:支出)?[（(]类[)）]")
_NUMBER_START = re.compile(r"^(?:\d*[.．、]|[（(]\d+[)）]|其中[:：]?)+")
# A name in a 类/款/项 path: no punctuation, digits or brackets, but a bracketed word of its own (党委办公厅（室）及
# 相关机构事务) is part of it.
_NAME = r"(?:[^（()）\n，。：:\d]|[（(](?![类款项][)）])[^（()）\n]{1,2}[)）])"
_KUAN = re.compile(rf"(?P<name>{_NAME}{{2,30}}?)[（(]款[)）]")
_ITEM_HEAD = (rf"(?P<path>(?:{_NAME}{{2,30}}?[（(]款[)）])?[：:]?(?P<xiang>{_NAME}{{2,30}}?))"
              r"[（(]项[)）][：:]?(?:支出)?[：:]?")


def _paragraphs(section: Section) -> list[Paragraph]:
    return [Paragraph(compact(p.text), p.span) for p in section.blocks if compact(p.text)]


class JiangsuProse(Prose):
    """A section's text with the Jiangsu sentences: a figure, its change and its percentage."""

    def statement(self, m: re.Match, name: str) -> dict:
        """The figure ``m`` read (its label ``name``), with the share and the change stated after it in its
        paragraph; a change whose figure, or a share or change in per cent that does not read is an error there."""
        amount, literal = self.figure(m)
        tail = self.text[m.end(): m.end() + _WINDOW].split("\n")[0]
        end = m.end() + len(tail)
        # A share or percentage is read to the end of its paragraph, never cut by the window (6.6|9% read as 6.6).
        line_end = self.text.find("\n", m.end())
        line_end = len(self.text) if line_end < 0 else line_end
        words = CHANGE_WORDS.search(self.text, m.end(), end)
        if words and not _FIGURE.search(self.text, m.end(), words.start()) and not _RATIO.match(self.text, words.end()):
            read_at(self, words, CHANGE, f"{name}, its change")
        out = {"amount_yuan": amount, "amount_text": literal, "source_ref": self.ref(m, "num"),
               "change_yuan": None, "change_text": None, "change_source_ref": None}
        if (words := _SHARE_WORDS.match(self.text, m.end(), line_end)) and (
                s := read_percent(self, words, SHARE, f"{name}, its share", line_end)):
            out["_share"] = (Decimal(s["snum"]), s["snum"] + s["sunit"], self._ref(s.start("snum"), s.end()))
        c = CHANGE.search(tail)
        if c is None or _FIGURE.search(tail[: c.start()]):
            return out
        start = m.end() + c.start()
        if c["flat"] or c["flat2"]:
            out.update(change_yuan=Decimal("0.00"), change_text=c["flat"] or c["flat2"])
        else:
            num = c["cnum"] or c["cnum2"]
            sign = -1 if (c["dir"] in ("减少", "下降", "降低") or c["cmp"] == "小于") else 1
            out.update(change_yuan=sign * self.yuan(num, "万元", c), change_text=(c["dir"] or c["cmp"]) + num + "万元")
        out["change_source_ref"] = self._ref(start, m.end() + c.end())
        if (not (c["flat"] or c["flat2"]) and (words := _PERCENT_WORDS.match(self.text, m.end() + c.end(), line_end))
                and (p := read_percent(self, words, PERCENT, f"{name}, its change in per cent", line_end))):
            text = p["pdir"] + p["pnum"] + (p["punit"] or "")
            out["_percent"] = (Decimal(p["pnum"]), text, p["punit"], self._ref(p.start(), p.end()))
        return out

    def _ref(self, start: int, end: int) -> str:
        return self.span(start, end).ref


def _row(code, parent, label, found: dict) -> dict:
    return {"line_code": code, "parent_line_code": parent, "label_zh": label, "change_reason_zh": None, **found}


# The whole a share of each section is a share of (``占“三公”经费的…``, ``占本年支出合计的…``, ``占…``).
SHARE_OF = {"income": "income_total", "expenditure": "expenditure_total", "fiscal_expenditure": "expenditure_total",
            "gpb_expenditure": "expenditure_total", "three_public": "three_public_total",
            "procurement": "procurement_total"}


def explanation(sections: list[Section], source: str) -> dict[str, list[dict]]:
    """``budget_lines`` of 第三部分, and for the checks ``_three_public_prose`` (the 三公 figures: expense_code,
    amount, change) and ``_shares`` (a figure, the percentage of a whole it is said to be, and that whole)."""
    proses = {}
    for section in sections:
        proses.setdefault(section.key, JiangsuProse(_paragraphs(section), source))
    rows: list[dict] = []
    seen: set[str] = set()
    shares: list[dict] = []
    for key, code, parent, label, words in LINES:
        prose = proses.get(key)
        if prose is None or code in seen:
            continue
        label_at = words + r"(?:为|是)?"
        m = next(labelled(prose, label_at, label_at + FIG, name=label, changes=False), None)
        if m is None:
            continue
        seen.add(code)
        found = prose.statement(m, label)
        if "_share" in found and key in SHARE_OF:
            shares.append({"label_zh": label, "whole": SHARE_OF[key], **found})
        rows.append(_row(code, parent, label, found))
    if "income_fiscal_allocation" not in seen:  # 一般公共预算收入 stated without its 财政拨款 total
        for r in rows:
            if r["parent_line_code"] == "income_fiscal_allocation":
                r["parent_line_code"] = "income_total"
    rows += _classes(proses.get("overall"))
    rows += _items(proses.get("fiscal_expenditure") or proses.get("gpb_expenditure"))
    for key, whole, words in SHARES:
        if (prose := proses.get(key)) is not None:
            for m in labelled(prose, words, words + _TO_FIG, changes=False):
                found = prose.statement(m, m["label"])
                if "_share" in found:
                    shares.append({"label_zh": m["label"], "whole": whole, **found})
    three = _three_public(proses.get("three_public"))
    shares += [{"label_zh": t["label_zh"], "whole": "three_public_total", **t} for t in three if "_share" in t]
    return {"budget_lines": rows, "_three_public_prose": three, "_shares": shares}


def _three_public(prose: JiangsuProse | None) -> list[dict]:
    """The 三公 categories of their section: each with its amount, and the change and share stated with it
    (the first statement that has one: the section states each figure twice, with its share, then its change)."""
    if prose is None:
        return []
    out = []
    for code, label, words in THREE_PUBLIC:
        found = [prose.statement(m, label) for m in labelled(prose, words + r"(?:为)?", words + r"(?:为)?" + FIG,
                                                              name=label, changes=False)]
        if not found:
            continue
        record = {"expense_code": code, "label_zh": label, **found[0], "change_reason_zh": None}
        changed = next((f for f in found if f["change_yuan"] is not None), None)
        if changed is not None:
            record.update({k: changed[k] for k in ("change_yuan", "change_text", "change_source_ref")})
            if "_percent" in changed:
                record["_percent"] = changed["_percent"]
        share = next((f for f in found if "_share" in f), None)
        if share is not None:
            record["_share"] = share["_share"]
        out.append(record)
    return out


def _classes(prose: JiangsuProse | None) -> list[dict]:
    """The function classes of 一（二）支出预算总计: ``1．公共安全（类）支出13656.34万元``."""
    if prose is None:
        return []
    start = prose.text.find("支出预算总计")
    out, labels = [], set()
    for m in labelled(prose, _CLASS_HEAD, _CLASS_HEAD + _TO_FIG, max(start, 0), changes=False):
        label = m["label"]
        if label in labels or re.search(r"基本支出|项目支出", label):
            continue
        labels.add(label)
        out.append(_row("expenditure_function_class", "expenditure_total", label, prose.statement(m, label)))
    return out


def _items(prose: JiangsuProse | None) -> list[dict]:
    """The 项 of the 财政拨款支出 section: ``（一）公共安全（类）`` then ``1．检察（款）行政运行（项）支出7968.14万元``
    (the 款 may head its items: ``检察（款）：…其中：1．行政运行（项）支出…``); each keeps its 类/款/项 path
    (``_path``) for the checks."""
    if prose is None:
        return []
    text = prose.text
    heads = [(m.start(), "class", m["name"]) for m in _CLASS_HEADING.finditer(text)]
    out, labels = [], set()
    for m in labelled(prose, _ITEM_HEAD, _ITEM_HEAD + _TO_FIG, changes=False):
        lei = next((name for at, kind, name in reversed(heads) if at < m.start() and kind == "class"), "")
        kuan_here = _KUAN.search(m["path"])
        kuan = kuan_here["name"] if kuan_here else None
        if kuan is None:
            before = [k for k in _KUAN.finditer(text, 0, m.start())
                      if not any(at > k.start() for at, kind, _ in heads if at < m.start())]
            kuan = before[-1]["name"] if before else ""
        xiang = _NUMBER_START.sub("", m["xiang"])
        kuan = _NUMBER_START.sub("", kuan)
        label = f"{lei}（类）{kuan}（款）{xiang}（项）" if kuan else f"{lei}（类）{xiang}（项）"
        if label in labels:
            continue
        labels.add(label)
        row = _row("expenditure_function_item", "expenditure_fiscal_allocation", label, prose.statement(m, label))
        row["_path"] = (lei, kuan, xiang) if kuan else (xiang,)
        out.append(row)
    return out
