"""What a reader gives for one raw file: the document, and how the file was read (published in ``documents``)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.document.model import Document


@dataclass(frozen=True)
class Reading:
    document: Document
    source_format: str  # documents.source_format: the reader's FORMAT
    source_encoding: str | None = None  # documents.source_encoding: how text was decoded (None: not a text file)
