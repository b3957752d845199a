"""Records -> a Word .docx (python-docx), written from the same calls as the Tika text of :mod:`pipeline.synth.render`.

:func:`render_docx` runs :func:`pipeline.synth.render.render` with :class:`DocxWriter`, so the .docx holds what
the Tika text holds, laid out as Word holds it: the header cells of the organisation, activity and
procurement tables merged down and across (``vMerge``, ``gridSpan``), an activity's first four cells merged
down over its indicator rows, a narrow row's last cell merged across the columns Tika leaves out, empty
paragraphs inside cells, a cell whose text is repeated after a run of empty paragraphs, the organisation
table split by a page break (a paragraph holding only ``w:br type="page"`` between its two parts), bookmarks
as real ``w:bookmarkStart`` elements. Same records and same ``layout_rng`` state, same bytes: the ZIP is
written with fixed timestamps and the core properties with a fixed date.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipeline.synth.records import Disclosure
from pipeline.synth.render import Padded, render

_BOOKMARK = re.compile(r"^\[bookmark: ([^\]]*)\]")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class _RowSpec:
    cells: list[tuple[str, ...]]
    spans: list[int]
    merged: set[int]


def _element(tag: str, **attrs: str):
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _paragraph(text: str, bookmarks: tuple[str, ...] = (), ids: list[int] | None = None, page_break=False):
    p = _element("w:p")
    for name in bookmarks:
        ids.append(len(ids))
        p.append(_element("w:bookmarkStart", id=str(ids[-1]), name=name))
        p.append(_element("w:bookmarkEnd", id=str(ids[-1])))
    if text or page_break:
        r = _element("w:r")
        if page_break:
            r.append(_element("w:br", type="page"))
        else:
            t = _element("w:t")
            t.text = text
            if text != text.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
        p.append(r)
    return p


class DocxWriter:
    """The writer interface of :class:`pipeline.synth.render.TikaWriter`, building a .docx."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.document = docx.Document()
        self.body = self.document.element.body
        self.rows: list[_RowSpec] = []
        self.bookmark_ids: list[int] = []

    # -- the interface ------------------------------------------------------------------------------------
    def para(self, *texts: str) -> None:
        self._end_table()
        for text in texts:
            names = []
            while m := _BOOKMARK.match(text):
                names.append(m.group(1))
                text = text[m.end():]
            self._add(_paragraph(text, tuple(names), self.bookmark_ids))

    def blank(self, n: int = 1) -> None:
        self._end_table()
        for _ in range(n):
            self._add(_paragraph(""))

    def bookmark(self) -> str:
        return f"[bookmark: _Toc{self.rng.randint(10**8, 10**9 - 1)}]"

    def row(self, cells: list, gaps: dict[int, int] | None = None, narrow: bool = False,
            spans: dict[int, int] | None = None, merged: tuple[int, ...] = ()) -> None:
        width = sum((spans or {}).get(i, 1) for i in range(len(cells)))
        if narrow:
            while len(cells) > 1 and cells[-1] == "":
                cells = cells[:-1]
        built: list[tuple[str, ...]] = []
        for i, cell in enumerate(cells):
            paragraphs = (cell,) if isinstance(cell, str) else tuple(cell)
            out = [paragraphs[0]]
            last = i == len(cells) - 1
            for paragraph in paragraphs[1:]:
                # The same draws as the Tika writer: the two files are the same document.
                if not isinstance(cell, Padded) and not last and self.rng.random() < 0.3:
                    out += [""] * self.rng.randint(1, 3)
                out.append(paragraph)
            if gaps and i in gaps:
                out += [""] * gaps[i]
            built.append(tuple(out))
        widths = [(spans or {}).get(i, 1) for i in range(len(built))]
        widths[-1] += width - sum(widths)  # a narrow row's last cell covers the columns it lost
        self.rows.append(_RowSpec(built, widths, set(merged)))

    def page_break(self) -> None:
        self._end_table()
        self._add(_paragraph("", page_break=True))

    def run_into_heading(self) -> None:
        """The heading follows the table directly: nothing to do in a .docx."""

    def result(self) -> bytes:
        self._end_table()
        core = self.document.core_properties
        core.created = core.modified = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        core.author = core.last_modified_by = "yusuan synth"
        buffer = io.BytesIO()
        self.document.save(buffer)
        return _fixed_zip(buffer.getvalue())

    # -- building -----------------------------------------------------------------------------------------
    def _add(self, element) -> None:
        self.body.insert(len(self.body) - 1, element)  # before the final w:sectPr

    def _end_table(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        width = max(sum(r.spans) for r in rows)
        tbl = _element("w:tbl")
        tbl_pr = _element("w:tblPr")
        tbl_pr.append(_element("w:tblStyle", val="TableGrid"))
        tbl_pr.append(_element("w:tblW", w="0", type="auto"))
        tbl.append(tbl_pr)
        grid = _element("w:tblGrid")
        for _ in range(width):
            grid.append(_element("w:gridCol", w=str(9000 // width)))
        tbl.append(grid)
        above: dict[int, object] = {}  # grid column -> the tc element starting there in the row above
        for spec in rows:
            tr = _element("w:tr")
            column = 0
            here: dict[int, object] = {}
            for i, (paragraphs, span) in enumerate(zip(spec.cells, spec.spans)):
                tc = _element("w:tc")
                tc_pr = _element("w:tcPr")
                tc_pr.append(_element("w:tcW", w=str(9000 // width * span), type="dxa"))
                if span > 1:
                    tc_pr.append(_element("w:gridSpan", val=str(span)))
                if i in spec.merged:
                    tc_pr.append(_element("w:vMerge"))  # continue
                    top = above.get(column)
                    if top is not None and top.tcPr.vMerge_val is None:
                        top.tcPr.vMerge_val = "restart"
                tc.append(tc_pr)
                for text in (("",) if i in spec.merged else paragraphs):
                    tc.append(_paragraph(text))
                tr.append(tc)
                here[column] = tc
                column += span
            tbl.append(tr)
            above = here
        self._add(tbl)


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry's timestamp fixed, so the same document gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, _FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def render_docx(d: Disclosure, layout_rng: random.Random) -> bytes:
    """The .docx of ``d``: what :func:`pipeline.synth.render.render` writes as Tika text, as Word holds it."""
    return render(d, layout_rng, writer=DocxWriter)
