"""The Hebei template's structure: the nine sections found by their headings, the title, the department code."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document.model import Paragraph
from pipeline.tables.templates.hebei_budget.layout import (
    CODE_DIGITS,
    DEPARTMENT_CODE,
    SECTION,
    SECTION_KEYS,
    TITLE,
    compact,
)
from pipeline.tables.templates.hebei_budget.reader import Reader
from pipeline.tables.templates.result import SectionInfo


@dataclass
class Sections:
    preamble: list = field(default_factory=list)
    blocks: dict[str, list] = field(default_factory=dict)
    headings: dict[str, Paragraph] = field(default_factory=dict)


class StructureReader(Reader):
    # -- structure ---------------------------------------------------------------------------------------
    def split_sections(self) -> Sections:
        sections = Sections()
        current: list | None = sections.preamble
        for block in self.doc.blocks:
            if isinstance(block, Paragraph):
                match = SECTION.match(block.text)
                key = match and self._section_key(match.group("title"))
                if key:
                    if key in sections.blocks:
                        raise self.error(f"section {match.group('title')!r} appears twice", block.span)
                    sections.headings[key] = block
                    current = sections.blocks[key] = []
                    continue
            current.append(block)
        return sections

    @staticmethod
    def section_infos(sections: Sections) -> tuple[SectionInfo, ...]:
        out = []
        for number, (key, _) in enumerate(SECTION_KEYS, start=1):
            heading = sections.headings.get(key)
            if heading is None:
                out.append(SectionInfo(key=key, number=number, present=False))
                continue
            blocks = sections.blocks[key]
            span = heading.span
            for block in blocks:
                span = span.join(block.span)
            content = any((b.clean if isinstance(b, Paragraph) else any(not r.is_empty for r in b.rows))
                          for b in blocks)
            match = SECTION.match(heading.text)
            out.append(SectionInfo(key=key, number=number, present=True, number_printed=match.group("number"),
                                   title_zh=heading.clean, span=span, has_content=content))
        return tuple(out)

    @staticmethod
    def _section_key(title: str) -> str | None:
        for key, words in SECTION_KEYS:
            if any(w in title for w in words):
                return key
        return None

    def title(self, preamble: list) -> tuple[str, int, Paragraph]:
        for block in preamble:
            if isinstance(block, Paragraph) and block.clean:
                match = TITLE.match(compact(block.text))
                if not match:
                    raise self.error(
                        "expected the title '<department><year>年部门预算信息公开' as the first line of text, "
                        f"found {block.clean[:40]!r}",
                        block.span,
                    )
                return match.group("department"), int(match.group("year")), block
        raise self.error("no text: expected the title '<department><year>年部门预算信息公开'")

    def department_code(self, department: str) -> str | None:
        candidates = []
        for table in self.doc.tables:
            for row in table.rows:
                for text in row.texts():
                    if not CODE_DIGITS.search(text):  # cheap filter: most cells hold no code
                        continue
                    m = DEPARTMENT_CODE.match(compact(text))
                    if m and (department.startswith(m.group(3)) or m.group(3).startswith(department[:4])):
                        candidates.append((0 if m.group(1) else 1, len(m.group(2)), m.group(2)))
        return min(candidates)[2] if candidates else None
