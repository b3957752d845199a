"""One build at a time per output directory: an exclusive ``fcntl.flock`` on ``<parent>/.<name>.lock``.

``yusuan build`` holds the lock for its whole run, so a second build of the same output either refuses at
once with a message naming the holder's pid (the default) or waits up to ``--wait`` seconds. Inside a
Dagster run (daemon, UI) the steps that touch the output (clean leftovers + write the staging package;
publish) each take it. The lock is re-entrant within a process: the CLI's hold covers the steps it runs.

The kernel releases a ``flock`` when its holder dies, even by SIGKILL, so a killed build never leaves a
stale lock; the lock file itself stays (deleting it would race with a waiting build) and holds nothing but
the last holder's pid, for the message.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_held: dict[str, list[int]] = {}  # lock path -> [fd, depth]
_guard = threading.Lock()


class LockBusy(RuntimeError):
    """Another build holds the lock of this output directory."""


def lock_path(out_dir: Path) -> Path:
    out_dir = Path(out_dir).absolute()
    return out_dir.parent / f".{out_dir.name}.lock"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise


@contextmanager
def build_lock(out_dir: Path, wait: float | None = 0) -> Iterator[Path]:
    """Hold the build lock of ``out_dir``; ``wait`` seconds (None: forever) before :class:`LockBusy`."""
    path = lock_path(out_dir)
    key = str(path)
    with _guard:
        if key in _held:
            _held[key][1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _guard:
                _held[key][1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Mode 0666 less the umask, like the package's files; never through a symbolic link.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while not _try_lock(fd):
            if deadline is not None and time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                waited = f" after waiting {wait:g} s" if wait else ""
                raise LockBusy(
                    f"another build is running for {Path(out_dir).absolute()} (pid {holder}, lock {path}){waited}; "
                    "it was not disturbed. Wait for it to finish, or pass --wait SECONDS to queue behind it."
                )
            time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        with _guard:
            _held[key] = [fd, 1]
        try:
            yield path
        finally:
            with _guard:
                del _held[key]
    finally:
        os.close(fd)  # releases the flock
