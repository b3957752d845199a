"""Default locations of the project's folders.

The defaults are relative to the current working directory, so ``yusuan build`` run from a clone uses the
clone's ``raw/`` and ``datapackage/``; the Table Schemas ship inside the repository next to the package.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = REPO_ROOT / "schemas"


def default_raw_dir() -> Path:
    """``$YUSUAN_RAW_DIR``, else ``raw`` (an empty variable counts as unset, as for the cache)."""
    return Path(os.environ.get("YUSUAN_RAW_DIR") or "raw")


def default_out_dir() -> Path:
    """``$YUSUAN_OUT_DIR``, else ``datapackage`` (an empty variable counts as unset: never the current folder)."""
    return Path(os.environ.get("YUSUAN_OUT_DIR") or "datapackage")


def default_cache_dir() -> Path:
    """Where the per-document parse cache lives: ``$YUSUAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/yusuan``
    (``~/.cache/yusuan``) -- outside the repository and the package, so it is never published or committed."""
    if os.environ.get("YUSUAN_CACHE_DIR"):
        return Path(os.environ["YUSUAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "yusuan"
