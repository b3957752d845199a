"""The Hebei template's figures printed in prose: sections 二 and 三 (income, expenditure, changes, 机关运行经费,
the procurement and fixed-asset totals), 四 (“三公”经费), 五 (performance goals) and 一 (duties)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Paragraph, Table
from pipeline.tables.templates.hebei_budget.layout import (
    AMT,
    AMT_ANY,
    CHANGE,
    INCOME_CODES,
    THREE_PUBLIC,
    compact,
)
from pipeline.tables.templates.hebei_budget.reader import Reader


class ProseReader(Reader):
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
            self.warn("table in section 一 without a 单位名称 header was skipped", table.span)
            return []
        header = [compact(t) for t in table.rows[header_at].grid_texts()]
        col = {name: header.index(name) if name in header else None
               for name in ("单位名称", "单位性质", "单位规格", "经费保障形式")}
        rows = []
        for row in table.rows[header_at + 1:]:
            texts = row.grid_texts(len(header))
            if len(texts) > len(header):
                raise self.error(f"organisation row has {len(texts)} cells, header has {len(header)}", row.span)
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
                "amount_yuan": self.yuan(match.group("num"), match.group("unit"), para.span),
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
                                             para.span)
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
            row.update(change_yuan=Decimal("0.00"), change_text="持平")
        else:
            sign = -1 if match.group("dir") in ("减少", "下降") else 1
            row.update(change_yuan=sign * self.yuan(match.group("num"), match.group("unit"), para.span),
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
            raise self.error("expected the “三公”经费 total as '…“三公”经费预算安排<amount>万元'", para.span)
        split = re.search(r"与\s*\d{4}\s*年(?:预算)?相比", text)
        amounts, changes = (text[:split.start()], text[split.start():]) if split else (text, "")

        def row(code, parent, label, match):
            return {"expense_code": code, "parent_expense_code": parent, "label_zh": label,
                    "amount_yuan": self.yuan(match.group("num"), match.group("unit"), para.span),
                    "amount_text": self.literal(match, para),
                    "change_yuan": None, "change_text": None, "change_reason_zh": None,
                    "source_ref": para.span.ref, "change_source_ref": None}

        rows = {"total": row("total", None, "“三公”经费", total)}
        for code, parent, pattern in THREE_PUBLIC:
            m = re.search(rf"(?P<label>{pattern})\s*(?:为)?\s*{AMT}", amounts)
            if m:
                rows[code] = row(code, parent, m.group("label"), m)
            else:
                self.warn(f"“三公”经费 category {pattern} not stated", para.span)
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
