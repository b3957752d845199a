"""Raw document -> parsed document: read the file into the intermediate document, then apply its template.

``ParsedDocument.tables`` maps each table name of ``schemas/`` to a list of row dicts whose keys are exactly
that schema's field names and whose values are ``str``, ``int``, ``decimal.Decimal`` (number fields),
``datetime.date`` (date fields), ``bool`` or ``None``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from pipeline.document import encoding, parts, readers
from pipeline.document.normalise import normalise
from pipeline.document.readers import tika_text
from pipeline.document.readers.reading import Reading
from pipeline.errors import DocumentError
from pipeline.raw.discover import RawDocument, max_raw_bytes, too_large_message
from pipeline.tables import checks, ids, rowcheck, templates

__all__ = ["DocumentError", "ParsedDocument", "parse_raw_document", "parse_text"]


@dataclass(frozen=True)
class ParsedDocument:
    document_id: str
    source_file: str
    tables: dict[str, list[dict]]
    warnings: tuple[str, ...] = field(default=())


_ADMIN_SUFFIXES = ("省", "自治区", "市", "州", "盟", "区", "县", "旗")


def _region(department: str) -> str | None:
    """The administrative prefix of a department name: 廊坊市广阳区万庄镇人民政府 -> 廊坊市广阳区."""
    prefix = itertools.takewhile(lambda seg: seg.endswith(_ADMIN_SUFFIXES), ids.name_segments(department))
    return "".join(prefix) or None


def decode(raw_bytes: bytes, source: str) -> str:
    """The text of a raw file (see :mod:`pipeline.document.encoding` for the rules); :class:`DocumentError` if none apply."""
    return encoding.decode(raw_bytes, source).text


def parse_text(text: str, raw: RawDocument, *, source_encoding: str = "utf-8") -> ParsedDocument:
    """Parse decoded Tika text of ``raw`` (pure: ``text`` is given), after :func:`pipeline.document.normalise.normalise`.

    ``source_encoding`` is what :mod:`pipeline.document.encoding` decoded the bytes as; it is published in ``documents``.
    """
    document = tika_text.read_text(normalise(text), raw.relpath)
    return parse_reading(Reading(document, tika_text.FORMAT, source_encoding), raw)


def _file_rows(document, raw: RawDocument, readings: tuple[Reading, ...]) -> list[dict]:
    """``document_files``: each raw file of the document, with where its part begins."""
    rows = []
    for seq, (file, reading) in enumerate(zip(raw.files, readings), start=1):
        part = file.part if raw.parts else None
        first = next((b for b in document.blocks if document.part_of(b.span) == part), None)
        manifest = file.manifest
        rows.append({"part": part or "whole", "part_seq": seq, "file": file.relpath, "sha256": file.sha256,
                     "source_format": reading.source_format, "source_encoding": reading.source_encoding,
                     "source_url": manifest.source_url if manifest else None,
                     "retrieved_date": manifest.retrieved_date if manifest else None,
                     "source_ref": (first or document.blocks[0]).span.ref})
    return rows


def parse_reading(reading: Reading, raw: RawDocument,
                  file_readings: tuple[Reading, ...] | None = None) -> ParsedDocument:
    """The rows of the document a reader made of ``raw`` (pure): its template's tables, checks and ``documents`` row.

    For a disclosure of several files, ``reading`` holds the combined document (:mod:`pipeline.document.parts`)
    and ``file_readings`` each file's reading, in the order of ``raw.files``.
    """
    document = reading.document
    file_readings = file_readings or (reading,)
    template = templates.select(document)
    result = template.parse(document)
    manifest = raw.manifest
    # raw.warnings (manifest problems) are reported where the raw files are discovered, not again here.
    warnings = list(result.warnings)
    if manifest is not None:
        for attr, value in (("fiscal_year", result.fiscal_year), ("department_zh", result.department_name_zh),
                            ("kind", result.kind)):
            listed = getattr(manifest, attr)
            if listed is not None and listed != value:
                warnings.append(f"{raw.relpath}: manifest says {attr}={listed!r}, the document says {value!r}")
    # Checks are part of the document's parse: a pure function of its tables and sections.
    position = result.title_span.locator.position  # the reader's positions, for ordering by source_ref
    sections = checks.section_rows(result.sections, result.tables, position)
    missing = [*({"part": part, "file": file, "why": "listed in the raw manifest, not in the raw folder"}
                 for part, file in document.missing_parts), *result.tables.get("_missing_parts", [])]
    check_tables = {**result.tables, "_missing_parts": missing,
                    "_parts": [{"part": p.name, "file": p.source} for p in document.parts]}
    check_rows = checks.run_checks(check_tables, sections, result.source_amount_unit_zh, position,
                                   families=result.check_families, repeats=document.repeated_paragraphs)
    kind = result.kind
    document_id = ids.document_id(result.department_name_zh, result.fiscal_year, kind)
    documents_row = {
        "document_id": document_id,
        "department_name_zh": result.department_name_zh,
        "department_code": result.department_code,
        "province_zh": manifest.province_zh if manifest else None,
        "region_zh": _region(result.department_name_zh),
        "fiscal_year": result.fiscal_year,
        "kind": kind,
        "title_zh": result.title_zh,
        "template": template.TEMPLATE_ID,
        # A disclosure of several files: its first (document_files lists them all).
        "source_file": raw.files[0].relpath,
        "source_sha256": raw.files[0].sha256,
        "source_format": file_readings[0].source_format,
        "source_encoding": file_readings[0].source_encoding,
        "source_url": manifest.source_url if manifest else None,
        "retrieved_date": manifest.retrieved_date if manifest else None,
        "source_amount_unit_zh": result.source_amount_unit_zh,
        "completeness_score": checks.completeness_score(sections),
        "source_ref": result.title_span.ref,
    }
    tables = {"documents": [documents_row],
              "document_files": [{"document_id": document_id, **row}
                                 for row in _file_rows(document, raw, file_readings)]}
    for name, rows in result.tables.items():
        if name.startswith("_"):
            continue  # the template's notes for the checks (see TemplateResult): not published
        tables[name] = [{"document_id": document_id, **{k: v for k, v in row.items() if not k.startswith("_")}}
                        for row in rows]
    tables["document_sections"] = [{"document_id": document_id, **row} for row in sections]
    tables["checks"] = [{"document_id": document_id, **row} for row in check_rows]
    rowcheck.check_rows(tables, raw.relpath)
    return ParsedDocument(document_id=document_id, source_file=raw.relpath, tables=tables,
                          warnings=tuple(warnings))


def _not_read(relpath: str, message: str) -> DocumentError:
    """The file was not read (over the raw size limit, a link out of raw/): a fact about the build's limit and
    the file system, not the file's content, so ``transient``: not cached, and a build with a higher limit
    reads the file."""
    error = DocumentError(relpath, message)
    error.transient = True
    return error


def parse_raw_document(raw: RawDocument, max_bytes: int | None = None) -> ParsedDocument:
    """Read, decode and parse one raw file. Raises :class:`DocumentError` for a document it cannot parse.

    A file :func:`pipeline.raw.discover.discover` refused (``raw.refusal``: too large, a link out of raw/) is not
    opened; a file that grew past ``max_bytes`` (default :func:`pipeline.raw.discover.max_raw_bytes`) since discovery
    is refused after reading at most ``max_bytes + 1`` bytes.
    """
    if raw.refusal:
        raise _not_read(raw.relpath, raw.refusal)
    limit = max_raw_bytes() if max_bytes is None else max_bytes
    readings = tuple(readers.read(_read_file(file, limit), file.relpath) for file in raw.files)
    if not raw.parts:
        return parse_reading(readings[0], raw)
    combined = parts.combine([(file.part, r.document) for file, r in zip(raw.parts, readings)], raw.relpath,
                             raw.missing)
    return parse_reading(Reading(combined, readings[0].source_format, readings[0].source_encoding), raw, readings)


def _read_file(raw: RawDocument, limit: int) -> bytes:
    try:
        with raw.path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise DocumentError(raw.relpath, f"cannot read the file: {exc}") from exc
    if len(data) > limit:
        raise _not_read(raw.relpath, too_large_message(limit))
    if not data.strip():
        raise DocumentError(raw.relpath, "the file is empty: expected a disclosure")
    return data
