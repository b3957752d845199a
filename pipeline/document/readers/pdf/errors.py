"""Why a PDF cannot be read: every failure of :func:`~pipeline.document.readers.pdf.reader.read_pdf` is one of
these, with a message a person can act on and a short ``code``."""

from __future__ import annotations


class PdfReadError(Exception):
    """The input cannot be read as a text PDF."""

    code = "unreadable"


class NotAPdfError(PdfReadError):
    code = "not_pdf"


class EncryptedPdfError(PdfReadError):
    code = "encrypted"


class DamagedPdfError(PdfReadError):
    code = "damaged"


class NoTextLayerError(PdfReadError):
    code = "no_text"
