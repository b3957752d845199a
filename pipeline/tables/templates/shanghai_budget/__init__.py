"""Template of the Shanghai department and unit budgets (上海 区级/市级 部门预算, 单位预算), as published 2023-2025.

Sections (each on its own page, headings unnumbered): 主要职能, 机构设置, 名词解释, 编制说明, the nine national
tables, 其他相关情况说明, 项目经费情况说明 (部门预算 only), and in some years 绩效目标 forms. The tables are read
by :mod:`pipeline.tables.national` (what is national about them); this package knows Shanghai's titles, units,
headings and prose (:mod:`.layout`). Input is the reader-independent intermediate document (a PDF, here); output
is one list of rows per table of ``schemas/``, plus the notes the checks need (tables whose name starts with
``_``, not published). Everything here is a pure function of the document.
"""

from __future__ import annotations

from pipeline.document.model import Document, Paragraph
from pipeline.errors import DocumentError
from pipeline.tables.national.vocabulary import TABLES
from pipeline.tables.templates import narrative
from pipeline.tables.templates.result import TemplateResult
from pipeline.tables.templates.shanghai_budget import other, prose
from pipeline.tables.templates.shanghai_budget.layout import NINE_TABLES, TEMPLATE_ID, compact, table_code
from pipeline.tables.templates.shanghai_budget.structure import cover, read_structure, section_infos
from pipeline.tables.templates.shanghai_budget.tables import read_forms, read_tables

__all__ = ["TEMPLATE_ID", "matches", "parse", "refusal"]

CHECK_FAMILIES = ("common", "national")


def refusal(document: Document) -> str | None:
    """Why ``document`` is not of this layout (None when it is): its cover, and at least one of the nine titles."""
    found = cover(document)
    if isinstance(found, str):
        return found
    titles = [b for b in document.blocks if isinstance(b, Paragraph) and len(compact(b.text)) <= 60
              and table_code(b.text) is not None]
    if not titles:
        return "no title of the national budget tables (财务收支预算总表, 收入预算总表 …) is printed"
    return None


def matches(document: Document) -> bool:
    return refusal(document) is None


def _paragraphs(blocks: list) -> list[Paragraph]:
    return [b for b in blocks[1:] if isinstance(b, Paragraph)]  # the heading is blocks[0]


def parse(document: Document) -> TemplateResult:
    source = document.source
    s = read_structure(document)
    if not s.tables:
        raise DocumentError(source, "none of the nine national tables was found under its title")
    warnings: list[str] = []
    tables = read_tables(source, s.tables)
    lines = prose.explanation(_paragraphs(s.sections.get("budget_explanation", [])), source, warnings)
    other_lines, three_prose = other.other(_paragraphs(s.sections.get("other", [])), source)
    by_code = {r["expense_code"]: r for r in tables["three_public_expenses"]}
    for figure in three_prose:  # the changes the prose states go with the table's figures
        row = by_code.get(figure["expense_code"])
        if row is not None and figure["change_yuan"] is not None:
            row.update(change_yuan=figure["change_yuan"], change_text=figure["change_text"],
                       change_source_ref=figure["change_source_ref"], change_reason_zh=figure["change_reason_zh"])
    found = {t.code for t in s.tables}
    prose_paragraphs = [b for key, blocks in s.sections.items() if key not in ("budget_tables", "performance")
                        for b in blocks if isinstance(b, Paragraph)]
    result_tables = {
        "organisation_units": other.organisation(_paragraphs(s.sections.get("organisation", []))),
        "responsibilities": narrative.duties(_paragraphs(s.sections.get("duties", []))),
        "budget_lines": lines + other_lines,
        "glossary": narrative.glossary(_paragraphs(s.sections.get("glossary", []))),
        **tables,
        "_three_public_prose": three_prose,
        "_missing_tables": [{"table_code": code, "title_zh": TABLES[code]} for code in NINE_TABLES
                            if code not in found],
        "_paragraphs": [{"text": p.clean, "source_ref": p.span.ref} for p in prose_paragraphs],
        "_forms": read_forms(source, s.forms),
        "_level": [{"cover": s.level, "glossary": [p.clean for p in _paragraphs(s.sections.get("glossary", []))],
                    "source_ref": s.title.span.ref}],
    }
    for t in s.others:
        warnings.append(f"{source}:{t.span.where}: a table under no known title was not read")
    unit_names = {t.unit for t in s.tables if t.code != "three_public"}
    return TemplateResult(
        department_name_zh=s.department, fiscal_year=s.year, title_zh=s.title.clean, title_span=s.title.span,
        department_code=None, source_amount_unit_zh="元" if unit_names <= {"元"} else "万元",
        tables=result_tables, warnings=tuple(warnings), sections=section_infos(s), kind=s.kind,
        check_families=CHECK_FAMILIES,
    )
