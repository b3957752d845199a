"""Completeness: the template's nine sections in one document (``document_sections``) and its score."""

from __future__ import annotations

from decimal import Decimal

from pipeline.document.model import LINES

SCORE_PLACES = Decimal("0.0001")


def section_rows(infos, tables: dict[str, list[dict]], position=LINES.position) -> list[dict]:
    """One row per template section (``SectionInfo`` from the template), with the number of rows of ``tables``
    (the template's tables: not ``documents``, ``checks`` or ``document_sections``, nor the template's notes for
    the checks, named ``_…``) read from its lines; a row belongs to the section holding its first source position
    (``position`` maps a ``source_ref`` to it: :meth:`pipeline.document.model.Locator.position`)."""
    firsts = [position(r["source_ref"]) if r.get("source_ref") else None for name, rows in tables.items()
              if not name.startswith("_") for r in rows]
    out = []
    for info in infos:
        count = 0
        if info.present:
            count = sum(1 for line in firsts if line is not None and info.span.first <= line <= info.span.last)
        out.append({
            "section_key": info.key, "section_number": info.number, "is_present": info.present,
            "number_printed": info.number_printed, "title_zh": info.title_zh, "has_content": info.has_content,
            "has_data": count > 0, "row_count": count, "source_ref": info.span.ref if info.span else None,
        })
    return out


def completeness_score(sections: list[dict]) -> Decimal:
    """Share of the template's sections present with content under their heading, to four decimals."""
    if not sections:
        return Decimal(0).quantize(SCORE_PLACES)
    done = sum(1 for s in sections if s["is_present"] and s["has_content"])
    return (Decimal(done) / len(sections)).quantize(SCORE_PLACES)
