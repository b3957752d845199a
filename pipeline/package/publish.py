"""Publish a staged data package: replace the output directory with it all at once.

The package is written into a staging directory created next to the output directory (same parent, hence
same filesystem), validated, then swapped in. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)``: the
staging directory and the output directory trade places atomically, so at every instant the output path is
either the complete old package or the complete new one, even if the process is killed; the old package,
now under the staging name, is then deleted. Where that call is unavailable, two ``rename``s: the old package
is renamed aside (``.<name>.old-*``), the staging directory renamed into place, then the old one deleted; if
the process dies between the two renames, the next build renames the old package back
(:func:`clean_leftovers`).

Every staging directory is marked as this program's when it is made (:mod:`pipeline.package.marker`) and
``flock``-ed by the process that made it until it is published or discarded. A build killed with SIGKILL
leaves its staging directory behind but not its lock (the kernel drops it), so :func:`clean_leftovers`, run
by the next build, deletes exactly the leftovers that carry the program's marker and that no live process
holds; a folder of a similar name without that proof is left alone, with a note.

The output directory is replaced only if :func:`pipeline.package.marker.problems` proves it is a package
this program published that holds nothing else (or it is empty); otherwise :class:`NotReplaceable`.

A test hook (``tests/test_kill_publish.py``, nothing else sets it): with ``$YUSUAN_TEST_PUBLISH_HOOK`` naming a
file, :func:`publish` appends each point of the swap it reaches to it -- ``swap`` (validated, about to replace
the output), ``swapped`` (the new package is in place), ``published`` (the old one is deleted) -- and with
``$YUSUAN_TEST_PUBLISH_STOP`` naming one of them, the process stops itself there (SIGSTOP), to be killed at
that very point.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import secrets
import signal
import time
from pathlib import Path

from pipeline.package import marker
from pipeline.package.writer import DATAPACKAGE_NAME

log = logging.getLogger(__name__)

STAGING_MARK = ".staging-"
OLD_MARK = ".old-"
HOOK_ENV = "YUSUAN_TEST_PUBLISH_HOOK"
STOP_ENV = "YUSUAN_TEST_PUBLISH_STOP"


class PublishError(RuntimeError):
    """The staged package cannot be published; the output directory is unchanged."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class NotReplaceable(PublishError):
    """The output directory is not provably a package this program published: it is never replaced."""

    def __init__(self, out_dir: Path, problems: list[str]):
        self.out_dir = Path(out_dir)
        self.problems = list(problems)
        super().__init__(f"refusing to replace {out_dir}: " + "; ".join(self.problems))


# Staging directories this process made and still holds, by absolute path: the fd carries the flock.
_staging_locks: dict[str, int] = {}


def _reached(point: str) -> None:
    """The test hook (see the module docstring): record ``point`` and stop here if asked to."""
    hook = os.environ.get(HOOK_ENV)
    if not hook:
        return
    with open(hook, "a", encoding="ascii") as f:
        f.write(f"{point} {time.monotonic():.6f}\n")
    if os.environ.get(STOP_ENV) == point:
        os.kill(os.getpid(), signal.SIGSTOP)


def _sibling(out_dir: Path, mark: str) -> Path:
    return out_dir.parent / f".{out_dir.name}{mark}{secrets.token_hex(6)}"


def _flock_dir(path: Path) -> int | None:
    """An fd of directory ``path`` holding an exclusive flock, or None if another process holds it."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def _release(path: Path) -> None:
    fd = _staging_locks.pop(str(Path(path).absolute()), None)
    if fd is not None:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False where unsupported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _ours(path: Path, memo_dir: Path | None) -> bool:
    """A leftover carries this program's proof: a staging marker, or a package marker it matches exactly."""
    return marker.has_staging_marker(path) or (marker.read_marker(path) is not None
                                               and not marker.problems(path, memo_dir))


def clean_leftovers(out_dir: Path, memo_dir: Path | None = None) -> list[str]:
    """Tidy what killed builds left next to ``out_dir``; returns what was done, one line per directory.

    Call it holding the build lock (:func:`pipeline.package.lock.build_lock`). Only directories carrying this
    program's proof (:func:`_ours`) are touched. If ``out_dir`` is missing but a previous package sits in a
    ``.<name>.old-*`` directory (a build died between the two renames of the fallback swap), it is renamed
    back first. Then every proven ``.<name>.staging-*`` / ``.<name>.old-*`` directory that no live process
    holds is deleted; one a running build holds is left alone, and so is one without proof (with a note).
    """
    out_dir = Path(out_dir).absolute()
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    done: list[str] = []
    prefixes = (f".{out_dir.name}{STAGING_MARK}", f".{out_dir.name}{OLD_MARK}")
    leftovers = sorted(p for p in parent.iterdir()
                       if p.name.startswith(prefixes) and p.is_dir() and not p.is_symlink())
    foreign = [p for p in leftovers if not _ours(p, memo_dir)]
    leftovers = [p for p in leftovers if p not in foreign]
    for path in foreign:
        done.append(f"left {path.name} alone: its name is that of a build's leftover, but it does not carry "
                    "yusuan's marker")
    if not out_dir.exists() and not out_dir.is_symlink():
        olds = [p for p in leftovers if p.name.startswith(prefixes[1]) and marker.read_marker(p) is not None]
        if len(olds) == 1:
            os.rename(olds[0], out_dir)
            leftovers.remove(olds[0])
            done.append(f"restored the previous package from {olds[0].name}")
    for path in leftovers:
        fd = _flock_dir(path)
        if fd is None:
            continue  # a running build's staging directory
        try:
            marker.remove(path)
        finally:
            os.close(fd)
        done.append(f"removed {path.name}, left by an interrupted build")
    return done


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
        fd = _flock_dir(path)
        if fd is None:  # pragma: no cover - nobody else knows the fresh random name
            continue
        _staging_locks[str(path)] = fd
        marker.write_staging_marker(path, out_dir.name)
        return path
    raise PublishError(f"{out_dir.parent}: cannot create a staging directory")


def _is_staging_dir(path: Path) -> bool:
    return path.name.startswith(".") and STAGING_MARK in path.name


def discard(staging_dir: Path) -> None:
    """Delete a staging directory made by :func:`make_staging_dir` (no-op if it is gone)."""
    staging_dir = Path(staging_dir)
    if not _is_staging_dir(staging_dir):
        raise PublishError(f"{staging_dir}: not a staging directory; refusing to delete it")
    _release(staging_dir.absolute())
    if staging_dir.is_symlink():
        staging_dir.unlink()
    elif staging_dir.exists():
        if not _ours(staging_dir, None):
            raise PublishError(f"{staging_dir}: carries no yusuan marker; refusing to delete it")
        marker.remove(staging_dir)


def check_replaceable(out_dir: Path, memo_dir: Path | None = None) -> None:
    """Raise :class:`NotReplaceable` unless ``out_dir`` is absent, empty, or provably a package this program
    published holding nothing else (:func:`pipeline.package.marker.problems`; ``memo_dir`` spares re-hashing)."""
    found = marker.problems(Path(out_dir), memo_dir)
    if found:
        raise NotReplaceable(Path(out_dir), found)


def publish(staging_dir: Path, out_dir: Path, *, validate: bool = True, memo_dir: Path | None = None) -> None:
    """Replace ``out_dir`` with ``staging_dir`` all at once.

    ``staging_dir`` must come from :func:`make_staging_dir` for this ``out_dir`` and hold a ``datapackage.json``.
    With ``validate`` (the default) the staged package is validated first and an invalid one is refused with a
    :class:`PublishError` carrying the report; pass ``validate=False`` when the caller has just validated it.
    On any error the previous package (if any) is left in place; the staging directory is not deleted (call
    :func:`discard`). ``memo_dir``: where the hashes of published files are remembered (:mod:`marker`).
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
    if marker.read_marker(staging_dir) is None:
        raise PublishError(f"{staging_dir}: holds no {marker.MARKER_NAME}; nothing to publish")
    check_replaceable(out_dir, memo_dir)
    if validate:
        from pipeline.package.validate import (
            validate_package,  # local: validation pulls in frictionless
        )

        report = validate_package(descriptor)
        if not report.ok:
            raise PublishError(f"{staging_dir}: the staged package is invalid; {report.summary()}", report)
        # Validation takes seconds: prove the output still ours just before the swap, for a file put in it
        # meanwhile would be deleted with the previous package (a memo hit each, so this costs no hashing).
        check_replaceable(out_dir, memo_dir)

    # From here on the staging directory is proven ours by its package marker (clean_leftovers).
    (staging_dir / marker.STAGING_MARKER_NAME).unlink(missing_ok=True)
    _reached("swap")
    if not out_dir.exists():
        os.rename(staging_dir, out_dir)
        _reached("swapped")
        _release(staging_dir)
        _published(out_dir, memo_dir)
        return
    if _exchange(staging_dir, out_dir):
        _reached("swapped")
        # staging_dir now holds the previous package, which check_replaceable proved ours; if we die before
        # deleting it, clean_leftovers will.
        _release(staging_dir)
        try:
            marker.remove(staging_dir)
        except OSError as exc:  # the new package is in place; a leftover is untidy but harmless
            log.warning("published %s but could not remove the previous package at %s: %s", out_dir, staging_dir, exc)
        _published(out_dir, memo_dir)
        return

    _release(staging_dir)
    old = _sibling(out_dir, OLD_MARK)
    os.rename(out_dir, old)
    _reached("moved-aside")
    try:
        os.rename(staging_dir, out_dir)
        _reached("swapped")
    except BaseException:
        try:
            os.rename(old, out_dir)
        except OSError:
            log.critical("could not restore the previous package: it is at %s", old)
            raise
        raise
    try:
        marker.remove(old)
    except OSError as exc:  # the new package is in place; a leftover is untidy but harmless
        log.warning("published %s but could not remove the previous package at %s: %s", out_dir, old, exc)
    _published(out_dir, memo_dir)


def _published(out_dir: Path, memo_dir: Path | None) -> None:
    marker.record_published(out_dir, memo_dir)
    log.info("published %s", out_dir)
    _reached("published")


def publish_new(staging_dir: Path, target: Path) -> None:
    """Rename ``staging_dir`` (from :func:`make_staging_dir`, next to ``target``) to ``target``, which must not
    exist: nothing is ever replaced. One ``renameat2(RENAME_NOREPLACE)`` on Linux (the kernel refuses an
    existing target); elsewhere a check and a ``rename`` (hold the output's lock). A release is published
    this way: releases are immutable."""
    staging_dir, target = Path(staging_dir).absolute(), Path(target).absolute()
    if staging_dir.parent != target.parent or not _is_staging_dir(staging_dir):
        raise PublishError(f"{staging_dir}: not a staging directory beside {target}")
    exists = PublishError(f"{target}: exists; refusing to replace it")
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        fn = None
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        at_fdcwd, rename_noreplace = -100, 1
        if fn(at_fdcwd, os.fsencode(staging_dir), at_fdcwd, os.fsencode(target), rename_noreplace) == 0:
            _release(staging_dir)
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise exists
        if err not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(staging_dir), None, str(target))
    if target.exists() or target.is_symlink():
        raise exists
    os.rename(staging_dir, target)
    _release(staging_dir)
