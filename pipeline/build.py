"""Helpers shared by the Dagster assets, the CLI and the tests: the outcome of parsing a set of raw documents
(:class:`ParseResults`; the parsing itself is :mod:`pipeline.incremental`, the combining :mod:`pipeline.combine`),
and the package-level metadata derived from the raw snapshots (``sources``, ``created``).

Nothing here reads the clock: a build of the same raw files gives the same package.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.raw import MANIFEST_NAME, RawDocument


class BuildError(ValueError):
    """The parsed documents cannot be combined into one package."""


@dataclass(frozen=True)
class FailedDocument:
    """A quarantined raw document: not published, with the message saying why (see pipeline/report.py).

    ``line`` is where in the file the problem is (None when it concerns the whole file), ``reason`` the
    message without the file and line.
    """

    relpath: str
    sha256: str
    error: str
    line: int | None = None
    reason: str | None = None


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
                      "remove the others")
            quarantined.append(FailedDocument(raw.relpath, raw.sha256, f"{raw.relpath}: {reason}", None, reason))
    return sorted(kept, key=lambda pair: pair[0].relpath), quarantined


def _source_title(raw: RawDocument) -> str:
    m = raw.manifest
    if m is None or not m.department_zh:
        return raw.relpath
    title = m.department_zh
    if m.fiscal_year:
        title += f" {m.fiscal_year}年"
    kind = {"budget": "部门预算", "final_accounts": "部门决算"}.get(m.kind or "", m.kind or "")
    if kind:
        title += f"{kind}" if m.fiscal_year else f" {kind}"
    return title


def _source_description(raw: RawDocument) -> str:
    m = raw.manifest
    parts = [f"Raw file raw/{raw.relpath}, sha256 {raw.sha256}."]
    if m is None:
        parts.append(f"Not listed in raw/{MANIFEST_NAME}: origin unknown.")
        return " ".join(parts)
    if m.province_zh:
        parts.append(f"Province: {m.province_zh}.")
    if m.source_url:
        parts.append(f"Published at {m.source_url}.")
    if m.retrieved_date:
        parts.append(f"Retrieved {m.retrieved_date.isoformat()}.")
    if m.format:
        parts.append(f"Format: {m.format}.")
    if m.origin:
        parts.append(f"Origin: {m.origin}")
    if m.terms:
        parts.append(f"Terms: {m.terms}")
    return " ".join(p if p.endswith((".", "。")) else p + "." for p in parts)


def compute_sources(raws: Iterable[RawDocument]) -> list[dict]:
    """One Data Package ``sources`` item per raw file, sorted by relpath.

    The v2 source item defines ``title``, ``path``, ``email`` and ``version`` and allows further properties:
    ``path`` is the raw file inside the repository (``raw/<relpath>``), ``version`` the sha256 of its bytes,
    and ``description`` carries what the manifest knows (publisher URL, retrieval date, terms, origin).
    """
    sources = []
    for raw in sorted(raws, key=lambda r: r.relpath):
        sources.append(
            {
                "title": _source_title(raw),
                "path": f"raw/{raw.relpath}",
                "version": f"sha256:{raw.sha256}",
                "description": _source_description(raw),
            }
        )
    return sources


def compute_created(raws: Iterable[RawDocument], environ: Mapping[str, str] | None = None) -> str | None:
    """The package's ``created`` timestamp, deterministic for a given set of raw files.

    ``SOURCE_DATE_EPOCH`` (reproducible-builds convention) wins; otherwise the latest manifest
    ``retrieved_date`` at midnight UTC; otherwise ``None``. Never the clock.
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            stamp = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError) as exc:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp in seconds") from exc
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [r.manifest.retrieved_date for r in raws if r.manifest is not None and r.manifest.retrieved_date]
    if not dates:
        return None
    return f"{max(dates).isoformat()}T00:00:00Z"


def raw_fingerprint(raw_dir: Path, memo_dir: Path | None = None) -> str:
    """A hash of what is in ``raw_dir``: the manifest's sha256 and every document's relative path and sha256
    (for a file ``discover`` refuses to read, its reason, which gives its size).

    Independent of mtimes, so touching or re-copying a file without changing it does not trigger a build.
    With ``memo_dir`` (the sensor passes the cache folder) unchanged files are not read again: their sha256
    comes from :func:`pipeline.raw.scan`'s memo, so a tick over 10,000 documents costs ~0.2 s, not 130 MB of
    hashing. A manifest that cannot be read makes the fingerprint its bytes' hash: no build can run until it is
    fixed, and fixing it changes the fingerprint.
    """
    from pipeline.raw import ManifestError, scan, sha256_file

    raw_dir = Path(raw_dir)
    digest = hashlib.sha256()
    manifest = raw_dir / MANIFEST_NAME
    if manifest.is_file():
        digest.update(f"{MANIFEST_NAME}\0{sha256_file(manifest)}\n".encode("utf-8"))
    try:
        documents = scan(raw_dir, memo_dir=memo_dir).documents
    except ManifestError:
        return digest.hexdigest()
    for doc in documents:
        digest.update(f"{doc.relpath}\0{doc.sha256 or 'refused: ' + str(doc.refusal)}\n".encode("utf-8"))
    return digest.hexdigest()
