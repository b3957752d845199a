"""Finding the raw documents: the files in ``raw/`` with their sha256 and manifest entry.

Raw files are untrusted. File names are only ever used as data (``relpath``), never to build an output path.
:func:`discover` refuses, without reading them, a file larger than the size limit (:func:`max_raw_bytes`)
and a symbolic link that leads out of the raw directory; the refusal travels with the
:class:`RawDocument` and the document is quarantined with that message. Files unchanged since the last
discovery are not read again (:mod:`pipeline.raw.hashing`).
"""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.raw.hashing import (
    MEMO_RACY_NS,
    file_identity,
    load_memo,
    memo_hit,
    memo_path,
    sha256_file,
    write_memo,
)
from pipeline.raw.manifest import (
    MANIFEST_NAME,
    PARTS,
    ManifestEntry,
    ManifestError,
    load_manifest,
)
from pipeline.raw.names import name_problem, shown

# Tika text of a budget disclosure is well under 1 MB; 20 MiB leaves room and still protects memory.
DEFAULT_MAX_RAW_BYTES = 20 * 1024 * 1024
MAX_RAW_BYTES_ENV = "YUSUAN_MAX_RAW_BYTES"
# Files in raw/ that are not disclosures.
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep"}


@dataclass(frozen=True)
class RawDocument:
    """One raw document, identified by its path relative to the raw directory and its content hash: a file, or
    a disclosure published as several files (the manifest's ``disclosure`` and ``part``).

    A disclosure of several files has ``parts`` (one RawDocument per file in ``raw/``, in the order of
    :data:`~pipeline.raw.manifest.PARTS`) and ``missing`` (``(part, file)`` of each file the manifest lists that
    is not there); its ``relpath`` names its files (``a-text.pdf + a-tables.pdf``), its ``sha256`` is a hash of
    its parts' names and hashes (:func:`parts_digest`), its ``manifest`` is its first part's entry, and it is
    refused when a part is.
    """

    path: Path
    relpath: str
    sha256: str
    manifest: ManifestEntry | None
    warnings: tuple[str, ...] = field(default=())
    # Why discover() refused to read this file (too large, link out of raw/); None for a readable file.
    refusal: str | None = None
    parts: tuple[RawDocument, ...] = field(default=())
    missing: tuple[tuple[str, str], ...] = field(default=())

    @property
    def files(self) -> tuple[RawDocument, ...]:
        """The raw files of the document: its parts, or itself."""
        return self.parts or (self,)

    @property
    def part(self) -> str | None:
        """The file's part in a disclosure of several files (None for a document of one file)."""
        return self.manifest.part if self.manifest is not None else None


PART_SEPARATOR = " + "  # between the file names of a disclosure of several files (its relpath)


def parts_digest(parts: Iterable[tuple[str, str, str]]) -> str:
    """The sha256 of a disclosure of several files: over each ``(part, relpath, sha256)``, in order."""
    digest = hashlib.sha256()
    for part, relpath, sha in parts:
        digest.update(repr((part, relpath, sha)).encode("utf-8"))  # repr: lone surrogates of odd names escaped
    return digest.hexdigest()


def group_parts(docs: list[RawDocument], manifest: Mapping[str, ManifestEntry]) -> list[RawDocument]:
    """``docs`` (one per file) with the files of each multi-file disclosure of the manifest made one document."""
    singles, groups = [], {}
    for doc in docs:
        key = doc.manifest.disclosure if doc.manifest is not None else None
        if key is None:
            singles.append(doc)
        else:
            groups.setdefault(key, []).append(doc)
    order = {p: i for i, p in enumerate(PARTS)}
    for key, members in groups.items():
        members.sort(key=lambda d: order[d.manifest.part])
        present = {d.relpath for d in members}
        missing = sorted(((e.part, e.file) for e in manifest.values() if e.disclosure == key and e.file not in present),
                         key=lambda pf: order[pf[0]])
        refused = next((d for d in members if d.refusal), None)
        singles.append(RawDocument(
            path=members[0].path, relpath=PART_SEPARATOR.join(d.relpath for d in members),
            sha256=parts_digest((d.part, d.relpath, d.sha256) for d in members), manifest=members[0].manifest,
            warnings=tuple(w for d in members for w in d.warnings),
            refusal=f"{refused.relpath}: {refused.refusal}" if refused else None,
            parts=tuple(members), missing=tuple(missing)))
    return sorted(singles, key=lambda d: d.relpath)


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
    return (f"file is {size_text}, over the raw size limit of {limit} bytes; not read. A disclosure (its PDF or "
            f"Tika text) is far smaller: check the file, or raise the limit with --max-raw-bytes / ${MAX_RAW_BYTES_ENV}")


def _refusal(
    path: Path, root: Path, limit: int, is_link: bool | None = None
) -> tuple[str | None, os.stat_result | None]:
    """Why ``path`` must not be read (or None), and its stat when it may be. Links are judged by where they lead;
    a file that cannot even be looked at (a link loop, no permission) is refused with the system's reason.

    ``is_link``: whether ``path`` is a symbolic link, if the caller already knows (from its directory entry).
    """
    try:
        if path.is_symlink() if is_link is None else is_link:
            target = path.resolve()
            if not target.is_relative_to(root):
                return f"symbolic link to {target}, outside the raw directory: refused (copy the file into raw/)", None
            if not target.is_file():
                return f"symbolic link to {target}, which is not a regular file: refused", None
        st = os.stat(path)
    except RuntimeError:  # Path.resolve of a link loop
        return "a symbolic link that leads round in a loop: refused", None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that leads round in a loop: refused", None
        return f"cannot be read ({exc.strerror or exc}): refused", None
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


def _walk(directory: str, parts: tuple[str, ...] = (), skipped: list[str] | None = None):
    """``(relative path parts, DirEntry)`` of the files ``Path.rglob("*")`` lists under ``directory``.

    What rglob + ``is_file() or (is_symlink() and not is_dir())`` gave, from the directory entries' types
    (no stat per plain file): symlinked directories are not descended into, an unreadable directory is
    skipped, and hidden directories are not entered at all (everything under them is hidden). The first two
    are not silent: each is appended to ``skipped`` with the reason (:attr:`RawScan.skipped`).
    """
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except PermissionError:
        if skipped is not None:
            skipped.append(f"{'/'.join(parts) or '.'}/: a folder that cannot be read (permission denied): its files are "
                           "not read")
        return
    for entry in entries:
        sub = (*parts, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir and not entry.is_symlink():
            if not entry.name.startswith("."):
                yield from _walk(entry.path, sub, skipped)
        elif is_dir and not entry.name.startswith(".") and skipped is not None:
            skipped.append(f"{'/'.join(sub)}: a symbolic link to a folder, not followed (it could lead out of the "
                           "raw folder or round in a loop): its files are not read; link or copy the files instead")
        else:
            try:
                is_file = entry.is_file()
            except OSError:  # a link that cannot be followed: listed, and refused by _refusal
                is_file = False
            if is_file or (entry.is_symlink() and not is_dir):
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
    skipped: list[str] = field(default_factory=list)  # folders not read (a link to one, no permission), why


def scan(raw_dir: Path, max_bytes: int | None = None, memo_dir: Path | None = None) -> RawScan:
    """:func:`discover` and :func:`missing_from_disk` from one reading of the manifest."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory {raw_dir} does not exist")
    limit = max_raw_bytes() if max_bytes is None else max_bytes
    with gc_paused():
        manifest = load_manifest(raw_dir)
        skipped: list[str] = []
        docs = _discover(raw_dir, limit, memo_dir, manifest, skipped)
        if any(e.disclosure for e in manifest.values()):
            docs = group_parts(docs, manifest)
    return RawScan(docs, _missing(raw_dir, manifest, docs), sorted(skipped))


def _discover(
    raw_dir: Path, limit: int, memo_dir: Path | None, manifest: dict[str, ManifestEntry],
    skipped: list[str] | None = None,
) -> list[RawDocument]:
    root = raw_dir.resolve()
    started = time.time_ns()
    memo_file = memo_path(memo_dir, raw_dir) if memo_dir is not None else None
    memo = load_memo(memo_file) if memo_file is not None else {}
    fresh: dict[str, str] = {}
    docs = []
    # Symlinked directories are not descended into; a symlinked file is listed and judged by _refusal.
    # Sorted by path parts, as Path objects sort ("a/b" before "a-b").
    for parts, dir_entry in sorted(_walk(str(raw_dir), (), skipped), key=lambda item: item[0]):
        relpath = "/".join(parts)
        if parts[-1] in IGNORED_NAMES or parts[-1].startswith("."):  # _walk does not enter hidden directories
            continue
        path = raw_dir / relpath
        if problem := name_problem(relpath):  # never read: its name cannot be published (pipeline.raw.names)
            docs.append(RawDocument(path=path, relpath=shown(relpath), sha256="", manifest=None, refusal=(
                f"the file name {problem}, so it cannot be written safely into the package (its descriptor, "
                "tables and build report): rename the file")))
            continue
        entry = manifest.get(relpath)
        refusal, st = _refusal(path, root, limit, dir_entry.is_symlink())
        if refusal:
            docs.append(RawDocument(path=path, relpath=relpath, sha256="", manifest=entry, refusal=refusal))
            continue
        identity = file_identity(st)
        digest = memo_hit(memo, relpath, identity)
        if digest is None:
            try:
                digest = sha256_file(path)
            except OSError as exc:
                docs.append(RawDocument(path=path, relpath=relpath, sha256="", manifest=entry,
                                        refusal=f"cannot be read ({exc.strerror or exc}): refused"))
                continue
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
        write_memo(memo_file, fresh)
    return docs


def missing_from_disk(raw_dir: Path, docs: list[RawDocument] | None = None) -> list[str]:
    """Files the manifest lists that are not in ``raw_dir``.

    ``docs``: what :func:`discover` just returned; a file it read (not refused) is not looked up again.
    """
    return _missing(Path(raw_dir), load_manifest(Path(raw_dir)), docs or ())


def _missing(raw_dir: Path, manifest: Mapping[str, ManifestEntry], docs: Iterable[RawDocument]) -> list[str]:
    seen = {f.relpath for doc in docs for f in doc.files if f.refusal is None}
    return sorted(f for f in manifest if f not in seen and not os.path.isfile(os.path.join(raw_dir, f)))


def raw_fingerprint(raw_dir: Path, memo_dir: Path | None = None) -> str:
    """A hash of what is in ``raw_dir``: the manifest's sha256 and every document's relative path and sha256
    (for a file ``discover`` refuses to read, its reason, which gives its size).

    Independent of mtimes, so touching or re-copying a file without changing it does not trigger a build.
    With ``memo_dir`` (the sensor passes the cache folder) unchanged files are not read again: their sha256
    comes from :func:`pipeline.raw.discover.scan`'s memo, so a tick over 10,000 documents costs ~0.2 s, not 130 MB of
    hashing. A manifest that cannot be read makes the fingerprint its bytes' hash: no build can run until it is
    fixed, and fixing it changes the fingerprint.
    """
    raw_dir = Path(raw_dir)
    digest = hashlib.sha256()
    manifest = raw_dir / MANIFEST_NAME
    if manifest.is_file():
        digest.update(f"{MANIFEST_NAME}\0{sha256_file(manifest)}\n".encode("utf-8"))
    try:
        documents = scan(raw_dir, memo_dir=memo_dir).documents
    except ManifestError:
        return digest.hexdigest()
    for doc in (f for d in documents for f in d.files):
        digest.update(f"{doc.relpath}\0{doc.sha256 or 'refused: ' + str(doc.refusal)}\n".encode("utf-8"))
    return digest.hexdigest()
