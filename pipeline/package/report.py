"""The build report: what happened to every raw document, machine-readable, next to the package.

Every build writes ``<parent>/<name>.build-report.json`` beside the output directory ``<parent>/<name>``
(e.g. ``datapackage.build-report.json``), whether or not it published: a failed build must say why, and
the package directory itself is only ever replaced whole. The report is written atomically (temporary
file + rename) and is deterministic: no clock, documents sorted by file.

Each raw document gets one status:

=============  =========================================================================================
``built``      published, nothing to remark
``warned``     published, with warnings (file, line, message) that a reader of the data should know
``quarantined``  not published; ``line`` and ``reason`` say what was wrong and what was expected
=============  =========================================================================================

Quarantine (the document is left out, everything else goes on) -- anything that would publish a wrong or
silently incomplete number: not text (binary, PDF/DOCX, undecodable bytes), empty, over the size limit, a
link out of ``raw/`` or round in a loop, a file name that cannot be published, no known template / title /
section headings, a figure that does not parse as a number or is not a whole number of fen (in prose: a
labelled figure whose value is not an amount), a number beyond the stored types, a table row with more cells
than its header, a table header without its required columns, two files for the same department and year,
and internal errors (parser bugs). See docs/failures.md.

Warning (published, recorded) -- where every published value is still right and only context is missing or
odd: a file not listed in (or changed since) the manifest, a manifest entry contradicting the document, a
missing section (its tables are simply empty for that document), a table row with fewer cells than the
table (the missing cells read as empty), an unrecognised glossary line, a 三公 category not stated.

``outcome`` is ``published`` (exit 0), ``published_with_quarantine`` (exit 3) or ``not_published`` (exit 1:
the previous package, if any, is untouched; ``errors`` says why).

Places: ``line`` is a line of the raw file. For a file whose reader names places otherwise (a PDF's page
and cell, ``p9:r3c2``), ``line`` is null and ``where`` gives the place, in the document's ``source_ref``
format.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

REPORT_SUFFIX = ".build-report.json"
REPORT_TITLE = "yusuan build report"
REPORT_VERSION = 1

EXIT_OK = 0
EXIT_NOT_PUBLISHED = 1
EXIT_QUARANTINED = 3


def report_path(out_dir: Path) -> Path:
    out_dir = Path(out_dir).absolute()
    return out_dir.parent / f"{out_dir.name}{REPORT_SUFFIX}"


def _split_warning(relpath: str, warning: str) -> dict:
    """``'<relpath>:<line>: message'``, ``'<relpath>:<where>: message'`` (a place that is not a line, such as
    a PDF's ``p9:r3c2``) or ``'<relpath>: message'`` -> {line, message} (with ``where`` for the second)."""
    text = warning[len(relpath) + 1:] if warning.startswith(f"{relpath}:") else warning
    m = re.match(r"^(\S+?): (.*)$", text, re.S)
    if m and m.group(1).isdigit():
        return {"line": int(m.group(1)), "message": m.group(2)}
    if m:
        return {"line": None, "where": m.group(1), "message": m.group(2)}
    return {"line": None, "message": text.strip()}


def draft(results) -> dict:
    """The per-document part of the report from :class:`pipeline.build.results.ParseResults`."""
    documents = []
    for raw, doc in results.parsed:
        warnings = [_split_warning(raw.relpath, w) for w in (*raw.warnings, *doc.warnings)]
        documents.append({
            "file": raw.relpath, "sha256": raw.sha256, "status": "warned" if warnings else "built",
            **({"files": [f.relpath for f in raw.parts],
                "missing_parts": [{"part": p, "file": f} for p, f in raw.missing]} if raw.parts else {}),
            "document_id": doc.document_id,
            "source_encoding": doc.source_encoding,
            "warnings": warnings,
        })
    for failed in results.failed:
        documents.append({
            "file": failed.relpath, "sha256": failed.sha256 or None, "status": "quarantined",
            "line": failed.line, **({"where": failed.where} if failed.where else {}),
            "reason": failed.reason or failed.error,
        })
    documents.sort(key=lambda d: d["file"])
    counts = {"documents": len(documents)}
    for status in ("built", "warned", "quarantined"):
        counts[status] = sum(d["status"] == status for d in documents)
    return {"counts": counts, "documents": documents}


def finalise(draft_report: dict | None, out_dir: Path, *, published: bool, errors: Iterable[str] = (),
             notes: Iterable[str] = ()) -> dict:
    """The complete report: ``draft_report`` (None when no document was even read) plus the outcome."""
    body = draft_report or {"counts": {"documents": 0, "built": 0, "warned": 0, "quarantined": 0},
                            "documents": []}
    quarantined = body["counts"]["quarantined"]
    if not published:
        outcome, code = "not_published", EXIT_NOT_PUBLISHED
    elif quarantined:
        outcome, code = "published_with_quarantine", EXIT_QUARANTINED
    else:
        outcome, code = "published", EXIT_OK
    return {
        "report": REPORT_TITLE,
        "report_version": REPORT_VERSION,
        "package": Path(out_dir).name,
        "outcome": outcome,
        "exit_code": code,
        "counts": body["counts"],
        "errors": list(errors),
        "notes": list(notes),
        "documents": body["documents"],
    }


def write(report: dict, out_dir: Path) -> Path:
    """Write ``report`` beside ``out_dir`` atomically; returns its path.

    The file is readable like the package's files (mode 0666 less the umask, not a temporary file's 0600).
    """
    path = report_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # text that is no valid Unicode (lone surrogates): escaped, still valid JSON
        data = (json.dumps(report, ensure_ascii=True, indent=2) + "\n").encode("ascii")
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _place(file: str, item: dict) -> str:
    """``file:line``, ``file:where`` (a place that is not a line) or ``file``."""
    at = item.get("line") or item.get("where")
    return f"{file}:{at}" if at else file


def summary_lines(report: dict, *, max_quarantined: int = 50, max_warnings: int = 20) -> list[str]:
    """A human summary: counts, then quarantined and warned documents with file:line and reason.

    At most ``max_quarantined`` / ``max_warnings`` lines of each (a corpus of thousands can have thousands of
    warnings); a last line says how many more the build report lists.
    """
    c = report["counts"]
    lines = [f"Documents: {c['documents']} — {c['built']} built, {c['warned']} built with warnings, "
             f"{c['quarantined']} quarantined"]
    quarantined, warnings = [], []
    for doc in report["documents"]:
        if doc["status"] == "quarantined":
            where = _place(doc["file"], doc)
            quarantined.append(f"  QUARANTINED {where}: {doc['reason']}")
        for w in doc.get("warnings", []):
            where = _place(doc["file"], w)
            warnings.append(f"  warning {where}: {w['message']}")
    for kind, items, limit in (("quarantined documents", quarantined, max_quarantined),
                               ("warnings", warnings, max_warnings)):
        lines.extend(items[:limit])
        if len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more {kind}: all are in the build report")
    for note in report.get("notes", []):
        lines.append(f"  note: {note}")
    return lines
