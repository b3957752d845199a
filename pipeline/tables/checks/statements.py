"""What a layout's prose says beyond the national tables' own figures, and the tables some layouts add (family
``national``; every check here gives no row at all to a document that has none of its figures).

- The prose against the tables, for the lines of a 部门预算情况说明 (Jiangsu): sources and uses of the 收支预算总表,
  the 财政拨款 basic expenditure and its 人员经费 (= 301 + 303) and 公用经费 (= 302), the classes, 会议费 and 培训费,
  政府采购 by category. In a document whose tables print 万元 like its prose, the prose copies their figures: half a
  unit of the last printed digit of each figure; against tables in 元, one unit of the prose figure (truncation).
- The percentages printed with a change (``增长8.85%``, ``增长16倍``) and with a share (``占“三公”经费的18.85%``):
  the percentage the figures give, from the smallest to the largest the rounding of every printed figure allows,
  against the printed one with half a unit of its last digit. A percentage within one unit (not half) of that
  range passes, with a ``note`` saying it was truncated or adjusted (shares nudged to add up to 100 %); beyond, it
  fails. A percentage printed without its ``%`` is an anomaly.
- Stated changes that must add up: the classes' and the uses' (基本支出, 项目支出, 单位预留机动经费) to the total's, the
  funds' to the 财政拨款's, the sources' to the income's.
- The 三公 table's 合计 (三公经费 + 会议费 + 培训费), the 政府采购 table's groups (items to their project, projects to
  their category, categories to 合计), and the 机关运行经费 table against the basic expenditure's 302 (soft: the
  2017 definition counted project money).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from pipeline.tables.checks.national import cell
from pipeline.tables.checks.rows import Figure, clean, compare, make_row, occurrence, skip
from pipeline.tables.national.vocabulary import key

_PCT = Decimal(100)


def prose_figure(row: dict, weight: int = 2) -> Figure:
    """A prose figure; ``weight`` 2: one unit of the last printed digit (rounded or truncated), see the docstring."""
    return Figure(row["label_zh"], row["amount_yuan"], row["source_ref"], row["amount_text"], weight=Decimal(weight))


def _prose_cmp(check_id: str, prose: Figure, table: Figure | list[Figure], subject: str) -> dict:
    terms = table if isinstance(table, list) else [table]
    row = compare(check_id, prose, terms, unit="元", subject=subject)
    half = Figure(prose.label, prose.yuan, prose.ref, prose.text).half_unit("元")
    d = row.get("difference_yuan")
    if d is not None and row["status"] == "pass" and abs(d) > half and prose.weight > 1:
        row["note"] = (f"beyond rounding (±{half} yuan) but within one unit of the last printed digit: the prose "
                       f"truncates rather than rounds ({prose.text} for {row['computed_yuan']} yuan), allowed as such")
    return row


def _lines(tables: dict, code: str) -> list[dict]:
    return [r for r in tables.get("budget_lines", []) if r["line_code"] == code]


def more_prose_figures(p) -> list[dict]:
    """The lines of a 部门预算情况说明 (``p``: a :class:`~.national_prose.NationalProse`) against the tables, where
    the document has both; no row where either is missing."""
    fin, fis = "financial_summary", "fiscal_allocation_summary"
    pairs = (
        ("income_general_public_budget", lambda: p.summary(fin, "income", "general_public_budget")),
        ("income_government_fund", lambda: p.summary(fin, "income", "government_fund")),
        ("income_special_account", lambda: p.summary(fin, "income", "special_account")),
        ("income_carryover", lambda: p.summary(fin, "income", "carryover")),
        ("expenditure_basic", lambda: p.summary(fin, "expenditure", "basic")),
        ("expenditure_project", lambda: p.summary(fin, "expenditure", "project")),
        ("expenditure_reserve", lambda: p.summary(fin, "expenditure", "reserve")),
        ("expenditure_fiscal_allocation_basic", lambda: p.summary(fis, "expenditure", "basic")),
        ("meeting_fees", lambda: p.summary("three_public", "expenditure", "meeting_fees")),
        ("training_fees", lambda: p.summary("three_public", "expenditure", "training_fees")),
    )
    out = []
    for code, find in pairs:
        for prose in _lines(p.t, code):
            row = find()
            if row is not None:
                out.append(_prose_cmp("prose_figure_matches_table", prose_figure(prose, p.weight),
                                      cell(row, "amount_yuan"), subject=prose["label_zh"]))
    economic = p.n.economic.get("fiscal_allocation_basic_expenditure") or p.n.economic.get(
        "general_public_budget_basic_expenditure") or []
    classes = {r["economic_code"]: r for r in economic if r["row_kind"] == "line" and r["level"] == 1}
    for code, parts in (("expenditure_personnel", ("301", "303")), ("expenditure_public_operating", ("302",))):
        for prose in _lines(p.t, code):
            if classes:
                terms = [cell(classes[c], "total_yuan") if c in classes else Figure(f"{c} (not in the table)",
                                                                                    Decimal(0), weight=Decimal(0))
                         for c in parts]
                out.append(_prose_cmp("prose_figure_matches_table", prose_figure(prose, p.weight), terms,
                                      subject=f"{prose['label_zh']} = " + " + ".join(parts)))
    summary_classes = {key(r["label_zh"]): r for r in p.n.summary.get(fin, [])
                       if r["side"] == "expenditure" and r["line_code"] == "function_class"}
    for prose in _lines(p.t, "expenditure_function_class"):
        row = summary_classes.get(key(re.sub(r"[（(]类[)）]", "", prose["label_zh"])))
        if summary_classes:
            if row is None:
                out.append(make_row("prose_figure_matches_table", "fail", subject=prose["label_zh"],
                                    stated_label_zh=prose["label_zh"], stated_yuan=prose["amount_yuan"],
                                    stated_text=prose["amount_text"], stated_source_ref=prose["source_ref"],
                                    source_ref=prose["source_ref"], note="no class line of the 收支预算总表 has this name"))
            else:
                out.append(_prose_cmp("prose_figure_matches_table", prose_figure(prose, p.weight),
                                      cell(row, "amount_yuan"), subject=prose["label_zh"]))
    out += _procurement(p)
    return out


def _procurement(p) -> list[dict]:
    rows = p.t.get("procurement_items", [])
    if not any(r["row_kind"] == "category" for r in rows):
        return []
    by_kind = {"procurement_total": [r for r in rows if r["row_kind"] == "total"]}
    for code, letter in (("procurement_goods", "A"), ("procurement_works", "B"), ("procurement_services", "C")):
        by_kind[code] = [r for r in rows if r["row_kind"] == "category" and r["catalogue_code"] == letter]
    out = []
    for code, found in by_kind.items():
        for prose in _lines(p.t, code):
            terms = [_procurement_figure(r) for r in found] or [Figure("(no such category in the table)", Decimal(0),
                                                                       weight=Decimal(0))]
            out.append(_prose_cmp("prose_figure_matches_table", prose_figure(prose, p.weight), terms,
                                  subject=prose["label_zh"]))
    return out


def _procurement_figure(r: dict) -> Figure:
    label = r.get("item_name_zh") or r.get("project_name_zh") or r["row_kind"]
    amount = r["amount_yuan"] if r["amount_yuan"] is not None else Decimal(0)
    return Figure(label, amount, r.get("_cell", r["source_ref"]),
                  (r.get("_text") or "0") + "万元" if r.get("_unit") == "万元" else r.get("_text"),
                  weight=Decimal(1) if r.get("_unit") == "万元" else Decimal(0))


# -- percentages ---------------------------------------------------------------------------------------------------

def _half(value_text: str) -> Decimal:
    """Half a unit of the last printed digit of a percentage (``8.85`` -> 0.005, ``22`` -> 0.5)."""
    decimals = len(value_text.split(".")[1]) if "." in value_text else 0
    return Decimal(1) / (10 ** decimals) / 2


def _verdict(check_id: str, printed: Decimal, text: str, low: Decimal, high: Decimal, exact: Decimal, unit: str,
             **values) -> dict:
    half = _half(str(printed))
    shown = f"{exact:.4f}{unit} (from {low:.4f} to {high:.4f} as the figures are rounded)"
    if printed + half >= low and printed - half <= high:
        return make_row(check_id, "pass", stated_text=text, note=f"computed {shown}", **values)
    step = 2 * half  # one unit of the last printed digit, against the range rounded to the printed digits
    rounded = [x.quantize(step, rounding=ROUND_HALF_UP) for x in (low, high)]
    if rounded[0] - step <= printed <= rounded[1] + step:
        return make_row(check_id, "pass", stated_text=text, note=(
            f"computed {shown}: beyond rounding but within one unit of the last printed digit, allowed as a "
            "percentage truncated (or adjusted so that shares add up to 100%)"), **values)
    return make_row(check_id, "fail", stated_text=text, note=f"computed {shown}; printed {printed}{unit}", **values)


def _bounds(figure: Figure) -> tuple[Decimal, Decimal]:
    h = figure.half_unit("万元")
    return figure.yuan - h, figure.yuan + h


def change_percentages(tables: dict) -> list[dict]:
    """``增长8.85%`` after a change: |change| / (amount − change) × 100 (倍: without × 100)."""
    out, seen = [], set()
    for r in [*tables.get("budget_lines", []), *tables.get("_three_public_prose", [])]:
        found = r.get("_percent")
        if found is None or r.get("change_yuan") in (None, Decimal(0)) or found[3] in seen:
            continue  # a percentage printed once for two lines (收入、支出预算总计) is checked once
        seen.add(found[3])
        printed, text, unit, ref = found
        amount = Figure(r["label_zh"], r["amount_yuan"], r["source_ref"], r["amount_text"])
        change = Figure("增减", abs(r["change_yuan"]), r["change_source_ref"], r["change_text"])
        (a0, a1), (c0, c1) = _bounds(amount), _bounds(change)
        sign = 1 if r["change_yuan"] > 0 else -1
        previous = lambda a, c: a - sign * c  # noqa: E731
        scale = Decimal(1) if unit == "倍" else _PCT
        if previous(amount.yuan, change.yuan) <= 0 or previous(a1, c0) <= 0 or previous(a0, c1) <= 0:
            continue  # nothing the year before: no percentage to check
        exact = change.yuan / previous(amount.yuan, change.yuan) * scale
        low, high = c0 / previous(a1, c0) * scale, c1 / previous(a0, c1) * scale
        subject = f"{r['label_zh']} {text}"
        out.append(_verdict("change_percent_matches", printed, text, low, high, exact, unit or "%", subject=subject,
                            stated_source_ref=ref, source_ref=ref,
                            computed_expression_zh=f"{r['change_text']} ÷ 上年数 ({r['amount_text']} − 增减)"
                                                   + ("" if unit == "倍" else " × 100"),
                            computed_source_ref=" ".join(dict.fromkeys(x for x in (r["source_ref"],
                                                                                   r["change_source_ref"]) if x))))
    return out


def _three_public_total(tables: dict) -> Figure | None:
    row = next((r for r in tables.get("three_public_expenses", []) if r["expense_code"] == "total"), None)
    if row is None or row["amount_yuan"] is None:
        return None
    return Figure(row["label_zh"], row["amount_yuan"], row["source_ref"], row["amount_text"])


# A share's part and whole as the tables print them (to their two decimals), by the prose's label or line.
_SHARE_LINES = {"一般公共预算收入": ("income", "general_public_budget"), "政府性基金收入": ("income", "government_fund"),
                "财政专户管理资金": ("income", "special_account"), "其他资金": ("income", "other_funds"),
                "基本支出": ("expenditure", "basic"), "项目支出": ("expenditure", "project"),
                "单位预留机动经费": ("expenditure", "reserve"), "income_total": ("income", "total"),
                "expenditure_total": ("expenditure", "total")}


def _table_figures(tables: dict, summary: list[dict]) -> dict:
    """The figures a share may be of, from the tables: the 收支预算总表's lines, the 三公 table, 政府采购."""
    fin = {(r["side"], r["line_code"]): r for r in summary if r["table_code"] == "financial_summary"}
    fis = next((r for r in summary if r["table_code"] == "fiscal_allocation_summary" and r["side"] == "expenditure"
                and r["line_code"] == "total"), None)
    out = {name: cell(fin[k], "amount_yuan") for name, k in _SHARE_LINES.items() if k in fin}
    if fis is not None:
        out["财政拨款支出预算"] = cell(fis, "amount_yuan")
    for r in tables.get("three_public_expenses", []):
        out[r["expense_code"]] = Figure(r["label_zh"], r["amount_yuan"] or Decimal(0), r["source_ref"],
                                        r["amount_text"], weight=Decimal(1) if r["amount_text"] else Decimal(0))
    out["three_public_total"] = out.pop("total", None)
    procurement = tables.get("procurement_items", [])
    for r in procurement:
        if r["row_kind"] == "total":
            out["procurement_total"] = _procurement_figure(r)
    for label, letter in (("政府采购货物预算", "A"), ("政府采购工程预算", "B"), ("政府采购服务预算", "C")):
        row = next((r for r in procurement if r["row_kind"] == "category" and r["catalogue_code"] == letter), None)
        if row is not None:
            out[label] = _procurement_figure(row)
    return {k: v for k, v in out.items() if v is not None}


def share_percentages(tables: dict, summary: list[dict] = ()) -> list[dict]:
    """``占“三公”经费的18.85%`` and ``其中：基本支出…万元，占63.75%``: part / whole × 100, with the figures the tables
    print where they give them (two decimals), else as the prose states them."""
    wholes = {r["line_code"]: Figure(r["label_zh"], r["amount_yuan"], r["source_ref"], r["amount_text"])
              for r in tables.get("budget_lines", [])}
    three = _three_public_total(tables)
    if three is not None:
        wholes["three_public_total"] = three
    table = _table_figures(tables, summary)
    out = []
    for s in tables.get("_shares", []):
        printed, text, ref = s["_share"]
        whole = table.get(s["whole"]) or wholes.get(s["whole"])
        part = table.get(s.get("expense_code") or s["label_zh"]) or Figure(s["label_zh"], s["amount_yuan"],
                                                                          s["source_ref"], s["amount_text"])
        if whole is None or not whole.yuan:
            out.append(skip("share_percent_matches", f"the whole ({s['whole']}) is not stated", subject=s["label_zh"],
                            source_ref=ref))
            continue
        (p0, p1), (w0, w1) = _bounds(part), _bounds(whole)
        exact = part.yuan / whole.yuan * _PCT
        out.append(_verdict("share_percent_matches", printed, text, p0 / w1 * _PCT, p1 / w0 * _PCT, exact, "%",
                            subject=f"{s['label_zh']} 占 {whole.label} {text}", stated_source_ref=ref, source_ref=ref,
                            computed_expression_zh=f"{part.label} ÷ {whole.label} × 100",
                            computed_source_ref=" ".join(dict.fromkeys((part.ref, whole.ref)))))
    return out


def percent_signs(tables: dict) -> tuple[bool, list[dict]]:
    found = [r for r in [*tables.get("budget_lines", []), *tables.get("_three_public_prose", [])] if r.get("_percent")]
    return bool(found), [occurrence("percentage_written_oddly", r["_percent"][3], r["_percent"][1],
                                    subject=r["label_zh"], note="a percentage printed without its % sign")
                         for r in found if r["_percent"][2] is None]


# -- changes that add up -----------------------------------------------------------------------------------------

def _change(r: dict) -> Figure:
    return Figure(f"{r['label_zh']} 增减", r["change_yuan"], r["change_source_ref"], r["change_text"])


def changes_add_up(tables: dict, summary: list[dict]) -> list[dict]:
    """Stated changes that must add up, where every term is stated."""
    lines = tables.get("budget_lines", [])
    by = {r["line_code"]: r for r in lines if r["change_yuan"] is not None}
    out = []

    def add(stated: str, parts: list[dict], what: str) -> None:
        if stated in by and parts and all(p["change_yuan"] is not None for p in parts):
            out.append(compare("prose_changes_add_up", _change(by[stated]), [_change(p) for p in parts], unit="万元",
                               subject=what))

    classes = [r for r in lines if r["line_code"] == "expenditure_function_class"]
    with_money = [r for r in summary if r["side"] == "expenditure" and r["line_code"] == "function_class"
                  and r["amount_yuan"]]
    if classes and len(classes) == len(with_money):  # every class the table prints with money
        add("expenditure_total", classes, "支出预算总计 增减 = Σ 类 增减")
    uses = [by[c] for c in ("expenditure_basic", "expenditure_project", "expenditure_reserve") if c in by]
    if len(uses) == 3:
        add("expenditure_total", uses, "支出预算总计 增减 = 基本支出 + 项目支出 + 单位预留机动经费 增减")
    funds = [by[c] for c in ("income_general_public_budget", "income_government_fund") if c in by]
    if funds:
        add("expenditure_fiscal_allocation", funds, "财政拨款 增减 = 一般公共预算 + 政府性基金 增减")
    sources = [r for r in lines if r["parent_line_code"] == "income_total"]
    add("income_total", sources, "收入预算总计 增减 = Σ 来源 增减")
    return out


# -- the extra tables --------------------------------------------------------------------------------------------

def three_public_table(tables: dict, summary: list[dict]) -> list[dict]:
    lines = {r["line_code"]: r for r in summary if r["table_code"] == "three_public"}
    total, three = lines.get("total"), _three_public_total(tables)
    if total is None:
        return []
    others = [cell(lines[c], "amount_yuan") for c in ("meeting_fees", "training_fees") if c in lines]
    if three is None:
        return [skip("three_public_table_total_equals_columns", "no 三公经费 in the table", source_ref=total["source_ref"])]
    return [compare("three_public_table_total_equals_columns", cell(total, "amount_yuan", "合计"),
                    [Figure(three.label, three.yuan, three.ref, three.text), *others], unit="万元",
                    subject="“三公”经费、会议费、培训费支出预算表 合计")]


def procurement_groups(tables: dict) -> list[dict]:
    rows = tables.get("procurement_items", [])
    if not any(r["row_kind"] in ("category", "project") for r in rows):
        return []
    out, groups = [], []  # (parent, children)
    category = project = None
    for r in rows:
        if r["row_kind"] == "category":
            category = (r, [])
            groups.append(category)
            project = None
        elif r["row_kind"] == "project":
            project = (r, [])
            groups.append(project)
            if category is not None:
                category[1].append(r)
        elif r["row_kind"] == "item" and project is not None:
            project[1].append(r)
    total = next((r for r in rows if r["row_kind"] == "total"), None)
    if total is not None:
        groups.append((total, [r for r in rows if r["row_kind"] == "category"]))
    for parent, children in groups:
        if not children:
            continue
        name = parent.get("item_name_zh") or parent.get("project_name_zh") or "合计"
        out.append(compare("procurement_groups_add_up", _procurement_figure(parent),
                           [_procurement_figure(c) for c in children], unit="万元",
                           subject=f"{parent['row_seq']} {name} ({parent['row_kind']})"))
    bad = [r for r in out if r["status"] != "pass"]
    return bad or [make_row("procurement_groups_add_up", "pass", source_ref=rows[0]["source_ref"],
                            note=f"{len(out)} groups checked, all within tolerance")]


def running_costs(national) -> list[dict]:
    table = national.economic.get("institutional_operating_costs")
    if not table:
        return []
    total = next((r for r in table if r["row_kind"] == "total"), None)
    basic = national.economic.get("fiscal_allocation_basic_expenditure") or national.economic.get(
        "general_public_budget_basic_expenditure") or []
    goods = next((r for r in basic if r.get("economic_code") == "302"), None)
    if total is None or goods is None:
        return [skip("running_costs_within_goods_and_services", "no 合计 of the 机关运行经费 table or no 302 line")]
    return [compare("running_costs_within_goods_and_services", cell(goods, "total_yuan", "302 商品和服务支出"),
                    [cell(total, "total_yuan", "机关运行经费 合计")], unit="万元", relation="ge",
                    subject="机关运行经费 ≤ 基本支出 302 商品和服务支出")]


def labels(tables: dict) -> list[dict]:
    return [occurrence("label_printed_otherwise", r["source_ref"], r["label_zh"],
                       note=f"the layout prints {r['expected_zh']}")
            for r in tables.get("_labels", [])]


def run(tables: dict, national) -> Iterator[dict]:
    summary = [r for rows in national.summary.values() for r in rows]
    yield from change_percentages(tables)
    yield from share_percentages(tables, summary)
    has_percentages, unsigned = percent_signs(tables)
    if has_percentages:
        yield from unsigned or [clean("percentage_written_oddly")]
    yield from changes_add_up(tables, [r for r in summary if r["table_code"] == "financial_summary"])
    yield from three_public_table(tables, summary)
    yield from procurement_groups(tables)
    yield from running_costs(national)
    if "_labels" in tables:
        yield from labels(tables) or [clean("label_printed_otherwise")]
