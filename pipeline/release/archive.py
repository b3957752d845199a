"""``SHA256SUMS`` of a release folder and its zip, both byte-identical for the same files.

The zip holds the folder's files under ``yusuan-<version>/``, in path order, every entry stamped with the
release's date (the package's ``created``; zip times cannot be earlier than 1980), mode 0644, deflated at
zlib's default level: nothing in it depends on the clock, the file system's order or the umask.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from pipeline.release import layout
from pipeline.release.errors import ReleaseRefused
from pipeline.release.tables import sha256_of

EARLIEST = (1980, 1, 1, 0, 0, 0)


def release_files(folder: Path) -> list[str]:
    """Every file below ``folder`` but ``SHA256SUMS``, as sorted ``/``-separated relative paths."""
    out = []
    for path in folder.rglob("*"):
        if path.is_symlink() or (not path.is_file() and not path.is_dir()):
            raise ReleaseRefused(f"{path}: not a regular file; a release holds regular files only")
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            if "\n" in rel or "\\" in rel:
                raise ReleaseRefused(f"{rel!r}: a file name with a newline or backslash cannot be listed in "
                                     f"{layout.SUMS}")
            if rel != layout.SUMS:
                out.append(rel)
    return sorted(out)


def sums_text(folder: Path, files: list[str]) -> str:
    """``sha256sum`` format: ``<hex>  <path>`` per line."""
    return "".join(f"{sha256_of(folder / rel)[1].removeprefix('sha256:')}  {rel}\n" for rel in files)


def write_sums(folder: Path) -> list[str]:
    files = release_files(folder)
    (folder / layout.SUMS).write_text(sums_text(folder, files), encoding="utf-8", newline="\n")
    return files


def check_sums(folder: Path) -> list[str]:
    """Errors: a file of the folder not listed, a listed file missing or with another hash."""
    path = folder / layout.SUMS
    if not path.is_file():
        return [f"{layout.SUMS} is missing"]
    listed = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            return [f"{layout.SUMS}:{n}: not a sha256sum line"]
        listed[rel] = digest
    errors = []
    present = release_files(folder)
    for rel in present:
        if rel not in listed:
            errors.append(f"{rel}: not listed in {layout.SUMS}")
    for rel, digest in listed.items():
        if rel not in present:
            errors.append(f"{rel}: listed in {layout.SUMS} but missing")
        elif sha256_of(folder / rel)[1] != f"sha256:{digest}":
            errors.append(f"{rel}: its SHA-256 differs from {layout.SUMS}")
    return errors


def zip_time(created: str | None) -> tuple[int, int, int, int, int, int]:
    try:
        stamp = (int(created[0:4]), int(created[5:7]), int(created[8:10]),
                 int(created[11:13] or 0), int(created[14:16] or 0), int(created[17:19] or 0))
    except (TypeError, ValueError):
        return EARLIEST
    return max(stamp, EARLIEST)


def write_zip(folder: Path, target: Path, root: str, created: str | None) -> None:
    """Zip every file of ``folder`` (``SHA256SUMS`` included) into the new file ``target``."""
    stamp = zip_time(created)
    files = sorted([*release_files(folder), layout.SUMS])
    with target.open("xb") as raw, zipfile.ZipFile(raw, "w") as archive:
        for rel in files:
            info = zipfile.ZipInfo(f"{root}/{rel}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = 0o100644 << 16
            info.file_size = (folder / rel).stat().st_size
            with (folder / rel).open("rb") as src, archive.open(info, "w", force_zip64=info.file_size > 2**31) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
