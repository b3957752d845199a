"""Raw snapshots: the files in ``raw/`` and the manifest that describes them.

``raw/manifest.json`` lists each raw file with its sha256 and origin metadata (department, year, kind, where
it was published, when it was retrieved, the publisher's terms). A file the manifest does not list is still
processed, with a warning; a listed file whose bytes no longer match the recorded sha256 is processed too,
with a warning, because the bytes on disk are what the package is built from and their hash is published.

Raw files are untrusted. File names are only ever used as data (``relpath``), never to build an output path.
:func:`discover` refuses, without reading them, a file larger than the size limit (:func:`max_raw_bytes`)
and a symbolic link that leads out of the raw directory; the refusal travels with the
:class:`RawDocument` and the document is quarantined with that message.

Hash memo. Hashing every raw file on every build costs ~1.3 s for 10,000 files, although a rebuild usually
finds them unchanged. Given a ``memo_dir`` (the parse cache directory), :func:`discover` keeps one JSON file
there per raw directory (:func:`memo_path`) mapping each relpath to the identity of the file it last hashed
-- ``(st_size, st_mtime_ns, st_ctime_ns, st_ino, st_dev)`` of the file the path leads to, as one string --
and its sha256. A file whose identity is unchanged is not read again. Why this is safe:

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

import gc
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MANIFEST_NAME = "manifest.json"
# Tika text of a budget disclosure is well under 1 MB; 20 MiB leaves room and still protects memory.
DEFAULT_MAX_RAW_BYTES = 20 * 1024 * 1024
MAX_RAW_BYTES_ENV = "YUSUAN_MAX_RAW_BYTES"
# Files in raw/ that are not disclosures.
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep"}
MEMO_FORMAT = "yusuan-raw-sha256-memo/1"
# A file changed this recently when discovery began may change again within one timestamp tick: not memoised.
MEMO_RACY_NS = 2_000_000_000


class ManifestError(ValueError):
    """The raw manifest cannot be read or contradicts itself."""


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    sha256: str | None = None
    format: str | None = None
    department_zh: str | None = None
    province_zh: str | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    source_url: str | None = None
    retrieved_date: date | None = None
    origin: str | None = None
    terms: str | None = None


@dataclass(frozen=True)
class RawDocument:
    """One raw file, identified by its path relative to the raw directory and its content hash."""

    path: Path
    relpath: str
    sha256: str
    manifest: ManifestEntry | None
    warnings: tuple[str, ...] = field(default=())
    # Why discover() refused to read this file (too large, link out of raw/); None for a readable file.
    refusal: str | None = None


def max_raw_bytes(environ=None) -> int:
    """The raw file size limit in bytes: ``$YUSUAN_MAX_RAW_BYTES`` or :data:`DEFAULT_MAX_RAW_BYTES`."""
    value = (os.environ if environ is None else environ).get(MAX_RAW_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_RAW_BYTES
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 1:
        raise ValueError(f"{MAX_RAW_BYTES_ENV}={value!r}: expected a positive number of bytes")
    return limit


def too_large_message(limit: int, size: int | None = None) -> str:
    size_text = f"{size} bytes" if size is not None else "larger"
    return (f"file is {size_text}, over the raw size limit of {limit} bytes; not read. Tika text of a disclosure "
            f"is far smaller: check the file, or raise the limit with --max-raw-bytes / ${MAX_RAW_BYTES_ENV}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# The last manifest read, by file identity: a long-lived process (a Dagster code server) reads it every build.
_MANIFEST_MEMO: dict[tuple, dict[str, ManifestEntry]] = {}


def load_manifest(raw_dir: Path) -> dict[str, ManifestEntry]:
    """Read ``raw_dir/manifest.json``; an absent manifest is an empty one.

    The entries of an unchanged manifest file (same identity, as in the hash memo) are reused within the
    process; each call returns its own dict.
    """
    path = Path(raw_dir) / MANIFEST_NAME
    started = time.time_ns()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {}
    except OSError:
        st = None
    identity = (str(path.resolve()), _identity(st)) if st is not None else None
    if identity in _MANIFEST_MEMO:
        return dict(_MANIFEST_MEMO[identity])
    entries = _read_manifest(path)
    _MANIFEST_MEMO.clear()
    if identity is not None and st.st_ctime_ns < started - MEMO_RACY_NS:
        _MANIFEST_MEMO[identity] = entries
    return dict(entries)


def _read_manifest(path: Path) -> dict[str, ManifestEntry]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the raw manifest: {exc}") from exc
    entries: dict[str, ManifestEntry] = {}
    known = set(ManifestEntry.__dataclass_fields__)
    for i, item in enumerate(data.get("documents", [])):
        if not isinstance(item, dict) or not item.get("file"):
            raise ManifestError(f"{path}: documents[{i}] has no 'file'")
        if not known.issuperset(item):
            unknown = set(item) - known
            raise ManifestError(f"{path}: documents[{i}] has unknown keys {sorted(unknown)}")
        values = dict(item)
        if values.get("retrieved_date"):
            try:
                values["retrieved_date"] = date.fromisoformat(values["retrieved_date"])
            except ValueError as exc:
                raise ManifestError(f"{path}: documents[{i}].retrieved_date: {exc}") from exc
        if values["file"] in entries:
            raise ManifestError(f"{path}: {values['file']} is listed twice")
        entries[values["file"]] = ManifestEntry(**values)
    return entries


def _refusal(
    path: Path, root: Path, limit: int, is_link: bool | None = None
) -> tuple[str | None, os.stat_result | None]:
    """Why ``path`` must not be read (or None), and its stat when it may be. Links are judged by where they lead.

    ``is_link``: whether ``path`` is a symbolic link, if the caller already knows (from its directory entry).
    """
    if path.is_symlink() if is_link is None else is_link:
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"symbolic link to {target}, outside the raw directory: refused (copy the file into raw/)", None
        if not target.is_file():
            return f"symbolic link to {target}, which is not a regular file: refused", None
    st = os.stat(path)
    if st.st_size > limit:
        return too_large_message(limit, st.st_size), None
    return None, st


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building a corpus's worth of long-lived, acyclic objects.

    Discovering or looking up 10,000 documents creates ~100k objects that all survive; that makes the
    collector traverse the whole heap (Dagster's included) once or twice, ~0.1 s each, to find no garbage.
    Reference counting still frees everything meanwhile; collection resumes on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def memo_path(memo_dir: Path, raw_dir: Path) -> Path:
    """The hash memo of ``raw_dir`` in ``memo_dir``: one file per raw directory, so two corpora sharing a
    cache directory do not evict each other's entries."""
    tag = hashlib.sha256(os.fsencode(Path(raw_dir).resolve())).hexdigest()[:16]
    return Path(memo_dir) / f"raw-sha256-{tag}.json"


def _identity(st: os.stat_result) -> str:
    """A file's identity as one string (one object per memo entry keeps loading the memo cheap)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def _load_memo(path: Path) -> dict[str, str]:
    """relpath -> "<identity> <sha256>" from the memo at ``path``; empty if it is missing, corrupt or foreign."""
    try:
        data = json.loads(path.read_bytes())
        files = data["files"] if data.get("format") == MEMO_FORMAT else {}
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def _memo_hit(memo: dict[str, str], relpath: str, identity: str) -> str | None:
    known = memo.get(relpath)
    if isinstance(known, str) and len(known) == len(identity) + 65 and known.startswith(identity):
        if known[len(identity)] == " ":
            return known[-64:]
    return None


def _write_memo(path: Path, files: dict[str, str]) -> None:
    """Replace the memo atomically; a cache directory we cannot write to only costs hashing next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-memo-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": MEMO_FORMAT, "files": files}, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _walk(directory: str, parts: tuple[str, ...] = ()):
    """``(relative path parts, DirEntry)`` of the files ``Path.rglob("*")`` lists under ``directory``.

    What rglob + ``is_file() or (is_symlink() and not is_dir())`` gave, from the directory entries' types
    (no stat per plain file): symlinked directories are not descended into, an unreadable directory is
    skipped, and hidden directories are not entered at all (everything under them is hidden).
    """
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except PermissionError:
        return
    for entry in entries:
        sub = (*parts, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir and not entry.is_symlink():
            if not entry.name.startswith("."):
                yield from _walk(entry.path, sub)
        elif entry.is_file() or (entry.is_symlink() and not is_dir):
            yield sub, entry


def discover(raw_dir: Path, max_bytes: int | None = None, memo_dir: Path | None = None) -> list[RawDocument]:
    """All raw documents under ``raw_dir``, sorted by relative path, with manifest metadata attached.

    Files named in :data:`IGNORED_NAMES` and hidden files (a path part starting with ``.``) are not
    documents. A file over ``max_bytes`` (default :func:`max_raw_bytes`) or a link out of ``raw_dir`` is
    returned with ``refusal`` set and ``sha256`` empty: it is never read. With ``memo_dir``, files unchanged
    since a previous discovery are not read either: their sha256 comes from the hash memo (module docstring).
    """
    return scan(raw_dir, max_bytes, memo_dir).documents


@dataclass(frozen=True)
class RawScan:
    """What :func:`scan` found in a raw directory."""

    documents: list[RawDocument]  # as discover() returns them
    missing: list[str]  # files the manifest lists that are not in the directory (missing_from_disk)


def scan(raw_dir: Path, max_bytes: int | None = None, memo_dir: Path | None = None) -> RawScan:
    """:func:`discover` and :func:`missing_from_disk` from one reading of the manifest."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    limit = max_raw_bytes() if max_bytes is None else max_bytes
    with gc_paused():
        manifest = load_manifest(raw_dir)
        docs = _discover(raw_dir, limit, memo_dir, manifest)
    return RawScan(docs, _missing(raw_dir, manifest, docs))


def _discover(
    raw_dir: Path, limit: int, memo_dir: Path | None, manifest: dict[str, ManifestEntry]
) -> list[RawDocument]:
    root = raw_dir.resolve()
    started = time.time_ns()
    memo_file = memo_path(memo_dir, raw_dir) if memo_dir is not None else None
    memo = _load_memo(memo_file) if memo_file is not None else {}
    fresh: dict[str, str] = {}
    docs = []
    # Symlinked directories are not descended into; a symlinked file is listed and judged by _refusal.
    # Sorted by path parts, as Path objects sort ("a/b" before "a-b").
    for parts, dir_entry in sorted(_walk(str(raw_dir)), key=lambda item: item[0]):
        relpath = "/".join(parts)
        if parts[-1] in IGNORED_NAMES or parts[-1].startswith("."):  # _walk does not enter hidden directories
            continue
        path = raw_dir / relpath
        entry = manifest.get(relpath)
        refusal, st = _refusal(path, root, limit, dir_entry.is_symlink())
        if refusal:
            docs.append(RawDocument(path=path, relpath=relpath, sha256="", manifest=entry, refusal=refusal))
            continue
        identity = _identity(st)
        digest = _memo_hit(memo, relpath, identity)
        if digest is None:
            digest = sha256_file(path)
        if st.st_ctime_ns < started - MEMO_RACY_NS:
            fresh[relpath] = f"{identity} {digest}"
        warnings = []
        if entry is None:
            warnings.append(f"{relpath}: not listed in {MANIFEST_NAME}; processed without origin metadata")
        elif entry.sha256 and entry.sha256 != digest:
            warnings.append(
                f"{relpath}: sha256 {digest} differs from {entry.sha256} recorded in {MANIFEST_NAME}; "
                "the file changed since it was recorded"
            )
        docs.append(RawDocument(path=path, relpath=relpath, sha256=digest, manifest=entry, warnings=tuple(warnings)))
    if memo_file is not None and fresh != memo:
        _write_memo(memo_file, fresh)
    return docs


def missing_from_disk(raw_dir: Path, docs: list[RawDocument] | None = None) -> list[str]:
    """Files the manifest lists that are not in ``raw_dir``.

    ``docs``: what :func:`discover` just returned; a file it read (not refused) is not looked up again.
    """
    return _missing(Path(raw_dir), load_manifest(Path(raw_dir)), docs or ())


def _missing(raw_dir: Path, manifest: Mapping[str, ManifestEntry], docs: Iterable[RawDocument]) -> list[str]:
    seen = {doc.relpath for doc in docs if doc.refusal is None}
    return sorted(f for f in manifest if f not in seen and not os.path.isfile(os.path.join(raw_dir, f)))
