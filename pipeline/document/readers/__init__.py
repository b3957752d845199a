"""The readers: each turns one raw file's bytes into the intermediate document (:mod:`pipeline.document.model`).

A reader is chosen by the file's content, never by its name: the first reader in :data:`READERS` whose
``accepts`` says yes reads the file. Readers of binary formats recognise their signature (``%PDF``, a ZIP
holding ``word/document.xml``, …) and come first; the Tika-text reader comes last and takes everything else,
refusing (with a located :class:`~pipeline.errors.DocumentError`) what is not text.

A reader module provides:

* ``FORMAT``: the name published in ``documents.source_format`` (e.g. ``tika-text``);
* ``REF_PATTERN``: a regular expression (unanchored, plain groups) of the ``source_ref`` its spans publish;
  the Table Schemas' ``source_ref`` patterns are :func:`source_ref_pattern` (a test holds them to it);
* ``accepts(data: bytes) -> bool``: whether the file is in its format (cheap: the first bytes);
* ``read(data: bytes, source: str) -> Reading`` (:mod:`pipeline.document.readers.reading`): the document, or
  a ``DocumentError`` saying why not.

To add a reader, write its module in this folder and put it in :data:`READERS`.
"""

from __future__ import annotations

from pipeline.document.readers import doc_convert, docx_reader, pdf, tika_text
from pipeline.document.readers.reading import Reading

__all__ = ["READERS", "Reading", "read", "reader_for", "source_ref_pattern"]

# Binary formats first (each recognises its signature); Tika text last: it takes the rest.
READERS = (docx_reader, doc_convert, pdf, tika_text)


def reader_for(data: bytes):
    """The reader module that accepts ``data`` (the Tika-text reader, the last, accepts everything)."""
    return next(reader for reader in READERS if reader.accepts(data))


def read(data: bytes, source: str) -> Reading:
    """The intermediate document of the raw file ``source`` whose bytes are ``data``."""
    return reader_for(data).read(data, source)


# The part of a disclosure published as several files (pipeline.document.parts.PART_NAME), before a reference.
PART_PREFIX = r"[a-z]+(-[a-z]+)*:"


def source_ref_pattern(many: bool = False) -> str:
    """The anchored pattern of a published ``source_ref``: any reader's format, with the part of a disclosure
    published as several files before it (``tables:p3:r5c2``, a range into the next part ``explanation:p5:l13-
    tables:p12:r20c6``); with ``many``, one or more references separated by single spaces
    (``checks.computed_source_ref``)."""
    patterns = list(dict.fromkeys(reader.REF_PATTERN for reader in reversed(READERS)))  # text's L<n> first
    ref = "(" + "|".join(patterns) + ")"
    one = f"(({PART_PREFIX})?{ref}(-{PART_PREFIX}{ref})?)"
    return f"^{one}( {one})*$" if many else f"^{one}$"
