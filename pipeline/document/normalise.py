"""Decoded text -> the canonical text every reader and template sees, so variants of a file give equal rows.

The same disclosure re-saved by another tool differs in characters that carry no meaning. :func:`normalise`
folds exactly these, and nothing else:

* **Line endings**: CRLF and a lone CR become LF. Each CR or CRLF ends one line, so line numbers (and every
  ``source_ref``) are the same as in the LF file.
* **Spaces**: every Unicode space separator (NBSP U+00A0, ideographic space U+3000, the U+2000..U+200A
  spaces, U+202F, U+205F) becomes an ASCII space. Tabs are structure (Tika's cell marker) and stay.
* **Full-width digits** ``０``..``９`` become ASCII digits everywhere.
* **Separators inside numbers**: a full-width point ``．`` between digits becomes ``.``; a thousands
  separator (``,`` or full-width ``，`` followed by exactly three digits, in a number that starts with one to
  three digits) is removed: ``15,034`` and ``15，034`` both become ``15034``. A comma with any other digit
  grouping (``1,2``) is left alone: it is not a thousands separator and the number parser will reject it.

Consequently the ``*_text`` columns (``amount_text``, ``quantity_text``, ``value_text``, ...) hold the
figure as printed *after this folding*: ASCII digits, ``.`` as decimal point, no thousands separators; any
other mark stays as printed (the seed's ``4.37。万元`` keeps its stray ``。``). Line structure is never
changed, so the function is safe to apply before the reader.
"""

from __future__ import annotations

import re

_LINE_ENDS = re.compile(r"\r\n?")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_POINT = re.compile(r"(?<=\d)．(?=\d)")
# A number with thousands separators: 1-3 leading digits (not part of a longer number or decimal), then
# groups of exactly three digits, and no further digit.
# A full-width comma next to a number is usually a clause break (…45，15,034), so only an ASCII comma
# beside the digit groups makes the grouping suspect.
_GROUPED = re.compile(r"(?<![\d.])(?<!\d,)\d{1,3}(?:[,，]\d{3})+(?!\d|,\d)")


def _ungroup(match: re.Match) -> str:
    return re.sub(r"[,，]", "", match.group())


def normalise(text: str) -> str:
    """``text`` with line endings, spaces, digits and number separators folded (see the module docstring)."""
    text = _LINE_ENDS.sub("\n", text)
    text = _SPACES.sub(" ", text)
    text = text.translate(_FULLWIDTH_DIGITS)
    text = _FULLWIDTH_POINT.sub(".", text)
    return _GROUPED.sub(_ungroup, text)
