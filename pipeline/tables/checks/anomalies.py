"""Source anomalies: how the document is written, not whether it adds up. One warn row per occurrence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.document.model import LINES
from pipeline.tables.checks.rows import clean, occurrence

# A printed amount as it should look: optional direction word, digits with optional thousands separators and
# decimals, optional unit.
_NORMAL_AMOUNT = re.compile(
    r"(?:增加|减少|增长|下降|降低|小于|大于)?\s*[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?\s*(?:万元|元)?")
# No figure: a dash, or a word saying the amount did not change (与上年持平 / 一致 / 相等 / 未发生变化).
_NOTHING = re.compile(r"[—\-－\s]*|持平|一致|相同|相等|等于|不变|未发生变化|无变化")
# Columns that keep a literal as printed, by table.
LITERAL_COLUMNS = {
    "budget_lines": ("amount_text", "change_text"),
    "three_public_expenses": ("amount_text", "change_text"),
    "performance_activities": ("annual_budget_text",),
    "fixed_assets": ("value_text", "quantity_text"),
}
# Units that count things: a quantity in one of them is a whole number.
COUNT_UNITS = frozenset("台辆个套件张把部只组本块樘架间")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


def chinese_number(text: str) -> int | None:
    """一 → 1, 十四 → 14, 二十三 → 23; arabic digits as they are; None for anything else."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_NUMERALS.get(tens, 0) if tens else 1) * 10 + (_NUMERALS.get(ones, 0) if ones else 0)


def amounts_written_oddly(tables: dict[str, list[dict]]) -> Iterator[dict]:
    for table, columns in LITERAL_COLUMNS.items():
        for row in tables.get(table, []):
            for column in columns:
                text = row.get(column)
                if text and not _NOTHING.fullmatch(text) and not _NORMAL_AMOUNT.fullmatch(text.strip()):
                    yield occurrence("amount_written_oddly", row["source_ref"], text,
                                     subject=row.get("label_zh") or row.get("name_zh"), note=f"{table}.{column}")


def _sequence(items: list[tuple[int | None, str, str | None]], what: str) -> Iterator[dict]:
    """``items``: (printed number, text as printed, source_ref) in document order; warn where a number is not
    the one after the previous."""
    expected = 1
    for number, text, ref in items:
        if number != expected:
            yield occurrence("numbering_restarts_or_repeats", ref, text, subject=what,
                             note=f"expected number {expected}")
        expected = (number if number is not None else expected) + 1


def numbering(tables: dict[str, list[dict]], sections: list[dict], position=LINES.position) -> Iterator[dict]:
    # Sections whose headings carry a number (a template whose headings are unnumbered has none to check).
    present = sorted((s for s in sections if s["is_present"] and s["number_printed"]),
                     key=lambda s: position(s["source_ref"]) or 0)
    yield from _sequence([(chinese_number(s["number_printed"] or ""), s["title_zh"], s["source_ref"].split("-")[0])
                          for s in present], "sections")
    acts = tables.get("performance_activities", [])
    for parent in [None, *(a["activity_id"] for a in acts if a["level"] == 1)]:
        children = [a for a in acts if a["parent_activity_id"] == parent]
        yield from _sequence([(chinese_number(a["number_printed"]), f"{a['number_printed']}、{a['name_zh']}",
                               a["source_ref"]) for a in children], f"activities under {parent or 'the table'}")
    yield from _sequence([(g["term_seq"], f"{g['term_seq']}、{g['term_zh']}", g["source_ref"])
                          for g in tables.get("glossary", [])], "glossary")



def _is_count(unit: str | None) -> bool:
    parts = [p for p in re.split(r"[、/，,]", unit or "") if p]
    return bool(parts) and all(p in COUNT_UNITS for p in parts)


def quantities_not_counts(tables: dict[str, list[dict]]) -> Iterator[dict]:
    for table, subject in (("procurement_items", "item_name_zh"), ("fixed_assets", "label_zh")):
        for row in tables.get(table, []):
            quantity, unit = row.get("quantity"), row.get("quantity_unit_zh")
            if quantity is not None and quantity != quantity.to_integral_value() and _is_count(unit):
                yield occurrence("quantity_not_a_count", row["source_ref"], f"{quantity} {unit}",
                                 subject=row.get(subject), note=table)


def indicators_without_standards(tables: dict[str, list[dict]]) -> Iterator[dict]:
    grades = (("standard_excellent_zh", "优"), ("standard_good_zh", "良"), ("standard_fair_zh", "中"),
              ("standard_poor_zh", "差"))
    for row in tables.get("performance_indicators", []):
        missing = [g for column, g in grades if not row[column]]
        if missing:
            yield occurrence("indicator_without_standards", row["source_ref"], row["indicator_name_zh"],
                             subject=row["activity_id"], note="missing grades: " + "".join(missing))


def activities_without_indicators(tables: dict[str, list[dict]]) -> Iterator[dict]:
    acts = tables.get("performance_activities", [])
    with_indicators = {i["activity_id"] for i in tables.get("performance_indicators", [])}
    parents = {a["parent_activity_id"] for a in acts}
    for a in acts:
        if a["activity_id"] not in parents and a["activity_id"] not in with_indicators:
            yield occurrence("activity_without_indicators", a["source_ref"], f"{a['number_printed']}、{a['name_zh']}",
                             subject=a["activity_id"])


def paragraphs_printed_twice(repeats, tables: dict[str, list[dict]], position) -> Iterator[dict]:
    """``repeats``: (the first text of the row as read, the paragraph, first print, repeat, the table) as the
    document lists them (``Document.repeated_paragraphs``: spans of the reader's positions). The subject is the
    activity whose row holds the paragraph (the reader may have glued two narrow rows together: the
    template's rows say where each begins), else the row's first text."""
    starts = [(at, f"{a['number_printed']}、{a['name_zh']}") for a in tables.get("performance_activities", [])
              if a["source_ref"] and (at := position(a["source_ref"])) is not None]
    for where, text, first, again, table in repeats:
        inside = [name for at, name in sorted(starts) if table.first <= at <= first.first]
        places = f"printed at {first.ref} and {again.ref}" if first != again else f"printed twice in {first.ref}"
        yield occurrence("paragraph_printed_twice", first.join(again).ref, text,
                         subject=inside[-1] if inside else where or None, note=f"{places}; read once")


def sections_without_content(sections: list[dict]) -> Iterator[dict]:
    for s in sections:
        if s["is_present"] and not s["has_content"]:
            yield occurrence("section_without_content", s["source_ref"], s["title_zh"], subject=s["section_key"])


def sections_missing(sections: list[dict]) -> Iterator[dict]:
    for s in sections:
        if not s["is_present"]:
            yield occurrence("section_missing", None, s["section_key"], subject=s["section_key"])


def parts_missing(tables: dict[str, list[dict]]) -> list[dict] | None:
    """A disclosure published as several files: one warn row per part missing (listed in the manifest and
    not in raw/, or announced by the document and not given), else one pass row; None (no row at all) for a
    document of one file that announces no other part."""
    parts, missing = tables.get("_parts", []), tables.get("_missing_parts", [])
    if not parts and not missing:
        return None
    present = ", ".join(f"{p['part']} ({p['file']})" for p in parts) or "none"
    return [occurrence("document_part_missing", m.get("source_ref"), m["file"] or m["part"], subject=m["part"],
                       note=f"{m['why']}; read from: {present}") for m in missing] or [clean("document_part_missing")]


def run(tables: dict[str, list[dict]], sections: list[dict], position=LINES.position, repeats=()) -> Iterator[dict]:
    """Every anomaly and completeness check: its occurrences, or one pass row when it found none. ``position``
    maps a ``source_ref`` to the reader's position (:meth:`pipeline.document.model.Locator.position`);
    ``repeats`` are the paragraphs the document read once though printed twice (:func:`paragraphs_printed_twice`)."""
    for check_id, found in (
        ("amount_written_oddly", amounts_written_oddly(tables)),
        ("numbering_restarts_or_repeats", numbering(tables, sections, position)),
        ("quantity_not_a_count", quantities_not_counts(tables)),
        ("indicator_without_standards", indicators_without_standards(tables)),
        ("activity_without_indicators", activities_without_indicators(tables)),
        ("paragraph_printed_twice", paragraphs_printed_twice(repeats, tables, position)),
        ("section_without_content", sections_without_content(sections)),
        ("section_missing", sections_missing(sections)),
    ):
        rows = list(found)
        yield from rows or [clean(check_id)]
    yield from parts_missing(tables) or []
