"""Bytes of a raw file -> text, with the encoding that was used. Never a silent guess.

Disclosures reach ``raw/`` re-saved by hand and converted by different tools, so the same text may arrive
in several encodings. The rules, applied in this order; the first that applies decides:

1. A known binary signature (ZIP/DOCX/XLSX, PDF, OLE/DOC/XLS, RTF) is refused as not text. (Word files and
   PDFs never get here: the readers of :mod:`pipeline.document.readers` take them by their signature first.)
2. A byte-order mark decides: ``EF BB BF`` -> ``utf-8-bom``; ``FF FE`` -> ``utf-16le``; ``FE FF`` ->
   ``utf-16be``. The rest must decode strictly in that encoding.
3. NUL bytes without a BOM: UTF-16 only if the byte count is even and the line ends say which byte order:
   newlines encoded ``0A 00`` at even offsets and none as ``00 0A`` -> ``utf-16le``; the reverse ->
   ``utf-16be`` (Tika text has a newline on every line; in the other byte order the same bytes would be the
   rare character U+0A00). The text must then decode strictly. Anything else with NULs is binary data.
4. Strict UTF-8 -> ``utf-8`` (Tika's own output, and the usual case).
5. Strict GB18030 -> ``gb18030``. GB18030 is a superset of GBK and GB2312, and decodes their bytes to the
   same characters, so files saved as GBK are recorded as ``gb18030``. But not when the bytes before the
   first non-UTF-8 byte already hold three or more non-ASCII UTF-8 characters: that file is UTF-8 with a
   corrupt byte (or mixed encodings), and is refused naming that byte's line, rather than read as
   GB18030 gibberish (GB18030 text practically never starts with valid multi-byte UTF-8).
6. Nothing applies: refused, naming the first byte that is not UTF-8 and its line.

Whatever decoded must then look like text: a C0 control character other than tab, newline, carriage return,
form feed or vertical tab is refused as binary data; so is GB18030 text holding private-use characters
(GB18030 maps its user-defined byte ranges there, which real disclosures never use: the bytes were probably
in some other encoding). Refusals are :class:`~pipeline.errors.DocumentError` naming the file, the line
and what was expected. The encoding decided here is published in ``documents.source_encoding``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import DocumentError

ENCODINGS = ("utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030")

_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP container such as a Word .docx or Excel .xlsx file",
    b"\xd0\xcf\x11\xe0": "an OLE file such as a Word .doc or Excel .xls file",
    b"{\\rtf": "an RTF file",
}
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-bom", "utf-8"),
    (b"\xff\xfe", "utf-16le", "utf-16-le"),
    (b"\xfe\xff", "utf-16be", "utf-16-be"),
)
_NEWLINE = {"utf-8-bom": b"\n", "utf-16le": b"\n\x00", "utf-16be": b"\x00\n"}
# C0 controls that text never holds (tab, LF, VT, FF and CR are allowed), plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_EXPECTED = "expected Tika's text output in UTF-8 (or UTF-16 / GB18030)"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # one of ENCODINGS


def _line_of(data: bytes, offset: int, unit: bytes = b"\n") -> int:
    return data.count(unit, 0, offset) + 1


def _strict(data: bytes, codec: str, name: str, source: str, newline: bytes = b"\n") -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            source, f"not valid {name} text (byte {exc.start}: {exc.reason}); {_EXPECTED}",
            _line_of(data, exc.start, newline)) from exc


def _check_text(text: str, encoding: str, source: str) -> None:
    if m := _CONTROL.search(text):
        raise DocumentError(source, f"binary data: control character U+{ord(m.group()):04X} decoded as "
                                    f"{encoding}; {_EXPECTED}", text.count("\n", 0, m.start()) + 1)
    if encoding == "gb18030" and (m := _PRIVATE_USE.search(text)):
        raise DocumentError(source, f"decodes as GB18030 only to private-use character U+{ord(m.group()):04X}: "
                                    f"probably another encoding; {_EXPECTED}", text.count("\n", 0, m.start()) + 1)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """The UTF-16 byte order shown by the newlines of ``data`` (rule 3), or None."""
    if len(data) % 2:
        return None
    pairs = list(zip(data[0::2], data[1::2]))
    little = pairs.count((0x0A, 0))
    big = pairs.count((0, 0x0A))
    if little and not big:
        return "utf-16le", "utf-16-le"
    if big and not little:
        return "utf-16be", "utf-16-be"
    return None


def decode(data: bytes, source: str) -> Decoded:
    """Decode a raw file's bytes by the rules of this module; :class:`DocumentError` when none applies."""
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise DocumentError(source, f"this is {what}, not text: expected Tika's text output (convert it "
                                        "with Apache Tika, /tika, text/plain, first)", 1)
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            text = _strict(body, codec, name, source, _NEWLINE[name])
            _check_text(text, name, source)
            return Decoded(text, name)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DocumentError(source, f"binary data (NUL byte at offset {data.index(0)}); {_EXPECTED}",
                                _line_of(data, data.index(0)))
        name, codec = utf16
        text = _strict(data, codec, f"{name} (no BOM)", source, _NEWLINE[name])
        _check_text(text, name, source)
        return Decoded(text, name)
    try:
        text = data.decode("utf-8")
        name = "utf-8"
    except UnicodeDecodeError as utf8_error:
        before = data[: utf8_error.start].decode("utf-8")
        if sum(ord(ch) > 0x7F for ch in before) >= 3:
            raise DocumentError(
                source, f"not valid UTF-8 at byte {utf8_error.start} ({utf8_error.reason}), though the text before "
                f"it is UTF-8: the file is corrupted or mixes encodings; {_EXPECTED}",
                _line_of(data, utf8_error.start)) from utf8_error
        try:
            text = data.decode("gb18030")
            name = "gb18030"
        except UnicodeDecodeError:
            raise DocumentError(
                source, f"neither UTF-8 nor GB18030 text (byte {utf8_error.start} is not UTF-8); {_EXPECTED}",
                _line_of(data, utf8_error.start)) from utf8_error
    _check_text(text, name, source)
    return Decoded(text, name)
