"""A small PDF writer on reportlab for the synthetic Shanghai disclosures: A4 landscape pages of centred titles,
wrapped paragraphs and ruled tables that break across pages, drawn as WPS draws them (one box of rulings per
cell, so a merged cell has no inner rulings). It records where every table row landed (page, grid row), which
the known answers use as the rows' ``source_ref``. Deterministic: ``invariant`` output, no timestamps."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # a standard CJK font (Adobe-GB1): referenced, not embedded
WIDTH, HEIGHT = landscape(A4)
LEFT, RIGHT, TOP, BOTTOM = 56.0, 786.0, 40.0, 40.0
ROW = 24.0  # table row height
_TOKEN = re.compile(r"[0-9A-Za-z.,%\-]+|.", re.S)  # figures are never split across lines
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, size: float, first: float, rest: float) -> list[str]:
    """Lines of ``text`` no wider than ``first`` (then ``rest``) points."""
    lines, cur = [], ""
    limit = first
    for token in _TOKEN.findall(text):
        if cur and width(cur + token, size) > limit:
            lines.append(cur)
            cur, limit = token, rest
        else:
            cur += token
    return lines + ([cur] if cur else [])


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str = "left"  # left | centre | right


@dataclass
class Writer:
    pdf: canvas.Canvas = field(init=False)
    buffer: io.BytesIO = field(default_factory=io.BytesIO)
    page: int = 0
    y: float = 0.0

    def __post_init__(self) -> None:
        self.pdf = canvas.Canvas(self.buffer, pagesize=(WIDTH, HEIGHT), invariant=1, pageCompression=1)
        self.new_page(first=True)

    def new_page(self, first: bool = False) -> None:
        if not first:
            self.pdf.showPage()
        self.page += 1
        self.y = HEIGHT - TOP

    def text(self, x: float, y: float, s: str, size: float, align: str = "left") -> None:
        if len(s) == 1 and not s.isascii():
            s += " "  # PDFium reads no text from a string of one CJK character as reportlab writes it
        self.pdf.setFont(FONT, size)
        if align == "centre":
            self.pdf.drawCentredString(x, y, s)
        elif align == "right":
            self.pdf.drawRightString(x, y, s)
        else:
            self.pdf.drawString(x, y, s)

    def title(self, s: str, size: float = 18) -> None:
        self.y -= size * 1.6
        self.text(WIDTH / 2, self.y, s, size, "centre")
        self.y -= size * 0.6

    def line(self, s: str, size: float = 12, x: float = LEFT) -> None:
        if self.y - size * 1.5 < BOTTOM:
            self.new_page()
        self.y -= size * 1.5
        self.text(x, self.y, s, size)

    def two(self, left: str, right: str, size: float = 12) -> None:
        """One line with text at both margins (编制部门：…  单位：元)."""
        self.y -= size * 1.5
        self.text(LEFT, self.y, left, size)
        self.text(RIGHT, self.y, right, size, "right")

    def paragraph(self, s: str, size: float = 12, indent: bool = True) -> None:
        """A paragraph filled to the right margin, its first line indented two characters."""
        first = RIGHT - LEFT - (2 * size if indent else 0)
        for k, text in enumerate(wrap(s, size, first, RIGHT - LEFT)):
            self.line(text, size, LEFT + (2 * size if indent and k == 0 else 0))
        self.y -= size * 0.3

    def table(self, columns: list[float], header: list[list[Cell]], body: list[list[Cell]], rows_first: int,
              rows_next: int, repeat_header: bool, size: float = 10.5) -> list[tuple[int, int]]:
        """Draw a ruled table that breaks across pages; return (page, grid row) of every body row."""
        xs = [LEFT]
        for w in columns:
            xs.append(xs[-1] + w)
        placed: list[tuple[int, int]] = []
        page_rows: list[list[Cell]] = list(header)
        capacity = max(rows_first, len(header) + 1)
        for row in body:
            if len(page_rows) >= capacity:
                self._grid(xs, page_rows, size)
                self.new_page()
                page_rows = list(header) if repeat_header else []
                capacity = max(rows_next, len(page_rows) + 1)
            page_rows.append(row)
            placed.append((self.page, len(page_rows)))
        self._grid(xs, page_rows, size)
        return placed

    def _grid(self, xs: list[float], rows: list[list[Cell]], size: float) -> None:
        top = self.y - 6
        covered: set[tuple[int, int]] = set()
        pdf = self.pdf
        pdf.setLineWidth(1)
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in covered:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        covered.add((r + dr, c + dc))
                x0, x1 = xs[c], xs[c + cell.colspan]
                y0 = top - r * ROW
                y1 = y0 - cell.rowspan * ROW
                pdf.rect(x0, y1, x1 - x0, y0 - y1, stroke=1, fill=0)
                lines = [s for part in cell.text.split("\n")
                         for s in wrap(part, size, x1 - x0 - 6, x1 - x0 - 6)] if cell.text else []
                mid = (y0 + y1) / 2
                for k, s in enumerate(lines):
                    y = mid - size * 0.35 + (len(lines) - 1 - 2 * k) * size * 0.55
                    x = {"left": x0 + 3, "centre": (x0 + x1) / 2, "right": x1 - 3}[cell.align]
                    self.text(x, y, s, size if len(lines) == 1 else size * 0.9, cell.align)
                c += cell.colspan
        self.y = top - len(rows) * ROW - 4

    def note(self, s: str, size: float = 12) -> None:
        self.line(s, size)

    def close(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()
