"""The readers: each turns one raw file's bytes into the intermediate document (:mod:`pipeline.document.model`).

A reader is chosen by the file's content, never by its name: the first reader in :data:`READERS` whose
``accepts`` says yes reads the file. Readers of binary formats recognise their signature (``%PDF``, a ZIP
holding ``word/document.xml``, …) and come first; the Tika-text reader comes last and takes everything else,
refusing (with a located :class:`~pipeline.errors.DocumentError`) what is not text.

A reader module provides:

* ``FORMAT``: the name published in ``documents.source_format`` (e.g. ``tika-text``);
* ``accepts(data: bytes) -> bool``: whether the file is in its format (cheap: the first bytes);
* ``read(data: bytes, source: str) -> Reading`` (:mod:`pipeline.document.readers.reading`): the document, or
  a ``DocumentError`` saying why not.

To add a reader, write its module in this folder and put it in :data:`READERS`.
"""

from __future__ import annotations

from pipeline.document.readers import doc_convert, docx_reader, tika_text
from pipeline.document.readers.reading import Reading

__all__ = ["READERS", "Reading", "read", "reader_for"]

# Binary formats first (each recognises its signature); Tika text last: it takes the rest.
READERS = (docx_reader, doc_convert, tika_text)


def reader_for(data: bytes):
    """The reader module that accepts ``data`` (the Tika-text reader, the last, accepts everything)."""
    return next(reader for reader in READERS if reader.accepts(data))


def read(data: bytes, source: str) -> Reading:
    """The intermediate document of the raw file ``source`` whose bytes are ``data``."""
    return reader_for(data).read(data, source)

