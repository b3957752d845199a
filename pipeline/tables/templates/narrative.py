"""The narrative sections every layout prints in its own words: a department's duties (one row per paragraph or
numbered item) and the glossary (名词解释: one row per numbered term ``（一）财政拨款收入：…`` or ``一、财政拨款：…``).
Shared by the templates."""

from __future__ import annotations

import re

from pipeline.document.model import Paragraph
from pipeline.tables.checks.anomalies import chinese_number

_NUMBERED = re.compile(r"^(?:(?P<arabic>\d{1,2})\s*[.．、]|[（(](?P<paren>[一二三四五六七八九十]{1,3})[)）]、?|"
                       r"(?P<chinese>[一二三四五六七八九十]{1,3})、)\s*(?P<body>.+)$", re.S)
_TERM = re.compile(r"^(?:[（(](?P<n>[一二三四五六七八九十]{1,3})[)）]、?|(?P<bare>[一二三四五六七八九十]{1,3})、)\s*"
                   r"(?P<term>[^：:]{1,30})[：:]\s*(?P<definition>.+)$", re.S)


def duties(paragraphs: list[Paragraph], kind: str = "department_duty") -> list[dict]:
    out = []
    for p in paragraphs:
        m = _NUMBERED.match(p.clean)
        number = (m["arabic"] or m["paren"] or m["chinese"]) if m else None
        body = m["body"].strip() if m else p.clean
        heading = re.split(r"[。；]", body, maxsplit=1)[0] if m and (m["chinese"] or m["paren"]) else None
        out.append({"responsibility_seq": len(out) + 1, "kind": kind, "number_printed": number,
                    "heading_zh": heading if heading and heading != body else None, "text_zh": body,
                    "source_ref": p.span.ref})
    return out


def glossary(paragraphs: list[Paragraph]) -> list[dict]:
    out = []
    for p in paragraphs:
        if m := _TERM.match(p.clean):
            out.append({"term_seq": chinese_number(m["n"] or m["bare"]) or len(out) + 1, "term_zh": m["term"].strip(),
                        "definition_zh": m["definition"].strip(), "source_ref": p.span.ref})
    return out
