"""A Word .docx file is a ZIP package: open it in memory, within bounds, and return its main document XML.

Nothing is extracted to disk, and only the parts the reader needs are decompressed: the package relationships
(``_rels/.rels``, which name the main document part) and the main document part itself (usually
``word/document.xml``). Images and every other part are never decompressed. Before anything is read the
package's directory is checked, and the file is refused (:class:`~pipeline.errors.DocumentError` naming the
entry) when:

* it is not a readable ZIP file, or holds more than :data:`MAX_ENTRIES` entries;
* an entry name is absolute, has a drive letter, a backslash or a ``..`` segment (a path that would leave the
  folder it were extracted to; this module never extracts, but such a file is not one Word wrote);
* an entry declares more than :data:`MAX_PART_BYTES` uncompressed (a zip bomb, a huge embedded image), or all
  entries together more than :data:`MAX_TOTAL_BYTES`;
* an XML part it reads holds a document type declaration (entity expansion is never performed), or is not
  well-formed XML;
* it is another Office package (an Excel workbook, a PowerPoint deck) or has no main Word document part.

A part is read with at most its declared size plus one byte, so a lying size in the directory is caught
(``zipfile`` also checks each part's CRC).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from pipeline.errors import DocumentError

MAX_ENTRIES = 5_000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024

WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_OFFICE_DOCUMENT = re.compile(r"/officeDocument$")
_OTHER_OFFICE = (("xl/", "an Excel workbook (.xlsx)"), ("ppt/", "a PowerPoint presentation (.pptx)"))
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# No entity is ever resolved, nothing is fetched, a text node over libxml2's limit (10 MB) is an error.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


@dataclass(frozen=True)
class WordPackage:
    """The parts of a .docx the reader uses: the main document's name and bytes."""

    main_part: str
    document_xml: bytes


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def _check_name(name: str, source: str) -> None:
    parts = name.split("/")
    if (name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name) or ".." in parts
            or "\x00" in name):
        raise DocumentError(source, f"ZIP entry {name!r}: an absolute or parent-directory ('..') path; a Word "
                                    "file holds only relative part names: refusing the file")


def _check_directory(zf: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DocumentError(source, f"the ZIP package holds {len(infos)} entries, more than the {MAX_ENTRIES} a "
                                    "Word file is read with: refusing it")
    total = 0
    for info in infos:
        _check_name(info.filename, source)
        if info.file_size > MAX_PART_BYTES:
            raise DocumentError(source, f"ZIP entry {info.filename!r} declares {_mib(info.file_size)} uncompressed "
                                        f"(more than the {_mib(MAX_PART_BYTES)} a part may have): a zip bomb or a "
                                        "huge embedded file; refusing the file")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise DocumentError(source, f"the ZIP entries declare {_mib(total)} uncompressed together (more than "
                                    f"{_mib(MAX_TOTAL_BYTES)}): refusing the file")
    return {info.filename: info for info in infos}


def read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
    """The bytes of one entry, never more than its (already bounded) declared size."""
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise DocumentError(source, f"ZIP entry {info.filename!r} cannot be read: {exc}") from exc
    if len(data) > info.file_size:
        raise DocumentError(source, f"ZIP entry {info.filename!r} holds more than its declared size: refusing it")
    return data


def refuse_declarations(data: bytes, part: str, source: str) -> None:
    """Refuse a part with a document type or entity declaration: Word never writes one, and it is how entity
    expansion attacks (billion laughs) begin."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DocumentError(source, f"ZIP entry {part!r} has a document type or entity declaration, which Word "
                                    "never writes: refusing the file")


def parse_part(data: bytes, part: str, source: str) -> etree._Element:
    """A part's XML, parsed without a DTD and without resolving entities."""
    refuse_declarations(data, part, source)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(source, f"ZIP entry {part!r} is not well-formed XML: {exc}") from exc


def _main_part(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], source: str) -> str:
    rels = infos.get("_rels/.rels")
    if rels is not None:
        root = parse_part(read_part(zf, rels, source), "_rels/.rels", source)
        for rel in root.iter(f"{_PKG_RELS}Relationship"):
            if _OFFICE_DOCUMENT.search(rel.get("Type", "")) and rel.get("TargetMode") != "External":
                target = rel.get("Target", "").lstrip("/")
                return posixpath.normpath(target)
    for prefix, what in _OTHER_OFFICE:
        if any(name.startswith(prefix) for name in infos):
            raise DocumentError(source, f"this is {what}, not a Word document: not read")
    if "word/document.xml" in infos:
        return "word/document.xml"
    raise DocumentError(source, "a ZIP file without a Word main document (no officeDocument relationship in "
                                "_rels/.rels, no word/document.xml): expected a Word .docx file")


def _check_type(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], part: str, source: str) -> None:
    types = infos.get("[Content_Types].xml")
    if types is None:
        raise DocumentError(source, "ZIP file without [Content_Types].xml: not an Office Open XML (.docx) package")
    root = parse_part(read_part(zf, types, source), "[Content_Types].xml", source)
    declared = None
    for override in root.iter(f"{_CONTENT_TYPES}Override"):
        if override.get("PartName", "").lstrip("/") == part:
            declared = override.get("ContentType")
    if declared is None or declared not in WORD_MAIN_TYPES:
        for prefix, what in _OTHER_OFFICE:
            if part.startswith(prefix):
                raise DocumentError(source, f"this is {what}, not a Word document: not read")
        raise DocumentError(source, f"the main part {part!r} has content type {declared!r}: expected a Word "
                                    "document (.docx)")


def open_package(data: bytes, source: str) -> WordPackage:
    """The main document XML of the .docx in ``data``, after the checks of this module's docstring."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentError(source, f"not a readable ZIP (.docx) file: {exc}") from exc
    with zf:
        infos = _check_directory(zf, source)
        part = _main_part(zf, infos, source)
        _check_name(part, source)
        if part not in infos:
            raise DocumentError(source, f"the main document part {part!r} named in _rels/.rels is missing")
        _check_type(zf, infos, part, source)
        return WordPackage(main_part=part, document_xml=read_part(zf, infos[part], source))
