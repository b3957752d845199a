"""What a template gives for one document: its identity, its table rows and which sections it found.

``tables`` maps each table of ``schemas/`` to its rows. A template may add, for the checks only, tables whose name
starts with ``_`` and row keys that start with ``_`` (e.g. the cell of every amount): they are dropped after the
checks ran (:mod:`pipeline.tables.parse`) and never published.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.document.model import Span


@dataclass(frozen=True)
class SectionInfo:
    """One of the template's nine sections as found (or not) in a document: the input of completeness."""

    key: str
    number: int  # position in the template, 1..9
    present: bool
    number_printed: str | None = None  # the heading's own number as printed (一, 二 …)
    title_zh: str | None = None  # the heading as printed
    span: Span | None = None  # heading line to the section's last line
    has_content: bool = False  # any non-blank text after the heading


@dataclass(frozen=True)
class TemplateResult:
    department_name_zh: str
    fiscal_year: int
    title_zh: str
    title_span: Span
    department_code: str | None
    source_amount_unit_zh: str
    tables: dict[str, list[dict]]
    warnings: tuple[str, ...]
    sections: tuple[SectionInfo, ...] = ()
    kind: str = "budget"  # documents.kind
    # The families of checks of the catalogue that apply (pipeline.tables.checks.catalogue.FAMILIES).
    check_families: tuple[str, ...] = ("common", "hebei")
