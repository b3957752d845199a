"""Fiscal identities, soft relations and prose-versus-table checks over one document's parsed tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from pipeline.tables.checks.rows import Figure, compare, make_row, skip

LABELS = {  # default labels for figures a document does not state
    "income_total": "预算收入", "expenditure_total": "支出预算", "expenditure_basic": "基本支出",
    "expenditure_personnel": "人员经费", "expenditure_public_operating": "日常公用经费",
    "expenditure_project": "项目支出", "institutional_operating_costs": "机关运行经费",
    "procurement_total": "政府采购预算", "fixed_assets_total": "上年末固定资产金额",
    "total": "“三公”经费", "outbound_travel": "因公出国（境）费", "vehicles": "公务用车购置及运维费",
    "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运维费", "official_reception": "公务接待费",
}
THREE_PUBLIC_CHILDREN = {"total": ("outbound_travel", "vehicles", "official_reception"),
                         "vehicles": ("vehicle_purchase", "vehicle_operation")}


def _amount(row: dict | None, code: str) -> Figure:
    if row is None:
        return Figure(LABELS.get(code, code), None)
    return Figure(row["label_zh"], row["amount_yuan"], row["source_ref"], row.get("amount_text"))


def _three_public_amount(row: dict | None, code: str) -> Figure:
    """A 三公 amount; a blank cell of a 三公 table (a row without amount) is an exact 0: nothing is budgeted."""
    if row is not None and row["amount_yuan"] is None:
        return Figure(row["label_zh"], Decimal(0), row["source_ref"], None, weight=Decimal(0))
    return _amount(row, code)


def _change(row: dict | None, code: str) -> Figure:
    label = (row["label_zh"] if row else LABELS.get(code, code)) + " 增减"
    if row is None or row["change_yuan"] is None:
        return Figure(label, None)
    return Figure(label, row["change_yuan"], row["change_source_ref"], row["change_text"])


class Identities:
    def __init__(self, tables: dict[str, list[dict]], unit: str) -> None:
        self.tables = tables
        self.unit = unit
        self.lines = tables.get("budget_lines", [])
        self.tp = {r["expense_code"]: r for r in tables.get("three_public_expenses", [])}

    def line(self, code: str) -> dict | None:
        return next((r for r in self.lines if r["line_code"] == code), None)

    def cmp(self, check_id, stated, terms, **kw) -> dict:
        return compare(check_id, stated, terms, unit=self.unit, **kw)

    def run(self) -> Iterator[dict]:
        yield from self.overview()
        yield from self.three_public()
        yield from self.activities()
        yield from self.procurement()
        yield from self.fixed_assets()

    # -- section 二 / 三 ----------------------------------------------------------------------------------
    def overview(self) -> Iterator[dict]:
        a = lambda code: _amount(self.line(code), code)  # noqa: E731
        yield self.cmp("income_equals_expenditure", a("income_total"), [a("expenditure_total")])
        sources = [_amount(r, r["line_code"]) for r in self.lines if r["parent_line_code"] == "income_total"]
        yield (self.cmp("income_equals_sources", a("income_total"), sources) if sources else
               skip("income_equals_sources", "no income source stated", source_ref=a("income_total").ref))
        yield self.cmp("expenditure_equals_basic_plus_project", a("expenditure_total"),
                       [a("expenditure_basic"), a("expenditure_project")])
        yield self.cmp("basic_equals_personnel_plus_public_operating", a("expenditure_basic"),
                       [a("expenditure_personnel"), a("expenditure_public_operating")])
        items = [_amount(r, r["line_code"]) for r in self.lines if r["line_code"] == "expenditure_project_item"]
        yield (self.cmp("project_equals_named_items", a("expenditure_project"), items) if items else
               skip("project_equals_named_items", "no project item named", source_ref=a("expenditure_project").ref))
        c = lambda code: _change(self.line(code), code)  # noqa: E731
        yield self.cmp("change_equals_basic_plus_project_changes", c("expenditure_total"),
                       [c("expenditure_basic"), c("expenditure_project")])
        changed = [(r, r["line_code"]) for r in self.lines if r["change_yuan"] is not None]
        changed += [(r, r["expense_code"]) for r in self.tp.values() if r["change_yuan"] is not None]
        if not changed:
            yield skip("change_implies_valid_previous_year", "no change from the previous year is stated")
        for row, code in changed:
            yield self.cmp("change_implies_valid_previous_year", _amount(row, code), [_change(row, code)],
                           relation="ge", subject=row["label_zh"], expression="本年数 − 上年数 (stated change)")
        yield self.cmp("running_costs_within_public_operating", a("expenditure_public_operating"),
                       [a("institutional_operating_costs")], relation="ge")

    # -- section 四 ------------------------------------------------------------------------------------------
    def three_public(self) -> Iterator[dict]:
        rows = self.tp
        a = lambda code: _three_public_amount(rows.get(code), code)  # noqa: E731
        for check_id, parent in (("three_public_total_equals_categories", "total"),
                                 ("three_public_vehicles_equals_parts", "vehicles")):
            figures = [a(parent), *(a(c) for c in THREE_PUBLIC_CHILDREN[parent])]
            blank = [f.label for f in figures if f.weight == 0 and f.yuan == 0 and f.text is None and f.ref]
            yield self.cmp(check_id, figures[0], figures[1:],
                           note=("blank cell, counted as 0: " + ", ".join(blank)) if blank else None)
        for check_id, parent in (("three_public_change_equals_category_changes", "total"),
                                 ("three_public_vehicles_change_equals_parts", "vehicles")):
            children = THREE_PUBLIC_CHILDREN[parent]
            stated = [_change(rows.get(c), c) for c in children if rows.get(c) and rows[c]["change_yuan"] is not None]
            unstated = [LABELS[c] for c in children if not (rows.get(c) and rows[c]["change_yuan"] is not None)]
            if not stated:
                yield self.cmp(check_id, _change(rows.get(parent), parent),
                               [_change(rows.get(c), c) for c in children])
                continue
            note = ("not stated, taken as unchanged: " + ", ".join(unstated)) if unstated else None
            yield self.cmp(check_id, _change(rows.get(parent), parent), stated, note=note)
        negative = [f"{r['label_zh']} {r['amount_yuan']}" for r in rows.values()
                    if r["amount_yuan"] is not None and r["amount_yuan"] < 0]
        if not rows:
            yield skip("three_public_no_negative_amounts", "no 三公 figures stated")
        else:
            yield make_row("three_public_no_negative_amounts", "fail" if negative else "pass",
                           found_text="; ".join(negative) or None,
                           source_ref=rows.get("total", next(iter(rows.values())))["source_ref"])
        total = a("total")
        # Every stated category and sub-category: with none negative, their sum is 0 exactly when each is.
        items = [_three_public_amount(r, code) for code, r in rows.items() if code != "total"]
        if total.yuan == 0 and items:
            yield self.cmp("three_public_zero_total_zero_items", total, items)
        else:
            reason = ("not applicable: the 三公 total is not zero" if total.yuan else
                      "no 三公 category stated" if total.yuan == 0 else "missing figure: “三公”经费")
            yield skip("three_public_zero_total_zero_items", reason, source_ref=total.ref)

    # -- section 五 ------------------------------------------------------------------------------------------
    def activities(self) -> Iterator[dict]:
        acts = self.tables.get("performance_activities", [])
        fig = lambda r: Figure(f"{r['activity_id']} {r['name_zh']}", r["annual_budget_yuan"],  # noqa: E731
                               r["source_ref"], r["annual_budget_text"])
        parents = [r for r in acts if r["level"] == 1 and r["annual_budget_yuan"] is not None]
        if not parents:
            yield skip("activity_budget_equals_sub_activities", "no level-1 activity has a budget")
        for parent in parents:
            children = [r for r in acts if r["parent_activity_id"] == parent["activity_id"]]
            given = [fig(r) for r in children if r["annual_budget_yuan"] is not None]
            blank = [r["activity_id"] for r in children if r["annual_budget_yuan"] is None]
            subject = fig(parent).label
            if not given:
                yield skip("activity_budget_equals_sub_activities", "no sub-activity has a budget",
                           subject=subject, source_ref=parent["source_ref"])
                continue
            yield self.cmp("activity_budget_equals_sub_activities", fig(parent), given, subject=subject,
                           note=("without a budget, left out: " + ", ".join(blank)) if blank else None)
        items = [r for r in self.lines if r["line_code"] == "expenditure_project_item"]
        if not items:
            yield skip("activity_budget_matches_project_item", "no project item named in section 二")
        for item in items:
            stated = _amount(item, "expenditure_project_item")
            named = _named_activities(item["label_zh"], acts)
            best = _matching_activities(item["label_zh"], acts)
            # Names alone can mislead (another activity may say the item's words too, or say more of them): an
            # activity the item's name points at whose budget agrees is the one; a fail needs a unique best.
            rows = [self.cmp("activity_budget_matches_project_item", stated, [fig(a)], subject=item["label_zh"],
                             note=None if best == [a] else f"not the best match by name of the {len(named)} "
                             "activities sharing a word with the item, but the one whose budget agrees")
                    for a in named]
            agreeing = [row for row in rows if row["status"] == "pass"]
            if agreeing:
                yield agreeing[0]
                continue
            if len(best) != 1:
                reason = ("no activity matches the item by name" if not best else "ambiguous: activities "
                          + ", ".join(fig(a).label for a in best) + " match the item's name equally, and "
                          "none has its amount")
                yield skip("activity_budget_matches_project_item", reason,
                           subject=item["label_zh"], source_ref=item["source_ref"])
                continue
            yield rows[named.index(best[0])]
        budgets = [fig(r) for r in acts if r["level"] == 1 and r["annual_budget_yuan"] is not None]
        project = _amount(self.line("expenditure_project"), "expenditure_project")
        yield (self.cmp("activities_total_within_project", project, budgets) if budgets else
               skip("activities_total_within_project", "no activity has a budget", source_ref=project.ref))

    # -- section 六 ------------------------------------------------------------------------------------------
    def procurement(self) -> Iterator[dict]:
        rows = self.tables.get("procurement_items", [])
        items = [r for r in rows if r["row_kind"] == "item"]
        total_row = next((r for r in rows if r["row_kind"] == "total"), None)
        cell = lambda r, col, label: Figure(label, r[col], r["source_ref"])  # noqa: E731
        if not items:
            yield skip("procurement_line_quantity_times_price", "no procurement item line")
        for r in items:
            subject = f"{r['row_seq']} {r['item_name_zh'] or ''}".strip()
            quantity = r["quantity"]
            price = Figure("单价", r["unit_price_yuan"], r["source_ref"],
                           weight=quantity if quantity is not None else Decimal(1))
            qty = Figure("数量", None if quantity is None else 0, r["source_ref"])  # exact: no rounding term
            computed = None if quantity is None or price.yuan is None else quantity * price.yuan
            yield self.cmp("procurement_line_quantity_times_price", cell(r, "amount_yuan", "政府采购金额"),
                           [qty, price], subject=subject, expression="数量 × 单价", computed=computed)
        if total_row is None:
            yield skip("procurement_lines_sum_to_total", "no 合计 row in the procurement table")
        else:
            yield self.cmp("procurement_lines_sum_to_total", cell(total_row, "amount_yuan", "合计"),
                           [cell(r, "amount_yuan", f"{r['row_seq']} {r['item_name_zh'] or ''}".strip()) for r in items])
        prose = _amount(self.line("procurement_total"), "procurement_total")
        lines = [cell(r, "amount_yuan", f"{r['row_seq']} {r['item_name_zh'] or ''}".strip()) for r in items]
        yield (self.cmp("procurement_total_matches_prose", prose, lines) if lines else
               skip("procurement_total_matches_prose", "no procurement item line", source_ref=prose.ref))
        if not rows:
            for check_id in ("procurement_amount_equals_funding", "procurement_current_year_equals_sources"):
                yield skip(check_id, "no procurement table")
        for r in rows:
            subject = f"{r['row_seq']} {r['item_name_zh'] or r['project_name_zh'] or ''}".strip()
            yield self._funding("procurement_amount_equals_funding", r, "amount_yuan", "总计",
                                (("current_year_total_yuan", "当年部门预算安排资金"), ("other_channels_yuan", "其他渠道资金")),
                                subject)
            yield self._funding("procurement_current_year_equals_sources", r, "current_year_total_yuan", "当年合计",
                                (("general_public_budget_yuan", "一般公共预算拨款"), ("government_fund_yuan", "基金预算拨款"),
                                 ("special_account_yuan", "财政专户核拨"), ("other_sources_yuan", "其他来源收入")),
                                subject)

    def _funding(self, check_id, r, stated_col, stated_label, parts, subject) -> dict:
        blank = [label for col, label in parts if r[col] is None]
        terms = [Figure(label, r[col] or 0, r["source_ref"]) for col, label in parts]
        note = ("blank, counted as 0: " + ", ".join(blank)) if blank else None
        return self.cmp(check_id, Figure(stated_label, r[stated_col], r["source_ref"]), terms, subject=subject,
                        expression=" + ".join(label for _, label in parts), note=note)

    # -- section 七 ------------------------------------------------------------------------------------------
    def fixed_assets(self) -> Iterator[dict]:
        rows = self.tables.get("fixed_assets", [])
        fig = lambda r: Figure(r["label_zh"], r["value_yuan"], r["source_ref"], r["value_text"])  # noqa: E731
        total_row = next((r for r in rows if r["line_code"] == "total"), None)
        total = fig(total_row) if total_row else Figure("资产总额", None)
        parts = [r for r in rows if r["parent_line_code"] == "total" and not r["is_subset"]]
        if not parts:
            yield skip("fixed_assets_parts_sum_to_total", "no part lines in the fixed-asset table",
                       source_ref=total.ref)
        else:
            blank = [r["label_zh"] for r in parts if r["value_yuan"] is None]
            terms = [fig(r) if r["value_yuan"] is not None else Figure(r["label_zh"], 0, r["source_ref"])
                     for r in parts]
            yield self.cmp("fixed_assets_parts_sum_to_total", total, terms,
                           note=("blank, counted as 0: " + ", ".join(blank)) if blank else None)
        subsets = [r for r in rows if r["is_subset"]]
        if not subsets:
            yield skip("fixed_assets_subset_within_parent", "no 其中 line in the fixed-asset table")
        for r in subsets:
            parent = next((p for p in rows if p["line_code"] == r["parent_line_code"] and not p["is_subset"]), None)
            stated = fig(parent) if parent else Figure(r["parent_line_code"] or "", None)
            yield self.cmp("fixed_assets_subset_within_parent", stated, [fig(r)], relation="ge", subject=r["label_zh"])
        yield self.cmp("fixed_assets_total_matches_prose",
                       _amount(self.line("fixed_assets_total"), "fixed_assets_total"), [total])


# Words that say nothing about what an item or activity is, and words that name the same thing.
_GENERIC = re.compile(r"经费|支出|项目|建设|管理|工作|事务|发展|综合|业务|服务|专项|资金|补助")
_SYNONYMS = {"教师": "教育", "学校": "教育", "教学": "教育", "环保": "环境"}


def _bigrams(text: str) -> set[str]:
    stem = _GENERIC.sub(" ", text)
    grams = {stem[i:i + 2] for i in range(len(stem) - 1) if " " not in stem[i:i + 2]}
    return grams | {v for k, v in _SYNONYMS.items() if k in text}


def _rank(item_label: str, activities: list[dict]) -> dict[str, tuple[int, int]]:
    """The activities with a budget whose name shares a word with the item's (with a few synonyms), ranked by
    level (level 1 first) and then by how many words they share."""
    words = _bigrams(item_label)
    return {a["activity_id"]: (a["level"], -len(words & _bigrams(a["name_zh"]))) for a in activities
            if a["annual_budget_yuan"] is not None and words & _bigrams(a["name_zh"])}


def _named_activities(item_label: str, activities: list[dict]) -> list[dict]:
    """Every activity a project item's name may point at, best first (:func:`_rank`; ties in table order)."""
    rank = _rank(item_label, activities)
    return sorted((a for a in activities if a["activity_id"] in rank), key=lambda a: rank[a["activity_id"]])


def _matching_activities(item_label: str, activities: list[dict]) -> list[dict]:
    """The activities a project item names best (:func:`_rank`). One activity is a match; two or more equally
    good ones are ambiguous (the caller skips rather than guess which)."""
    rank = _rank(item_label, activities)
    best = min(rank.values(), default=None)
    return [a for a in activities if rank.get(a["activity_id"], ()) == best]
