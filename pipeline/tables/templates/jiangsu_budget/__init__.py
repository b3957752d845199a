"""Template of the Jiangsu provincial department budgets (江苏省省级部门预算公开), as published 2017-2018.

Four parts (第一部分 部门概况, 第二部分 the twelve 公开表, 第三部分 部门预算情况说明, 第四部分 名词解释), in one file or
in two: an explanation document and a tables document, which the raw manifest names as the parts of one
disclosure (:mod:`pipeline.document.parts`). The layout's vocabulary is :mod:`.layout`, its parts and tables
:mod:`.structure`, the tables' rows :mod:`.tables` (what is national about them: :mod:`pipeline.tables.national`),
the figures of 第三部分 :mod:`.prose`. Everything here is a pure function of the intermediate document.

A disclosure lacking a part is read from what there is, and says so: an explanation that announces its tables
(``具体公开表样附后``) without them, or tables without an explanation, give a ``_missing_parts`` record (the
completeness check ``document_part_missing``), besides the sections and tables missing.
"""

from __future__ import annotations

import re

from pipeline.document.model import Document, Paragraph
from pipeline.errors import DocumentError
from pipeline.tables.templates import narrative
from pipeline.tables.templates.jiangsu_budget import prose
from pipeline.tables.templates.jiangsu_budget.layout import (
    PART_HEADING,
    SECTIONS,
    TEMPLATE_ID,
    UNIT,
    compact,
    table_code,
)
from pipeline.tables.templates.jiangsu_budget.structure import Section, Structure, read_structure, require
from pipeline.tables.templates.jiangsu_budget.tables import read_tables
from pipeline.tables.templates.result import SectionInfo, TemplateResult

__all__ = ["TEMPLATE_ID", "matches", "parse", "refusal"]

CHECK_FAMILIES = ("common", "national")
_UNIT_NAME = re.compile(r"^(?P<n>\d{1,2})\s*[.．、]\s*(?P<name>[^，。；;,]{1,30}?)[。；;]?$")


def refusal(document: Document) -> str | None:
    """Why ``document`` is not of this layout (None when it is): its four part headings (第一部分 部门概况 …
    第三部分 …情况说明), or, for a tables document, the titles of its summary tables (收支预算总表 and
    财政拨款收支预算总表) with a ``单位：万元`` line."""
    texts = [compact(b.text) for b in document.blocks if isinstance(b, Paragraph)]
    heads = [t for t in texts if PART_HEADING.match(t)]
    if any("部门概况" in t for t in heads) and any("情况说明" in t for t in heads):
        return None
    codes = {table_code(t) for t in texts if len(t) <= 70}
    if {"financial_summary", "fiscal_allocation_summary", "three_public"} <= codes \
            and any("单位" in t and "万元" in t for t in texts):
        return None
    return ("expected the parts '第一部分 部门概况' … '第三部分 …部门预算情况说明', or the tables 收支预算总表, "
            "财政拨款收支预算总表 and “三公”经费、会议费、培训费支出预算表 in 万元")


def matches(document: Document) -> bool:
    return refusal(document) is None


def _paragraphs(section: Section | None) -> list[Paragraph]:
    return [b for b in section.blocks if isinstance(b, Paragraph)] if section is not None else []


def _organisation(section: Section | None) -> list[dict]:
    """The units or 内设机构 listed one per line (``1.办公室``); a section of prose lists none."""
    out = []
    for p in _paragraphs(section):
        if m := _UNIT_NAME.match(p.clean):
            out.append({"unit_seq": len(out) + 1, "unit_name_zh": m["name"].strip(), "unit_nature_zh": None,
                        "unit_grade_zh": None, "funding_form_zh": None, "source_ref": p.span.ref})
    return out


def _missing_parts(s: Structure, document: Document) -> list[dict]:
    """Parts the document itself shows are missing: tables it announces but does not hold, an explanation its
    tables do not come with."""
    out = []
    if s.attached is not None and not s.tables:
        out.append({"part": "tables", "file": None, "source_ref": s.attached.span.ref,
                    "why": f"the explanation says the tables are attached ({s.attached.clean[:40]}), and they are "
                           "not in the document"})
    if s.tables and not s.has_explanation:
        out.append({"part": "explanation", "file": None, "source_ref": s.tables[0].title.span.ref,
                    "why": "the tables come without the explanation (第一部分 部门概况 … 第四部分 名词解释)"})
    listed = {part for part, _ in document.missing_parts}
    return [m for m in out if m["part"] not in listed]


def section_infos(s: Structure) -> tuple[SectionInfo, ...]:
    infos, number = [], 0
    for key, expected in SECTIONS:
        if key == "budget_tables":
            blocks = [b for t in s.tables for b in (t.title, t.table)]
            heading = s.parts.get("budget_tables")
            title = heading.clean if heading is not None else (s.tables[0].title.clean if s.tables else None)
            printed = None
        elif key == "budget_explanation":
            heading = s.parts.get(key)
            blocks = [heading, *(b for x in s.explanation for b in (x.heading, *x.blocks))] if heading else []
            title, printed = (heading.clean if heading else None), None
        else:
            section = s.sections.get(key)
            blocks = [section.heading, *section.blocks] if section is not None else []
            title, printed = (section.heading.clean if section else None), (section.number if section else None)
        if not expected and not blocks:
            continue
        number += 1
        if not blocks:
            infos.append(SectionInfo(key=key, number=number, present=False))
            continue
        spans = [b.span for b in blocks]
        span = min(spans, key=lambda x: x.first).join(max(spans, key=lambda x: x.last))
        has_content = key == "budget_tables" or len(blocks) > 1
        infos.append(SectionInfo(key=key, number=number, present=True, number_printed=printed, title_zh=title,
                                 span=span, has_content=has_content))
    return tuple(infos)


def parse(document: Document) -> TemplateResult:
    source = document.source
    s = read_structure(document)
    require(s, source, document)
    warnings: list[str] = []
    tables = read_tables(source, s.tables)
    found = prose.explanation(s.explanation, source)
    by_code = {r["expense_code"]: r for r in tables["three_public_expenses"]}
    for figure in found["_three_public_prose"]:  # the changes the prose states go with the table's figures
        row = by_code.get(figure["expense_code"])
        if row is not None and figure["change_yuan"] is not None:
            row.update(change_yuan=figure["change_yuan"], change_text=figure["change_text"],
                       change_source_ref=figure["change_source_ref"])
    for t in s.others:
        warnings.append(f"{source}:{t.span.where}: a table under no known title was not read")
    if s.title is None:
        raise DocumentError(source, "expected a title or a part heading naming the budget year")
    if not s.title_text:
        warnings.append(f"{source}:{s.title.span.where}: no title is drawn on a cover; the title is read from "
                        f"{s.title.clean!r}")
    # Sections explaining tables that equal each other (一般公共预算 = 财政拨款 without 政府性基金) restate each
    # other's paragraphs by design: a paragraph is compared with those of its own section.
    prose_paragraphs = [(x.key, b) for x in s.explanation for b in x.blocks if isinstance(b, Paragraph)]
    result_tables = {
        "organisation_units": _organisation(s.sections.get("organisation")),
        "responsibilities": narrative.duties(_paragraphs(s.sections.get("duties")))
        + [dict(r, kind="annual_task") for r in narrative.duties(_paragraphs(s.sections.get("tasks")))],
        "budget_lines": found["budget_lines"],
        "glossary": narrative.glossary(_paragraphs(s.sections.get("glossary"))),
        **tables,
        "_three_public_prose": found["_three_public_prose"],
        "_shares": found["_shares"],
        "_missing_parts": _missing_parts(s, document),
        "_paragraphs": [{"text": p.clean, "source_ref": p.span.ref, "group": k} for k, p in prose_paragraphs],
    }
    for seq, row in enumerate(result_tables["responsibilities"], start=1):
        row["responsibility_seq"] = seq
    return TemplateResult(
        department_name_zh=s.department, fiscal_year=s.year, title_zh=s.title.clean, title_span=s.title.span,
        department_code=None, source_amount_unit_zh=UNIT, tables=result_tables, warnings=tuple(warnings),
        sections=section_infos(s), kind="budget", check_families=CHECK_FAMILIES,
    )

