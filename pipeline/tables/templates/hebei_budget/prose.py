"""The Hebei template's figures printed in prose: sections 二 and 三 (income, expenditure, changes, 机关运行经费,
the procurement and fixed-asset totals), 四 (“三公”经费), 五 (performance goals) and 一 (duties)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.document.model import Paragraph, Span, Table
from pipeline.tables.amounts import FIGURE_START
from pipeline.tables.templates.hebei_budget.layout import (
    DIRECTION,
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
    # Every figure is read right after its label (Reader.figure): found there, or an error at its line when
    # what stands there is not an amount; never the next match of the pattern further on.
    def overview(self, blocks: list, running: list, procurement: list, assets: list) -> list[dict]:
        lines: dict[tuple[str, str], dict] = {}

        def add(code, parent, label, match, para):
            row = {"line_code": code, "parent_line_code": parent, "label_zh": label,
                   "amount_yuan": self.yuan(match.group("num"), match.group("unit"), para.span),
                   "amount_text": self.literal(match, para), "change_yuan": None, "change_text": None,
                   "change_reason_zh": None, "source_ref": para.span.ref, "change_source_ref": None}
            lines.setdefault((code, label), row)  # a figure restated later keeps the first statement

        paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
        for para in paragraphs:
            text, line = para.clean, para.span
            # 预算收入 on its own, not inside 一般公共预算收入 / 基金预算收入 (sources, read below).
            if found := self.first_figure(text, r"(?<![共金])预算收入\s*", line):
                add("income_total", None, "预算收入", found[1], para)
                tail = text[found[1].end():]
                if tail.startswith(("，其中", ",其中", "。其中")):
                    self._income_sources(tail.split("：", 1)[-1], para, add)
            if found := self.first_figure(text, r"支出预算\s*", line):
                add("expenditure_total", None, "支出预算", found[1], para)
                for code, parent, label in (
                    ("expenditure_basic", "expenditure_total", "基本支出"),
                    ("expenditure_personnel", "expenditure_basic", "人员经费"),
                    ("expenditure_public_operating", "expenditure_basic", "日常公用经费"),
                    ("expenditure_project", "expenditure_total", "项目支出"),
                    ("expenditure_project_own_level", "expenditure_project", "本级支出"),
                ):
                    if part := self.first_figure(text, rf"(?P<label>{label})\s*(?:为)?\s*", line):
                        add(code, parent, label, part[1], para)
                if im := re.search(r"项目支出[^；;。]*?主要为", text):
                    self._project_items(text[im.end():self._sentence_end(text, im.end())], para, add)
        # Changes from the previous year (3、比上年增减情况).
        for para in paragraphs:
            self._changes(para, lines)
        for para in (b for b in running if isinstance(b, Paragraph)):
            # Words may join label and figure here (共计安排, 预算数为), within the clause.
            if found := self.first_figure(para.clean, "机关运行经费", para.span, words_between=True):
                add("institutional_operating_costs", None, "机关运行经费", found[1], para)
        for para in (b for b in procurement if isinstance(b, Paragraph)):
            if found := self.first_figure(para.clean, r"政府采购预算\s*", para.span):
                add("procurement_total", None, "政府采购预算", found[1], para)
        for para in (b for b in assets if isinstance(b, Paragraph)):
            label = r"(?P<label>(?:上年末)?固定资产(?:金额|总额|原值)?)\s*(?:为|共计)?\s*"
            if found := self.first_figure(para.clean, label, para.span):
                add("fixed_assets_total", None, found[0].group("label"), found[1], para)
        return list(lines.values())

    def _income_sources(self, text: str, para: Paragraph, add) -> None:
        """``一般公共预算收入6041.24万元，基金预算收入0万元，…``: each source a known label and its figure."""
        at = para.span
        labels = sorted(INCOME_CODES, key=len, reverse=True)  # 上年结转收入 before 上年结转
        # A comma separates sources only after a unit (6,041.24万元 keeps its thousands comma), a 。 only where no
        # unit follows (4.37。万元 is a stray mark).
        for part in (p.strip() for p in re.split(r"[；;]|。(?!\s*万?元)|(?<=元)\s*[，,]", text)):
            label = next((lab for lab in labels if part.startswith(lab)), None)
            if label is None:
                if re.match(r"^[^0-9０-９]+", part) and part.endswith("元"):  # a figure under an unknown name
                    name = re.match(r"^[^0-9０-９]*", part).group(0)
                    raise self.error(f"unknown income source {name!r}; expected one of {sorted(INCOME_CODES)}", at)
                continue
            fm = self.figure(part, len(label) + part[len(label):].startswith("为"), label, at)
            if fm is None and part == label:  # the label ends its clause: its figure went astray (收入。0万元)
                raise self.error(f"{label}: expected an amount such as 6041.24万元 after it", at)
            if fm is None:
                continue  # named in a sentence, without a figure
            if part[fm.end():].strip():
                raise self.error(f"{label}: unexpected {part[fm.end():].strip()!r} after its amount", at)
            add(INCOME_CODES[label], "income_total", label, fm, para)

    @staticmethod
    def _sentence_end(text: str, start: int) -> int:
        """Where the sentence from ``start`` ends: at ；, or at a 。 no figure follows (4.37。万元 and 费。43.03万元 keep
        going: a stray mark, or a figure the mark broke, which must then be read or be an error)."""
        for m in re.finditer(r"[；;。]", text[start:]):
            at = start + m.start()
            if text[at] != "。" or not FIGURE_START.match(text, at + 1) and not re.match(r"\s*万?元", text[at + 1:]):
                return at
        return len(text)

    def _project_items(self, text: str, para: Paragraph, add) -> None:
        """``社区经费43.03万元及民办教师经费66.76万元``: each item a name and its figure."""
        at = para.span
        # Items are joined after their unit (…万元及…); a name may itself hold 和 or 及.
        for part in (p.strip() for p in re.split(r"(?<=元)\s*[及和、，,]", text)):
            # The name ends in Chinese text (or a bracket) where a figure starts: 5G基站建设10万元 keeps its 5G.
            cut = next((i for i in range(1, len(part)) if re.match(r"[\u4e00-\u9fff）)]", part[i - 1])
                        and FIGURE_START.match(part, i + part.startswith("为", i))), None)
            fm = self.figure(part, cut + part.startswith("为", cut), part[:cut], at) if cut else None
            if fm is None:
                if part.endswith("元"):  # a figure no name can be told from
                    raise self.error(f"project item {part!r}: expected a name and an amount such as 社区经费43.03万元", at)
                continue
            if re.search(r"[0-9０-９]|元", part[fm.end():]):
                raise self.error(f"project item {part!r}: unexpected {part[fm.end():]!r} after its amount", at)
            add("expenditure_project_item", "expenditure_project", part[:cut].strip(), fm, para)

    def _change(self, text: str, pos: int, label: str, line: Span) -> tuple[re.Match, re.Match] | None:
        """A change stated at ``text[pos:]``: its direction word and figure (增加222.15万元), or None."""
        dm = re.compile(DIRECTION).match(text, pos)
        if dm is None:
            return None
        fm = self.figure(text, dm.end(), f"{label}{dm.group('dir')}", line)
        return (dm, fm) if fm is not None else None  # 增加较多: words, not a figure

    def _changes(self, para: Paragraph, lines: dict) -> None:
        text, line = para.clean, para.span
        for lm in re.finditer(r"较\s*\d{4}\s*年(?:预算)?\s*", text):
            if text.startswith("持平", lm.end()):
                change = None
            elif (change := self._change(text, lm.end(), "较上年", line)) is None:
                continue
            for code in ("income_total", "expenditure_total"):
                self._set_change(lines, code, change, None, para)
            for code, label in (("expenditure_basic", "基本支出"), ("expenditure_project", "项目支出")):
                for part in re.finditer(rf"{label}\s*", text):
                    if found := self._change(text, part.end(), label, line):
                        reason = re.match(r"[，,]\s*(主要[^；;。]*)", text[found[1].end():])
                        self._set_change(lines, code, found, reason.group(1) if reason else None, para)
                        break
                    if re.match(r"[^，,；;。]*持平", text[part.end():]):
                        self._set_change(lines, code, None, None, para)
                        break
            return

    def _set_change(self, lines, code, change, reason, para) -> None:
        for (c, _), row in lines.items():
            if c == code:
                self._apply_change(row, change, para)
                row["change_reason_zh"] = reason.strip() if reason else None

    def _apply_change(self, row: dict, change: tuple[re.Match, re.Match] | None, para: Paragraph) -> None:
        """Set a row's change from a (direction, figure) pair, or 持平 when ``change`` is None."""
        if change is None:
            row.update(change_yuan=Decimal("0.00"), change_text="持平")
        else:
            dm, fm = change
            sign = -1 if dm.group("dir") in ("减少", "下降") else 1
            row.update(change_yuan=sign * self.yuan(fm.group("num"), fm.group("unit"), para.span),
                       change_text=fm.string[dm.start("dir"):fm.end()].strip())
        row["change_source_ref"] = para.span.ref

    # -- section 四 --------------------------------------------------------------------------------------
    def three_public(self, blocks: list) -> list[dict]:
        para = next((b for b in blocks if isinstance(b, Paragraph) and "三公" in b.clean and "万元" in b.clean), None)
        if para is None:
            return []
        text, line = para.clean, para.span
        found = self.first_figure(text, r"(?P<label>“?三公”?经费)(?:预算)?(?:安排|为|共计)*\s*", line)
        if not found:
            raise self.error("expected the “三公”经费 total as '…“三公”经费预算安排<amount>万元'", line)
        split = re.search(r"与\s*\d{4}\s*年(?:预算)?相比", text)
        amounts, changes = (text[:split.start()], text[split.start():]) if split else (text, "")

        def row(code, parent, label, match):
            return {"expense_code": code, "parent_expense_code": parent, "label_zh": label,
                    "amount_yuan": self.yuan(match.group("num"), match.group("unit"), line),
                    "amount_text": self.literal(match, para),
                    "change_yuan": None, "change_text": None, "change_reason_zh": None,
                    "source_ref": para.span.ref, "change_source_ref": None}

        rows = {"total": row("total", None, "“三公”经费", found[1])}
        for code, parent, pattern in THREE_PUBLIC:
            if found := self.first_figure(amounts, rf"(?P<label>{pattern})\s*(?:为)?\s*", line):
                rows[code] = row(code, parent, found[0].group("label"), found[1])
            else:
                self.warn(f"“三公”经费 category {pattern} not stated", line)
        if split:
            self._three_public_changes(changes, rows, para)
        return list(rows.values())

    def _three_public_changes(self, changes: str, rows: dict, para: Paragraph) -> None:
        """``与2018年相比减少0.23万元，其中，公务用车购置及运维费减少0.23万元（…）…公务接待费0万元，与2018年相比持平``."""
        line = para.span
        rest = re.compile(r"与\s*\d{4}\s*年(?:预算)?相比\s*").match(changes).end()  # three_public split here
        if changes.startswith("持平", rest):
            self._apply_change(rows["total"], None, para)
            rest += 2
        elif total := self._change(changes, rest, "“三公”经费", line):
            self._apply_change(rows["total"], total, para)
            rest = total[1].end()
        if rows["total"]["change_source_ref"] and (reason := re.search(r"主要原因是([^。]*)", changes)):
            rows["total"]["change_reason_zh"] = reason.group(1).strip()
        for code, _, pattern in THREE_PUBLIC:
            if code not in rows:
                continue
            for lm in re.finditer(rf"(?:{pattern})\s*", changes[rest:]):
                at, label = rest + lm.end(), lm.group(0).strip()
                if change := self._change(changes, at, label, line):
                    self._apply_change(rows[code], change, para)
                    break
                # A category restated with its amount, then 与…相比持平: the amount must still read.
                fm = self.figure(changes, at, label, line)
                if re.compile(r"[，,]?\s*与\s*\d{4}\s*年(?:预算)?相比持平").match(changes, fm.end() if fm else at):
                    self._apply_change(rows[code], None, para)
                    break
                if fm is not None:
                    break

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
