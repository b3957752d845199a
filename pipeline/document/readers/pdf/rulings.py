"""The ruling lines of a page: what makes its tables.

Page objects of type path (also inside form XObjects) with a visible fill or stroke, thinner than
:data:`RULE_MAX_THICKNESS`, are horizontal or vertical rulings; a stroked box or polyline larger than that
contributes its straight edges. WPS draws each ruling as a 1 pt filled rectangle. White shapes are ignored:
the Shanghai files put white cell backgrounds behind the 目录 entries and some tables.
"""

from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_c

from pipeline.document.readers.pdf.characters import Transform

RULE_MAX_THICKNESS = 2.5  # a filled/stroked shape thinner than this (points) is a ruling line
MIN_RULE_LENGTH = 3.0  # shorter shapes are dots or parts of glyphs, not rulings
_WHITE = 250  # colour components >= this are white (invisible on paper)
_MAX_FORM_DEPTH = 4


def _visible_colour(getter, obj) -> bool:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, a):
        return False
    return a.value > 0 and not (r.value >= _WHITE and g.value >= _WHITE and b.value >= _WHITE)


def page_rulings(page_raw, xf: Transform) -> tuple[list[tuple], int]:
    """Ruling segments of a page as ``('h', y, x0, x1)`` / ``('v', x, y0, y1)``, and the number of images."""
    rules: list[tuple] = []
    n_images = 0
    fl, fr, fb, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    get_type = pdfium_c.FPDFPageObj_GetType
    path_type, image_type = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE
    form_type, text_type = pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_TEXT

    def visit(obj, depth: int) -> None:
        nonlocal n_images
        t = get_type(obj)
        if t == path_type:
            if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
                return
            filled = fill_mode.value != 0 and _visible_colour(pdfium_c.FPDFPageObj_GetFillColor, obj)
            stroked = bool(stroke.value) and _visible_colour(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
            if not (filled or stroked):
                return  # white cell backgrounds, invisible helpers
            if not pdfium_c.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
                return
            x0, top, x1, bot = xf.box(fl.value, fb.value, fr.value, ft.value)
            w, h = x1 - x0, bot - top
            if h <= RULE_MAX_THICKNESS and w >= MIN_RULE_LENGTH:
                rules.append(("h", (top + bot) * 0.5, x0, x1))
            elif w <= RULE_MAX_THICKNESS and h >= MIN_RULE_LENGTH:
                rules.append(("v", (x0 + x1) * 0.5, top, bot))
            elif stroked:  # a stroked box or polyline: its straight edges are rulings
                rules.extend(_path_edges(obj, xf))
        elif t == image_type:
            n_images += 1
        elif t == form_type and depth < _MAX_FORM_DEPTH:
            for k in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
                child = pdfium_c.FPDFFormObj_GetObject(obj, k)
                if child:
                    visit(child, depth + 1)

    get_obj = pdfium_c.FPDFPage_GetObject
    for i in range(pdfium_c.FPDFPage_CountObjects(page_raw)):
        o = get_obj(page_raw, i)
        if o and get_type(o) != text_type:  # most objects are text (WPS: one per glyph)
            visit(o, 0)
    return rules, n_images


def _path_edges(obj, xf: Transform) -> list[tuple]:
    """Axis-aligned straight segments of a stroked path, in displayed space."""
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return []
    x, y = ctypes.c_float(), ctypes.c_float()
    pts = []
    for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
        if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        px = m.a * x.value + m.c * y.value + m.e
        py = m.b * x.value + m.d * y.value + m.f
        pts.append((kind, px, py, pdfium_c.FPDFPathSegment_GetClose(seg)))
    out: list[tuple] = []
    start = prev = None
    for kind, px, py, close in pts:
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = prev = (px, py)
            continue
        if prev is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            out.extend(_edge(prev, (px, py), xf))
        prev = (px, py)
        if close and start is not None:
            out.extend(_edge(prev, start, xf))
    return out


def _edge(a, b, xf: Transform) -> list[tuple]:
    x0, top, x1, bot = xf.box(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
    if bot - top <= RULE_MAX_THICKNESS and x1 - x0 >= MIN_RULE_LENGTH:
        return [("h", (top + bot) * 0.5, x0, x1)]
    if x1 - x0 <= RULE_MAX_THICKNESS and bot - top >= MIN_RULE_LENGTH:
        return [("v", (x0 + x1) * 0.5, top, bot)]
    return []
