"""A synthetic Shanghai disclosure as a PDF: cover, 目录, 主要职能, 机构设置, 名词解释, 编制说明, the nine national
tables and 其他相关情况说明, laid out as the real files are (:mod:`.pdf`), with the layout's quirks (tables across
pages with or without repeated headers, a 合计 row alone on a page, wrapped names, blank cells versus 0, fen or
whole yuan, rounded or truncated prose). Returns the bytes and where every table row landed."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pipeline.synth.shanghai.pdf import Cell, Writer
from pipeline.synth.shanghai.records import ECONOMIC, FUNCTIONS, GLOSSARY, ORDINALS, ShanghaiDisclosure

H = {"align": "centre"}


def yuan_text(fen: int, d: ShanghaiDisclosure, zero: bool = False) -> str:
    """A table figure in 元 as printed: ``31,214,205.80`` or ``164,978,640``; a zero as the layout prints it."""
    if fen == 0 and not zero:
        return "" if d.layout.zero == "" else ("0.00" if d.layout.fen else "0")
    return f"{Decimal(fen) / 100:,.2f}" if d.layout.fen else f"{fen // 100:,}"


def wan(fen: int, d: ShanghaiDisclosure) -> Decimal:
    """A figure in 万元 to two decimals as the prose prints it: rounded half up, or truncated."""
    rounding = ROUND_DOWN if d.layout.truncate else ROUND_HALF_UP
    return (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), rounding=rounding)


def wan_text(fen: int, d: ShanghaiDisclosure) -> str:
    """A prose figure in 万元: ``0`` only for nothing (an amount that rounds to 0 prints ``0.00``)."""
    value = wan(fen, d)
    return "0" if fen == 0 else (f"{value:,.2f}" if d.layout.fen else f"{value:.2f}")


def hundredths_text(v: int, d: ShanghaiDisclosure, cell: bool = False) -> str:
    """A 三公 figure (hundredths of 万元): ``28.50``; a zero blank in a cell or ``0``."""
    if v == 0:
        return ("" if d.layout.zero == "" else "0") if cell else "0"
    return f"{Decimal(v) / 100:.2f}"


def _codes(code: str) -> list[Cell]:
    parts = [code[:3], code[3:5], code[5:7]]
    return [Cell(p, **H) for p in parts]


def _function_table(w: Writer, d: ShanghaiDisclosure, group: str, columns: list[str], values, empty: bool = False):
    n = len(columns)
    header = [[Cell("项目", colspan=4, **H), Cell(group, colspan=n, **H)],
              [Cell("功能分类科目编码", colspan=3, **H), Cell("功能分类科目名称", rowspan=2, **H),
               *[Cell(c, rowspan=2, **H) for c in columns]],
              [Cell("类", **H), Cell("款", **H), Cell("项", **H)]]
    body = []
    if empty:
        body = [[Cell() for _ in range(4 + n)] for _ in range(8)]
        totals = ["" for _ in columns]
    else:
        for code, basic, project in d.lines():
            body.append([*_codes(code), Cell(FUNCTIONS[code]), *[Cell(v, align="right") for v in values(basic, project)]])
        totals = values(d.basic, d.project, total=True)
    body.append([Cell("合计", colspan=4, **H), *[Cell(v, align="right") for v in totals]])
    widths = [38.0, 38.0, 38.0, d.layout.name_width] + [(730.0 - 114 - d.layout.name_width) / n] * n
    return w.table(widths, header, body, d.layout.rows_first, d.layout.rows_next, d.layout.repeat_header)


def _table_page(w: Writer, d: ShanghaiDisclosure, title: str, unit: str = "元") -> None:
    w.new_page()
    w.title(f"{d.year}年{'预算单位' if d.kind == 'unit-budget' else '部门'}{title}")
    w.two(f"{'编制单位' if d.kind == 'unit-budget' else '编制部门'}：{d.department}", f"单位：{unit}" if unit == "元" else f"单位:{unit}")


def render_pdf(d: ShanghaiDisclosure) -> tuple[bytes, dict[str, list[tuple[int, int]]]]:
    w = Writer()
    word, y0 = d.unit_word, d.year - 1
    places: dict[str, list[tuple[int, int]]] = {}
    region = d.department[: d.department.index("区") + 1]
    w.y -= 140
    w.title(f"{region}{d.year}年区级{word}预算", 28)
    w.y -= 60
    w.text(421, w.y, f"{'预算单位' if d.kind == 'unit-budget' else '预算主管部门'}：{d.department}", 16, "centre")
    w.new_page()
    w.title("目 录", 16)
    toc = [f"一、{word}主要职能", f"二、{word}机构设置", "三、名词解释", f"四、{word}预算编制说明", f"五、{word}预算表",
           "六、其他相关情况说明"] + (["七、项目经费情况说明"] if d.kind == "budget" else [])
    for entry in toc:
        w.line(entry + (" " + "…" * 40 if d.layout.leaders else ""), 13, 70)
    # 主要职能, 机构设置, 名词解释
    w.new_page()
    w.title(f"{d.department}主要职能")
    w.paragraph(f"{d.department}是区政府工作部门。")
    w.paragraph("主要职能包括：")
    for k, duty in enumerate(d.duties, start=1):
        w.paragraph(f"{k}.{duty}")
    w.new_page()
    w.title(f"{d.department}机构设置")
    units = [f"{d.department}本部", *(f"{region}{u}" for u in d.units)]
    w.paragraph(f"{d.department}{word}预算包括本部以及下属{len(units) - 1}家预算单位的综合收支计划。具体包括：")
    for k, unit in enumerate(units, start=1):
        w.paragraph(f"{k}.{unit}。")
    w.new_page()
    w.title("名词解释")
    for k, (term, definition) in enumerate(GLOSSARY):
        w.paragraph(f"（{ORDINALS[k]}）{term}：{definition}")
    _explanation(w, d)
    places.update(_tables(w, d))
    _other(w, d)
    if d.kind == "budget":
        w.new_page()
        w.title("项目经费情况说明")
        for k, part in enumerate(("项目概述", "立项依据", "实施主体")):
            w.paragraph(f"{ORDINALS[k]}、{part}", indent=False)
            w.paragraph("按照本区工作要求组织实施。")
    return w.close(), places


def _change(value: int, y0: int) -> str:
    if value == 0:
        return f"比{y0}年预算持平"
    return f"比{y0}年预算{'增加' if value > 0 else '减少'}{Decimal(abs(value)) / 100:.2f}万元"


def _explanation(w: Writer, d: ShanghaiDisclosure) -> None:
    y0, total = d.year - 1, wan_text(d.total, d)
    w.new_page()
    w.title(f"{d.year}年{d.unit_word}预算编制说明")
    ch = _change(d.change, y0)
    w.paragraph(f"{d.year}年，{d.department}收入预算{total}万元，其中：财政拨款收入{total}万元，{ch}；事业收入0万元；"
                "事业单位经营收入0万元；其他收入0万元。")
    w.paragraph(f"支出预算{total}万元，其中：财政拨款支出预算{total}万元，{ch}。财政拨款支出预算中，一般公共预算拨款支出"
                f"预算{total}万元，{ch}；政府性基金拨款支出预算0万元，比{y0}年预算持平；国有资本经营预算拨款支出预算0万元，"
                f"比{y0}年预算持平。")
    if d.change:
        w.paragraph(f"财政拨款收入支出{'增加' if d.change > 0 else '减少'}的主要原因是项目调整。")
    w.paragraph("财政拨款支出主要内容如下：")
    for k, item in enumerate(d.items, start=1):
        names = FUNCTIONS[item.code[:3]], FUNCTIONS[item.code[:5]], FUNCTIONS[item.code]
        path = ("{}（类）{}（款）{}（项）" if d.layout.brackets else "{}-{}-{}").format(*names)
        w.paragraph(f"{k}.“{path}”{'' if d.layout.brackets else '科目'}{wan_text(item.total, d)}万元，主要用于"
                    f"{names[2]}方面的支出。")


def _tables(w: Writer, d: ShanghaiDisclosure) -> dict[str, list[tuple[int, int]]]:
    places = {}
    y, classes = d.year, [(c, b, p) for c, b, p in d.lines() if len(c) == 3]
    # 表1 财务收支预算总表
    _table_page(w, d, "财务收支预算总表")
    total = yuan_text(d.total, d, zero=True)
    left = [("一、财政拨款收入", total), ("1.一般公共预算资金", total), ("2.政府性基金", ""), ("3.国有资本经营预算", ""),
            ("二、事业收入", ""), ("三、事业单位经营收入", ""), ("四、其他收入", "")]
    right = [(f"{ORDINALS[k]}、{FUNCTIONS[c]}", yuan_text(b + p, d, zero=True)) for k, (c, b, p) in enumerate(classes)]
    n = max(len(left), len(right), 13)
    body = [[Cell(a[0]), Cell(a[1], align="right"), Cell(b[0]), Cell(b[1], align="right")]
            for a, b in zip(left + [("", "")] * (n - len(left)), right + [("", "")] * (n - len(right)))]
    body.append([Cell("收入总计", **H), Cell(total, align="right"), Cell("支出总计", **H), Cell(total, align="right")])
    header = [[Cell("本年收入", colspan=2, **H), Cell("本年支出", colspan=2, **H)],
              [Cell("项目", **H), Cell("预算数", **H), Cell("项目", **H), Cell("预算数", **H)]]
    places["financial_summary"] = w.table([230.0, 135.0, 230.0, 135.0], header, body, 30, 30, True)
    # 表2 收入预算总表, 表3 支出预算总表
    _table_page(w, d, "收入预算总表")
    z = lambda v: yuan_text(v, d)  # noqa: E731
    places["income_summary"] = _function_table(
        w, d, "收入预算", ["合计", "财政拨款收入", "事业收入", "事业单位\n经营收入", "其他收入"],
        lambda b, p, total=False: [yuan_text(b + p, d, zero=True), yuan_text(b + p, d, zero=True), z(0), z(0), z(0)])
    _table_page(w, d, "支出预算总表")
    spend = lambda b, p, total=False: [yuan_text(b + p, d, zero=True), z(b), z(p)]  # noqa: E731
    places["expenditure_summary"] = _function_table(w, d, "支出预算", ["合计", "基本支出", "项目支出"], spend)
    # 表4 财政拨款收支预算总表
    _table_page(w, d, "财政拨款收支预算总表")
    left = [("一、一般公共预算资金", total), ("二、政府性基金", ""), ("三、国有资本经营预算", "")]
    right = [(f"{ORDINALS[k]}、{FUNCTIONS[c]}", yuan_text(b + p, d, zero=True)) for k, (c, b, p) in enumerate(classes)]
    n = max(len(left), len(right), 8)
    body = [[Cell(a[0]), Cell(a[1], align="right"), Cell(b[0]), Cell(b[1], align="right"), Cell(b[1], align="right"),
             Cell(), Cell()]
            for a, b in zip(left + [("", "")] * (n - len(left)), right + [("", "")] * (n - len(right)))]
    body.append([Cell("收入总计", **H), Cell(total, align="right"), Cell("支出总计", **H), Cell(total, align="right"),
                 Cell(total, align="right"), Cell(), Cell()])
    header = [[Cell("财政拨款收入", colspan=2, **H), Cell("财政拨款支出", colspan=5, **H)],
              [Cell(t, **H) for t in ("项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算")]]
    places["fiscal_allocation_summary"] = w.table([150.0, 100.0, 180.0, 75.0, 75.0, 75.0, 75.0], header, body, 30, 30,
                                                  True)
    # 表5-7 by fund
    _table_page(w, d, "一般公共预算支出功能分类预算表")
    places["general_public_budget_expenditure"] = _function_table(w, d, "一般公共预算支出", ["合计", "基本支出", "项目支出"],
                                                                  spend)
    for code, fund in (("government_fund_expenditure", "政府性基金"), ("state_capital_expenditure", "国有资本经营")):
        _table_page(w, d, f"{fund}预算支出功能分类预算表")
        places[code] = _function_table(w, d, f"{fund}预算支出", ["合计", "基本支出", "项目支出"], spend, empty=True)
        w.note(f"注:本{d.unit_word}{y}年无{fund}预算财政拨款安排的预算，故本表为空表。")
    # 表8 经济分类
    _table_page(w, d, "一般公共预算基本支出部门预算经济分类预算表")
    header = [[Cell("项目", colspan=3, **H), Cell("一般公共预算基本支出", colspan=3, **H)],
              [Cell("部门预算经济分类科目\n编码", colspan=2, **H), Cell("经济分类科目名称", rowspan=2, **H),
               Cell("合计", rowspan=2, **H), Cell("人员经费", rowspan=2, **H), Cell("公用经费", rowspan=2, **H)],
              [Cell("类", **H), Cell("款", **H)]]
    body = [[Cell(c[:3], **H), Cell(c[3:], **H), Cell(ECONOMIC[c]), Cell(yuan_text(a + b, d, zero=True), align="right"),
             Cell(z(a), align="right"), Cell(z(b), align="right")] for c, a, b in d.economic_lines()]
    personnel, public = sum(e.personnel for e in d.economic), sum(e.public for e in d.economic)
    body.append([Cell("合计", colspan=3, **H), Cell(yuan_text(personnel + public, d, zero=True), align="right"),
                 Cell(z(personnel), align="right"), Cell(z(public), align="right")])
    places["general_public_budget_basic_expenditure"] = w.table([60.0, 60.0, 250.0, 120.0, 120.0, 120.0], header, body,
                                                                d.layout.rows_first, d.layout.rows_next,
                                                                d.layout.repeat_header)
    # 表9 三公
    _table_page(w, d, "“三公”经费和机关运行经费预算表", "万元")
    out, rec, buy, run = d.three_public
    header = [[Cell("“三公”经费预算数", colspan=6, **H), Cell("机关运行经费预算\n数", rowspan=3, **H)],
              [Cell("合计", rowspan=2, **H), Cell("因公出国(境)费", rowspan=2, **H), Cell("公务接待费", rowspan=2, **H),
               Cell("公务用车购置及运行费", colspan=3, **H)],
              [Cell("小计", **H), Cell("购置费", **H), Cell("运行费", **H)]]
    row = [Cell(hundredths_text(v, d, cell=True), align="right") for v in (out + rec + buy + run, out, rec, buy + run,
                                                                          buy, run, d.running_costs)]
    places["three_public"] = w.table([100.0] * 7, header, [row], 10, 10, True)
    return places


def _other(w: Writer, d: ShanghaiDisclosure) -> None:
    y, y0 = d.year, d.year - 1
    out, rec, buy, run = d.three_public
    t = lambda v: hundredths_text(v, d)  # noqa: E731
    flat = f"与{y0}年预算持平"
    w.new_page()
    w.title("其他相关情况说明")
    w.paragraph(f"一、{y}年“三公”经费预算情况说明", indent=False)
    w.paragraph(f"{y}年“三公”经费预算数为{t(out + rec + buy + run)}万元，{flat}。其中：")
    w.paragraph(f"（一）因公出国（境）费{t(out)}万元，{flat}。")
    w.paragraph(f"（二）公务用车购置及运行费{t(buy + run)}万元，{flat}。其中：公务用车购置费{t(buy)}万元，{flat}；"
                f"公务用车运行费{t(run)}万元，{flat}。")
    w.paragraph(f"（三）公务接待费{t(rec)}万元，{flat}。")
    w.paragraph("二、机关运行经费预算", indent=False)
    w.paragraph(f"{y}年{d.department}财政拨款的机关运行经费预算为{t(d.running_costs)}万元。")
    w.paragraph("三、政府采购预算情况", indent=False)
    g, wk, s = d.procurement
    w.paragraph(f"{y}年本{d.unit_word}政府采购预算{t(g + wk + s)}万元，其中：政府采购货物预算{t(g)}万元、政府采购工程预算"
                f"{t(wk)}万元、政府采购服务预算{t(s)}万元。")
