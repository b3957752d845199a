"""Package-level metadata derived from the raw snapshots: the descriptor's ``sources`` and ``created``.

Nothing here reads the clock: a build of the same raw files gives the same package.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from pipeline.build.results import BuildError
from pipeline.raw.discover import RawDocument
from pipeline.raw.manifest import MANIFEST_NAME


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
    if m is not None and m.disclosure:
        parts.append(f"The {m.part} part of the disclosure {m.disclosure} (see document_files).")
    if m is None:
        parts.append(f"Not listed in raw/{MANIFEST_NAME}: origin unknown.")
        return " ".join(parts)
    if m.province_zh:
        parts.append(f"Province: {m.province_zh}.")
    if m.source_url:
        parts.append(f"Published at {m.source_url}.")
    else:
        parts.append("Where it was published is not known.")
    if m.retrieved_date:
        parts.append(f"Retrieved {m.retrieved_date.isoformat()}.")
    if m.format:
        parts.append(f"Format: {m.format}.")
    if m.origin:
        parts.append(f"Origin: {m.origin}")
    if m.terms:
        parts.append(f"Terms: {m.terms}")
    if m.note:
        parts.append(f"Note: {m.note}")
    return " ".join(p if p.endswith((".", "。")) else p + "." for p in parts)


def compute_sources(raws: Iterable[RawDocument]) -> list[dict]:
    """One Data Package ``sources`` item per raw file (each file of a disclosure of several), sorted by relpath.

    The v2 source item defines ``title``, ``path``, ``email`` and ``version`` and allows further properties:
    ``path`` is the raw file inside the repository (``raw/<relpath>``), ``version`` the sha256 of its bytes,
    and ``description`` carries what the manifest knows (publisher URL, retrieval date, terms, origin).
    """
    sources = []
    for raw in sorted((f for r in raws for f in r.files), key=lambda r: r.relpath):
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
    dates = [r.manifest.retrieved_date for raw in raws for r in raw.files
             if r.manifest is not None and r.manifest.retrieved_date]
    if not dates:
        return None
    return f"{max(dates).isoformat()}T00:00:00Z"
