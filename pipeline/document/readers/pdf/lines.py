"""Characters -> lines of text with their words; the page furniture (running headers, footers, page numbers).

Lines are grouped by vertical centre and sorted by x. A gap wider than :data:`SPACE_GAP` line heights is shown
as a space (:data:`TEXT_SPACE_GAP` where the text layer has a space and neither neighbour is CJK: WPS leaves
stray spaces before ``、`` and ``，``); a gap wider than :data:`WORD_GAP` starts a new word, so ``Line.words``
keeps the x extent of every fragment (column alignment of unruled tables). A glyph drawn again on top of the
same glyph (fake bold, a run redrawn glyph by glyph) is kept once and counted.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.document.readers.pdf.characters import BOT, CH, SP, TOP, X0, X1
from pipeline.document.readers.pdf.model import Line, PdfDocument, Word

SPACE_GAP = 0.30  # x gap, in line heights, shown as a space
TEXT_SPACE_GAP = 0.10  # ... enough for a space where the text layer has one (between non-CJK characters)
WORD_GAP = 1.00  # x gap, in line heights, that starts a new word / fragment
MARGIN_ZONE = 0.08  # top/bottom share of the page searched for running headers, footers, page numbers
FOLIO_CENTRE = 0.05  # a bare number this close (share of the page width) to the middle, lowest on its page: a folio

LEADER = re.compile(r"(?:[.．·•…‥⋯_]\s*){3,}")
_PAGE_NO = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.I)


def _cy2(c: tuple) -> float:
    return c[TOP] + c[BOT]


def _x0(c: tuple) -> float:
    return c[X0]


def group_lines(chars: list[tuple], dedupe: bool = True) -> tuple[list[list[tuple]], int]:
    """Characters grouped into lines (top to bottom), each sorted by x, and the number of duplicate glyphs
    dropped. Loose boxes give every glyph of a line the same top and bottom, so a character joins the current
    line while its vertical centre lies inside the line's first character box."""
    if not chars:
        return [], 0
    if len(chars) == 1:
        return [list(chars)], 0
    order = sorted(chars, key=_cy2)
    lines: list[list[tuple]] = []
    cur = [order[0]]
    top, bot = order[0][TOP], order[0][BOT]
    for c in order[1:]:
        if top <= (c[TOP] + c[BOT]) * 0.5 <= bot:
            cur.append(c)
        else:
            lines.append(cur)
            cur = [c]
            top, bot = c[TOP], c[BOT]
    lines.append(cur)
    dups = 0
    if len(lines) > 1:
        lines.sort(key=lambda ln: ln[0][TOP])
    for k, ln in enumerate(lines):
        ln.sort(key=_x0)
        if not dedupe or len(ln) < 2:
            continue
        kept = [ln[0]]
        for c in ln[1:]:
            tol_x = 0.3 * (c[X1] - c[X0]) + 0.2
            tol_y = 0.3 * (c[BOT] - c[TOP]) + 0.2
            for q in kept[-3:]:
                if q[CH] == c[CH] and abs(q[X0] - c[X0]) <= tol_x and abs(q[TOP] - c[TOP]) <= tol_y:
                    dups += 1
                    break
            else:
                kept.append(c)
        if len(kept) != len(ln):
            lines[k] = kept
    return lines, dups


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _word(cs: list[tuple], text: str) -> Word:
    return Word(text, round(cs[0][X0], 2), round(min(c[TOP] for c in cs), 2),
                round(cs[-1][X1], 2), round(max(c[BOT] for c in cs), 2))


def line_text(lc: list[tuple]) -> tuple[str, list[Word], float]:
    """Text of an x-sorted character line, its words, and its height (median glyph box height)."""
    if len(lc) == 1:
        c = lc[0]
        return c[CH], [_word(lc, c[CH])], (c[BOT] - c[TOP]) or 1.0
    hs = sorted(c[BOT] - c[TOP] for c in lc)
    h = hs[len(hs) // 2] or 1.0
    space_gap, word_gap, text_gap = SPACE_GAP * h, WORD_GAP * h, TEXT_SPACE_GAP * h
    parts: list[str] = []
    words: list[Word] = []
    wstart = 0
    wparts: list[str] = []
    prev_x1 = None
    for i, c in enumerate(lc):
        if prev_x1 is not None:
            gap = c[X0] - prev_x1
            if gap > word_gap:
                words.append(_word(lc[wstart:i], "".join(wparts)))
                wstart = i
                wparts = []
                parts.append(" ")
            elif gap > space_gap or (c[SP] and gap > text_gap and not (is_wide(c[CH]) or is_wide(lc[i - 1][CH]))):
                parts.append(" ")
                wparts.append(" ")
        parts.append(c[CH])
        wparts.append(c[CH])
        prev_x1 = c[X1]
    words.append(_word(lc[wstart:], "".join(wparts)))
    return "".join(parts), words, h


def join_lines(lines: list[str]) -> str:
    """Join the lines of a cell or a wrapped paragraph: nothing between CJK (a line break inside a Chinese
    word is not a space), one space between Latin words."""
    out = ""
    for s in lines:
        s = s.strip()
        if not s:
            continue
        if out and not (is_wide(out[-1]) or is_wide(s[0])) and not out.endswith("-"):
            out += " "
        out += s
    return out


def make_lines(grouped: list[list[tuple]], page: int) -> list[Line]:
    lines = []
    for no, lc in enumerate(grouped, start=1):
        text, words, h = line_text(lc)
        bbox = (round(min(c[X0] for c in lc), 2), round(min(c[TOP] for c in lc), 2),
                round(max(c[X1] for c in lc), 2), round(max(c[BOT] for c in lc), 2))
        lines.append(Line(page=page, no=no, text=text, bbox=bbox, height=round(h, 2), words=words,
                          leader=bool(LEADER.search(text))))
    return lines


def split_leader(text: str) -> tuple[str, str | None]:
    """A 目录 line ``'title ……… 12'`` -> ``('title', '12')``; without a page label -> ``('title', None)``."""
    m = LEADER.search(text)
    if not m:
        return text.strip(), None
    return text[: m.start()].strip(), (text[m.end():].strip() or None)


def mark_margins(doc: PdfDocument) -> None:
    """Mark lines in the top/bottom margin zone as ``page_number`` (a bare page-number pattern) or
    ``header``/``footer`` (the same text, digits ignored, in the same zone on max(3, 30 %) of the pages); and
    the lowest thing drawn on a page when it is a bare page number centred on the page, wherever it is (a
    landscape page's folio above the zone, the folio of a page that ends half-way)."""
    seen: dict[tuple[str, str], int] = {}
    zoned = []
    for p in doc.pages:
        for ln in p.lines:
            zone = "header" if ln.bbox[3] <= p.height * MARGIN_ZONE else (
                "footer" if ln.bbox[1] >= p.height * (1 - MARGIN_ZONE) else None)
            if zone is None:
                continue
            if _PAGE_NO.match(ln.text.strip()):
                ln.role = "page_number"
                continue
            key = (zone, re.sub(r"\d+", "#", ln.text.replace(" ", "")))
            seen[key] = seen.get(key, 0) + 1
            zoned.append((ln, key))
    need = max(3, int(0.3 * doc.n_pages))
    for ln, key in zoned:
        if seen[key] >= need:
            ln.role = key[0]
    for p in doc.pages:  # a folio above the margin zone (landscape pages, a page ending early)
        body = [ln for ln in p.lines if ln.role == "body"]
        if len(body) < 2 and not p.tables:
            continue
        last = max(body, key=lambda ln: ln.bbox[1], default=None)
        if last is None or not _PAGE_NO.match(last.text.strip()):
            continue
        centre = (last.bbox[0] + last.bbox[2]) / 2
        below = [t for t in p.tables if t.bbox[3] > last.bbox[1]]
        others = [ln for ln in body if ln is not last and ln.bbox[3] > last.bbox[1]]
        if abs(centre - p.width / 2) <= FOLIO_CENTRE * p.width and not below and not others:
            last.role = "page_number"
