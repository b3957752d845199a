"""Check a release folder: what ``yusuan release`` runs before it publishes, and ``yusuan validate`` on a
release.

1. ``datapackage.json`` against the Data Package v2 profiles;
2. every resource names one file inside the folder; every CSV resource has ``bytes`` and ``hash``, every
   Parquet resource ``hash`` (and no ``bytes``, which frictionless 5.21 cannot check for Parquet); both are
   true; each table has its CSV and its Parquet resource;
3. the rows, with the build's vectorised checks (:mod:`pipeline.package.arrow_checks`) against the release's
   own Table Schemas: types, constraints, primary and foreign keys, Parquet rows equal to CSV rows;
4. every ``sources[].path`` is a file of the folder with the SHA-256 its ``version`` states, and every
   ``documents.source_file`` (and ``document_files.file``: every file of a disclosure published as several) is
   such a file (``raw/<file>``) with the SHA-256 the table states;
5. ``SHA256SUMS`` lists every other file with its true hash (once it is written);
6. optionally ``frictionless validate``, the reference (slow on large releases).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.package import arrow_checks
from pipeline.package.descriptor import PARQUET_SUFFIX
from pipeline.package.profile_check import check_profiles
from pipeline.release import layout
from pipeline.release.archive import check_sums
from pipeline.release.descriptor import table_metas
from pipeline.release.tables import sha256_of


def _inside(folder: Path, rel) -> Path | None:
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel or "://" in rel \
            or ".." in rel.split("/"):
        return None
    path = folder.joinpath(*rel.split("/"))
    return path if path.is_file() and not path.is_symlink() else None


def _files(folder: Path, descriptor: dict) -> tuple[list[str], dict[str, Path]]:
    errors, paths = [], {}
    metas = table_metas(descriptor)
    names = {r.get("name") for r in descriptor.get("resources", []) if isinstance(r, dict)}
    for table in metas:
        if table + PARQUET_SUFFIX not in names:
            errors.append(f"table {table!r}: no Parquet resource {table + PARQUET_SUFFIX!r}")
    for res in descriptor.get("resources", []):
        name = res.get("name")
        path = _inside(folder, res.get("path"))
        if path is None:
            errors.append(f"resource {name!r}: 'path' {res.get('path')!r} is not one file inside the release")
            continue
        paths[name] = path
        size, digest = sha256_of(path)
        parquet = res.get("format") == "parquet"
        if parquet and "bytes" in res:
            errors.append(f"resource {name!r}: a Parquet resource states no 'bytes' (frictionless 5.21 fails them)")
        if not parquet and res.get("bytes") != size:
            errors.append(f"resource {name!r}: 'bytes' is {res.get('bytes')}, but {res['path']} has {size} bytes")
        if res.get("hash") != digest:
            errors.append(f"resource {name!r}: 'hash' is {res.get('hash')!r}, but {res['path']} has {digest!r}")
    return errors, paths


def _sources(folder: Path, descriptor: dict, documents: Path | None, files: Path | None = None) -> list[str]:
    errors, hashes = [], {}
    for s in descriptor.get("sources", []):
        path = _inside(folder, s.get("path"))
        if path is None:
            errors.append(f"source {s.get('path')!r}: not a file inside the release")
            continue
        hashes[s["path"]] = digest = sha256_of(path)[1]
        if s.get("version") != digest:
            errors.append(f"source {s['path']}: 'version' is {s.get('version')!r}, but the file has {digest!r}")
    cited = []  # (column, file, sha256) of every raw file a row cites
    if documents is not None:
        table = pq.read_table(documents, columns=["source_file", "source_sha256"])
        cited += [("documents.source_file", f, sha) for f, sha in
                  zip(table["source_file"].to_pylist(), table["source_sha256"].to_pylist())]
    if files is not None:
        table = pq.read_table(files, columns=["file", "sha256"])
        cited += [("document_files.file", f, sha) for f, sha in
                  zip(table["file"].to_pylist(), table["sha256"].to_pylist())]
    for column, source_file, sha in cited:
        rel = f"{layout.RAW_DIR}/{source_file}"
        if rel not in hashes and _inside(folder, rel) is not None:
            hashes[rel] = sha256_of(folder / rel)[1]
        if rel not in hashes:
            errors.append(f"{column} {source_file!r}: {rel} is not in the release")
        elif hashes[rel] != f"sha256:{sha}":
            errors.append(f"{column} {source_file!r}: the file's SHA-256 is not the one the table states")
    return errors


def _frictionless_errors(descriptor_path: Path) -> list[str]:
    import frictionless  # slow to import; only when asked

    report = frictionless.validate(str(descriptor_path))
    errors = [f"frictionless: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        errors += [f"resource {task.name!r}: frictionless {e.type}: {e.message}" for e in task.errors]
    return errors


def verify_release(folder: Path, *, sums: bool = True, frictionless: bool = False) -> list[str]:
    """Every problem found in the release folder (none: it is valid)."""
    folder = Path(folder)
    descriptor_path = folder / layout.DATAPACKAGE
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{descriptor_path}: cannot read: {exc}"]
    errors = check_profiles(descriptor)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return errors or [f"{descriptor_path}: no 'resources' list"]
    for key in ("id", "version"):
        if not isinstance(descriptor.get(key), str):
            errors.append(f"datapackage.json: no {key!r}")
    file_errors, paths = _files(folder, descriptor)
    errors += file_errors
    if not file_errors:
        row_errors, _ = arrow_checks.check_tables(table_metas(descriptor), paths, PARQUET_SUFFIX)
        errors += row_errors
    errors += _sources(folder, descriptor, paths.get("documents" + PARQUET_SUFFIX),
                       paths.get("document_files" + PARQUET_SUFFIX))
    if sums:
        errors += check_sums(folder)
    if frictionless and not errors:
        errors += _frictionless_errors(descriptor_path)
    return errors
