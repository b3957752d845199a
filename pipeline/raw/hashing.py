"""SHA-256 of raw files, and the hash memo that spares re-reading unchanged ones.

Hashing every raw file on every build costs ~1.3 s for 10,000 files, although a rebuild usually finds them
unchanged. Given a ``memo_dir`` (the parse cache directory), :func:`pipeline.raw.discover.discover` keeps one
JSON file there per raw directory (:func:`memo_path`) mapping each relpath to the identity of the file it last
hashed -- ``(st_size, st_mtime_ns, st_ctime_ns, st_ino, st_dev)`` of the file the path leads to, as one string
-- and its sha256. A file whose identity is unchanged is not read again. Why this is safe:

- Any write to a file sets its ctime to the current time, and ctime cannot be set by users (``touch`` and
  ``os.utime`` set only mtime/atime), so a rewrite with a restored mtime still changes the identity; a file
  replaced by another (rename, copy) has another inode or ctime.
- Timestamps come from a coarse clock (and have 1-2 s resolution on some filesystems), so a file changed in
  the same tick as it was hashed could keep its identity. A file changed less than :data:`MEMO_RACY_NS`
  before the discovery began is therefore not memoised (it is hashed again next time), as git does with
  "racily clean" index entries. This clock only decides what is re-read, never what is built.
- Every memo entry is a fact about one file identity, so concurrent builds may overwrite each other's memo:
  the last writer wins and nothing is lost but time. It is written to a temporary file and renamed into
  place, so a reader never sees half a memo; a missing, corrupt or foreign memo is ignored (everything is
  hashed). Entries of files no longer present are dropped when it is written.
- Refused files (too large, links out of raw/) are judged exactly as without the memo and never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

MEMO_FORMAT = "yusuan-raw-sha256-memo/1"


# A file changed this recently when discovery began may change again within one timestamp tick: not memoised.
MEMO_RACY_NS = 2_000_000_000


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def memo_path(memo_dir: Path, raw_dir: Path) -> Path:
    """The hash memo of ``raw_dir`` in ``memo_dir``: one file per raw directory, so two corpora sharing a
    cache directory do not evict each other's entries."""
    tag = hashlib.sha256(os.fsencode(Path(raw_dir).resolve())).hexdigest()[:16]
    return Path(memo_dir) / f"raw-sha256-{tag}.json"


def file_identity(st: os.stat_result) -> str:
    """A file's identity as one string (one object per memo entry keeps loading the memo cheap)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def load_memo(path: Path, memo_format: str = MEMO_FORMAT) -> dict[str, str]:
    """relpath -> "<identity> <sha256>" from the memo at ``path``; empty if it is missing, corrupt or foreign
    (another ``memo_format``: the published-package memo of :mod:`pipeline.package.marker` has its own)."""
    try:
        data = json.loads(path.read_bytes())
        files = data["files"] if data.get("format") == memo_format else {}
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def memo_hit(memo: dict[str, str], relpath: str, identity: str) -> str | None:
    known = memo.get(relpath)
    if isinstance(known, str) and len(known) == len(identity) + 65 and known.startswith(identity):
        if known[len(identity)] == " ":
            return known[-64:]
    return None


def write_memo(path: Path, files: dict[str, str], memo_format: str = MEMO_FORMAT) -> None:
    """Replace the memo atomically; a cache directory we cannot write to only costs hashing next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-memo-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": memo_format, "files": files}, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
