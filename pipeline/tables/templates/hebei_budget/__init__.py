"""Template of the Hebei department budget disclosure (河北省部门预算信息公开), as in 2019.

Nine sections, found by their titles rather than their numbers:
一 部门职责及机构设置情况 (duties, organisation table), 二 部门预算安排的总体情况 (income, expenditure and
changes, in prose), 三 机关运行经费, 四 “三公”经费 (prose), 五 绩效预算信息 (goals, and the activity /
indicator table), 六 政府采购预算 (prose total and table), 七 国有资产信息 (table), 八 名词解释 (list),
九 其他需要说明的事项.

Input is the reader-independent :class:`~pipeline.document.model.Document`; output is one list of rows per
table of ``schemas/`` (without the ``documents`` row, which :mod:`pipeline.tables.parse` completes with the raw
file's metadata). Everything here is a pure function of the document.
"""

from __future__ import annotations

from pipeline.document.model import Document, Paragraph
from pipeline.tables.templates.hebei_budget.layout import (
    CUT_OFF_BEFORE,
    SECTION_KEYS,
    TEMPLATE_ID,
    TITLE,
    compact,
)
from pipeline.tables.templates.hebei_budget.prose import ProseReader
from pipeline.tables.templates.hebei_budget.structure import StructureReader
from pipeline.tables.templates.hebei_budget.tables import TableReader
from pipeline.tables.templates.result import TemplateResult

__all__ = ["TEMPLATE_ID", "matches", "parse", "refusal"]


class _Parser(StructureReader, ProseReader, TableReader):
    """One document's reading: the template's sections, each read by the mixin that knows it."""


def parse(document: Document) -> TemplateResult:
    """Turn a document of this template into table rows (pure)."""
    p = _Parser(document)
    sections = p.split_sections()
    department, year, title = p.title(sections.preamble)
    blocks = sections.blocks
    missing = [key for key, _ in SECTION_KEYS if key not in blocks]
    if len(missing) == len(SECTION_KEYS):
        raise p.error("no section headings (一、部门职责及机构设置情况 …) found: not a department budget disclosure")
    present = [i for i, (key, _) in enumerate(SECTION_KEYS) if key in blocks]
    if present[-1] < CUT_OFF_BEFORE:
        # The sections come in a fixed order: when the text ends before 八、名词解释, the file was cut off and
        # its last figures (a table of 六 or 七 perhaps half read) cannot be trusted. A missing 九 alone, or a
        # missing section between others, is only a warning (and a section_missing check).
        last = sections.headings[SECTION_KEYS[present[-1]][0]].clean
        expected = ", ".join(repr(words[0]) for _, words in SECTION_KEYS[present[-1] + 1:])
        raise p.error(f"the text ends in section {last!r}: expected the later sections {expected}; the file "
                      "looks cut off", document.line_count or None)
    for key in missing:
        p.warn(f"section {key!r} is missing")
    duties, units = p.duties(blocks.get("duties", []))
    goals = p.goals(blocks.get("performance", []))
    activities, indicators = p.activities(blocks.get("performance", []))
    responsibilities = [{"responsibility_seq": i, **row} for i, row in enumerate(duties + goals, start=1)]
    tables = {
        "organisation_units": units,
        "responsibilities": responsibilities,
        "budget_lines": p.overview(blocks.get("overview", []), blocks.get("running_costs", []),
                                   blocks.get("procurement", []), blocks.get("assets", [])),
        "three_public_expenses": p.three_public(blocks.get("three_public", [])),
        "performance_activities": activities,
        "performance_indicators": indicators,
        "procurement_items": p.procurement(blocks.get("procurement", [])),
        "fixed_assets": p.assets(blocks.get("assets", [])),
        "glossary": p.glossary(blocks.get("glossary", [])),
    }
    return TemplateResult(
        department_name_zh=department, fiscal_year=year, title_zh=title.clean, title_span=title.span,
        department_code=p.department_code(department), source_amount_unit_zh=p.unit, tables=tables,
        warnings=tuple(p.warnings), sections=p.section_infos(sections),
    )


def refusal(document: Document) -> str | None:
    """Why ``document`` is not of this template (None when it is): its first text must be a disclosure title."""
    first = next((b for b in document.blocks if isinstance(b, Paragraph) and b.clean), None)
    if first and TITLE.match(compact(first.text)):
        return None
    found = f", found {first.clean[:40]!r}" if first is not None else ""
    return f"expected a title like '<department><year>年部门预算信息公开' as the first line of text{found}"


def matches(document: Document) -> bool:
    """Whether ``document`` looks like this template: its first text is a budget disclosure title."""
    return refusal(document) is None


