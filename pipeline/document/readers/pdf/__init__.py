"""The PDF reader, on pypdfium2 (PDFium): drawn text lines and ruled tables with their page and position.

:func:`~pipeline.document.readers.pdf.reader.read_pdf` reads the pages (:mod:`.model`: characters, rulings and
grids, lines); :func:`~pipeline.document.readers.pdf.stitching.stitch_tables` joins tables split across pages;
:func:`~pipeline.document.readers.pdf.document.to_document` makes the intermediate document, whose places are
named in the reader's ``source_ref`` format (:mod:`.refs`). See ``docs/reading.md``.

As a reader of the registry (:mod:`pipeline.document.readers`) it provides ``FORMAT``, ``accepts`` and ``read``.
"""

from __future__ import annotations

from pipeline.document.readers.pdf.document import to_document
from pipeline.document.readers.pdf.errors import PdfReadError
from pipeline.document.readers.pdf.reader import is_pdf, read_pdf
from pipeline.document.readers.pdf.refs import PATTERN
from pipeline.document.readers.reading import Reading
from pipeline.errors import DocumentError

FORMAT = "pdf"
# The source_ref this reader's spans publish (regular expression, unanchored; docs/reading.md).
REF_PATTERN = PATTERN.replace("(?:", "(")


def accepts(data: bytes) -> bool:
    """A PDF: ``%PDF-`` within the first 1024 bytes."""
    return is_pdf(data)


def read(data: bytes, source: str) -> Reading:
    """The intermediate document of the PDF ``source``; a :class:`DocumentError` saying why when it cannot be read."""
    try:
        pdf = read_pdf(data)
    except PdfReadError as exc:
        raise DocumentError(source, str(exc)) from exc
    return Reading(to_document(pdf, source), FORMAT)
