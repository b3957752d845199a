"""The publish marker: proof that a folder is a package yusuan wrote, and holds nothing else.

Every package the writer produces carries ``.yusuan-package.json``: the path, size and sha256 of every file the
build wrote into it, sorted by path (deterministic: it is part of the committed package). A build replaces a
folder only when :func:`problems` finds nothing against it:

- the folder does not exist, or is empty; or
- it holds a marker, every file in it is listed there with the listed size and hash, and nothing else is in
  it: no unlisted file or folder, no symbolic link, nothing that is not a regular file. A listed file that is
  missing is no obstacle (nothing would be lost).

Anything else -- a user's folder with a stray ``datapackage.json``, a package someone added notes to or edited --
is refused, naming what was not written by yusuan. Staging folders carry :data:`STAGING_MARKER_NAME` from the
moment they are made, so that a killed build's leftover can be told from a user's folder of a similar name.

Checking hashes would read the whole package on every build. The :func:`record_published` memo (one file per
output folder in the parse cache folder) keeps the identity ``dev:ino:size:mtime_ns`` of each published file
with its hash; a file with the recorded identity is not read again. The identity leaves out ``ctime``, which
linking an unchanged part into the next staging folder changes; content changed in place changes ``mtime``.
This is the rule validation already applies to the parts it trusts (``validate.py``, "trusted parts").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from pipeline.raw.hashing import load_memo, sha256_file, write_memo

MARKER_NAME = ".yusuan-package.json"
MARKER_FORMAT = "yusuan-package/1"
STAGING_MARKER_NAME = ".yusuan-staging"
STAGING_FORMAT = "yusuan-staging/1"
MEMO_FORMAT = "yusuan-published-memo/1"
# Problems named in a refusal; the rest are counted.
MAX_NAMED = 12

_ABOUT = ("Written by `yusuan build`: every file of this package with its size and sha256. A build replaces "
          "this folder only if it holds exactly these files; it refuses a folder holding anything else.")


def marker_text(files: Mapping[str, tuple[int, str]]) -> str:
    """The marker for ``{relpath: (bytes, "sha256:<hex>")}``: one file per line, sorted by path."""
    head = {"marker": MARKER_FORMAT, "about": _ABOUT}
    lines = [json.dumps({"path": path, "bytes": size, "hash": digest}, ensure_ascii=False)
             for path, (size, digest) in sorted(files.items())]
    body = ",\n    ".join(lines)
    text = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    return f'{text},\n  "files": [\n    {body}\n  ]\n}}\n'


def write_marker(package_dir: Path, files: Mapping[str, tuple[int, str]]) -> Path:
    path = Path(package_dir) / MARKER_NAME
    path.write_text(marker_text(files), encoding="utf-8", newline="\n")
    return path


def text_stats(text: str) -> tuple[int, str]:
    """``(bytes, "sha256:<hex>")`` of ``text`` as the writer writes it (UTF-8)."""
    data = text.encode("utf-8")
    return len(data), f"sha256:{hashlib.sha256(data).hexdigest()}"


def read_marker(package_dir: Path) -> dict[str, tuple[int, str]] | None:
    """The files a folder's marker lists, or None if it has no readable marker of this program."""
    path = Path(package_dir) / MARKER_NAME
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("marker") != MARKER_FORMAT or not isinstance(data.get("files"), list):
            return None
        files = {}
        for item in data["files"]:
            p, size, digest = item["path"], item["bytes"], item["hash"]
            if not (isinstance(p, str) and isinstance(size, int) and isinstance(digest, str)):
                return None
            files[p] = (size, digest)
        return files
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None


def write_staging_marker(staging_dir: Path, out_name: str) -> None:
    """Mark a fresh staging folder as this program's (exclusive create: never over an existing file)."""
    fd = os.open(Path(staging_dir) / STAGING_MARKER_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"marker": STAGING_FORMAT, "out": out_name}, ensure_ascii=False) + "\n")


def has_staging_marker(path: Path) -> bool:
    try:
        marker = Path(path) / STAGING_MARKER_NAME
        if not stat.S_ISREG(os.lstat(marker).st_mode):
            return False
        return json.loads(marker.read_text(encoding="utf-8")).get("marker") == STAGING_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def remove(folder: Path) -> None:
    """Delete a folder proven to be this program's, its markers last: a deletion cut short (a killed build)
    leaves a folder that still carries its proof, so the next build can finish it."""
    folder = Path(folder)
    markers = (MARKER_NAME, STAGING_MARKER_NAME)
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name in markers:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    for name in markers:
        (folder / name).unlink(missing_ok=True)
    folder.rmdir()


# -- the proof --------------------------------------------------------------------------------------------


def _identity(st: os.stat_result) -> str:
    # Not raw.hashing.file_identity: that one holds ctime, which linking a part into the next staging folder changes.
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def memo_path(memo_dir: Path, out_dir: Path) -> Path:
    tag = hashlib.sha256(os.fsencode(Path(out_dir).absolute())).hexdigest()[:16]
    return Path(memo_dir) / f"published-{tag}.json"


def _ancestors(paths: Iterable[str]) -> set[str]:
    out = set()
    for p in paths:
        parts = p.split("/")
        for i in range(1, len(parts)):
            out.add("/".join(parts[:i]))
    return out


def _walk(root: str, expected_folders: set[str]):
    """``(relpath, DirEntry)`` of everything under ``root``, links not followed; a folder not in
    ``expected_folders`` is listed but not entered (nothing in it was written by yusuan)."""
    stack = [("", root)]
    while stack:
        prefix, path = stack.pop()
        with os.scandir(path) as it:
            entries = list(it)
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False) and rel in expected_folders:
                stack.append((rel + "/", entry.path))
            yield rel, entry


def problems(folder: Path, memo_dir: Path | None = None) -> list[str]:
    """Why ``folder`` must not be replaced (empty when it may be): see the module docstring.

    Each problem names a path relative to ``folder``; at most :data:`MAX_NAMED` are named, then a count.
    """
    folder = Path(folder)
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return []
    if stat.S_ISLNK(st.st_mode):
        return [f"{folder} is a symbolic link"]
    if not stat.S_ISDIR(st.st_mode):
        return [f"{folder} is not a folder"]
    try:
        listing = sorted(os.listdir(folder))
    except OSError as exc:
        return [f"{folder} cannot be read ({exc.strerror})"]
    if not listing:
        return []
    files = read_marker(folder)
    if files is None:
        held = listing[:MAX_NAMED] + ([f"and {len(listing) - MAX_NAMED} more"] if len(listing) > MAX_NAMED else [])
        return [f"it holds no readable {MARKER_NAME}, so it is not a package yusuan published (it holds "
                f"{', '.join(held)})"]
    folders = _ancestors(files)
    memo = load_memo(memo_path(memo_dir, folder), MEMO_FORMAT) if memo_dir is not None else {}
    found: list[str] = []
    try:
        for rel, entry in _walk(str(folder), folders):
            if entry.is_symlink():
                found.append(f"{rel} (a symbolic link, not written by yusuan)")
            elif entry.is_dir(follow_symlinks=False):
                if rel not in folders:
                    found.append(f"{rel}/ (a folder yusuan did not write)")
            elif rel == MARKER_NAME:
                continue
            elif rel not in files or not entry.is_file(follow_symlinks=False):
                found.append(f"{rel} (not written by yusuan)")
            else:
                size, digest = files[rel]
                est = entry.stat(follow_symlinks=False)
                if est.st_size != size:
                    found.append(f"{rel} (changed since yusuan wrote it: {est.st_size} bytes, not {size})")
                elif (memo.get(rel) != f"{_identity(est)} {digest}"
                      and f"sha256:{sha256_file(Path(entry.path))}" != digest):
                    found.append(f"{rel} (changed since yusuan wrote it)")
    except OSError as exc:
        found.append(f"cannot be read completely ({exc.strerror}: {exc.filename})")
    return _capped(sorted(found))


def _capped(found: list[str]) -> list[str]:
    if len(found) > MAX_NAMED:
        return [*found[:MAX_NAMED], f"... and {len(found) - MAX_NAMED} more"]
    return found


def record_published(out_dir: Path, memo_dir: Path | None) -> None:
    """Remember the identity and hash of each file of the package just published in ``out_dir`` (see the module
    docstring); a memo that cannot be written only costs hashing next time."""
    if memo_dir is None:
        return
    files = read_marker(out_dir)
    if files is None:
        return
    records = {}
    for rel, (size, digest) in files.items():
        try:
            st = os.lstat(os.path.join(out_dir, *rel.split("/")))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size == size:
            records[rel] = f"{_identity(st)} {digest}"
    write_memo(memo_path(memo_dir, out_dir), records, MEMO_FORMAT)
