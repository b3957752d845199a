"""Drawing a random disclosure: every figure of :mod:`pipeline.synth.records` consistent by construction.

Amounts are drawn so that the identities listed in :mod:`pipeline.synth.records` hold exactly at the printed
precision; the source anomalies are injected at the rates ``P_*`` below.

:func:`make_disclosure` draws everything from one ``random.Random``; the department may be drawn apart
(:func:`make_department`) so that a name colliding with another document's id can be redrawn alone.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from pipeline.synth import vocab
from pipeline.synth.records import (
    Activity,
    Assets,
    Budget,
    Department,
    Disclosure,
    Indicator,
    ProcurementItem,
    ThreePublic,
    Unit,
    chinese_number,
)

# How often each source anomaly is injected (the seed has one ``。万元``, one 16.9 台, four activities without
# indicators and no empty grade cell).
P_STRAY_FULL_STOP = 0.05  # per document: the 公务用车 amount printed ``4.37。万元``


P_FRACTIONAL_QUANTITY = 0.05  # per procurement line: a quantity like 16.9 (an anomaly for a unit that counts)


P_BLANK_GRADE = 0.005  # per indicator: one of its four grade standards left empty


P_LEAF_WITHOUT_INDICATORS = 0.02  # per sub-activity: no performance indicator at all


P_ITEM_ON_SUB_ACTIVITY = 0.2  # per project item: named by a sub-activity, as 社区经费 is in the seed


P_PRINTED_TWICE = 0.01  # per activity with a one-paragraph description: printed again across a page break (the seed's 十四)


def _place(rng: random.Random, suffixes: tuple[str, ...]) -> str:
    return "".join(rng.choices(vocab.PLACE_SYLLABLES, k=rng.choice((2, 2, 2, 3)))) + rng.choice(suffixes)


def make_department(rng: random.Random) -> Department:
    city = rng.choice(vocab.CITIES)
    district = _place(rng, vocab.DISTRICT_SUFFIXES)
    if rng.random() < 0.6:
        town = _place(rng, vocab.TOWN_SUFFIXES)
        body = town + ("" if town.endswith("街道办事处") else "人民政府")
    else:
        body = rng.choice(vocab.BUREAUS)
    return Department(city, district, body)


def _sentence(rng: random.Random, lo: int = 1, hi: int = 3) -> str:
    return "，".join(rng.sample(vocab.CLAUSES, rng.randint(lo, hi))) + "。"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` non-negative integers (random cut points)."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _change(rng: random.Random, amount: int, flat: float = 0.15) -> int:
    """A year-on-year change that leaves the previous year's figure non-negative."""
    if rng.random() < flat:
        return 0
    return rng.randint(-max(amount // 4, 1), amount)


def make_budget(rng: random.Random) -> Budget:
    personnel = rng.randint(50_00, 8000_00)
    public_operating = rng.randint(personnel // 50, personnel // 10)
    n_items = rng.choice((0, 1, 1, 2, 2, 3, 4))
    items = tuple((label, rng.randint(1_00, 300_00)) for label in rng.sample(sorted(vocab.PROJECT_ITEMS), n_items))
    total = personnel + public_operating + sum(a for _, a in items)
    labels = [rng.choice(("一般公共预算收入", "一般公共预算拨款收入")), rng.choice(("基金预算收入", "政府性基金预算收入")),
              rng.choice(("财政专户核拨收入", "财政专户管理资金收入")), rng.choice(("其他来源收入", "其他收入"))]
    if rng.random() < 0.15:
        labels.append("事业收入")
    if rng.random() < 0.2:
        labels.append(rng.choice(("上年结转", "上年结转收入")))
    side = [0 if rng.random() < 0.6 else rng.randint(0, total // 20) for _ in labels[1:]]
    income = ((labels[0], total - sum(side)), *zip(labels[1:], side))
    basic_change = _change(rng, personnel + public_operating)
    project_change = _change(rng, sum(a for _, a in items))
    if rng.random() < 0.05:  # a year with no change at all
        basic_change = project_change = 0
    return Budget(
        income=income, personnel=personnel, public_operating=public_operating, project_items=items,
        basic_change=basic_change, project_change=project_change,
        basic_reason=rng.choice((None, *vocab.CHANGE_REASONS)) if basic_change else None,
        project_reason=rng.choice((None, *vocab.CHANGE_REASONS)) if project_change else None,
        running_costs=rng.randint(0, public_operating),
    )


def make_three_public(rng: random.Random, ceiling: int) -> ThreePublic:
    def amount(p_zero: float) -> int:
        return 0 if rng.random() < p_zero else rng.randint(1, max(ceiling // 5, 1))

    outbound, purchase, operation, reception = amount(0.85), amount(0.8), amount(0.3), amount(0.5)
    return ThreePublic(
        outbound=outbound, purchase=purchase, operation=operation, reception=reception,
        outbound_change=_change(rng, outbound, 0.6), purchase_change=_change(rng, purchase, 0.5),
        operation_change=_change(rng, operation), reception_change=_change(rng, reception, 0.5),
        vehicles_label=rng.choice(vocab.VEHICLE_LABELS), operation_label=rng.choice(vocab.VEHICLE_OPERATION_LABELS),
        reason=rng.choice(vocab.THREE_PUBLIC_REASONS),
        stray_full_stop=rng.random() < P_STRAY_FULL_STOP,
    )


def _indicators(rng: random.Random) -> tuple[Indicator, ...]:
    out = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(vocab.METRIC_TOPICS) + rng.choice(vocab.METRICS)
        standards = list(rng.choice(vocab.STANDARDS))
        if rng.random() < P_BLANK_GRADE:
            standards[rng.randrange(4)] = ""
        out.append(Indicator(name, tuple(standards)))
    return tuple(out)


def _description(rng: random.Random) -> tuple[str, ...]:
    paragraphs = [_sentence(rng)]
    if rng.random() < 0.2:  # a second paragraph; Cell.text keeps a repeated one once, so it must differ
        second = _sentence(rng)
        paragraphs += [second] if second != paragraphs[0] else []
    if rng.random() < 0.1:  # a Word tab inside the cell, as in the seed's 社会保障事务 row
        paragraphs[0] = rng.choice(vocab.SUB_ACTIVITIES) + "\t" + paragraphs[0]
    return tuple(paragraphs)


def make_activities(rng: random.Random, project_items: tuple[tuple[str, int], ...]) -> tuple[Activity, ...]:
    """Level-1 activities (一、…, sometimes past 十) with level-2 children (1、…, sometimes past 9).

    Each project item funds one level-1 activity named after it (民办教师经费 → 义务教育), or, now and then, one
    with a general name whose only budgeted sub-activity is named after it and holds the whole amount (the
    seed's 十四、政务管理 and its 8、社区建设 for 社区经费). No other budgeted activity, and no general name,
    says a word of an item's (vocab.ITEM_WORDS): the activity an item names is never in doubt."""
    n = max(len(project_items), rng.randint(2, 8) if rng.random() < 0.85 else rng.randint(9, 14))
    at = rng.sample(range(n), len(project_items))
    funded = dict(zip(at, (a for _, a in project_items)))
    labels = {i: label for i, (label, _) in zip(at, project_items)}

    def neutral(name: str, own: str | None = None) -> bool:
        return not any(w in name for label in labels.values() if label != own for w in vocab.ITEM_WORDS[label])

    item_names = {i: rng.choice(vocab.PROJECT_ITEMS[label]) for i, label in labels.items()}
    on_child = {i for i in at if rng.random() < P_ITEM_ON_SUB_ACTIVITY}
    pool = [a for a in vocab.ACTIVITIES if a not in item_names.values()]
    general = dict(zip(sorted(on_child), rng.sample([a for a in pool if neutral(a)], len(on_child))))
    others = iter(rng.sample([a for a in pool if a not in general.values()], n - len(at)))
    names = [general.get(i) or item_names.get(i) or next(others) for i in range(n)]
    tree = []
    for i, name in enumerate(names):
        n_children = rng.randint(1, 4) if rng.random() < 0.95 else rng.randint(5, 15)
        budgets: list[int | None] = [None] * n_children
        if i in on_child:
            child_names = rng.sample([c for c in vocab.SUB_ACTIVITIES if neutral(c) and c != item_names[i]],
                                     n_children)
            k = rng.randrange(n_children)
            child_names[k], budgets[k] = item_names[i], funded[i]
        elif i in funded:
            child_names = rng.sample([c for c in vocab.SUB_ACTIVITIES if neutral(c, labels[i])], n_children)
            given = rng.sample(range(n_children), rng.randint(1, n_children))
            for k, part in zip(sorted(given), _split(rng, funded[i], len(given))):
                budgets[k] = part
        else:
            child_names = rng.sample(vocab.SUB_ACTIVITIES, n_children)
        children = tuple(
            Activity(str(k + 1), child, budgets[k], _description(rng), _sentence(rng, 1, 2),
                     () if rng.random() < P_LEAF_WITHOUT_INDICATORS else _indicators(rng))
            for k, child in enumerate(child_names)
        )
        tree.append(Activity(chinese_number(i + 1), name, funded.get(i), _description(rng), _sentence(rng, 1, 2),
                             _indicators(rng) if rng.random() < 0.1 else (), children))
    return tuple(tree)


def make_procurement(rng: random.Random) -> tuple[ProcurementItem, ...]:
    items = []
    for _ in range(rng.randint(1, 6)):
        item, code, unit = rng.choice(vocab.PROCUREMENT_GOODS)
        if rng.random() < P_FRACTIONAL_QUANTITY:  # the seed's 16.9 台 of furniture at 0.1
            quantity = Decimal(rng.choice([k for k in range(11, 200) if k % 10])) / 10
            price = rng.randint(1, 30) * 10
        else:
            quantity = Decimal(rng.randint(1, 12))
            price = rng.randint(5, 300)
        amount = int(quantity * price)
        general, rest = (amount, 0) if rng.random() < 0.75 else (amount // 2, amount - amount // 2)
        fund, special, other_sources, other_channels = _split(rng, rest, 4)
        items.append(ProcurementItem(rng.choice(vocab.PROCUREMENT_PROJECTS), item, code, unit, str(quantity), price,
                                     general, fund, special, other_sources, other_channels))
    return tuple(items)


def make_assets(rng: random.Random, year: int) -> Assets:
    area = rng.randint(200, 30000)
    building_value = rng.randint(10_00, 2000_00)
    office_share = rng.choice((1, 1, 2, 3))
    vehicles = rng.randint(0, 15)
    equipment = 0 if rng.random() < 0.6 else rng.randint(1, 5)
    return Assets(
        as_of_year=year - 1, building_area=area, building_value=building_value,
        office_area=area // office_share, office_value=building_value // office_share,
        vehicle_count=vehicles, vehicle_value=rng.randint(5_00, 40_00) * vehicles,
        equipment_count=equipment, equipment_value=rng.randint(20_00, 200_00) * equipment,
        other_value=rng.randint(0, 500_00),
    )


def _printed_twice(activities: tuple[Activity, ...], rng: random.Random) -> tuple[Activity, ...]:
    """Mark the one-paragraph descriptions Word prints twice across a page break (P_PRINTED_TWICE)."""
    def mark(a: Activity) -> Activity:
        twice = len(a.description) == 1 and rng.random() < P_PRINTED_TWICE
        return replace(a, printed_twice=twice, children=tuple(mark(c) for c in a.children))
    return tuple(mark(a) for a in activities)


def make_disclosure(rng: random.Random, department: Department | None = None) -> Disclosure:
    """A disclosure drawn from ``rng``; page-break repeats are drawn last, from a stream of their own, so the
    rest of a document is what it was before they were."""
    disclosure = _draw_disclosure(rng, department)
    return replace(disclosure, activities=_printed_twice(disclosure.activities, random.Random(rng.random())))


def _draw_disclosure(rng: random.Random, department: Department | None = None) -> Disclosure:
    department = department or make_department(rng)
    year = rng.randint(2017, 2024)
    budget = make_budget(rng)
    short = department.short
    if department.body.endswith(("人民政府", "街道办事处")):
        unit_names = [short + u for u in rng.sample(vocab.TOWN_UNITS, rng.randint(1, 6))] + [department.name]
    else:
        unit_names = [department.name] + [short + u for u in rng.sample(vocab.BUREAU_UNITS, rng.randint(0, 4))]
    units = tuple(
        Unit(n, rng.choice(vocab.UNIT_NATURES), rng.choice(vocab.UNIT_GRADES), rng.choice(vocab.FUNDING_FORMS))
        for n in unit_names
    )
    duties = tuple((h, _sentence(rng, 2, 4)) for h in rng.sample(vocab.DUTY_HEADINGS, rng.randint(1, 4)))
    glossary_at = sorted(rng.sample(range(len(vocab.GLOSSARY)), rng.randint(3, len(vocab.GLOSSARY))))
    return Disclosure(
        department=department,
        code=str(rng.randint(100, 999)),
        year=year,
        duties=duties,
        units=units,
        budget=budget,
        three_public=make_three_public(rng, budget.public_operating),
        overall_goals=tuple(_sentence(rng, 2, 4) for _ in range(rng.randint(1, 2))),
        duty_goals=tuple((h, _sentence(rng)) for h in rng.sample(vocab.GOAL_HEADINGS, rng.randint(1, 6))),
        activities=make_activities(rng, budget.project_items),
        procurement=make_procurement(rng) if rng.random() < 0.8 else None,
        assets=make_assets(rng, year) if rng.random() < 0.85 else None,
        glossary=tuple(vocab.GLOSSARY[i] for i in glossary_at),
        trim_zeros=rng.random() < 0.3,
        grouped_thousands=rng.random() < 0.3,
    )
