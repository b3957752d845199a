"""PDF bytes -> :class:`~pipeline.document.readers.pdf.model.PdfDocument`: pages of drawn lines and ruled tables.

Per page: the drawn characters (:mod:`.characters`, hidden ones dropped), the rulings (:mod:`.rulings`), the
tables they make and the characters in their cells (:mod:`.grids`), and the lines outside the tables
(:mod:`.lines`); then, over the document, running headers, footers and page numbers are marked.

Every failure is a :class:`~pipeline.document.readers.pdf.errors.PdfReadError` with a message a person can act
on: not a PDF, encrypted, damaged (PDFium cannot open it, or a page makes PDFium or ctypes fail in any way), or
no text layer (a scan: OCR is not done). A document where only some pages lack text is read, with a warning per
page.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.document.readers.pdf.characters import Transform, drop_hidden, page_chars
from pipeline.document.readers.pdf.errors import (
    DamagedPdfError,
    EncryptedPdfError,
    NoTextLayerError,
    NotAPdfError,
    PdfReadError,
)
from pipeline.document.readers.pdf.grids import fill_table, find_tables, split_chars
from pipeline.document.readers.pdf.lines import group_lines, make_lines, mark_margins
from pipeline.document.readers.pdf.model import Page, PdfDocument
from pipeline.document.readers.pdf.rulings import page_rulings

SIGNATURE = b"%PDF-"
_SNIFF = ((b"PK\x03\x04", "a ZIP/Office file"), (b"\xd0\xcf\x11\xe0", "an old MS Office file"),
          (b"<", "HTML/XML text"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8", "a JPEG image"), (b"{", "JSON text"))


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` says it is a PDF: ``%PDF-`` within its first 1024 bytes (as PDF readers accept it)."""
    return SIGNATURE in data[:1024]


def read_pdf(data: bytes, *, password: str | None = None) -> PdfDocument:
    """Read a PDF from bytes; a :class:`PdfReadError` when it is not a readable text PDF."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("read_pdf expects the PDF as bytes")
    data = bytes(data)
    if not data:
        raise NotAPdfError("empty input: 0 bytes")
    if not is_pdf(data):
        h = data[:1024].lstrip()
        kind = next((f"looks like {name}" for magic, name in _SNIFF if h.startswith(magic)), "unknown content")
        raise NotAPdfError(f"not a PDF: no '%PDF-' header in the first 1024 bytes ({kind})")
    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError("encrypted PDF: a password is needed to open it") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedPdfError("the PDF uses an unsupported security handler") from None
        raise DamagedPdfError(f"damaged PDF, PDFium cannot open it: {exc}") from None
    try:
        return _read_document(pdf)
    finally:
        pdf.close()


def _read_document(pdf: pdfium.PdfDocument) -> PdfDocument:
    n = len(pdf)
    if n == 0:
        raise DamagedPdfError("the PDF has no pages")
    try:
        meta = dict(pdf.get_metadata_dict(skip_empty=True))
    except Exception:  # noqa: BLE001 - metadata is a nicety, never a reason to fail
        meta = {}
    pages = []
    for i in range(n):
        try:
            page = pdf[i]
        except pdfium.PdfiumError as exc:
            raise DamagedPdfError(f"page {i + 1} cannot be loaded: {exc}") from None
        try:
            pages.append(_read_page(page, i + 1))
        except PdfReadError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a malformed page makes PDFium or ctypes do
            raise DamagedPdfError(f"page {i + 1} cannot be read: {type(exc).__name__}: {exc}") from None
        finally:
            page.close()
    doc = PdfDocument(pages=pages, metadata=meta)
    if sum(p.n_chars for p in pages) == 0:
        n_img = sum(p.n_images for p in pages)
        raise NoTextLayerError(f"no text layer: {n} page(s), {n_img} image(s) and no drawn characters (a scan or "
                               "an image-only PDF; it needs OCR, which this reader does not do)")
    mark_margins(doc)
    for p in pages:
        if p.n_chars == 0:
            doc.warnings.append(f"p{p.number}: no text" + (f" ({p.n_images} image(s): a scanned page?)"
                                                          if p.n_images else ""))
    return doc


def _read_page(page: pdfium.PdfPage, number: int) -> Page:
    left, bottom, right, top = page.get_cropbox()
    rotation = page.get_rotation() % 360
    xf = Transform(left, bottom, right, top, rotation)
    warnings: list[str] = []
    textpage = pdfium_c.FPDFText_LoadPage(page.raw)
    if not textpage:
        raise DamagedPdfError(f"page {number}: its text layer cannot be loaded")
    try:
        chars, off_page = page_chars(textpage, xf)
        rules, n_images = page_rulings(page.raw, xf)
        chars, clipped = drop_hidden(chars, textpage, xf)
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)
    hidden = off_page + clipped
    if hidden:
        warnings.append(f"{hidden} character(s) of the text layer are not drawn (clipped or off the page) and "
                        "were ignored")
    tables = find_tables(rules, number)
    per_table, free = split_chars(tables, chars)
    dups = sum(fill_table(t, tc) for t, tc in zip(tables, per_table))
    grouped, d = group_lines(free)
    dups += d
    if rotation:
        warnings.append(f"the page is rotated by {rotation} degrees; coordinates are as displayed")
    return Page(number=number, width=round(xf.width, 2), height=round(xf.height, 2), rotation=rotation,
                lines=make_lines(grouped, number), tables=tables, n_chars=len(chars) - dups, hidden_chars=hidden,
                duplicate_chars=dups, n_images=n_images, warnings=warnings)
