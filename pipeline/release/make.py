"""Make a release: the current build becomes ``<out>/<version>/``, its zip and checksum, and ``latest.json``.

Under the build lock of the package (it cannot be republished while it is read) and a lock of ``<out>``:

1. the tables are written as single files, the raw files copied, into a staging folder ``<out>/.release.staging-*``;
2. the diff against the newest release in ``<out>`` gives the version (:mod:`pipeline.release.version`); no
   change at all gives no release;
3. descriptor, README, CITATION.cff, release notes and the diff are written, the folder checked
   (:mod:`pipeline.release.verify`) and ``SHA256SUMS`` written; an invalid release is discarded;
4. the staging folder is renamed to ``<out>/<version>`` by a rename that never replaces anything: a version
   made before is refused (exit 2), and so is a folder of that name that is not ours;
5. the zip and its ``.sha256`` are created as new files (never over a file), then ``latest.json`` is
   replaced, after checking it is the one a release wrote.

If the process dies after step 4, the release folder is complete and the next ``yusuan release`` makes the
missing zip, checksum and pointer from it (they depend on the folder's files only). Nothing here reads the
clock: the same package and previous release give byte-identical files.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.package.lock import build_lock
from pipeline.package.publish import PublishError, clean_leftovers, discard, make_staging_dir, publish_new
from pipeline.package.table_files import PARQUET_OPTIONS
from pipeline.release import layout
from pipeline.release.archive import write_sums, write_zip
from pipeline.release.citation import citation_cff
from pipeline.release.compare import ReleaseDiff, compare_releases
from pipeline.release.descriptor import check_doi, release_descriptor, release_id
from pipeline.release.errors import ReleaseError, ReleaseRefused
from pipeline.release.notes import release_notes
from pipeline.release.raw_files import copy_raw
from pipeline.release.readme import release_readme
from pipeline.release.tables import jemalloc_pool, sha256_of, write_tables
from pipeline.release.verify import verify_release
from pipeline.release.version import bump, next_version, reasons

STAGING_NAME = "release"  # staging folders: <out>/.release.staging-<random>
WRITTEN_BY = "yusuan release"


@dataclass
class Outcome:
    version: str | None  # None: nothing changed since ``previous``, nothing written
    previous: str | None
    folder: Path | None = None
    archive: Path | None = None
    diff: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)  # housekeeping done on the way, one line each


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _place(tmp: Path, final: Path) -> None:
    """Give the finished file ``tmp`` the name ``final``, which must be new (a hard link never replaces)."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise ReleaseRefused(f"{final} exists; refusing to replace it (releases are never overwritten)") from None


def _check_latest(path: Path) -> None:
    """Refuse up front if ``latest.json`` exists but is not a file a release wrote."""
    if not (path.exists() or path.is_symlink()):
        return
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if not path.is_symlink() else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        current = None
    if not isinstance(current, dict) or current.get("written_by") != WRITTEN_BY:
        raise ReleaseRefused(f"{path} exists and was not written by {WRITTEN_BY}; refusing to replace it "
                             "(move it away, then run yusuan release again)")


def _latest(out_dir: Path, version: str, descriptor: dict, archive_sha: str) -> list[str]:
    path = out_dir / layout.LATEST
    data = {
        "written_by": WRITTEN_BY,
        "description": f"The newest release of {descriptor.get('name')}. Pin a version by using its folder, "
                       "not this file.",
        "name": descriptor.get("name"),
        "version": version,
        "id": descriptor.get("id"),
        "created": descriptor.get("created"),
        "datapackage": f"{version}/{layout.DATAPACKAGE}",
        "notes": f"{version}/{layout.NOTES}",
        "archive": layout.archive_name(version),
        "archive_sha256": archive_sha,
        "releases": layout.releases(out_dir),
    }
    text = _dump(data)
    _check_latest(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return []
    tmp = out_dir / f".{layout.LATEST}.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)
    return [f"{path} names {version}"]


def finish(out_dir: Path, version: str) -> tuple[Path, list[str]]:
    """Make the zip and its checksum of release ``version`` if missing, and point ``latest.json`` at it."""
    folder = out_dir / version
    descriptor = json.loads((folder / layout.DATAPACKAGE).read_text(encoding="utf-8"))
    archive = out_dir / layout.archive_name(version)
    done = []
    if not archive.exists():
        work = make_staging_dir(out_dir / STAGING_NAME)
        try:
            tmp = work / archive.name
            write_zip(folder, tmp, layout.archive_root(version), descriptor.get("created"))
            _place(tmp, archive)
        finally:
            discard(work)
        done.append(f"wrote {archive}")
    digest = sha256_of(archive)[1].removeprefix("sha256:")
    sums = out_dir / layout.archive_sum_name(version)
    if not sums.exists():
        work = make_staging_dir(out_dir / STAGING_NAME)
        try:
            (work / sums.name).write_text(f"{digest}  {archive.name}\n", encoding="utf-8", newline="\n")
            _place(work / sums.name, sums)
        finally:
            discard(work)
    if layout.releases(out_dir)[-1] == version:
        done += _latest(out_dir, version, descriptor, digest)
    return archive, done


def _write_diff(staging: Path, result: ReleaseDiff) -> None:
    _write(staging / layout.DIFF_JSON, _dump(result.data))
    for table, rows in result.rows.items():
        pq.write_table(rows, staging / layout.diff_rows_path(table), **PARQUET_OPTIONS)


def _assemble(package_dir: Path, package: dict, raw_dir: Path, staging: Path, previous: str | None,
              out_dir: Path, doi: str | None, frictionless: bool) -> tuple[str | None, dict]:
    files = write_tables(package_dir, package, staging)
    copy_raw(list(package.get("sources", [])), raw_dir, staging)
    prev_dir = out_dir / previous if previous else None
    prev = json.loads((prev_dir / layout.DATAPACKAGE).read_text(encoding="utf-8")) if prev_dir else None
    result = compare_releases(prev_dir, prev, staging, release_descriptor(package, files, version="", id_=""))
    why = reasons(result.data) if prev else {"major": [], "minor": [], "patch": []}
    level = bump(why) if prev else None
    version = next_version(previous, level)
    if version is None:
        return None, result.data
    for existing in (out_dir / version, out_dir / layout.archive_name(version),
                     out_dir / layout.archive_sum_name(version)):
        if existing.exists() or existing.is_symlink():
            raise ReleaseRefused(f"{existing} exists: a release {version} was made before (or the name is taken) "
                                 "and releases are never overwritten; nothing was written")
    hashes = [f.hash for pair in files.values() for f in pair.values()]
    hashes += [str(s.get("version")) for s in package.get("sources", [])]
    descriptor = release_descriptor(package, files, version=version,
                                    id_=release_id(str(package.get("name")), version, hashes, doi))
    result.data.update({"to": version, "bump": level, "reasons": why})
    _write_diff(staging, result)
    keys = {t: r.get("schema", {}).get("primaryKey", []) for t, r in
            ((r["name"], r) for r in descriptor["resources"] if r.get("format") == "csv")}
    _write(staging / layout.DATAPACKAGE, _dump(descriptor))
    _write(staging / layout.README, release_readme(descriptor, {t: p["csv"].rows for t, p in files.items()}))
    _write(staging / layout.CITATION, citation_cff(descriptor))
    _write(staging / layout.NOTES, release_notes(descriptor, result.data, result.rows, keys))
    errors = verify_release(staging, sums=False, frictionless=frictionless)
    if errors:
        shown = "\n".join(f"  {e}" for e in errors[:30])
        raise ReleaseError(f"release {version} is invalid ({len(errors)} error(s)); nothing was published:\n{shown}")
    write_sums(staging)
    return version, result.data


def make_release(package_dir: Path, out_dir: Path, raw_dir: Path, *, doi: str | None = None, wait: float = 0,
                 frictionless: bool = False) -> Outcome:
    """Release the package in ``package_dir`` into ``out_dir`` (see the module docstring). Raises
    :class:`ReleaseError` (nothing released) or ``pipeline.package.lock.LockBusy``."""
    package_dir, out_dir, raw_dir = Path(package_dir), Path(out_dir), Path(raw_dir)
    descriptor_path = package_dir / layout.DATAPACKAGE
    if not descriptor_path.is_file():
        raise ReleaseRefused(f"{descriptor_path} does not exist: build the package first (`yusuan build`), or "
                             "pass --package DIR")
    if out_dir.exists() and not out_dir.is_dir():
        raise ReleaseRefused(f"--out {out_dir} exists and is not a directory")
    if not raw_dir.is_dir():
        raise ReleaseRefused(f"raw folder {raw_dir} does not exist (pass --raw DIR, the folder the package was "
                             "built from)")
    doi = check_doi(doi) if doi else None
    with build_lock(package_dir, wait=wait), build_lock(out_dir, wait=wait):
        done = clean_leftovers(out_dir / STAGING_NAME)
        _check_latest(out_dir / layout.LATEST)
        out_dir.mkdir(parents=True, exist_ok=True)
        versions = layout.releases(out_dir)
        previous = versions[-1] if versions else None
        if previous is not None:
            done += finish(out_dir, previous)[1]  # completes a release interrupted after its folder was made
        try:
            package = json.loads(descriptor_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReleaseRefused(f"{descriptor_path}: cannot read: {exc}") from exc
        staging = make_staging_dir(out_dir / STAGING_NAME)
        try:
            with jemalloc_pool():  # reading and writing every table twice: see tables.jemalloc_pool
                version, data = _assemble(package_dir, package, raw_dir, staging, previous, out_dir, doi,
                                          frictionless)
            if version is None:
                return Outcome(None, previous, diff=data, done=done)
            try:
                publish_new(staging, out_dir / version)
            except PublishError as exc:
                raise ReleaseRefused(f"{exc} (releases are never overwritten)") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                if staging.exists():
                    discard(staging)
        archive, finished = finish(out_dir, version)
        return Outcome(version, previous, out_dir / version, archive, data, done + finished)
