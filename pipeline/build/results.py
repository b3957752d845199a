"""The outcome of parsing a corpus: documents parsed and documents quarantined (:class:`ParseResults`).

The parsing itself is :mod:`pipeline.build.incremental`, the combining :mod:`pipeline.build.combine`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.raw.discover import RawDocument


class BuildError(ValueError):
    """The parsed documents cannot be combined into one package."""


@dataclass(frozen=True)
class FailedDocument:
    """A quarantined raw document: not published, with the message saying why (see pipeline/package/report.py).

    ``line`` is where in the file the problem is (None when it concerns the whole file), ``reason`` the
    message without the file and line. For a reader whose positions are not lines (a PDF page and cell),
    ``line`` is None and ``where`` names the place (``p9:r3c2``).
    """

    relpath: str
    sha256: str
    error: str
    line: int | None = None
    reason: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class ParseResults:
    """Outcome of parsing every raw document: the parsed ones (with their raw file) and the failed ones."""

    # (raw file, incremental.CachedDocument): document_id, cache entry, row counts, warnings
    parsed: tuple[tuple[RawDocument, Any], ...] = ()
    failed: tuple[FailedDocument, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def raw_documents(self) -> list[RawDocument]:
        return [raw for raw, _ in self.parsed]


def quarantine_duplicates(parsed):
    """Split off files that yield the same ``document_id`` as another file (one disclosure, two files).

    Identical bytes: one file is kept (the one the manifest lists, else the first by path), the copies are
    quarantined as exact duplicates.
    Different bytes: we cannot tell which is the disclosure, so every one of them is quarantined, each
    message naming the other files.
    """
    by_id: dict[str, list] = {}
    for raw, doc in parsed:
        by_id.setdefault(doc.document_id, []).append((raw, doc))
    kept, quarantined = [], []
    for document_id, group in by_id.items():
        if len(group) == 1:
            kept.extend(group)
            continue
        group.sort(key=lambda pair: (pair[0].manifest is None, pair[0].relpath))
        names = [raw.relpath for raw, _ in group]
        if len({raw.sha256 for raw, _ in group}) == 1:
            kept.append(group[0])
            for raw, _ in group[1:]:
                reason = (f"exact copy of {names[0]} (same sha256, same document_id {document_id!r}); only "
                          f"{names[0]} is published: delete this copy")
                quarantined.append(FailedDocument(raw.relpath, raw.sha256, f"{raw.relpath}: {reason}", None, reason))
            continue
        for raw, _ in group:
            others = ", ".join(n for n in names if n != raw.relpath)
            reason = (f"document_id {document_id!r} (same department and year) is also produced by {others}, "
                      "whose content differs; none of them is published: keep the right file in raw/ and "
                      "remove the others, or, if they are the parts of one disclosure (an explanation and a "
                      "tables document), give their manifest entries the same 'disclosure' and each its 'part'")
            quarantined.append(FailedDocument(raw.relpath, raw.sha256, f"{raw.relpath}: {reason}", None, reason))
    return sorted(kept, key=lambda pair: pair[0].relpath), quarantined


