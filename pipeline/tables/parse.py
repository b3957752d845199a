"""Raw document -> parsed document: read the file into the intermediate document, then apply its template.

``ParsedDocument.tables`` maps each table name of ``schemas/`` to a list of row dicts whose keys are exactly
that schema's field names and whose values are ``str``, ``int``, ``decimal.Decimal`` (number fields),
``datetime.date`` (date fields), ``bool`` or ``None``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from pipeline.document import encoding, readers
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


def parse_reading(reading: Reading, raw: RawDocument) -> ParsedDocument:
    """The rows of the document a reader made of ``raw`` (pure): its template's tables, checks and ``documents`` row."""
    document = reading.document
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
    check_rows = checks.run_checks(result.tables, sections, result.source_amount_unit_zh, position,
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
        "source_file": raw.relpath,
        "source_sha256": raw.sha256,
        "source_format": reading.source_format,
        "source_encoding": reading.source_encoding,
        "source_url": manifest.source_url if manifest else None,
        "retrieved_date": manifest.retrieved_date if manifest else None,
        "source_amount_unit_zh": result.source_amount_unit_zh,
        "completeness_score": checks.completeness_score(sections),
        "source_ref": result.title_span.ref,
    }
    tables = {"documents": [documents_row]}
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
    try:
        with raw.path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise DocumentError(raw.relpath, f"cannot read the file: {exc}") from exc
    if len(data) > limit:
        raise _not_read(raw.relpath, too_large_message(limit))
    if not data.strip():
        raise DocumentError(raw.relpath, "the file is empty: expected a disclosure")
    return parse_reading(readers.read(data, raw.relpath), raw)
