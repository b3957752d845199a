"""Which raw file names can be written safely into the package, and how an unsafe one is shown.

A raw file's path relative to ``raw/`` is published: in the descriptor's ``sources`` (``raw/<path>``, where the
Data Package v2 profile forbids a backslash and a line break), in ``documents.source_file``, in the build
report (UTF-8 JSON) and on the terminal. The rule (documented in docs/failures.md): a name is refused, its
document quarantined without being read, when it holds

- bytes that are not UTF-8 (a name that is no text: it cannot be written into UTF-8 files at all);
- a backslash (not a path separator here, and the v2 profile refuses it);
- an invisible character: a control character (a line break, a tab, ...), a format character (U+200B, a
  right-to-left override, ...) or a line or paragraph separator, which would break or disguise a line of the
  report or the summary.

Refused names are shown with those characters escaped (``caf\\xe9.txt``, ``a\\u000ab.txt``); every other name,
Chinese, spaces, ``..`` or a leading dash included, is published as it is.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


def name_problem(name: str) -> str | None:
    """Why ``name`` (a path relative to ``raw/``, as the file system gave it) cannot be published, or None."""
    for char in name:
        category = unicodedata.category(char)
        if category == "Cs":  # a byte that is not UTF-8, smuggled in by os.fsdecode's surrogateescape
            return "is not valid UTF-8"
        if char == "\\":
            return "holds a backslash"
        if category in _INVISIBLE:
            return f"holds the invisible character U+{ord(char):04X}"
    return None


def shown(name: str) -> str:
    """``name`` with the characters :func:`name_problem` refuses escaped, printable on one line."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape of the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in _INVISIBLE | {"Cs"}:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
