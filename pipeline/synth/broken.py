"""Disclosures in which one identity does not hold, with the check rows that must say so.

A generated disclosure satisfies every identity (see :mod:`pipeline.synth.records`); :func:`break_identity`
changes one stated figure of it by far more than the printed precision, so that a test can assert the checks
fire on documents they have never seen, and fire nowhere else. Only figures the records state independently can
be changed here (totals such as 项目支出 or the “三公” total are computed from their parts, so they always add up).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from pipeline.synth import vocab
from pipeline.synth.records import Disclosure

# Hundredths of 万元: 100万元. A figure printed without decimals (trimmed ``352``) is rounded to 1万元, so a
# tolerance reaches 0.5万元 per figure; no identity has enough figures to come near this.
OFF = 100_00

# (check_id, subject, status): one row of the ``checks`` table that does not hold.
Row = tuple[str, "str | None", str]


def _income(d: Disclosure) -> tuple[Disclosure, set[Row]]:
    (label, amount), *rest = d.budget.income
    budget = dataclasses.replace(d.budget, income=((label, amount + OFF), *rest))
    return dataclasses.replace(d, budget=budget), {("income_equals_sources", None, "fail")}


def _running_costs(d: Disclosure) -> tuple[Disclosure, set[Row]]:
    budget = dataclasses.replace(d.budget, running_costs=d.budget.public_operating + OFF)
    return dataclasses.replace(d, budget=budget), {("running_costs_within_public_operating", None, "warn")}


def _quantity(d: Disclosure) -> tuple[Disclosure, set[Row]] | None:
    if not d.procurement:
        return None
    first, *rest = d.procurement
    # Ten times the quantity: off by 9 × quantity × price, while the tolerance (10 × quantity half-units of the
    # price, plus half a unit of the amount) is at most 5.5 × quantity × price (a half-unit is at most half
    # the printed value).
    tenfold = dataclasses.replace(first, quantity=str(Decimal(first.quantity) * 10))
    subject = f"2 {first.item}"  # row 1 is the 合计 row
    return (dataclasses.replace(d, procurement=(tenfold, *rest)),
            {("procurement_line_quantity_times_price", subject, "fail")})


def _office_space(d: Disclosure) -> tuple[Disclosure, set[Row]] | None:
    if d.assets is None:
        return None
    assets = dataclasses.replace(d.assets, office_value=d.assets.building_value + OFF)
    return (dataclasses.replace(d, assets=assets),
            {("fixed_assets_subset_within_parent", "其中：办公用房（平方米）", "fail")})


def _activity_budget(d: Disclosure) -> tuple[Disclosure, set[Row]] | None:
    at = next((i for i, a in enumerate(d.activities) if a.budget is not None), None)
    if at is None:
        return None
    act = d.activities[at]
    activities = list(d.activities)
    activities[at] = dataclasses.replace(act, budget=act.budget + OFF)
    # The parent no longer sums its children and the activities exceed 项目支出; the item no longer equals its
    # activity when the parent is the one named after it (not when a sub-activity is, as 社区建设 in the seed).
    rows = {("activity_budget_equals_sub_activities", f"{at + 1:02d} {act.name}", "fail"),
            ("activities_total_within_project", None, "warn")}
    rows |= {("activity_budget_matches_project_item", label, "fail") for label, _ in d.budget.project_items
             if act.name in vocab.PROJECT_ITEMS[label]}
    return dataclasses.replace(d, activities=tuple(activities)), rows


BREAKS = {
    "income_equals_sources": _income,
    "running_costs_within_public_operating": _running_costs,
    "procurement_line_quantity_times_price": _quantity,
    "fixed_assets_subset_within_parent": _office_space,
    "activity_budget_equals_sub_activities": _activity_budget,
}


def break_identity(d: Disclosure, check_id: str) -> tuple[Disclosure, set[Row]] | None:
    """``d`` with one figure changed so that ``check_id`` (a key of :data:`BREAKS`) does not hold, and every
    ``(check_id, subject, status)`` row that must then fail or warn; None when ``d`` lacks the figure (no
    procurement table, no fixed assets, no funded activity)."""
    return BREAKS[check_id](d)
