"""The drawn characters of a page, with their boxes, and only those a person sees.

Characters come from the PDFium text page: one call for all the text (``FPDFText_GetText``) and one per
character for its *loose* box (``FPDFText_GetLooseCharBox``: font ascent to descent, so every glyph of a line
has the same top and bottom, which makes grouping lines trivial). White space of the text layer is not kept as
characters; a flag records that a space preceded a character, and spaces are re-created from drawn gaps.

Only what is drawn is read. A character is dropped when its centre lies outside the crop box, outside the clip
path of its text object, or when its render mode is invisible (Tr 3 / 7). WPS, which produced the Shanghai
files, writes an overflowing text box in full on every page it spans and hides the overflow with a clip path:
read naively, items 7-11 of the finance bureau's 2025 编制说明 appear twice. The clip test costs about 25
calls per character, so it runs on a sample first (the leftmost and rightmost character of every text row);
only a page where the sample finds a hidden character is checked character by character.

A character is a tuple for speed: ``(x0, top, x1, bottom, ch, index in the text page, space before)``.
"""

from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_c

X0, TOP, X1, BOT, CH, IDX, SP = range(7)
_INVISIBLE_RENDER_MODES = (3, 7)  # PDF Tr 3 = invisible, 7 = clip only


class Transform:
    """PDF user space (y up) -> displayed page space (origin top-left of the crop box, y down)."""

    def __init__(self, left: float, bottom: float, right: float, top: float, rotation: int) -> None:
        self.L, self.B, self.R, self.T, self.rot = left, bottom, right, top, rotation
        w, h = right - left, top - bottom
        self.width, self.height = (h, w) if rotation in (90, 270) else (w, h)

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """``(x0, top, x1, bottom)`` of a PDF-space rectangle."""
        u0, u1 = left - self.L, right - self.L
        v0, v1 = self.T - top, self.T - bottom  # top-down, unrotated
        if self.rot == 0:
            return u0, v0, u1, v1
        w, h = self.R - self.L, self.T - self.B
        if self.rot == 90:
            return h - v1, u0, h - v0, u1
        if self.rot == 180:
            return w - u1, h - v1, w - u0, h - v0
        return v0, w - u1, v1, w - u0  # 270


def page_chars(textpage, xf: Transform) -> tuple[list[tuple], int]:
    """All non-blank characters with loose boxes; second value: characters off the crop box."""
    n = pdfium_c.FPDFText_CountChars(textpage)
    if n <= 0:
        return [], 0
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = pdfium_c.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters outside the BMP come as surrogate pairs: go character by character
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(n))
    rect = pdfium_c.FS_RECTF()
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    box = xf.box if xf.rot else None  # unrotated pages: the transform is inlined (the hot loop)
    left, top_edge = xf.L, xf.T
    width, height = xf.width, xf.height
    out = []
    off = 0
    space = False  # a space (real or PDFium-generated) precedes this character in the text layer
    for i, ch in enumerate(text):
        if ch.isspace() or ch in "\x00\ufffe\ufeff":
            space = space or ch in " \u3000\xa0"
            continue
        sp, space = space, False
        if not get_box(textpage, i, rect):
            continue
        if box is None:
            x0, top, x1, bot = rect.left - left, top_edge - rect.top, rect.right - left, top_edge - rect.bottom
        else:
            x0, top, x1, bot = box(rect.left, rect.bottom, rect.right, rect.top)
        cx, cy = (x0 + x1) * 0.5, (top + bot) * 0.5
        if not (0 <= cx <= width and 0 <= cy <= height):
            off += 1
            continue
        if ch == "\u00ad":  # soft hyphen: PDFium marks line-break hyphens this way
            ch = "-"
        out.append((x0, top, x1, bot, ch, i, sp))
    return out, off


def _clip_box(obj, xf: Transform, sigcache: dict):
    """Displayed-space box of an object's clip path (the intersection of its paths), or None when it has
    none. Curved clip paths are taken as the box of their points. Reading a point costs two calls, so each
    path is keyed by its segment count and 1st and 3rd points (opposite corners of the usual rectangle) and
    its box computed once per key."""
    cp = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not cp:
        return None
    n_paths = pdfium_c.FPDFClipPath_CountPaths(cp)
    if n_paths <= 0:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    get_seg, get_pt = pdfium_c.FPDFClipPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    sig = []
    for j in range(n_paths):
        n_seg = pdfium_c.FPDFClipPath_CountPathSegments(cp, j)
        key = [n_seg]
        for s in (0, 2):
            if s < n_seg and get_pt(get_seg(cp, j, s), x, y):
                key += (x.value, y.value)
        sig.append(tuple(key))
    sig = tuple(sig)
    if sig in sigcache:
        return sigcache[sig]
    box = None
    for j in range(n_paths):
        xs, ys = [], []
        for s in range(pdfium_c.FPDFClipPath_CountPathSegments(cp, j)):
            seg = get_seg(cp, j, s)
            if seg and get_pt(seg, x, y):
                xs.append(x.value)
                ys.append(y.value)
        if not xs:
            continue
        b = xf.box(min(xs), min(ys), max(xs), max(ys))
        box = b if box is None else (max(box[0], b[0]), max(box[1], b[1]), min(box[2], b[2]), min(box[3], b[3]))
    sigcache[sig] = box
    return box


def _visible(textpage, c: tuple, xf: Transform, sigcache: dict) -> bool:
    obj = pdfium_c.FPDFText_GetTextObject(textpage, c[IDX])
    if not obj:
        return True
    if pdfium_c.FPDFTextObj_GetTextRenderMode(obj) in _INVISIBLE_RENDER_MODES:
        return False
    clip = _clip_box(obj, xf, sigcache)
    if clip is None:
        return True
    cx = (c[X0] + c[X1]) * 0.5
    cy = (c[TOP] + c[BOT]) * 0.5
    return clip[0] - 0.5 <= cx <= clip[2] + 0.5 and clip[1] - 0.5 <= cy <= clip[3] + 0.5


def _row_extremes(chars: list[tuple]) -> list[tuple]:
    """The leftmost and rightmost character of every text row (rows as :func:`.lines.group_lines` makes them)."""
    order = sorted(chars, key=lambda c: c[TOP] + c[BOT])
    out = []
    first = lo = hi = order[0]
    top, bot = first[TOP], first[BOT]
    for c in order[1:]:
        if top <= (c[TOP] + c[BOT]) * 0.5 <= bot:
            if c[X0] < lo[X0]:
                lo = c
            if c[X1] > hi[X1]:
                hi = c
        else:
            out += (lo, hi)
            lo = hi = c
            top, bot = c[TOP], c[BOT]
    out += (lo, hi)
    return out


def drop_hidden(chars: list[tuple], textpage, xf: Transform) -> tuple[list[tuple], int]:
    """Drop characters that are in the text layer but not drawn (outside their clip path, or with an invisible
    render mode): the sample first, character by character only when a sampled one is hidden."""
    if not chars:
        return chars, 0
    sigcache: dict = {}
    if all(_visible(textpage, c, xf, sigcache) for c in _row_extremes(chars)):
        return chars, 0
    kept = [c for c in chars if _visible(textpage, c, xf, sigcache)]
    return kept, len(chars) - len(kept)
