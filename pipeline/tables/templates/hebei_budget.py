"""Template of the Hebei department budget disclosure (河北省部门预算信息公开), as in 2019.

Nine sections, found by their titles rather than their numbers:
一 部门职责及机构设置情况 (duties, organisation table), 二 部门预算安排的总体情况 (income, expenditure and
changes, in prose), 三 机关运行经费, 四 “三公”经费 (prose), 五 绩效预算信息 (goals, and the activity /
indicator table), 六 政府采购预算 (prose total and table), 七 国有资产信息 (table), 八 名词解释 (list),
九 其他需要说明的事项.

Input is the reader-independent :class:`~pipeline.document.model.Document`; output is one list of rows per
table of ``schemas/`` (without the ``documents`` row, which :mod:`pipeline.tables.parse` completes with the raw
file's metadata). Everything here is a pure function of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline.document.model import Document, Paragraph, Span, Table
from pipeline.errors import DocumentError
from pipeline.tables.amounts import AmountError, parse_decimal, to_yuan

TEMPLATE_ID = "hebei-department-budget-2019"

TITLE = re.compile(r"^(?P<department>.+?)(?P<year>(?:19|20)\d{2})\s*年(?:度)?部门预算(?:信息)?公开$")
SECTION = re.compile(r"^[\s\u3000]*(?P<number>[一二三四五六七八九十]{1,3})、\s*(?P<title>.+)$")
# Section keys by a word of their title, in template order.
SECTION_KEYS = (
    ("duties", ("部门职责", "机构设置")),
    ("overview", ("总体情况",)),
    ("running_costs", ("机关运行经费",)),
    ("three_public", ("三公",)),
    ("performance", ("绩效",)),
    ("procurement", ("政府采购",)),
    ("assets", ("国有资产", "固定资产")),
    ("glossary", ("名词解释",)),
    ("other", ("其他需要说明",)),
)

# A printed amount with its unit; a stray full stop before the unit (``4.37。万元``) is tolerated.
NUM = r"[0-9０-９][0-9０-９,，.．]*"
AMT = rf"(?P<num>{NUM})\s*[。.]?\s*(?P<unit>万元|元)"
AMT_ANY = rf"{NUM}\s*[。.]?\s*(?:万元|元)"
CHANGE = rf"(?P<dir>增加|减少|增长|下降)\s*{AMT}"

INCOME_CODES = {
    "一般公共预算收入": "income_general_public_budget",
    "一般公共预算拨款收入": "income_general_public_budget",
    "基金预算收入": "income_government_fund",
    "政府性基金预算收入": "income_government_fund",
    "财政专户核拨收入": "income_special_account",
    "财政专户管理资金收入": "income_special_account",
    "其他来源收入": "income_other",
    "其他收入": "income_other",
    "事业收入": "income_operations",
    "上年结转": "income_carryover",
    "上年结转收入": "income_carryover",
}
THREE_PUBLIC = (
    # code, parent, label pattern (as printed)
    ("outbound_travel", "total", r"因公出国[（(]境[)）]费"),
    ("vehicles", "total", r"公务用车购置及运[行维]+[护]?费"),
    ("vehicle_purchase", "vehicles", r"公务用车购置费"),
    ("vehicle_operation", "vehicles", r"公务用车运[行维]+[护]?费"),
    ("official_reception", "total", r"公务接待费"),
)
ASSET_CODES = (
    # code, label stem
    ("total", "资产总额"),
    ("buildings_office", "办公用房"),
    ("buildings", "房屋"),
    ("vehicles", "车辆"),
    ("equipment_over_200k", "单价在20万元以上的设备"),
    ("other", "其他固定资产"),
)
# Index in SECTION_KEYS of 八、名词解释: a text whose last section comes before it was cut off.
CUT_OFF_BEFORE = [key for key, _ in SECTION_KEYS].index("glossary")
PROCUREMENT_COLUMNS = (
    "project_name_zh", "project_budget_yuan", "item_name_zh", "catalogue_code", "quantity_unit_zh",
    "quantity", "unit_price_yuan", "amount_yuan", "current_year_total_yuan", "general_public_budget_yuan",
    "government_fund_yuan", "special_account_yuan", "other_sources_yuan", "other_channels_yuan",
)
# Header words the procurement table must show, by the column index they sit at in its widest header row.
PROCUREMENT_HEADER = {8: "合计", 9: "一般公共预算拨款", 10: "基金预算拨款", 11: "财政专户核拨", 12: "其他来源收入"}


@dataclass
class Sections:
    preamble: list = field(default_factory=list)
    blocks: dict[str, list] = field(default_factory=dict)
    headings: dict[str, Paragraph] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionInfo:
    """One of the template's nine sections as found (or not) in a document: the input of completeness."""

    key: str
    number: int  # position in the template, 1..9
    present: bool
    number_printed: str | None = None  # the heading's own number as printed (一, 二 …)
    title_zh: str | None = None  # the heading as printed
    span: Span | None = None  # heading line to the section's last line
    has_content: bool = False  # any non-blank text after the heading


@dataclass(frozen=True)
class TemplateResult:
    department_name_zh: str
    fiscal_year: int
    title_zh: str
    title_span: Span
    department_code: str | None
    source_amount_unit_zh: str
    tables: dict[str, list[dict]]
    warnings: tuple[str, ...]
    sections: tuple[SectionInfo, ...] = ()


def _compact(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _literal(match: re.Match, group: str) -> str:
    """The printed text from ``group`` to the end of ``match``: the figure with its unit, as printed."""
    return match.string[match.start(group):match.end()].strip()


_CODE_DIGITS = re.compile(r"[0-9]{3}")
_DEPARTMENT_CODE = re.compile(r"^(编制部门[：:])?\s*([0-9]{3,})\s*(.+)$")


class _Parser:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.warnings: list[str] = []
        self.unit = "万元"

    # -- helpers -----------------------------------------------------------------------------------------
    def error(self, message: str, line: int | None = None) -> DocumentError:
        return DocumentError(self.doc.source, message, line)

    def warn(self, message: str, line: int | None = None) -> None:
        where = f"{self.doc.source}:{line}" if line else self.doc.source
        self.warnings.append(f"{where}: {message}")

    def literal(self, match: re.Match, para: Paragraph) -> str:
        """The printed amount of an AMT match; a stray mark before the unit is read past, with a warning."""
        text = _literal(match, "num")
        if re.search(r"[。.]\s*(?:万元|元)$", text):
            self.warn(f"amount printed as {text!r}: read as {match.group('num')} {match.group('unit')}, "
                      "ignoring the stray mark before the unit", para.span.first)
        return text

    def yuan(self, literal: str, unit: str, line: int) -> int:
        try:
            return to_yuan(literal, unit)
        except AmountError as exc:
            raise self.error(f"expected an amount, found {exc}", line) from exc

    # -- structure ---------------------------------------------------------------------------------------
    def split_sections(self) -> Sections:
        sections = Sections()
        current: list | None = sections.preamble
        for block in self.doc.blocks:
            if isinstance(block, Paragraph):
                match = SECTION.match(block.text)
                key = match and self._section_key(match.group("title"))
                if key:
                    if key in sections.blocks:
                        raise self.error(f"section {match.group('title')!r} appears twice", block.span.first)
                    sections.headings[key] = block
                    current = sections.blocks[key] = []
                    continue
            current.append(block)
        return sections

    @staticmethod
    def section_infos(sections: Sections) -> tuple[SectionInfo, ...]:
        out = []
        for number, (key, _) in enumerate(SECTION_KEYS, start=1):
            heading = sections.headings.get(key)
            if heading is None:
                out.append(SectionInfo(key=key, number=number, present=False))
                continue
            blocks = sections.blocks[key]
            span = heading.span
            for block in blocks:
                span = span.join(block.span)
            content = any((b.clean if isinstance(b, Paragraph) else any(not r.is_empty for r in b.rows))
                          for b in blocks)
            match = SECTION.match(heading.text)
            out.append(SectionInfo(key=key, number=number, present=True, number_printed=match.group("number"),
                                   title_zh=heading.clean, span=span, has_content=content))
        return tuple(out)

    @staticmethod
    def _section_key(title: str) -> str | None:
        for key, words in SECTION_KEYS:
            if any(w in title for w in words):
                return key
        return None

    def title(self, preamble: list) -> tuple[str, int, Paragraph]:
        for block in preamble:
            if isinstance(block, Paragraph) and block.clean:
                match = TITLE.match(_compact(block.text))
                if not match:
                    raise self.error(
                        "expected the title '<department><year>年部门预算信息公开' as the first line of text, "
                        f"found {block.clean[:40]!r}",
                        block.span.first,
                    )
                return match.group("department"), int(match.group("year")), block
        raise self.error("no text: expected the title '<department><year>年部门预算信息公开'")

    # -- section 一 --------------------------------------------------------------------------------------
    def duties(self, blocks: list) -> tuple[list[dict], list[dict]]:
        duties: list[dict] = []
        units: list[dict] = []
        mode = None
        for block in blocks:
            if isinstance(block, Paragraph):
                text = block.clean
                if text.startswith("部门职责"):
                    mode = "duty"
                    rest = text.split("：", 1)[1].strip() if "：" in text else ""
                    if rest:
                        duties.append(self._duty(rest, block))
                elif text.startswith("机构设置"):
                    mode = "units"
                elif mode == "duty" and text:
                    duties.append(self._duty(text, block))
            elif isinstance(block, Table):
                units.extend(self.organisation_units(block))
        # A table split by a page break comes out as two tables: number the units across all of them.
        for seq, unit in enumerate(units, start=1):
            unit["unit_seq"] = seq
        return duties, units

    def _duty(self, text: str, block: Paragraph) -> dict:
        match = re.match(r"^[（(]([一二三四五六七八九十]+)[)）]\s*(.*)$", text, re.S)
        number, body = (match.group(1), match.group(2)) if match else (None, text)
        heading = re.split(r"[。；]", body, maxsplit=1)[0] if match else None
        return {"kind": "department_duty", "number_printed": number, "heading_zh": heading or None,
                "text_zh": body, "source_ref": block.span.ref}

    def organisation_units(self, table: Table) -> list[dict]:
        header_at = next((i for i, r in enumerate(table.rows) if "单位名称" in r.texts()), None)
        if header_at is None:
            self.warn("table in section 一 without a 单位名称 header was skipped", table.span.first)
            return []
        header = [_compact(t) for t in table.rows[header_at].texts()]
        col = {name: header.index(name) if name in header else None
               for name in ("单位名称", "单位性质", "单位规格", "经费保障形式")}
        rows = []
        for row in table.rows[header_at + 1:]:
            texts = row.texts(len(header))
            if len(texts) > len(header):
                raise self.error(f"organisation row has {len(texts)} cells, header has {len(header)}", row.span.first)
            if not texts[col["单位名称"]]:
                continue  # merged header continuation or empty row
            get = lambda name: (texts[col[name]] or None) if col[name] is not None else None  # noqa: E731
            rows.append({"unit_seq": len(rows) + 1, "unit_name_zh": texts[col["单位名称"]],
                         "unit_nature_zh": get("单位性质"), "unit_grade_zh": get("单位规格"),
                         "funding_form_zh": get("经费保障形式"), "source_ref": row.span.ref})
        return rows

    # -- section 二 and 三 -------------------------------------------------------------------------------
    def overview(self, blocks: list, running: list, procurement: list, assets: list) -> list[dict]:
        lines: dict[tuple[str, str], dict] = {}

        def add(code, parent, label, match, para):
            if (code, label) in lines:  # a figure restated later (e.g. 收支安排 in 3、比上年增减情况)
                return
            lines[(code, label)] = {
                "line_code": code, "parent_line_code": parent, "label_zh": label,
                "amount_yuan": self.yuan(match.group("num"), match.group("unit"), para.span.first),
                "amount_text": self.literal(match, para), "change_yuan": None, "change_text": None,
                "change_reason_zh": None, "source_ref": para.span.ref, "change_source_ref": None}

        paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
        for para in paragraphs:
            text = para.clean
            if m := re.search(rf"预算收入\s*{AMT}", text):
                add("income_total", None, "预算收入", m, para)
                tail = text[m.end():]
                if tail.startswith(("，其中", ",其中", "。其中")):
                    # A comma separates sources only after a unit: 6,041.24万元 keeps its thousands comma.
                    for part in re.split(r"[；;。]|(?<=元)\s*[，,]", tail.split("：", 1)[-1]):
                        pm = re.match(rf"^(?P<label>[^0-9０-９]+?)(?:为)?{AMT}$", part.strip())
                        if not pm:
                            continue
                        label = pm.group("label").strip()
                        code = INCOME_CODES.get(label)
                        if code is None:
                            raise self.error(f"unknown income source {label!r}; expected one of {sorted(INCOME_CODES)}",
                                             para.span.first)
                        add(code, "income_total", label, pm, para)
            if m := re.search(rf"支出预算\s*{AMT}", text):
                add("expenditure_total", None, "支出预算", m, para)
                for code, parent, label in (
                    ("expenditure_basic", "expenditure_total", "基本支出"),
                    ("expenditure_personnel", "expenditure_basic", "人员经费"),
                    ("expenditure_public_operating", "expenditure_basic", "日常公用经费"),
                    ("expenditure_project", "expenditure_total", "项目支出"),
                    ("expenditure_project_own_level", "expenditure_project", "本级支出"),
                ):
                    if lm := re.search(rf"{label}\s*(?:为)?\s*{AMT}", text):
                        add(code, parent, label, lm, para)
                if im := re.search(r"项目支出[^；;。]*?主要为([^；;。]+)", text):
                    # Items are joined after their unit (…万元及…); a name may itself hold 和 or 及.
                    for part in re.split(r"(?<=元)\s*[及和、，,]", im.group(1)):
                        pm = re.match(rf"^(?P<label>[^0-9０-９]+?)(?:为)?{AMT}$", part.strip())
                        if pm:
                            add("expenditure_project_item", "expenditure_project", pm.group("label").strip(), pm, para)
        # Changes from the previous year (3、比上年增减情况).
        for para in paragraphs:
            text = para.clean
            if m := re.search(rf"较\s*\d{{4}}\s*年(?:预算)?\s*(?:{CHANGE}|(?P<flat>持平))", text):
                for code in ("income_total", "expenditure_total"):
                    self._set_change(lines, code, m, None, para)
                for code, label in (("expenditure_basic", "基本支出"), ("expenditure_project", "项目支出")):
                    if lm := re.search(rf"{label}\s*{CHANGE}(?:[，,]\s*(?P<reason>主要[^；;。]*))?", text):
                        self._set_change(lines, code, lm, lm.group("reason"), para)
                    elif re.search(rf"{label}[^，,；;。]*持平", text):
                        self._set_change(lines, code, None, None, para)
        for para in (b for b in running if isinstance(b, Paragraph)):
            if m := re.search(rf"机关运行经费[^0-9０-９]*?{AMT}", para.clean):
                add("institutional_operating_costs", None, "机关运行经费", m, para)
        for para in (b for b in procurement if isinstance(b, Paragraph)):
            if m := re.search(rf"政府采购预算\s*{AMT}", para.clean):
                add("procurement_total", None, "政府采购预算", m, para)
        for para in (b for b in assets if isinstance(b, Paragraph)):
            if m := re.search(rf"(?P<label>(?:上年末)?固定资产(?:金额|总额|原值)?)\s*(?:为|共计)?\s*{AMT}", para.clean):
                add("fixed_assets_total", None, m.group("label"), m, para)
        return list(lines.values())

    def _set_change(self, lines, code, match, reason, para) -> None:
        for (c, _), row in lines.items():
            if c == code:
                self._apply_change(row, match, para)
                row["change_reason_zh"] = reason.strip() if reason else None

    def _apply_change(self, row: dict, match: re.Match | None, para: Paragraph) -> None:
        """Set a row's change from a CHANGE match (or 持平 when ``match`` is None or matched ``flat``)."""
        if match is None or match.groupdict().get("flat"):
            row.update(change_yuan=0, change_text="持平")
        else:
            sign = -1 if match.group("dir") in ("减少", "下降") else 1
            row.update(change_yuan=sign * self.yuan(match.group("num"), match.group("unit"), para.span.first),
                       change_text=match.string[match.start("dir"):match.end("unit")])
        row["change_source_ref"] = para.span.ref

    # -- section 四 --------------------------------------------------------------------------------------
    def three_public(self, blocks: list) -> list[dict]:
        para = next((b for b in blocks if isinstance(b, Paragraph) and "三公" in b.clean and "万元" in b.clean), None)
        if para is None:
            return []
        text = para.clean
        total = re.search(rf"“?三公”?经费(?:预算)?(?:安排|为|共计)*\s*{AMT}", text)
        if not total:
            raise self.error("expected the “三公”经费 total as '…“三公”经费预算安排<amount>万元'", para.span.first)
        split = re.search(r"与\s*\d{4}\s*年(?:预算)?相比", text)
        amounts, changes = (text[:split.start()], text[split.start():]) if split else (text, "")

        def row(code, parent, label, match):
            return {"expense_code": code, "parent_expense_code": parent, "label_zh": label,
                    "amount_yuan": self.yuan(match.group("num"), match.group("unit"), para.span.first),
                    "amount_text": self.literal(match, para),
                    "change_yuan": None, "change_text": None, "change_reason_zh": None,
                    "source_ref": para.span.ref, "change_source_ref": None}

        rows = {"total": row("total", None, "“三公”经费", total)}
        for code, parent, pattern in THREE_PUBLIC:
            m = re.search(rf"(?P<label>{pattern})\s*(?:为)?\s*{AMT}", amounts)
            if m:
                rows[code] = row(code, parent, m.group("label"), m)
            else:
                self.warn(f"“三公”经费 category {pattern} not stated", para.span.first)
        reason = re.search(r"主要原因是([^。]*)", changes)
        if split:
            first = re.match(rf"与\s*\d{{4}}\s*年(?:预算)?相比\s*(?:{CHANGE}|(?P<flat>持平))", changes)
            if first:
                self._apply_change(rows["total"], first, para)
                if reason:
                    rows["total"]["change_reason_zh"] = reason.group(1).strip()
            for code, _, pattern in THREE_PUBLIC:
                if code not in rows:
                    continue
                m = re.search(rf"(?:{pattern})\s*(?:{CHANGE}|(?:{AMT_ANY})?[，,]?\s*与\s*\d{{4}}\s*年(?:预算)?相比(?P<flat>持平))",
                              changes[first.end() if first else 0:])
                if m:
                    self._apply_change(rows[code], m, para)
        return list(rows.values())

    # -- section 五 --------------------------------------------------------------------------------------
    def goals(self, blocks: list) -> list[dict]:
        rows = []
        mode = None
        for block in blocks:
            if not isinstance(block, Paragraph):
                continue
            text = block.clean
            if text.startswith("总体绩效目标"):
                mode = "overall"
                rest = text.split("：", 1)[1].strip() if "：" in text else ""
                if rest:
                    rows.append({"kind": "overall_performance_goal", "number_printed": None, "heading_zh": None,
                                 "text_zh": rest, "source_ref": block.span.ref})
            elif text.startswith("职责分类绩效目标"):
                mode = "by_duty"
            elif text.startswith("部门职责及工作活动") or text.startswith("部门职责-工作活动"):
                mode = None
            elif mode == "overall" and text:
                rows.append({"kind": "overall_performance_goal", "number_printed": None, "heading_zh": None,
                             "text_zh": text, "source_ref": block.span.ref})
            elif mode == "by_duty" and text:
                heading, sep, body = text.partition("：")
                rows.append({"kind": "duty_performance_goal", "number_printed": None,
                             "heading_zh": heading.strip() if sep else None,
                             "text_zh": body.strip() if sep else text, "source_ref": block.span.ref})
        return rows

    def activities(self, blocks: list) -> tuple[list[dict], list[dict]]:
        table = next((b for b in blocks if isinstance(b, Table)
                      and any("职责活动" in [_compact(t) for t in r.texts()] for r in b.rows)), None)
        if table is None:
            return [], []
        unit = self._table_unit(table)
        rows = list(table.rows)
        head = next(i for i, r in enumerate(rows) if "职责活动" in [_compact(t) for t in r.texts()])
        header = [_compact(t) for t in rows[head].texts()]
        try:
            c_name, c_budget, c_desc, c_goal, c_ind = (header.index(h) for h in
                                                       ("职责活动", "年度预算数", "内容描述", "绩效目标", "绩效指标"))
        except ValueError as exc:
            raise self.error(f"activity table header {header} lacks a column: {exc}", rows[head].span.first) from exc
        grade_row = rows[head + 1] if head + 1 < len(rows) else None
        grades = [_compact(t) for t in grade_row.texts()] if grade_row else []
        if not all(g in grades for g in "优良中差"):
            raise self.error("expected a header row with the grades 优 良 中 差 under 评价标准",
                             grade_row.span.first if grade_row else rows[head].span.last)
        c_grades = [grades.index(g) for g in "优良中差"]
        width = len(grades)
        activities: list[dict] = []
        indicators: list[dict] = []
        current = None
        level1 = None
        for row in rows[head + 2:]:
            texts = row.texts(width)
            if len(texts) > width:
                raise self.error(f"activity row has {len(texts)} cells, the table has {width} columns", row.span.first)
            if row.is_empty:
                continue
            name = texts[c_name]
            if name:
                m1 = re.match(r"^([一二三四五六七八九十百]+)、\s*(.+)$", _compact(name))
                m2 = re.match(r"^([0-9０-９]+)[、.．]\s*(.+)$", _compact(name))
                if m1:
                    level1 = len([a for a in activities if a["level"] == 1]) + 1
                    activity_id, parent, level, number, label = f"{level1:02d}", None, 1, m1.group(1), m1.group(2)
                elif m2:
                    if level1 is None:
                        raise self.error(f"activity {name!r} numbered 1、… before any 一、… activity", row.span.first)
                    sub = len([a for a in activities if a["parent_activity_id"] == f"{level1:02d}"]) + 1
                    activity_id, parent, level = f"{level1:02d}.{sub:02d}", f"{level1:02d}", 2
                    number, label = m2.group(1), m2.group(2)
                else:
                    raise self.error(f"expected an activity numbered 一、… or 1、…, found {name!r}", row.span.first)
                budget_text = texts[c_budget] or None
                current = {"activity_id": activity_id, "parent_activity_id": parent, "level": level,
                           "number_printed": number, "name_zh": label,
                           "annual_budget_yuan": self.yuan(budget_text, unit, row.span.first) if budget_text else None,
                           "annual_budget_text": budget_text, "description_zh": texts[c_desc] or None,
                           "performance_goal_zh": texts[c_goal] or None, "source_ref": row.span.ref}
                activities.append(current)
            elif current is None:
                raise self.error("indicator row before any activity", row.span.first)
            elif texts[c_desc] or texts[c_goal] or texts[c_budget]:
                raise self.error("row continues an activity but fills its budget, description or goal",
                                 row.span.first)
            if texts[c_ind]:
                seq = len([i for i in indicators if i["activity_id"] == current["activity_id"]]) + 1
                g = [texts[c] or None for c in c_grades]
                indicators.append({"activity_id": current["activity_id"], "indicator_seq": seq,
                                   "indicator_name_zh": texts[c_ind], "standard_excellent_zh": g[0],
                                   "standard_good_zh": g[1], "standard_fair_zh": g[2], "standard_poor_zh": g[3],
                                   "source_ref": row.span.ref})
            elif any(texts[c] for c in c_grades):
                raise self.error("grade standards without an indicator name", row.span.first)
        return activities, indicators

    def _table_unit(self, table: Table) -> str:
        for row in table.rows:
            for text in row.texts():
                m = re.search(r"(?:金额)?单位[：:]\s*(万元|元)", text)
                if m:
                    return m.group(1)
        return self.unit

    # -- section 六 --------------------------------------------------------------------------------------
    def procurement(self, blocks: list) -> list[dict]:
        table = next((b for b in blocks if isinstance(b, Table)
                      and any("采购物品名称" in [_compact(t) for t in r.texts()] for r in b.rows)), None)
        if table is None:
            return []
        unit = self._table_unit(table)
        rows = list(table.rows)
        width = len(PROCUREMENT_COLUMNS)
        grid = next((i for i, r in enumerate(rows) if len(r.cells) == width and
                     all(_compact(r.texts()[k]) == v for k, v in PROCUREMENT_HEADER.items())), None)
        if grid is None:
            raise self.error(
                f"procurement table: expected a {width}-column header row with "
                + ", ".join(f"{v} in column {k + 1}" for k, v in PROCUREMENT_HEADER.items()),
                table.span.first,
            )
        out = []
        for row in rows[grid + 1:]:
            if row.is_empty:
                continue
            texts = row.texts(width)
            if len(texts) > width:
                raise self.error(f"procurement row has {len(texts)} cells, the table has {width} columns",
                                 row.span.first)
            if len(row.cells) < width:
                self.warn(f"procurement row has {len(row.cells)} of {width} cells; the missing ones are read as empty",
                          row.span.first)
            values = dict(zip(PROCUREMENT_COLUMNS, texts))
            line = row.span.first
            kind = "total" if _compact(values["project_name_zh"]) in ("合计", "总计") else "item"
            record = {"row_seq": len(out) + 1, "row_kind": kind}
            for i, (key, text) in enumerate(values.items()):
                # Errors name the cell's own line (a row spans many lines).
                line = row.cells[i].span.first if i < len(row.cells) else row.span.first
                if key.endswith("_yuan"):
                    record[key] = None if not text else self.yuan(text, unit, line)
                elif key == "quantity":
                    try:
                        record[key] = parse_decimal(text) if text else None
                    except AmountError as exc:
                        raise self.error(f"procurement quantity: {exc}", line) from exc
                elif key == "catalogue_code":
                    code = text.strip("[]【】 ")
                    if code and not re.fullmatch(r"[A-C][0-9]*", code):
                        raise self.error(f"expected a procurement catalogue code like [A020204], found {text!r}", line)
                    record[key] = code or None
                else:
                    record[key] = text or None
            if kind == "total":
                record["project_name_zh"] = _compact(values["project_name_zh"])
            record["source_ref"] = row.span.ref
            out.append(record)
        return out

    # -- section 七 --------------------------------------------------------------------------------------
    def assets(self, blocks: list) -> list[dict]:
        table = next((b for b in blocks if isinstance(b, Table)
                      and any(_compact(r.texts()[0]) == "项目" for r in b.rows if r.cells)), None)
        if table is None:
            return []
        as_of = None
        head = None
        unit = self.unit
        for i, row in enumerate(table.rows):
            for text in row.texts():
                if m := re.search(r"截[止至]时间[：:]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text):
                    try:
                        as_of = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                    except ValueError as exc:
                        raise self.error(f"截止时间 is not a date: {exc}", row.span.first) from exc
                if m := re.search(r"金额单位[：:]\s*(万元|元)", text):
                    unit = m.group(1)
            if row.cells and _compact(row.texts()[0]) == "项目":
                head = i
                break
        out = []
        parent_part = None
        for row in table.rows[head + 1:]:
            texts = row.texts(3)
            if row.is_empty:
                continue
            if len(texts) > 3:
                raise self.error(f"fixed-asset row has {len(texts)} cells, expected 3 (项目, 数量, 价值)", row.span.first)
            label, qty_text, value_text = texts
            compact = _compact(label)
            subset = compact.startswith("其中")
            stem = re.sub(r"^(?:[0-9０-９]+[、.．])|^其中[：:]", "", compact)
            code = next((c for c, s in ASSET_CODES if s in stem), None)
            if code is None:
                raise self.error(f"unknown fixed-asset line {label!r}; expected one of "
                                 f"{[s for _, s in ASSET_CODES]}", row.span.first)
            qunit = re.search(r"[（(]([^）)]+)[)）]$", stem)
            quantity = None
            if qty_text and qty_text.strip("—-－ "):
                try:
                    quantity = parse_decimal(qty_text)
                except AmountError as exc:
                    raise self.error(f"fixed-asset quantity: {exc}", row.span.first) from exc
            parent = None if code == "total" else (parent_part if subset else "total")
            if subset and parent_part is None:
                raise self.error(f"其中 line {label!r} has no line above it to be part of", row.span.first)
            if not subset:
                parent_part = code
            out.append({"line_code": code, "parent_line_code": parent, "is_subset": subset, "label_zh": label,
                        "quantity": quantity, "quantity_unit_zh": qunit.group(1) if qunit else None,
                        "quantity_text": qty_text or None,
                        "value_yuan": self.yuan(value_text, unit, row.cells[-1].span.first) if value_text else None,
                        "value_text": value_text or None, "as_of_date": as_of, "source_ref": row.span.ref})
        return out

    # -- section 八 --------------------------------------------------------------------------------------
    def glossary(self, blocks: list) -> list[dict]:
        out = []
        for block in blocks:
            if not isinstance(block, Paragraph):
                continue
            m = re.match(r"^([0-9０-９]+)[、.．]\s*(.+?)[：:]\s*(.+)$", block.clean, re.S)
            if m:
                out.append({"term_seq": int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789"))),
                            "term_zh": m.group(2).strip(), "definition_zh": m.group(3).strip(),
                            "source_ref": block.span.ref})
            elif block.clean:
                self.warn(f"glossary line without 'n、term：definition' form kept out: {block.clean[:30]!r}",
                          block.span.first)
        return out

    def department_code(self, department: str) -> str | None:
        candidates = []
        for table in self.doc.tables:
            for row in table.rows:
                for text in row.texts():
                    if not _CODE_DIGITS.search(text):  # cheap filter: most cells hold no code
                        continue
                    m = _DEPARTMENT_CODE.match(_compact(text))
                    if m and (department.startswith(m.group(3)) or m.group(3).startswith(department[:4])):
                        candidates.append((0 if m.group(1) else 1, len(m.group(2)), m.group(2)))
        return min(candidates)[2] if candidates else None


def parse(document: Document) -> TemplateResult:
    """Turn a document of this template into table rows (pure)."""
    p = _Parser(document)
    sections = p.split_sections()
    department, year, title = p.title(sections.preamble)
    blocks = sections.blocks
    missing = [key for key, _ in SECTION_KEYS if key not in blocks]
    if len(missing) == len(SECTION_KEYS):
        raise p.error("no section headings (一、部门职责及机构设置情况 …) found: not a department budget disclosure")
    present = [i for i, (key, _) in enumerate(SECTION_KEYS) if key in blocks]
    if present[-1] < CUT_OFF_BEFORE:
        # The sections come in a fixed order: when the text ends before 八、名词解释, the file was cut off and
        # its last figures (a table of 六 or 七 perhaps half read) cannot be trusted. A missing 九 alone, or a
        # missing section between others, is only a warning (and a section_missing check).
        last = sections.headings[SECTION_KEYS[present[-1]][0]].clean
        expected = ", ".join(repr(words[0]) for _, words in SECTION_KEYS[present[-1] + 1:])
        raise p.error(f"the text ends in section {last!r}: expected the later sections {expected}; the file "
                      "looks cut off", document.line_count or None)
    for key in missing:
        p.warn(f"section {key!r} is missing")
    duties, units = p.duties(blocks.get("duties", []))
    goals = p.goals(blocks.get("performance", []))
    activities, indicators = p.activities(blocks.get("performance", []))
    responsibilities = [{"responsibility_seq": i, **row} for i, row in enumerate(duties + goals, start=1)]
    tables = {
        "organisation_units": units,
        "responsibilities": responsibilities,
        "budget_lines": p.overview(blocks.get("overview", []), blocks.get("running_costs", []),
                                   blocks.get("procurement", []), blocks.get("assets", [])),
        "three_public_expenses": p.three_public(blocks.get("three_public", [])),
        "performance_activities": activities,
        "performance_indicators": indicators,
        "procurement_items": p.procurement(blocks.get("procurement", [])),
        "fixed_assets": p.assets(blocks.get("assets", [])),
        "glossary": p.glossary(blocks.get("glossary", [])),
    }
    return TemplateResult(
        department_name_zh=department, fiscal_year=year, title_zh=title.clean, title_span=title.span,
        department_code=p.department_code(department), source_amount_unit_zh=p.unit, tables=tables,
        warnings=tuple(p.warnings), sections=p.section_infos(sections),
    )


def matches(document: Document) -> bool:
    """Whether ``document`` looks like this template: its first text is a budget disclosure title."""
    first = next((b for b in document.blocks if isinstance(b, Paragraph) and b.clean), None)
    return bool(first and TITLE.match(_compact(first.text)))


