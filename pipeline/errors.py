"""Error types the pipeline raises on purpose. Anything else escaping is a bug."""

from __future__ import annotations


class DocumentError(Exception):
    """A raw document cannot be turned into tables.

    The message names the file, the line (where there is one) and what was expected there.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.detail = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
