"""The parts of a Shanghai budget document: cover, 目录, sections by their headings, and the national tables with
their titles, unit lines and notes. Pure functions of the intermediate document."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document.model import Document, Paragraph, Table
from pipeline.errors import DocumentError
from pipeline.tables.templates.result import SectionInfo
from pipeline.tables.templates.shanghai_budget.layout import (
    COVER,
    COVER_UNIT,
    EXPECTED,
    KINDS,
    NOTE,
    PERFORMANCE_FORM,
    SECTIONS,
    TOC,
    UNIT_LINE,
    compact,
    table_code,
)

_COVER_PARAGRAPHS = 6  # the cover is the first page: its title and unit line come first


@dataclass
class NationalTable:
    code: str
    title: Paragraph
    table: Table
    unit: str | None = None  # 元 or 万元, from the line under the title
    unit_line: Paragraph | None = None
    notes: list[Paragraph] = field(default_factory=list)


@dataclass
class Structure:
    title: Paragraph
    department: str
    year: int
    level: str | None  # 区级 / 市级 as printed on the cover
    kind: str  # documents.kind
    sections: dict[str, list] = field(default_factory=dict)  # key -> blocks, heading first (budget_tables: none)
    tables: list[NationalTable] = field(default_factory=list)
    forms: list[Table] = field(default_factory=list)  # 绩效目标 forms
    others: list[Table] = field(default_factory=list)  # tables under no known title


def cover(document: Document) -> tuple[Paragraph, Paragraph] | str:
    """The cover's title and unit paragraphs, or why the document has no such cover."""
    paragraphs = [b for b in document.blocks[:_COVER_PARAGRAPHS] if isinstance(b, Paragraph) and b.clean]
    title = next((p for p in paragraphs if COVER.match(compact(p.text))), None)
    if title is None:
        first = paragraphs[0].clean[:40] if paragraphs else ""
        return (f"expected a cover title like '上海市普陀区2025年区级部门预算' (<region><year>年<区级|市级><部门|单位>预算) "
                f"among the first lines, found {first!r}")
    unit = next((p for p in paragraphs if COVER_UNIT.match(p.clean)), None)
    if unit is None:
        return "expected '预算主管部门：<department>' or '预算单位：<unit>' on the cover"
    return title, unit


def _heading_key(text: str) -> str | None:
    for key, pattern, _ in SECTIONS:
        if pattern is not None and pattern.match(text):
            return key
    return None


def read_structure(document: Document) -> Structure:
    found = cover(document)
    if isinstance(found, str):
        raise DocumentError(document.source, found)
    title, unit = found
    m = COVER.match(compact(title.text))
    s = Structure(title=title, department=COVER_UNIT.match(unit.clean).group("name").strip(), year=int(m["year"]),
                  level=m["level"], kind=KINDS[m["kind"]])
    current: str | None = None
    in_toc = False
    pending: NationalTable | None = None  # the table whose title was read, waiting for its grid
    last: NationalTable | None = None  # the last table read, collecting its notes
    for block in document.blocks[document.blocks.index(unit) + 1:]:
        if isinstance(block, Table):
            if pending is not None:
                pending.table = block
                s.tables.append(pending)
                last, pending = pending, None
                current = "budget_tables"
                continue
            first = next((t for r in block.rows[:2] for t in r.texts() if t.strip()), "")
            if PERFORMANCE_FORM.search(compact(first)):
                s.forms.append(block)
                current = "performance"
                s.sections.setdefault("performance", []).append(block)
            else:
                s.others.append(block)
                if current is not None:
                    s.sections[current].append(block)
            last = None
            continue
        text = compact(block.text)
        if not text:
            continue
        if TOC.match(text):
            in_toc = True
            continue
        key = _heading_key(text)
        code = table_code(text) if len(text) <= 60 else None
        if in_toc and key is None:
            continue  # a 目录 entry (numbered, with or without a dot leader)
        in_toc = False
        if key is not None and key not in s.sections:
            current = key
            s.sections[key] = [block]
            last = pending = None
            continue
        if code is not None and pending is None and not block.clean.startswith("注"):
            pending = NationalTable(code=code, title=block, table=None)  # type: ignore[arg-type]
            s.sections.setdefault("budget_tables", [])
            last = None
            continue
        if pending is not None and (m := UNIT_LINE.search(text)):
            pending.unit, pending.unit_line = m.group("unit"), block
            continue
        if last is not None and NOTE.match(text):
            last.notes.append(block)
            continue
        if current is not None:
            s.sections[current].append(block)
    if pending is not None:
        raise DocumentError(document.source, f"the table titled {pending.title.clean!r} has no ruled table under it",
                            pending.title.span)
    return s


def section_infos(s: Structure) -> tuple[SectionInfo, ...]:
    """The template's sections as found (``performance`` only when printed: it is not expected)."""
    infos = []
    number = 0
    for key, _, in_unit in SECTIONS:
        if key == "performance" and key not in s.sections:
            continue
        if key == "project_funds" and s.kind == "unit-budget" and key not in s.sections:
            continue
        number += 1
        blocks = s.sections.get(key, [])
        if key == "budget_tables":
            blocks = [b for t in s.tables for b in (t.title, t.table)]
        if not blocks:
            infos.append(SectionInfo(key=key, number=number, present=False))
            continue
        span = blocks[0].span.join(blocks[-1].span)
        heading = blocks[0] if isinstance(blocks[0], Paragraph) and key != "budget_tables" else None
        has_content = len(blocks) > (1 if heading is not None else 0)
        infos.append(SectionInfo(key=key, number=number, present=True, number_printed=None,
                                 title_zh=heading.clean if heading is not None else "预算表", span=span,
                                 has_content=has_content))
    assert number >= EXPECTED[s.kind]  # the expected sections are always listed
    return tuple(infos)
