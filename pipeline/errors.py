"""Error types the pipeline raises on purpose. Anything else escaping is a bug.

Parsing a raw document raises only :class:`DocumentError` (the fuzz tests hold it to that). Elsewhere:
``pipeline.raw.manifest.ManifestError`` for an unreadable raw manifest, ``ValueError`` for a malformed
``$YUSUAN_MAX_RAW_BYTES``, ``pipeline.package.lock.LockBusy`` when another build holds the output's lock,
``pipeline.package.publish.PublishError`` and ``pipeline.build.results.BuildError`` for package-level problems.
"""

from __future__ import annotations


class DocumentError(Exception):
    """A raw document cannot be turned into tables.

    The message names the file, where in it the problem is (when there is a place) and what was expected
    there. ``at`` is a line number of a text file, or a location of the intermediate document (a
    ``pipeline.document.model.Span``: anything with ``line`` and ``where``), e.g. a PDF's ``p9:r3c2``.
    ``line`` is then the line number (None when the reader's positions are not lines) and ``where`` what the
    message shows.
    """

    def __init__(self, source: str, message: str, at=None) -> None:
        self.source = source
        self.detail = message
        if at is None or isinstance(at, int):
            self.line, self.where = at, (str(at) if at is not None else None)
        else:
            self.line, self.where = at.line, at.where
        place = f"{source}:{self.where}" if self.where is not None else source
        super().__init__(f"{place}: {message}")
