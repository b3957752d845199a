"""Where a build may write: checked up front, before anything is read or written.

A build reads ``--raw``, keeps its parse cache in ``--cache``, replaces ``--out`` whole (only once
:mod:`pipeline.package.marker` proves it is the program's own package) and writes two files beside it, the build
report ``<out>.build-report.json`` and the lock ``.<out>.lock``. :func:`check_folders` refuses, with a plain
message, every combination where that would read its own output as input, delete its input or its cache, or
replace something that is plainly not a package folder: an empty path, the root or home folder, the folder the
command runs in (or one holding it), an output whose parent is a file, and raw, output and cache folders
that are one another or lie inside one another. :func:`check_beside` refuses a report or lock path that
holds something the program did not write.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path


class FolderError(ValueError):
    """The folders named for a build cannot be used as given; nothing was read or written."""


def _inside(a: Path, b: Path) -> bool:
    """``a`` is ``b`` or lies inside it (both resolved)."""
    return a == b or b in a.parents


def check_folders(raw: str, out: str, cache: str) -> tuple[Path, Path, Path]:
    """The three folders as given, once they pass every rule of the module docstring; else :class:`FolderError`."""
    for option, value in (("--raw", raw), ("--out", out), ("--cache", cache)):
        if not str(value).strip():
            raise FolderError(f"{option} is empty: name a folder")
    raw_dir, out_dir, cache_dir = Path(raw), Path(out), Path(cache)
    if not raw_dir.exists():
        raise FolderError(f"the raw folder {raw_dir} does not exist (pass --raw DIR, the folder of raw disclosures)")
    if not raw_dir.is_dir():
        raise FolderError(f"--raw {raw_dir} is a file, not a folder: pass the folder that holds the raw disclosures "
                          "and their manifest.json")
    r, o, c = raw_dir.resolve(), out_dir.resolve(), cache_dir.resolve()
    if o == Path(o.anchor):
        raise FolderError(f"--out {out_dir} is the root folder: a build replaces its output folder whole")
    if o == Path.home().resolve():
        raise FolderError(f"--out {out_dir} is your home folder: a build replaces its output folder whole")
    if _inside(Path.cwd().resolve(), o):
        raise FolderError(f"--out {out_dir} is the folder this command runs in, or holds it: a build replaces its "
                          "output folder whole; name a folder of its own (default datapackage/)")
    if out_dir.is_symlink():
        raise FolderError(f"--out {out_dir} is a symbolic link: name the folder itself")
    if out_dir.exists() and not out_dir.is_dir():
        raise FolderError(f"--out {out_dir} exists and is not a folder")
    for parent in o.parents:
        if parent.exists():
            if not parent.is_dir():
                raise FolderError(f"--out {out_dir}: {parent} is a file, so no folder can be made in it")
            break
    named = {"--raw": (raw_dir, r), "--out": (out_dir, o), "--cache": (cache_dir, c)}
    relations = (  # inner, outer, what would go wrong
        ("--out", "--raw", "the package would be read back as raw input"),
        ("--raw", "--out", "publishing would delete the raw files"),
        ("--cache", "--out", "publishing would delete the cache"),
        ("--cache", "--raw", "cache files would be read as raw disclosures"),
        ("--out", "--cache", "the cache removes folders it no longer needs"),
        ("--raw", "--cache", "the cache removes folders it no longer needs"),
    )
    for inner, outer, why in relations:
        (inner_given, inner_path), (outer_given, outer_path) = named[inner], named[outer]
        if _inside(inner_path, outer_path):
            where = "is the same folder as" if inner_path == outer_path else "is inside"
            raise FolderError(f"{inner} {inner_given} {where} {outer} {outer_given}: {why}; the raw, output and "
                              "cache folders must be separate")
    return raw_dir, out_dir, cache_dir


# The lock file holds nothing but its last holder's pid (pipeline.package.lock).
_LOCK_TEXT = re.compile(rb"^[0-9]*\n?$")


def check_beside(report_file: Path, lock_file: Path, report_title: str) -> None:
    """Refuse (:class:`FolderError`) if the report or lock path beside the output holds anything but a build
    report (JSON whose ``report`` is ``report_title``) or a lock file this program wrote."""
    for path, kind in ((report_file, "build report"), (lock_file, "build lock")):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            raise FolderError(f"{path} (where the {kind} goes) exists and is not a plain file: refusing to replace it")
        if kind == "build lock":
            ours = st.st_size <= 32 and _LOCK_TEXT.match(Path(path).read_bytes()) is not None
        else:
            try:
                data = json.loads(Path(path).read_bytes())
                ours = isinstance(data, dict) and data.get("report") == report_title
            except (OSError, ValueError, RecursionError):
                ours = False
        if not ours:
            raise FolderError(f"{path} (where the {kind} goes) exists and was not written by yusuan: refusing to "
                              "overwrite it; move it away or choose another --out")
