"""Checks of the national tables' own arithmetic and of their agreement with each other (family ``national``).

Figures are the tables' cells: a table printed in 元 prints exact figures (tolerance 0: a difference of one
yuan fails); a table printed in 万元 prints rounded ones (half a unit of the last printed digit each, as for
prose). A blank cell counts as 0. A fail row points at the stated cell (``stated_source_ref``) and every cell
summed (``computed_source_ref``). Checks that run over every line of a table give one fail row per line that
does not add up, and otherwise one pass row for the table (``note``: how many sums were checked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from pipeline.tables.checks.rows import Figure, compare, make_row, skip
from pipeline.tables.national.vocabulary import FISCAL_ALLOCATION_PARTS, FUNCTION_TABLES, TABLES, key

_PARTS = {  # total field -> its parts, by table kind
    "expenditure": ("basic_yuan", "project_yuan"),
    "income": ("fiscal_allocation_yuan", "operations_income_yuan", "business_income_yuan", "other_income_yuan"),
    "economic": ("personnel_yuan", "public_operating_yuan"),
}
_COLUMN_ZH = {"total_yuan": "合计", "basic_yuan": "基本支出", "project_yuan": "项目支出",
              "fiscal_allocation_yuan": "财政拨款收入", "operations_income_yuan": "事业收入",
              "business_income_yuan": "事业单位经营收入", "other_income_yuan": "其他收入", "personnel_yuan": "人员经费",
              "public_operating_yuan": "公用经费", "amount_yuan": "合计", "general_public_budget_yuan": "一般公共预算",
              "government_fund_yuan": "政府性基金预算", "state_capital_yuan": "国有资本经营预算"}
FUNDS = (("general_public_budget_yuan", "general_public_budget_expenditure"),
         ("government_fund_yuan", "government_fund_expenditure"),
         ("state_capital_yuan", "state_capital_expenditure"))


def cell(row: dict, field: str, label: str | None = None) -> Figure:
    """A table cell as a figure: exact in a 元 table, rounded (its printed decimals) in a 万元 one; blank = 0."""
    unit = row.get("_unit", "元")
    value = row.get(field)
    text = (row.get("_texts", {}).get(field) or "0") + unit
    name = label or f"{row.get('function_code') or row.get('economic_code') or row.get('label_zh') or row.get('name_zh')} {_COLUMN_ZH.get(field, field)}"
    return Figure(name, value if value is not None else Decimal(0), row.get("_cells", {}).get(field, row["source_ref"]),
                  text, weight=Decimal(0) if unit == "元" else Decimal(1))


def _whole_yuan_note(row: dict, terms: int) -> str | None:
    """A fail of at most half a yuan per figure in a table of whole yuan: rounding of fen could explain it."""
    d = row.get("difference_yuan")
    texts = [row.get("stated_text") or ""]
    if d is None or row["status"] != "fail" or any("." in t for t in texts) or abs(d) > Decimal("0.5") * (terms + 1):
        return None
    return ("the table prints whole yuan: if its figures were rounded from fen, rounding alone could explain a "
            f"difference of {abs(d)} yuan; as printed, the figures do not add up")


def _collapse(check_id: str, rows: list[dict], subject: str, what: str, ref: str | None) -> list[dict]:
    if not rows:
        return [skip(check_id, f"nothing to check: {what}", subject=subject, source_ref=ref)]
    bad = [r for r in rows if r["status"] != "pass"]
    if bad:
        return bad
    return [make_row(check_id, "pass", subject=subject, source_ref=ref,
                     note=f"{len(rows)} {what} checked, all within tolerance")]


def _tables(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["table_code"]].append(r)
    return out


def _amount_fields(rows: list[dict]) -> list[str]:
    fields = [k for k in rows[0] if k.endswith("_yuan")] if rows else []
    return [f for f in fields if any(r[f] is not None for r in rows)]


def cmp(check_id, stated: Figure, terms: list[Figure], subject: str, expression: str | None = None) -> dict:
    row = compare(check_id, stated, terms, unit="元", subject=subject, expression=expression)
    if (note := _whole_yuan_note(row, len(terms))) is not None:
        row["note"] = "; ".join(filter(None, [row["note"], note]))
    return row


class National:
    def __init__(self, tables: dict[str, list[dict]]) -> None:
        self.function = _tables(tables.get("function_lines", []))
        self.economic = _tables(tables.get("economic_lines", []))
        self.summary = _tables(tables.get("summary_lines", []))
        self.all = {**self.function, **self.economic}

    def run(self) -> Iterator[dict]:
        yield from self.hierarchy()
        yield from self.totals()
        yield from self.line_totals()
        yield from self.same_codes()
        yield from self.summary_vs_function()
        yield from self.summaries()

    # -- within a classification table --------------------------------------------------------------------
    def hierarchy(self) -> Iterator[dict]:
        for code, rows in self.all.items():
            fields, out = _amount_fields(rows), []
            lines = [r for r in rows if r["row_kind"] == "line"]
            for parent in lines:
                code_of = parent.get("function_code") or parent.get("economic_code")
                children = [r for r in lines if r["level"] == parent["level"] + 1
                            and (r.get("function_code") or r.get("economic_code") or "").startswith(code_of)
                            and _parent_parts(r) == _parts(parent)]
                if not children:
                    continue
                for f in fields:
                    out.append(cmp("hierarchy_adds_up", cell(parent, f), [cell(c, f) for c in children],
                                    subject=f"{TABLES[code]} {code_of} {parent['name_zh']} {_COLUMN_ZH[f]}"))
            yield from _collapse("hierarchy_adds_up", out, TABLES[code], "sums of 款 / 项 rows",
                                 rows[0]["source_ref"] if rows else None)

    def totals(self) -> Iterator[dict]:
        for code, rows in self.all.items():
            total = next((r for r in rows if r["row_kind"] == "total"), None)
            classes = [r for r in rows if r["row_kind"] == "line" and r["level"] == 1]
            if total is None or not classes:
                yield skip("total_row_equals_classes", "no 合计 row or no 类 row", subject=TABLES[code],
                           source_ref=rows[0]["source_ref"] if rows else None)
                continue
            out = [cmp("total_row_equals_classes", cell(total, f, f"合计 {_COLUMN_ZH[f]}"), [cell(c, f) for c in classes],
                        subject=f"{TABLES[code]} {_COLUMN_ZH[f]}") for f in _amount_fields(rows)]
            yield from _collapse("total_row_equals_classes", out, TABLES[code], "columns", total["source_ref"])

    def line_totals(self) -> Iterator[dict]:
        for code, rows in [*self.all.items(), *self.summary.items()]:
            if not any(p in r.get("_cells", {}) or r.get(p) is not None for r in rows for p in _line_parts(code, r)[1]):
                continue  # a table without part columns (a 部门预算's 财务收支预算总表, the 三公 table, one amount)
            out = []
            for r in rows:
                total_field, parts = _line_parts(code, r)
                if not parts or r.get(total_field) is None and all(r.get(p) is None for p in parts):
                    continue
                label = r.get("function_code") or r.get("economic_code") or r.get("label_zh") or r["name_zh"]
                out.append(cmp("line_total_equals_parts", cell(r, total_field), [cell(r, p) for p in parts],
                                subject=f"{TABLES[code]} {label} {r.get('name_zh', '')}".strip()))
            yield from _collapse("line_total_equals_parts", out, TABLES[code], "lines",
                                 rows[0]["source_ref"] if rows else None)

    # -- between tables ------------------------------------------------------------------------------------
    def _by_code(self, table: str) -> dict[str, dict]:
        return {r["function_code"]: r for r in self.function.get(table, []) if r["row_kind"] == "line"}

    def same_codes(self) -> Iterator[dict]:
        income, spending = self._by_code("income_summary"), self._by_code("expenditure_summary")
        funds = [self._by_code(t) for _, t in FUNDS]
        out = []
        if income and spending:
            for code in sorted(set(income) | set(spending)):
                out.append(cmp("same_code_same_amounts", or_zero(spending.get(code), "total_yuan", code),
                                [or_zero(income.get(code), "total_yuan", code)],
                                subject=f"{code} 支出预算总表 合计 = 收入预算总表 合计"))
        if income and any(funds):
            for code in sorted(set(income) | {c for f in funds for c in f}):
                out.append(cmp("same_code_same_amounts", or_zero(income.get(code), "fiscal_allocation_yuan", code),
                                [or_zero(f.get(code), "total_yuan", code) for f in funds if f],
                                subject=f"{code} 收入预算总表 财政拨款收入 = Σ 功能分类表 合计"))
        if spending and income and any(funds):
            for code, row in sorted(spending.items()):
                inc = income.get(code)
                if inc is None or (inc.get("total_yuan") or 0) != (inc.get("fiscal_allocation_yuan") or 0):
                    continue
                for f in ("basic_yuan", "project_yuan"):
                    out.append(cmp("same_code_same_amounts", cell(row, f),
                                    [or_zero(t.get(code), f, code) for t in funds if t],
                                    subject=f"{code} 支出预算总表 {_COLUMN_ZH[f]} = Σ 功能分类表"))
        for whole, parts in FISCAL_ALLOCATION_PARTS.items():  # 财政拨款 table = Σ the tables of its funds
            table = {r.get("function_code") or r.get("economic_code"): r for r in self.all.get(whole, [])
                     if r["row_kind"] == "line"}
            by_fund = [{r.get("function_code") or r.get("economic_code"): r for r in self.all[t]
                        if r["row_kind"] == "line"} for t in parts if t in self.all]
            if not table or not by_fund:
                continue
            for code in sorted(set(table) | {c for f in by_fund for c in f}):
                out.append(cmp("same_code_same_amounts", or_zero(table.get(code), "total_yuan", code),
                                [or_zero(f.get(code), "total_yuan", code) for f in by_fund],
                                subject=f"{code} {TABLES[whole]} = Σ " + " + ".join(TABLES[t] for t in parts
                                                                                    if t in self.all)))
        yield from _collapse("same_code_same_amounts", out, "功能分类各表", "codes", None)

    def summary_vs_function(self) -> Iterator[dict]:
        classes = {t: {key(r["name_zh"]): r for r in rows if r["row_kind"] == "line" and r["level"] == 1}
                   for t, rows in self.function.items()}
        pairs = (("financial_summary", (("amount_yuan", ("expenditure_summary",)),)),
                 ("fiscal_allocation_summary", (("amount_yuan", tuple(t for _, t in FUNDS)),
                                                *((f, (t,)) for f, t in FUNDS))))
        for summary_code, columns in pairs:
            lines = [r for r in self.summary.get(summary_code, []) if r["side"] == "expenditure"
                     and r["line_code"] == "function_class"]
            out = []
            for line in lines:
                name = key(line["label_zh"])
                for field, function_tables in columns:
                    present = [t for t in function_tables if classes.get(t)]
                    if not present:
                        continue
                    terms = [or_zero(classes[t].get(name), "total_yuan", name) for t in present]
                    if all(classes[t].get(name) is None for t in present) and field == "amount_yuan":
                        out.append(make_row("summary_matches_function_tables", "fail", subject=line["label_zh"],
                                            stated_label_zh=line["label_zh"], stated_yuan=line["amount_yuan"],
                                            stated_source_ref=line["source_ref"], source_ref=line["source_ref"],
                                            note="no 类 row of the function tables has this name"))
                        continue
                    out.append(cmp("summary_matches_function_tables", cell(line, field), terms,
                                    subject=f"{TABLES[summary_code]} {line['label_zh']} {_COLUMN_ZH[field]}"))
            if summary_code == "financial_summary" and not out and classes.get("fiscal_allocation_expenditure"):
                out = self._classes_cover_fiscal(lines, classes["fiscal_allocation_expenditure"])
            if lines:
                yield from _collapse("summary_matches_function_tables", out, TABLES[summary_code], "lines",
                                     lines[0]["source_ref"])

    def _classes_cover_fiscal(self, lines: list[dict], fiscal: dict[str, dict]) -> list[dict]:
        """A 收支预算总表 whose classes count every source (Jiangsu), against the 财政拨款支出预算表's 类 rows: equal
        when the document has no other money than 财政拨款 (no 财政专户管理资金, 其他资金 or 上年结转), else at least
        as large (the rest is the other money, which no table gives by class)."""
        income = [r for r in self.summary.get("financial_summary", []) if r["side"] == "income"]
        other = [r for r in income if r["line_code"] in ("special_account", "other_funds", "carryover")
                 and r["amount_yuan"]]
        out = []
        for line in lines:
            row = fiscal.get(key(line["label_zh"]))
            if row is None and line["amount_yuan"] is None:
                continue
            term = or_zero(row, "total_yuan", line["label_zh"])
            note = (None if not other else "the class counts every source: at least the 财政拨款 class, as the "
                    "document also has " + ", ".join(f"{r['label_zh']} {r['amount_yuan']}" for r in other))
            out.append(compare("summary_matches_function_tables", cell(line, "amount_yuan"), [term], unit="元",
                               subject=f"{TABLES['financial_summary']} {line['label_zh']} 合计 = "
                                       f"{TABLES['fiscal_allocation_expenditure']}",
                               relation="ge" if other else "eq", note=note))
        return out

    def summaries(self) -> Iterator[dict]:
        for code in ("financial_summary", "fiscal_allocation_summary"):
            rows = self.summary.get(code, [])
            if not rows:
                continue
            side = lambda s: [r for r in rows if r["side"] == s]  # noqa: E731
            total = lambda s: next((r for r in side(s) if r["line_code"] == "total"), None)  # noqa: E731
            inc, exp = total("income"), total("expenditure")
            name = TABLES[code]
            if inc is None or exp is None:
                yield skip("summary_income_equals_expenditure", "a side has no 总计 line", subject=name)
            else:
                yield cmp("summary_income_equals_expenditure", cell(inc, "amount_yuan", "收入总计"),
                           [cell(exp, "amount_yuan", "支出总计")], subject=name)
            out = []
            incomes = {r["line_code"]: r for r in side("income")}
            top = [c for c in ("fiscal_allocation", "special_account", "other_funds", "operations_income",
                               "business_income", "other_income", "carryover") if c in incomes]
            funds = [c for c in ("general_public_budget", "government_fund", "state_capital") if c in incomes]
            if "subtotal" in incomes:  # 收入合计 = 当年收入小计 + 上年结转; 小计 = the year's sources
                out += _sums(name, "收入", incomes["subtotal"], inc, [incomes[c] for c in top if c != "carryover"],
                             [incomes["carryover"]] if "carryover" in incomes else [])
            elif inc is not None and (top or funds):
                parts = top if "fiscal_allocation" in incomes else funds
                out.append(cmp("summary_total_equals_lines", cell(inc, "amount_yuan", "收入总计"),
                                [cell(incomes[c], "amount_yuan") for c in parts], subject=f"{name} 收入总计"))
            if "fiscal_allocation" in incomes and funds:
                out.append(cmp("summary_total_equals_lines", cell(incomes["fiscal_allocation"], "amount_yuan"),
                                [cell(incomes[c], "amount_yuan") for c in funds], subject=f"{name} 财政拨款"))
            lines = [r for r in side("expenditure") if r["line_code"] in ("function_class", "carry_forward")]
            uses = [r for r in side("expenditure") if r["line_code"] in ("basic", "project", "reserve")]
            subtotal = next((r for r in side("expenditure") if r["line_code"] == "subtotal"), None)
            if uses or subtotal is not None:  # by function and / or by use (支出用途), with or without 小计
                carry = [r for r in lines if r["line_code"] == "carry_forward"]
                classes = [r for r in lines if r["line_code"] == "function_class"]
                out += _sums(name, "支出", subtotal, exp, classes, carry, uses)
            elif exp is not None:
                for f in [f for f in ("amount_yuan", "general_public_budget_yuan", "government_fund_yuan",
                                      "state_capital_yuan", "personnel_yuan", "public_operating_yuan", "project_yuan")
                          if exp.get(f) is not None or any(r.get(f) is not None for r in lines)]:
                    out.append(cmp("summary_total_equals_lines", cell(exp, f, f"支出总计 {_COLUMN_ZH.get(f, f)}"),
                                    [cell(r, f) for r in lines], subject=f"{name} 支出总计 {_COLUMN_ZH.get(f, f)}"))
            yield from _collapse("summary_total_equals_lines", out, name, "totals", rows[0]["source_ref"])


def _sums(name: str, side_zh: str, subtotal: dict | None, total: dict | None, lines: list[dict], carry: list[dict],
          uses: list[dict] = ()) -> list[dict]:
    """A side printed with a 小计 before its carry-over (当年收入小计 + 上年结转 = 收入合计), and printed by
    function and by use: each of its line sets adds up to the 小计 (or, without one, with the carry-over to the
    total)."""
    out = []
    target = subtotal if subtotal is not None else total
    extra = [] if subtotal is not None else carry
    label = f"当年{side_zh}小计" if subtotal is not None else f"{side_zh}合计"
    for group, what in ((lines, "classes" if side_zh == "支出" else "sources"), (uses, "uses")):
        if target is not None and group:
            out.append(cmp("summary_total_equals_lines", cell(target, "amount_yuan", label),
                            [cell(r, "amount_yuan") for r in [*group, *extra]], subject=f"{name} {label} = Σ {what}"))
    if subtotal is not None and total is not None:
        out.append(cmp("summary_total_equals_lines", cell(total, "amount_yuan", f"{side_zh}合计"),
                        [cell(r, "amount_yuan") for r in [subtotal, *carry]], subject=f"{name} {side_zh}合计"))
    return out


def _parts(row: dict) -> tuple:
    return tuple(p for p in (row.get("class_code"), row.get("section_code"), row.get("item_code")) if p)


def _parent_parts(row: dict) -> tuple:
    return _parts(row)[:-1]


def _line_parts(code: str, row: dict) -> tuple[str, tuple[str, ...]]:
    if code == "income_summary":
        return "total_yuan", _PARTS["income"]
    if code in FUNCTION_TABLES:
        return "total_yuan", _PARTS["expenditure"]
    if code == "general_public_budget_basic_expenditure":
        return "total_yuan", _PARTS["economic"]
    if code == "fiscal_allocation_summary" and row["side"] == "expenditure":
        return "amount_yuan", tuple(f for f, _ in FUNDS)
    if code == "financial_summary" and row["side"] == "expenditure" and any(
            row.get(f) is not None for f in ("personnel_yuan", "public_operating_yuan", "project_yuan")):
        return "amount_yuan", ("personnel_yuan", "public_operating_yuan", "project_yuan")
    return "", ()


def or_zero(row: dict | None, field: str, label: str) -> Figure:
    if row is None:
        return Figure(f"{label} (not in the table)", Decimal(0), None, None, weight=Decimal(0))
    return cell(row, field)

