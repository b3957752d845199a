"""Checks of one parsed document: fiscal identities, soft relations, prose versus tables, source anomalies and
completeness. Pure functions of the document's tables and section presence; the catalogue
(:mod:`pipeline.tables.checks.catalogue`) documents every check.
"""

from __future__ import annotations

from pipeline.document.model import LINES
from pipeline.tables.checks import anomalies, national_prose
from pipeline.tables.checks.catalogue import BY_ID, CATALOGUE
from pipeline.tables.checks.identities import Identities
from pipeline.tables.checks.sections import completeness_score, section_rows

__all__ = ["completeness_score", "run_checks", "section_rows"]

_ORDER = {c.id: i for i, c in enumerate(CATALOGUE)}


def run_checks(tables: dict[str, list[dict]], sections: list[dict], unit: str, position=LINES.position,
               families: tuple[str, ...] = ("common", "hebei"), repeats=()) -> list[dict]:
    """Rows of the ``checks`` table for one document (without ``document_id``), in catalogue order, each check's
    rows numbered by ``check_seq`` in document order. ``unit`` is the source's amount unit (万元 or 元);
    ``position`` maps a ``source_ref`` to the reader's position (the document's ``Locator.position``);
    ``families``: the checks that apply to the document's template (catalogue.FAMILIES); ``repeats``: the
    document's ``repeated_paragraphs`` (paragraphs read once though printed twice)."""
    rows = [*Identities(tables, unit).run(), *anomalies.run(tables, sections, position, repeats)]
    if "national" in families:
        rows += national_prose.run(tables, unit)
    rows = [r for r in rows if BY_ID[r["check_id"]].applies_to in families]
    rows.sort(key=lambda r: _ORDER[r["check_id"]])  # stable: document order within a check
    seq: dict[str, int] = {}
    out = []
    for row in rows:
        seq[row["check_id"]] = seq.get(row["check_id"], 0) + 1
        out.append({"check_id": row["check_id"], "check_seq": seq[row["check_id"]], **row})
    return out
