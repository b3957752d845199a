"""The parts of a Jiangsu budget disclosure: its title, 目录, the four parts and their sections, and the tables with
their titles, unit lines and notes. Pure functions of the intermediate document (one file, or the explanation
and tables documents of a disclosure published as two, see :mod:`pipeline.document.parts`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.document.model import Document, Paragraph, Row, Table
from pipeline.errors import DocumentError
from pipeline.tables.national.grids import read_grid
from pipeline.tables.templates.jiangsu_budget.layout import (
    COVER_DEPARTMENT,
    DATE_LINE,
    DEPARTMENT,
    EXPLANATION_HEADING,
    HEADING_TAIL,
    NOTE,
    NUMBERED,
    OVERVIEW_SECTIONS,
    PART_HEADING,
    PARTS,
    TABLES_ATTACHED,
    TABLES_COVER,
    TITLE,
    TOC,
    UNIT_LINE,
    compact,
    explanation_key,
    table_code,
)

_TITLE_MAX = 70  # characters of a table title (a longer paragraph is prose that happens to end like one)
_LABEL_TAIL = re.compile(r"表[一二三四五六七八九十]{1,3}$")  # a table label run into the paragraph above


@dataclass
class JsTable:
    code: str
    title: Paragraph
    table: Table
    unit: str | None = None
    department: str | None = None
    notes: list[Paragraph] = field(default_factory=list)


@dataclass
class Section:
    key: str
    heading: Paragraph
    blocks: list = field(default_factory=list)  # paragraphs after the heading (the heading's own rest first)
    number: str | None = None  # the heading's number as printed (一, 二 …)


@dataclass
class Structure:
    title: Paragraph | None = None
    title_text: str = ""
    department: str | None = None
    year: int | None = None
    toc: list[Paragraph] = field(default_factory=list)
    parts: dict[str, Paragraph] = field(default_factory=dict)  # part key -> its heading
    sections: dict[str, Section] = field(default_factory=dict)  # 第一部分's sections and the glossary
    explanation: list[Section] = field(default_factory=list)  # 第三部分, one section per heading
    tables: list[JsTable] = field(default_factory=list)
    others: list[Table] = field(default_factory=list)  # tables under no known title
    attached: Paragraph | None = None  # 具体公开表样附后: the tables are another document
    departments: list[str] = field(default_factory=list)  # as the tables' 部门 lines print it
    has_explanation: bool = False  # the explanation (the four parts) is in the document


def _rest(paragraph: Paragraph, heading_text: str) -> Paragraph | None:
    """What follows a heading run into its paragraph (``十、…情况说明2017年本部门…``), as a paragraph of the
    same span; None when the heading is the whole paragraph."""
    text = paragraph.clean
    k = 0
    for ch in compact(heading_text):  # walk the heading's characters through the paragraph's spaced text
        k = text.index(ch, k) + 1
    rest = text[k:].strip()
    return Paragraph(rest, paragraph.span) if rest else None


def _part_key(text: str) -> str | None:
    return next((key for key, pattern in PARTS if pattern.search(text)), None)


def _title(paragraphs: list[Paragraph]) -> tuple[Paragraph, str, int] | None:
    """The document's title from the paragraphs before its 目录 (printed on one to three lines)."""
    lines = [p for p in paragraphs if not DATE_LINE.match(compact(p.text))]
    for n in range(1, min(3, len(lines)) + 1):
        text = "".join(compact(p.text) for p in lines[:n])
        if (m := TITLE.match(text)) and (m["before"] or m["after"]):
            span = lines[0].span.join(lines[n - 1].span)
            return Paragraph("".join(p.clean for p in lines[:n]), span), text, int(m["year"])
    return None


def _department_of_title(text: str) -> str | None:
    m = TITLE.match(text)
    name = (m["before"] or m["after"]).removesuffix("部门") if m else ""
    return name or None


def read_structure(document: Document) -> Structure:
    s = Structure()
    blocks = list(document.blocks)
    first_part = document.part_of(blocks[0].span) if blocks else None
    lead = []  # paragraphs before the 目录 / the first heading or table: the title
    leading = True
    in_toc, toc_first = False, None
    part: str | None = None
    section: Section | None = None
    recent: list[Paragraph] = []  # paragraphs since the last table or heading (a table's title is among them)
    last: JsTable | None = None  # the last table read, collecting its notes
    file_part = first_part
    for block in blocks:
        here = document.part_of(block.span)
        if here != file_part:  # the next file of the disclosure: its own title, 目录 and tables
            file_part, part, section, in_toc, toc_first, recent, last = here, None, None, False, None, [], None
        if isinstance(block, Table):
            last = _table(s, block, recent, last)
            recent, in_toc = [], False
            continue
        text = compact(block.text)
        if not text:
            continue
        if TOC.match(text):
            in_toc, toc_first, leading = True, None, False
            if text != "目录":  # the cover's last line run into the 目录's heading (江苏省财政厅印制目录)
                lead.append(block)
            continue
        if in_toc:
            if toc_first is None:
                toc_first = text
                s.toc.append(block)
                continue
            if text != toc_first:
                s.toc.append(block)
                recent.append(block)  # a tables document's 目录 runs into its first table's title
                continue
            in_toc = False
        if leading and (PART_HEADING.match(text) or table_code(text) is not None):
            leading = False  # the title is before the first heading or table title
        if leading:
            lead.append(block)
            continue
        if m := PART_HEADING.match(text):
            key = _part_key(text)
            if key is None or key in s.parts:
                if key is None:
                    recent.append(block)  # a heading on two lines: its tail names the part
                continue
            part, section, recent, last = key, None, [], None
            s.parts[key] = block
            s.has_explanation = True
            if key == "budget_tables" and TABLES_ATTACHED.search(text):
                s.attached = block
            if key == "glossary":
                section = s.sections.setdefault("glossary", Section("glossary", block))
            continue
        if recent and PART_HEADING.match(compact(recent[-1].text)) and HEADING_TAIL.match(text):
            key = _part_key(compact(recent[-1].text) + text)
            if key is not None and key not in s.parts:
                part, section, last = key, None, None
                s.parts[key] = recent[-1]
                s.has_explanation = True
                recent = []
                continue
        if part == "overview" and (m := NUMBERED.match(text)):
            key = next((k for k, pattern in OVERVIEW_SECTIONS if pattern.search(m["rest"][:40])), None)
            if key is not None and key not in s.sections:
                heading = _overview_heading(block, m["rest"], key)
                section = s.sections[key] = Section(key, block, number=m["n"])
                if heading is not None:
                    section.blocks.append(heading)
                recent, last = [], None
                continue
        if part == "budget_explanation" and (m := EXPLANATION_HEADING.match(text)):
            key = explanation_key(m["title"])
            if key is not None:
                section = Section(key, block, number=m["n"])
                s.explanation.append(section)
                if rest := _rest(block, m.group(0)):
                    section.blocks.append(rest)
                recent, last = [], None
                continue
        if s.attached is None and s.has_explanation and (here is None or here == first_part) \
                and TABLES_ATTACHED.search(text) and not s.tables:
            s.attached = block
        if last is not None and (NOTE.match(text) or (not recent and _LABEL_TAIL.sub("", text) == "")):
            if NOTE.match(text):
                last.notes.append(block)
            continue
        recent.append(block)
        if section is not None and part in ("overview", "budget_explanation", "glossary"):
            section.blocks.append(block)
    found = _title(lead)
    if found is not None:
        s.title, s.title_text, s.year = found
        s.department = _department_of_title(s.title_text)
    else:
        _cover(s, lead)
    if s.tables:
        s.departments = [t.department for t in s.tables if t.department]
    if s.department is None and s.departments:
        s.department = Counter(s.departments).most_common(1)[0][0]
    if s.year is None:
        s.year = _year_of_tables(s) or _year_of_headings(s)
    if s.title is None:  # no title drawn (a picture cover; tables printed without a cover): a heading, a table's
        s.title = s.parts.get("budget_tables") or s.parts.get("budget_explanation") or (
            s.tables[0].title if s.tables else None)
    return s


def _year_of_headings(s: Structure) -> int | None:
    for heading in s.parts.values():
        if m := re.search(r"((?:19|20)\d{2})\s*年", compact(heading.text)):
            return int(m.group(1))
    return None


def _overview_heading(block: Paragraph, rest: str, key: str) -> Paragraph | None:
    """The text after an overview heading run into its paragraph (``四、…测算分析情况江苏省…``)."""
    if key != "budget_basis":
        return None
    m = re.search(r"测算分析情况|编制.{0,4}依据", block.clean)
    tail = block.clean[m.end():].strip() if m else ""
    return Paragraph(tail, block.span) if tail else None


def _cover(s: Structure, lead: list[Paragraph]) -> None:
    """A tables document's cover (江苏省2018年度省级部门预算公开报表 / 部 门:…)."""
    for p in lead:
        text = compact(p.text)
        if (m := TABLES_COVER.match(text)) and s.year is None:
            s.title, s.title_text, s.year = p, text, int(m["year"])
        elif (m := COVER_DEPARTMENT.match(text)) and s.department is None:
            s.department = m["name"]


def _year_of_tables(s: Structure) -> int | None:
    for t in s.tables:
        if m := re.match(r"^(?:.*?)((?:19|20)\d{2})\s*年", compact(t.title.text)):
            return int(m.group(1))
    return None


def _blank(table: Table) -> bool:
    return all(not c.text.strip() for r in table.rows for c in r.cells)


def _table(s: Structure, table: Table, recent: list[Paragraph], last: JsTable | None) -> JsTable | None:
    """Attach a ruled table to the title above it; a part printed again under the same title continues it."""
    if _blank(table):
        return last  # a chart's frame: no text, no table
    at, title = _title_above(recent)
    if title is None:
        s.others.append(table)
        return last
    code = table_code(_LABEL_TAIL.sub("", compact(title.text)))
    after = "".join(compact(p.text) for p in recent[at + 1:]) + compact(title.text)
    unit = UNIT_LINE.search(after)
    dept = DEPARTMENT.match("".join(compact(p.text) for p in recent[at + 1:]))
    previous = s.tables[-1] if s.tables else None
    if previous is not None and previous.code == code and previous is last and code == "procurement":
        previous.table = continued(previous.table, table)  # the 政府采购 table printed again on the next page
        return previous
    t = JsTable(code=code, title=title, table=table, unit=unit.group("unit") if unit else None,
                department=dept["name"] if dept else None)
    s.tables.append(t)
    return t


def _title_above(recent: list[Paragraph]) -> tuple[int, Paragraph | None]:
    """The nearest table title among the paragraphs above a table (one printed on two lines, ``…培训费支出预算``
    / ``表``, is joined), and its index."""
    def code(text: str) -> str | None:
        text = compact(text)
        return table_code(_LABEL_TAIL.sub("", text)) if len(text) <= _TITLE_MAX else None

    for i in range(len(recent) - 1, -1, -1):
        if code(recent[i].text):
            return i, recent[i]
        if i and code(recent[i - 1].text + recent[i].text):
            first, second = recent[i - 1], recent[i]
            return i, Paragraph(first.clean + second.clean, first.span.join(second.span))
    return -1, None


def continued(first: Table, more: Table) -> Table:
    """``more`` (its header rows, repeated, left out) appended to ``first``."""
    n = read_grid(more).n_header
    rows: tuple[Row, ...] = first.rows + more.rows[n:]
    return Table(rows, first.span.join(more.span))


def require(s: Structure, source: str, document: Document) -> None:
    """The document's identity: a DocumentError saying what is missing."""
    first = next((b for b in document.blocks if getattr(b, "clean", "")), None)
    if s.year is None or s.department is None:
        raise DocumentError(source, "expected a title like '<部门><year>年度部门预算(公开)' before the 目录, or tables "
                                    "with '部门：<部门>  单位：万元' lines and a year in a title; found neither",
                            first.span if first is not None else None)
