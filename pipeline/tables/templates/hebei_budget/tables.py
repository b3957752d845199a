"""The Hebei template's tables: 机构设置 (一), the activity and indicator table (五), 政府采购预算 (六), 固定资产 (七),
and the 名词解释 list (八)."""

from __future__ import annotations

import re
from datetime import date

from pipeline.document.model import Paragraph, Table, regroup
from pipeline.tables.amounts import AmountError, parse_decimal
from pipeline.tables.templates.hebei_budget.layout import (
    ASSET_CODES,
    PROCUREMENT_COLUMNS,
    PROCUREMENT_HEADER,
    compact,
)
from pipeline.tables.templates.hebei_budget.reader import Reader


ACTIVITY_NUMBER = re.compile(r"^(?:[一二三四五六七八九十百]+、|[0-9０-９]+[、.．])")
# Where a row starts, a cell in brackets is taken for its catalogue code; whether it is a valid one is checked
# when the row is read (an error naming the cell, not a row glued to the one above).
BRACKETED = re.compile(r"^[\[【][^\]】]*[\]】]$")


def _activity_starts(texts: list[str], i: int, reader_cut: bool) -> bool:
    """An activity row begins with its numbered name; an indicator row (the reader's cut) with an empty one."""
    name = compact(texts[i])
    return bool(ACTIVITY_NUMBER.match(name)) or (reader_cut and not name)


def _procurement_starts(texts: list[str], i: int, reader_cut: bool) -> bool:
    """A procurement row begins with its project (合计 for the total) and has its catalogue code three cells on
    (or, where the reader began a row, no code at all)."""
    if compact(texts[i]) in ("合计", "总计"):
        return True
    code = texts[i + 3] if i + 3 < len(texts) else None
    return bool(texts[i]) and (bool(code and BRACKETED.match(code)) or (reader_cut and code == ""))


class TableReader(Reader):
    def activities(self, blocks: list) -> tuple[list[dict], list[dict]]:
        table = next((b for b in blocks if isinstance(b, Table)
                      and any("职责活动" in [compact(t) for t in r.texts()] for r in b.rows)), None)
        if table is None:
            return [], []
        unit = self._table_unit(table)
        rows = list(table.rows)
        head = next(i for i, r in enumerate(rows) if "职责活动" in [compact(t) for t in r.texts()])
        header = [compact(t) for t in rows[head].grid_texts()]
        try:
            c_name, c_budget, c_desc, c_goal, c_ind = (header.index(h) for h in
                                                       ("职责活动", "年度预算数", "内容描述", "绩效目标", "绩效指标"))
        except ValueError as exc:
            raise self.error(f"activity table header {header} lacks a column: {exc}", rows[head].span) from exc
        grade_row = rows[head + 1] if head + 1 < len(rows) else None
        grades = [compact(t) for t in grade_row.grid_texts()] if grade_row else []
        if not all(g in grades for g in "优良中差"):
            raise self.error("expected a header row with the grades 优 良 中 差 under 评价标准",
                             grade_row.span if grade_row else rows[head].span)
        c_grades = [grades.index(g) for g in "优良中差"]
        width = len(grades)
        activities: list[dict] = []
        indicators: list[dict] = []
        current = None
        level1 = None
        # Two narrow rows in a row (an activity without its own indicator, then another) are cut where the
        # second one's numbered name begins (see document.model.regroup).
        for row in regroup(tuple(rows[head + 2:]), width, _activity_starts):
            texts = row.grid_texts(width)
            if len(texts) > width:
                raise self.error(f"activity row has {len(texts)} cells, the table has {width} columns", row.span)
            if row.is_empty:
                continue
            name = texts[c_name]
            if name:
                m1 = re.match(r"^([一二三四五六七八九十百]+)、\s*(.+)$", compact(name))
                m2 = re.match(r"^([0-9０-９]+)[、.．]\s*(.+)$", compact(name))
                if m1:
                    level1 = len([a for a in activities if a["level"] == 1]) + 1
                    activity_id, parent, level, number, label = f"{level1:02d}", None, 1, m1.group(1), m1.group(2)
                elif m2:
                    if level1 is None:
                        raise self.error(f"activity {name!r} numbered 1、… before any 一、… activity", row.span)
                    sub = len([a for a in activities if a["parent_activity_id"] == f"{level1:02d}"]) + 1
                    activity_id, parent, level = f"{level1:02d}.{sub:02d}", f"{level1:02d}", 2
                    number, label = m2.group(1), m2.group(2)
                else:
                    raise self.error(f"expected an activity numbered 一、… or 1、…, found {name!r}", row.span)
                budget_text = texts[c_budget] or None
                current = {"activity_id": activity_id, "parent_activity_id": parent, "level": level,
                           "number_printed": number, "name_zh": label,
                           "annual_budget_yuan": self.yuan(budget_text, unit, row.cells[c_budget].span)
                           if budget_text else None,
                           "annual_budget_text": budget_text, "description_zh": texts[c_desc] or None,
                           "performance_goal_zh": texts[c_goal] or None, "source_ref": row.span.ref}
                activities.append(current)
            elif current is None:
                raise self.error("indicator row before any activity", row.span)
            elif texts[c_desc] or texts[c_goal] or texts[c_budget]:
                raise self.error("row continues an activity but fills its budget, description or goal",
                                 row.span)
            if texts[c_ind]:
                seq = len([i for i in indicators if i["activity_id"] == current["activity_id"]]) + 1
                g = [texts[c] or None for c in c_grades]
                indicators.append({"activity_id": current["activity_id"], "indicator_seq": seq,
                                   "indicator_name_zh": texts[c_ind], "standard_excellent_zh": g[0],
                                   "standard_good_zh": g[1], "standard_fair_zh": g[2], "standard_poor_zh": g[3],
                                   "source_ref": row.span.ref})
            elif any(texts[c] for c in c_grades):
                raise self.error("grade standards without an indicator name", row.span)
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
                      and any("采购物品名称" in [compact(t) for t in r.texts()] for r in b.rows)), None)
        if table is None:
            return []
        unit = self._table_unit(table)
        rows = list(table.rows)
        width = len(PROCUREMENT_COLUMNS)
        grid = next((i for i, r in enumerate(rows) if len(r.grid_texts()) == width and
                     all(compact(r.grid_texts()[k]) == v for k, v in PROCUREMENT_HEADER.items())), None)
        if grid is None:
            raise self.error(
                f"procurement table: expected a {width}-column header row with "
                + ", ".join(f"{v} in column {k + 1}" for k, v in PROCUREMENT_HEADER.items()),
                table.span,
            )
        out = []
        # Two narrow rows in a row (trailing funding cells vanished) are cut where a project and its catalogue
        # code say a row begins (see document.model.regroup).
        for row in regroup(tuple(rows[grid + 1:]), width, _procurement_starts):
            if row.is_empty:
                continue
            texts = row.grid_texts(width)
            if len(texts) > width:
                raise self.error(f"procurement row has {len(texts)} cells, the table has {width} columns",
                                 row.span)
            if len(row.cells) < width and not row.cells_exact:
                # A reader that knows the row's cells (DOCX: merged or omitted grid columns) leaves nothing to guess.
                self.warn(f"procurement row has {len(row.cells)} of {width} cells; the missing ones are read as empty",
                          row.span)
            values = dict(zip(PROCUREMENT_COLUMNS, texts))
            line = row.span
            kind = "total" if compact(values["project_name_zh"]) in ("合计", "总计") else "item"
            record = {"row_seq": len(out) + 1, "row_kind": kind}
            for i, (key, text) in enumerate(values.items()):
                # Errors name the cell's own line (a row spans many lines).
                cell = row.cell_at(i)
                line = cell.span if cell is not None else row.span
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
                record["project_name_zh"] = compact(values["project_name_zh"])
            # The columns of a table that groups its items (category, economic item, method): Hebei prints none.
            record.update(category_zh=None, economic_item_zh=None, procurement_method_zh=None)
            record["source_ref"] = row.span.ref
            out.append(record)
        return out

    # -- section 七 --------------------------------------------------------------------------------------
    def assets(self, blocks: list) -> list[dict]:
        table = next((b for b in blocks if isinstance(b, Table)
                      and any(compact(r.texts()[0]) == "项目" for r in b.rows if r.cells)), None)
        if table is None:
            return []
        as_of = None
        head = None
        unit = self.unit
        for i, row in enumerate(table.rows):
            for cell in row.cells:
                text = cell.text
                if m := re.search(r"截[止至]时间[：:]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text):
                    try:
                        as_of = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                    except ValueError as exc:
                        raise self.error(f"截止时间 is not a date: {exc}", cell.span) from exc
                if m := re.search(r"金额单位[：:]\s*(万元|元)", text):
                    unit = m.group(1)
            if row.cells and compact(row.texts()[0]) == "项目":
                head = i
                break
        out = []
        parent_part = None
        for row in table.rows[head + 1:]:
            texts = row.grid_texts(3)
            if row.is_empty:
                continue
            if len(texts) > 3:
                raise self.error(f"fixed-asset row has {len(texts)} cells, expected 3 (项目, 数量, 价值)", row.span)
            label, qty_text, value_text = texts
            printed = compact(label)
            subset = printed.startswith("其中")
            stem = re.sub(r"^(?:[0-9０-９]+[、.．])|^其中[：:]", "", printed)
            code = next((c for c, s in ASSET_CODES if s in stem), None)
            if code is None:
                raise self.error(f"unknown fixed-asset line {label!r}; expected one of "
                                 f"{[s for _, s in ASSET_CODES]}", row.span)
            qunit = re.search(r"[（(]([^）)]+)[)）]$", stem)
            quantity = None
            if qty_text and qty_text.strip("—-－ "):
                try:
                    quantity = parse_decimal(qty_text)
                except AmountError as exc:
                    raise self.error(f"fixed-asset quantity: {exc}", row.cells[1].span) from exc
            parent = None if code == "total" else (parent_part if subset else "total")
            if subset and parent_part is None:
                raise self.error(f"其中 line {label!r} has no line above it to be part of", row.span)
            if not subset:
                parent_part = code
            out.append({"line_code": code, "parent_line_code": parent, "is_subset": subset, "label_zh": label,
                        "quantity": quantity, "quantity_unit_zh": qunit.group(1) if qunit else None,
                        "quantity_text": qty_text or None,
                        "value_yuan": self.yuan(value_text, unit, row.cells[-1].span) if value_text else None,
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
                          block.span)
        return out
