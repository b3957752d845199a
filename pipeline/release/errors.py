"""Why a release was not made, with the exit code ``yusuan release`` gives for it."""

from __future__ import annotations

# Exit codes shared with ``yusuan build``: 1 nothing published, 2 refused (bad arguments or state), 4 busy.
EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_BUSY = 4


class ReleaseError(Exception):
    """Nothing was released; the message says why and what to do."""

    exit_code = EXIT_FAILED


class ReleaseRefused(ReleaseError):
    """Refused before anything was written: the package, the raw files or the release folder are not as a
    release needs them (e.g. the version's folder exists: releases are never overwritten)."""

    exit_code = EXIT_REFUSED
