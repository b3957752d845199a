"""Error types the pipeline raises on purpose. Anything else escaping is a bug.

Parsing a raw document raises only :class:`DocumentError` (the fuzz tests hold it to that). Elsewhere:
``pipeline.raw.discover.ManifestError`` for an unreadable raw manifest, ``ValueError`` for a malformed
``$YUSUAN_MAX_RAW_BYTES``, ``pipeline.package.lock.LockBusy`` when another build holds the output's lock,
``pipeline.package.publish.PublishError`` and ``pipeline.build.results.BuildError`` for package-level problems.
"""

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
