"""Records -> Tika plain text in the seed's layout (raw/hebei-langfang-guangyang-wanzhuang-2019-budget.tika.txt).

Tika's table layout (see :mod:`pipeline.document.readers.tika_text`): a cell is a tab and its first paragraph, its later
paragraphs start at column 0, a row ends with a blank line. ``layout_rng`` adds the seed's quirks without
changing any content: continuation paragraphs after empty paragraphs, a merged cell printed twice across a
page break, empty paragraphs inside cells (procurement rows), blank runs between sections, bookmarks, and the
procurement table running straight into the next heading. Same records and same ``layout_rng`` state, same text.
"""

from __future__ import annotations

import random

from pipeline.synth.records import Activity, Assets, Disclosure, ProcurementItem

GRADE_HEADER = ("优", "良", "中", "差")


def amount_text(value: int, trim: bool = False, grouped: bool = False) -> str:
    """Hundredths of 万元 as printed: 604124 -> ``6041.24``; 0 -> ``0``; with ``trim`` 140 -> ``1.4``;
    ``grouped`` puts thousands separators in: ``6,041.24``."""
    if value == 0:
        return "0"
    text = f"{value // 100:{',' if grouped else ''}}.{value % 100:02d}"
    return text.rstrip("0").rstrip(".") if trim else text


def change_text(value: int, trim: bool = False, grouped: bool = False) -> str:
    """A signed change as printed: ``增加1.20万元`` / ``减少0万元``."""
    return f"{'增加' if value > 0 else '减少'}{amount_text(abs(value), trim, grouped)}万元"


class Padded(tuple):
    """A cell's paragraphs exactly as given, empty ones included (no random empty paragraphs are added)."""


class TikaWriter:
    """Writes the document as Tika's text. :mod:`pipeline.synth.render_docx` writes the same calls as a .docx."""

    def __init__(self, rng: random.Random) -> None:
        self.lines: list[str] = []
        self.rng = rng

    def para(self, *texts: str) -> None:
        self.lines.extend(texts)

    def blank(self, n: int = 1) -> None:
        self.lines.extend([""] * n)

    def bookmark(self) -> str:
        return f"[bookmark: _Toc{self.rng.randint(10**8, 10**9 - 1)}]"

    def row(self, cells: list, gaps: dict[int, int] | None = None, narrow: bool = False,
            spans: dict[int, int] | None = None, merged: tuple[int, ...] = ()) -> None:
        """One table row. A cell is a string, a tuple of paragraphs or :class:`Padded` paragraphs; ``gaps`` puts
        empty paragraphs after cell ``i``. A later paragraph may follow empty ones only in a cell that is not
        the row's last. ``narrow``: trailing empty cells vanish, as when Word merges them into the last cell
        (the seed's last procurement row); the reader alone can tell such a row from the next only when that
        one is full, and the template cuts two in a row apart (adversarial mode makes them). ``spans`` (cell
        ``i`` covers that many grid columns) and ``merged`` (cells
        continuing a vertical merge from the row above, printed empty) are what the .docx writer makes of
        merged cells; Tika prints a merged cell once and a continuation as an empty cell, as here."""
        if narrow:
            while len(cells) > 1 and cells[-1] == "":
                cells = cells[:-1]
        for i, cell in enumerate(cells):
            paragraphs = (cell,) if isinstance(cell, str) else cell
            self.lines.append("\t" + paragraphs[0])
            last = i == len(cells) - 1
            for paragraph in paragraphs[1:]:
                if isinstance(cell, Padded):
                    self.lines.append(paragraph)
                    continue
                if not last and self.rng.random() < 0.3:
                    self.blank(self.rng.randint(1, 3))
                self.lines.append(paragraph)
            if gaps and i in gaps:
                self.blank(gaps[i])
        self.blank()

    def page_break(self) -> None:
        """A paragraph holding only a page break between two tables: Tika prints it as an empty line."""
        self.blank()

    def run_into_heading(self) -> None:
        """The next paragraph follows the table's last row directly (Tika prints no blank line before it)."""
        self.lines.pop()

    def result(self) -> str:
        return "\n".join(self.lines) + "\n"


def _duties(w: TikaWriter, d: Disclosure) -> None:
    w.para("一、部门职责及机构设置情况", "部门职责：")
    for i, (heading, rest) in enumerate(d.duties, start=1):
        w.para(f"（{'一二三四五六七八九十'[i - 1]}）{heading}。{rest}")
    w.blank()
    w.para("机构设置：", "部门机构设置情况")
    header = ["单位名称", "单位性质", "单位规格", "经费保障形式"]
    w.row(header)
    w.row(["", "", "", ""], merged=(0, 1, 2, 3))  # the header cells are two rows high
    split = w.rng.randint(1, len(d.units) - 1) if len(d.units) > 1 and w.rng.random() < 0.1 else None
    for i, u in enumerate(d.units):
        if i == split:
            # The table split by a page break, its header repeated by hand on the new page.
            w.page_break()
            w.row(header)
            w.row(["", "", "", ""], merged=(0, 1, 2, 3))
        w.row([u.name, u.nature, u.grade, u.funding])
    w.blank()


def _overview(w: TikaWriter, d: Disclosure) -> None:
    b, y, t, g = d.budget, d.year, d.trim_zeros, d.grouped_thousands
    a = lambda v: amount_text(v, t, g) + "万元"  # noqa: E731
    w.para("二、部门预算安排的总体情况",
           f"按照预算管理有关规定，目前我区部门预算的编制实行综合预算制度，即全部收入和支出都反映在预算中。"
           f"{d.department.name}机关及所属事业单位的收支包含在部门预算中。")
    sources = "，".join(f"{label}{a(v)}" for label, v in b.income)
    w.para("1、收入说明", f"反映本部门当年全部收入。{y}年预算收入{a(b.total)}，其中：{sources}。")
    items = "及".join(f"{label}{a(v)}" for label, v in b.project_items)
    w.para("2、支出说明",
           f"收支预算总表支出栏、基本支出表、项目支出表按经济分类和支出功能分类科目编制，反映{d.department.name}"
           f"年度部门预算中支出预算的总体情况。{y}年支出预算{a(b.total)}，其中基本支出{a(b.basic)}，"
           f"包括人员经费{a(b.personnel)}和日常公用经费{a(b.public_operating)}；项目支出{a(b.project)}，"
           f"包括本级支出{a(b.project)}" + (f"，主要为{items}。" if items else "。"))

    def part(label: str, change: int, reason: str | None) -> str:
        if change == 0:
            return f"{label}与上年持平"
        return f"{label}{change_text(change, t, g)}" + (f"，{reason}" if reason else "")

    total = "持平" if b.total_change == 0 else change_text(b.total_change, t, g)
    w.para("3、比上年增减情况",
           f"{y}年预算收支安排{a(b.total)}，较{y - 1}年预算{total}，其中："
           f"{part('基本支出', b.basic_change, b.basic_reason)}；{part('项目支出', b.project_change, b.project_reason)}。")
    w.para("三、机关运行经费安排情况",
           f"{y}年，我部门机关运行经费共计安排{a(b.running_costs)}，主要用于办公区的日常维修、办公用房水电费、"
           f"办公用房取暖费、办公用房物业管理费等日常运行支出。")


def _three_public(w: TikaWriter, d: Disclosure) -> None:
    p, y, t = d.three_public, d.year, d.trim_zeros
    a = lambda v: amount_text(v, t) + "万元"  # noqa: E731
    c = lambda v: change_text(v, t)  # noqa: E731
    vehicles = amount_text(p.vehicles, t) + ("。万元" if p.stray_full_stop else "万元")
    amounts = (f"{y}年，我部门财政拨款“三公”经费预算安排{a(p.total)}。其中，因公出国（境）费{a(p.outbound)}；"
               f"{p.vehicles_label}{vehicles}（其中：公务用车购置费为{a(p.purchase)}，{p.operation_label}{a(p.operation)})；"
               f"公务接待费{a(p.reception)}。")
    if p.total_change == 0:
        changes = f"与{y - 1}年相比持平，其中，"
    else:
        changes = f"与{y - 1}年相比{c(p.total_change)}，其中，"
    changes += (f"因公出国（境）费{c(p.outbound_change)}，{p.vehicles_label}{c(p.vehicles_change)}"
                f"（其中：公务用车购置费{c(p.purchase_change)}，{p.operation_label}{c(p.operation_change)})")
    changes += f"，主要原因是{p.reason}。" if p.total_change else "。"
    if p.reception_change == 0:
        changes += f"公务接待费{a(p.reception)}，与{y - 1}年相比持平，无增减变化。"
    else:
        changes += f"公务接待费{c(p.reception_change)}。"
    w.para("四、财政拨款“三公”经费预算情况及增减变化原因", amounts + changes)


def _activity_rows(w: TikaWriter, act: Activity, level: int, trim: bool, adversarial: bool = False) -> None:
    name = f"{act.number}、{act.name}" if level == 1 else f"\u3000\u3000{act.number}、{act.name}"
    budget = "" if act.budget is None else amount_text(act.budget, trim)
    first = act.indicators[0] if act.indicators else None
    indicator = [first.name, *first.standards] if first else ["", "", "", "", ""]
    # The activity's first four cells are merged down over its further indicator rows.
    merged = (0, 1, 2, 3)
    if len(act.description) == 1 and act.printed_twice:
        # A cell spanning a page break: its text is printed again after empty paragraphs (seed lines 718/762).
        text = act.description[0]
        w.row([name, budget, Padded((text, *[""] * w.rng.randint(2, 40), text)), act.goal, *indicator])
    else:
        # A level-1 row follows a full row (the grade header or a level-2 row), so it may be narrow. In
        # adversarial mode every row without an indicator is: two narrow rows meet.
        narrow = first is None if adversarial else level == 1 and w.rng.random() < 0.2
        w.row([name, budget, act.description, act.goal, *indicator], narrow=narrow)
    for ind in act.indicators[1:]:
        w.row(["", "", "", "", ind.name, *ind.standards], merged=merged)


def _performance(w: TikaWriter, d: Disclosure) -> None:
    w.para("五、绩效预算信息", w.bookmark() + "总体绩效目标：", *d.overall_goals, "    职责分类绩效目标：")
    w.para(*(f"{heading}：{body}" for heading, body in d.duty_goals))
    w.para("部门职责及工作活动绩效目标指标：", w.bookmark() + "部门职责-工作活动绩效目标")
    w.row([f"{d.code}{d.department.short}", "单位：万元"], spans={0: 5, 1: 4})
    w.row(["职责活动", "年度预算数", "内容描述", "绩效目标", "绩效指标", "评价标准"], spans={5: 4})
    w.row(["", "", "", "", "", *GRADE_HEADER], merged=(0, 1, 2, 3, 4))
    for act in d.activities:
        _activity_rows(w, act, 1, d.trim_zeros, d.adversarial)
        for child in act.children:
            _activity_rows(w, child, 2, d.trim_zeros, d.adversarial)
    w.blank(w.rng.randint(1, 12))


def _procurement_cells(item: ProcurementItem | None, items: tuple[ProcurementItem, ...], trim: bool) -> list[str]:
    a = lambda v: amount_text(v, trim) if v else ""  # noqa: E731
    if item is None:  # the 合计 row sums every column
        s = lambda f: sum(getattr(i, f) for i in items)  # noqa: E731
        return ["合\u3000计", a(s("amount")), "", "", "", "", "", a(s("amount")), a(s("current_year")), a(s("general")),
                a(s("fund")), a(s("special")), a(s("other_sources")), a(s("other_channels"))]
    return [item.project, "", item.item, f"[{item.code}]", item.unit, item.quantity, a(item.unit_price), a(item.amount),
            a(item.current_year), a(item.general), a(item.fund), a(item.special), a(item.other_sources),
            a(item.other_channels)]


def _procurement(w: TikaWriter, d: Disclosure) -> bool:
    """Section 六; returns whether the table ran into the next heading (no blank line after it)."""
    w.para(w.bookmark() + "六、政府采购预算情况")
    items = d.procurement
    if not items:
        w.para(f"{d.year}年，我部门无政府采购预算。")
        w.blank(2)
        return False
    total = sum(i.amount for i in items)
    w.para(f"  {d.year}年，我部门安排政府采购预算{amount_text(total, d.trim_zeros)}万元。具体内容见下表。", "部门政府采购预算")
    w.row([f"{d.code}{w.rng.randint(0, 999):03d} {d.department.name}", "单位：万元"], spans={0: 10, 1: 4})
    w.row(["政府采购项目来源", "采购物品名称", "政府采购目录序号", "数量  单位", "数量", "单价", "政府采购金额"],
          spans={0: 2, 6: 7})
    w.row(["项目名称", "预算资金", "", "", "", "", "", "总计", "当年部门预算安排资金", "其他渠道资金"],
          spans={8: 5}, merged=(2, 3, 4, 5, 6))
    w.row(["", "", "", "", "", "", "", "", "合计", "一般公共预算拨款", "基金预算拨款", "财政专户核拨", "其他来源收入", ""],
          merged=(0, 1, 2, 3, 4, 5, 6, 7, 13))
    w.row(_procurement_cells(None, items, d.trim_zeros))
    narrow = False
    for item in items:
        # Empty paragraphs after the project name and (sometimes) the unit price, as in the seed.
        cells = _procurement_cells(item, items, d.trim_zeros)
        # Narrow like the seed's last row: the four trailing funding cells vanish (see the reader's docstring
        # for the narrow rows it cannot tell from the next one, e.g. one missing cell before an empty paragraph).
        # In adversarial mode every row that can be narrow is, so two narrow rows meet.
        can = cells[-5] != "" and cells[-4:] == ["", "", "", ""]
        narrow = can if d.adversarial else not narrow and can and w.rng.random() < 0.04
        w.row(cells, gaps={0: 1, **({6: 1} if w.rng.random() < 0.3 else {})}, narrow=narrow)
    run_into_heading = w.rng.random() < 0.5
    if run_into_heading:
        w.run_into_heading()
    else:
        w.blank(2)
    return run_into_heading


def _assets(w: TikaWriter, d: Disclosure, after_table: bool) -> None:
    w.para((" " if after_table or w.rng.random() < 0.5 else "") + "七、国有资产信息")
    a: Assets | None = d.assets
    if a is None:
        w.para("本部门无固定资产占用情况需要说明。")
        w.blank()
        return
    t = d.trim_zeros
    w.para(f"{d.department.name}上年末固定资产金额为{amount_text(a.total, t)}万元，本年度我部门拟购置固定资产主要为"
           "计算机设备、打印设备、空调、办公家具等，已列入政府采购预算。详见下表。")
    w.blank()
    w.row([f"{d.department.city}区直部门固定资产占用情况表"], spans={0: 3})
    w.row([f"编制部门：{d.code}{d.department.name}", f"截止时间：{a.as_of_year}年12月31日"], spans={0: 2})
    w.row(["项目", "数量", "价值（金额单位：万元）"])
    g = lambda x: amount_text(x, t, d.grouped_thousands)  # noqa: E731
    v = lambda x: g(x) if x else ""  # noqa: E731
    w.row(["资产总额", "——", g(a.total)])
    w.row(["1、房屋（平方米）", f"{a.building_area:,}", g(a.building_value)])
    w.row(["其中：办公用房（平方米）", f"{a.office_area:,}", g(a.office_value)])
    w.row(["2、车辆（台、辆）", str(a.vehicle_count) if a.vehicle_count else "", v(a.vehicle_value)])
    w.row(["3、单价在20万元以上的设备", str(a.equipment_count) if a.equipment_count else "", v(a.equipment_value)])
    w.row(["4、其他固定资产", "", v(a.other_value)])
    w.blank(2)


def render(d: Disclosure, layout_rng: random.Random, writer=TikaWriter):
    """The Tika text of ``d`` (or, with another ``writer``, what it writes: a .docx's bytes)."""
    w = writer(layout_rng)
    w.para("", d.title, "",
           "[bookmark: _GoBack]按照《中华人民共和国预算法》、《地方预决算公开操作规程》和《河北省省级预算公开办法》规定，"
           f"现将{d.department.name}{d.year}年部门预算公开如下：")
    _duties(w, d)
    _overview(w, d)
    _three_public(w, d)
    _performance(w, d)
    ran_into = _procurement(w, d)
    _assets(w, d, ran_into)
    w.para("八、名词解释", *(f"{i}、{term}：{definition}" for i, (term, definition) in enumerate(d.glossary, start=1)))
    w.para("九、其他需要说明的事项", "我部门无其他需要说明的事项。")
    return w.result()
