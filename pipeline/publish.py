"""Publish a staged data package: replace the output directory with it all at once.

The package is written into a staging directory created next to the output directory (same parent, hence
same filesystem), validated, then swapped in with two ``rename``s: the old package is renamed aside, the
staging directory renamed into place, and only then is the old package deleted. If the second rename fails,
the old package is renamed back. Readers therefore see either the old package or the new one, never a
half-written mix (between the two renames the path briefly does not exist; POSIX has no portable atomic swap
of two directories).

A directory that is neither empty nor a data package (no ``datapackage.json``) is never replaced: it may be a
user's unrelated folder.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path

from pipeline.package import DATAPACKAGE_NAME

log = logging.getLogger(__name__)

STAGING_MARK = ".staging-"
OLD_MARK = ".old-"


class PublishError(RuntimeError):
    """The staged package cannot be published; the output directory is unchanged."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


def _sibling(out_dir: Path, mark: str) -> Path:
    return out_dir.parent / f".{out_dir.name}{mark}{secrets.token_hex(6)}"


def make_staging_dir(out_dir: Path) -> Path:
    """Create and return an empty ``<parent>/.<name>.staging-<random>`` next to ``out_dir``."""
    out_dir = Path(out_dir).absolute()
    if not out_dir.name:
        raise PublishError(f"{out_dir}: not a usable output directory")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        path = _sibling(out_dir, STAGING_MARK)
        try:
            path.mkdir()  # mode 0o777 & ~umask, like any directory the user creates
        except FileExistsError:
            continue
        return path
    raise PublishError(f"{out_dir.parent}: cannot create a staging directory")


def _is_staging_dir(path: Path) -> bool:
    return path.name.startswith(".") and STAGING_MARK in path.name


def discard(staging_dir: Path) -> None:
    """Delete a staging directory made by :func:`make_staging_dir` (no-op if it is gone)."""
    staging_dir = Path(staging_dir)
    if not _is_staging_dir(staging_dir):
        raise PublishError(f"{staging_dir}: not a staging directory; refusing to delete it")
    if staging_dir.is_symlink():
        staging_dir.unlink()
    elif staging_dir.exists():
        shutil.rmtree(staging_dir)


def check_replaceable(out_dir: Path) -> None:
    """Raise :class:`PublishError` unless ``out_dir`` is absent, an empty directory or a data package."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise PublishError(f"{out_dir}: is a symbolic link; refusing to replace it (point the output elsewhere)")
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise PublishError(f"{out_dir}: exists and is not a directory; refusing to replace it")
    if (out_dir / DATAPACKAGE_NAME).is_file():
        return
    if any(out_dir.iterdir()):
        raise PublishError(
            f"{out_dir}: exists, is not empty and holds no {DATAPACKAGE_NAME}; refusing to replace a directory "
            "that does not look like a data package"
        )


def publish(staging_dir: Path, out_dir: Path, *, validate: bool = True) -> None:
    """Replace ``out_dir`` with ``staging_dir`` all at once.

    ``staging_dir`` must come from :func:`make_staging_dir` for this ``out_dir`` and hold a ``datapackage.json``.
    With ``validate`` (the default) the staged package is validated first and an invalid one is refused with a
    :class:`PublishError` carrying the report; pass ``validate=False`` when the caller has just validated it.
    On any error the previous package (if any) is left in place; the staging directory is not deleted (call
    :func:`discard`).
    """
    staging_dir = Path(staging_dir).absolute()
    out_dir = Path(out_dir).absolute()
    if not staging_dir.is_dir() or staging_dir.is_symlink():
        raise PublishError(f"{staging_dir}: staging directory not found")
    if staging_dir.parent != out_dir.parent or not staging_dir.name.startswith(f".{out_dir.name}{STAGING_MARK}"):
        raise PublishError(
            f"{staging_dir}: not a staging directory of {out_dir} (use make_staging_dir(out_dir), which puts it "
            "next to the output so that the swap is a rename on one filesystem)"
        )
    descriptor = staging_dir / DATAPACKAGE_NAME
    if not descriptor.is_file():
        raise PublishError(f"{staging_dir}: holds no {DATAPACKAGE_NAME}; nothing to publish")
    check_replaceable(out_dir)
    if validate:
        from pipeline.validate import validate_package  # local: validation pulls in frictionless

        report = validate_package(descriptor)
        if not report.ok:
            raise PublishError(f"{staging_dir}: the staged package is invalid; {report.summary()}", report)

    if not out_dir.exists():
        os.rename(staging_dir, out_dir)
        log.info("published %s", out_dir)
        return

    old = _sibling(out_dir, OLD_MARK)
    os.rename(out_dir, old)
    try:
        os.rename(staging_dir, out_dir)
    except BaseException:
        try:
            os.rename(old, out_dir)
        except OSError:
            log.critical("could not restore the previous package: it is at %s", old)
            raise
        raise
    try:
        shutil.rmtree(old)
    except OSError as exc:  # the new package is in place; a leftover is untidy but harmless
        log.warning("published %s but could not remove the previous package at %s: %s", out_dir, old, exc)
    log.info("published %s", out_dir)
