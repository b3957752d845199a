"""Random synthetic Shanghai disclosures: :func:`make_disclosure` draws every record and layout choice from one
``random.Random``, so a seed gives the same document every time."""

from __future__ import annotations

import random

from pipeline.synth.shanghai.records import (
    ECONOMIC,
    FUNCTIONS,
    PERSONNEL_CLASSES,
    EconomicLine,
    Item,
    Layout,
    ShanghaiDisclosure,
)

DISTRICTS = ("普陀区", "静安区", "徐汇区", "长宁区", "杨浦区", "虹口区", "黄浦区", "闵行区", "宝山区", "嘉定区")
BODIES = ("财政局", "教育局", "民政局", "司法局", "体育局", "审计局", "统计局", "商务委员会", "卫生健康委员会",
          "市场监督管理局", "生态环境局", "人民政府办公室", "发展和改革委员会", "科学技术委员会", "档案局")
PLACE = "长宁甘泉石泉真如桃浦曹杨万里宜川长风长征江宁新华天平枫林湖南凌云华泾斜土漕河泾田林康健虹梅龙华"
UNITS = ("社区事务受理服务中心", "城市运行管理中心", "党群服务中心", "综合行政执法队", "经济发展服务中心")
DUTY = ("贯彻执行国家和本市有关法律、法规、规章和方针、政策。", "负责本区相关工作的统筹规划和组织实施。",
        "承担部门预算编制、执行和财务管理工作。", "完成区委、区政府交办的其他任务。",
        "负责相关领域的监督管理和信息公开工作。", "组织开展调查研究，提出政策建议。")


def make_department(rng: random.Random) -> str:
    district = rng.choice(DISTRICTS)
    if rng.random() < 0.5:
        return f"上海市{district}{rng.choice(BODIES)}"
    return f"上海市{district}人民政府{''.join(rng.sample(PLACE, 2))}街道办事处"


def _split(rng: random.Random, total: int, parts: int, step: int) -> list[int]:
    """``total`` in ``parts`` positive multiples of ``step`` (the last takes the rest)."""
    units = total // step
    cuts = sorted(rng.sample(range(1, units), parts - 1)) if parts > 1 and units > parts else []
    bounds = [0, *cuts, units]
    out = [(b - a) * step for a, b in zip(bounds, bounds[1:])]
    out[-1] += total - units * step
    return out + [0] * (parts - len(out))


def _items(rng: random.Random, step: int) -> tuple[Item, ...]:
    classes = sorted({c for c in FUNCTIONS if len(c) == 3})
    chosen = rng.sample(classes, rng.randint(2, min(5, len(classes))))
    items = []
    for cls in sorted(chosen):
        sections = [c for c in FUNCTIONS if len(c) == 5 and c.startswith(cls)]
        for sec in sorted(rng.sample(sections, rng.randint(1, min(2, len(sections))))):
            leaves = [c for c in FUNCTIONS if len(c) == 7 and c.startswith(sec)]
            for code in sorted(rng.sample(leaves, rng.randint(1, len(leaves)))):
                basic = rng.choice((0, rng.randint(1, 3_000_000) * step)) if rng.random() < 0.8 else 0
                project = rng.choice((0, rng.randint(1, 5_000_000) * step))
                if basic == project == 0:
                    basic = rng.randint(1, 1_000_000) * step
                items.append(Item(code, basic, project))
    return tuple(items)


def _economic(rng: random.Random, basic: int, step: int) -> tuple[EconomicLine, ...]:
    personnel, public = _split(rng, basic, 2, step) if basic > 2 * step else (basic, 0)
    lines = []
    for cls, amount in (("301", personnel), ("302", public)):
        codes = sorted(rng.sample([c for c in ECONOMIC if len(c) == 5 and c.startswith(cls)], rng.randint(2, 5)))
        for code, part in zip(codes, _split(rng, amount, len(codes), step)):
            lines.append(EconomicLine(code, part if cls in PERSONNEL_CLASSES else 0,
                                      0 if cls in PERSONNEL_CLASSES else part))
    return tuple(lines)


def make_disclosure(rng: random.Random, department: str | None = None) -> ShanghaiDisclosure:
    fen = rng.random() < 0.5
    step = 1 if fen else 100  # whole-yuan documents print no fen
    items = _items(rng, step)
    basic = sum(i.basic for i in items)
    layout = Layout(fen=fen, zero=rng.choice(("", "0")), brackets=rng.random() < 0.6, truncate=rng.random() < 0.2,
                    rows_first=rng.randint(9, 17), rows_next=rng.randint(8, 20), repeat_header=rng.random() < 0.5,
                    name_width=rng.choice((266.0, 150.0)), leaders=rng.random() < 0.7)
    three = tuple(rng.choice((0, 0, rng.randint(1, 50_000))) for _ in range(4))
    return ShanghaiDisclosure(
        department=department or make_department(rng), year=rng.randint(2023, 2026),
        kind="unit-budget" if rng.random() < 0.2 else "budget", items=items,
        economic=_economic(rng, basic, step), three_public=three, running_costs=rng.randint(1, 90_000),
        change=rng.randint(-sum(i.total for i in items) // 20_000, sum(i.total for i in items) // 20_000), procurement=tuple(rng.randint(0, 90_000) for _ in range(3)),
        duties=tuple(rng.sample(DUTY, rng.randint(2, len(DUTY)))),
        units=tuple(rng.sample(UNITS, rng.randint(0, len(UNITS)))), layout=layout)
