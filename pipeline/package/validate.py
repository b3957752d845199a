"""Validate a written data package before it is published.

Checks, each reported with the resource it concerns:

1. ``datapackage.json`` against the Data Package v2 JSON Schema profiles (:mod:`pipeline.package.profile_check`);
2. the descriptor agrees with the metadata model (one CSV and one Parquet resource per table, schemas equal,
   the same parts for every resource: ``path`` lists the part files, ``parts`` gives each one's ``bytes``,
   ``hash``, ``rows`` and ``documentIds`` range, see :mod:`pipeline.build.parts`);
3. each part file's ``bytes`` and ``hash``;
4. the rows, vectorised with pyarrow (:mod:`pipeline.package.arrow_checks`), part by part (each part is a complete
   package of its documents): types as read back from the CSV text, constraints, primary keys, foreign keys;
   each Parquet file's Arrow schema against the metadata model and its rows against the CSV's, exactly
   (numbers as ``decimal128``, never floats); the part's documents are the ``documentIds`` range stated, and
   the ranges increase strictly from part to part, so keys (which all begin with ``document_id``) are unique
   across parts too;
5. optionally (``frictionless=True``) ``frictionless.validate`` on the package, the reference implementation
   of 4 (tests run both on small packages, so the two cannot drift apart).

Notes on frictionless 5.21 with Data Package v2 descriptors (what the writer does about them):

* ``"$schema"`` keys (package and inline Table Schemas) are accepted; v2 ``"type": "table"`` too.
* multi-part CSV resources are read as one table (each part's header row is skipped after the first part).
  A multi-part *Parquet* resource is read from its first file only (frictionless hands the first path to
  pyarrow): frictionless validates only part 1 of Parquet resources, and check 4 here covers all of them.
* sizes and hashes are stated per part file (``parts``), not for the resource: frictionless would compare a
  resource-level ``hash`` with the hash of the concatenated parts, which is no file anyone downloads.
* "trusted parts": a build may pass, for parts whose files it linked from a rendering validated by an earlier
  build, the records of those files; a part is then not read again if every staged file is still the
  recorded inode with the recorded size and modification time (and the descriptor states the recorded
  hash). Anything else is checked in full.
* frictionless reads Parquet through ``to_pandas()``, which turns an int64 column holding nulls into float64
  NaN that it rejects as "not an integer". The Parquet files carry a ``pandas`` metadata hint making integer
  columns pandas ``Int64`` (see ``TableMeta.parquet_schema``). ``decimal128`` (-> ``Decimal``), ``date32``
  (-> ``datetime.date``), strings and booleans are read fine.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.build import parts
from pipeline.metadata.schemas import TableMeta, load_tables
from pipeline.package import arrow_checks
from pipeline.package.descriptor import PARQUET_SUFFIX, PARTS_KEY
from pipeline.package.profile_check import check_profiles
from pipeline.package.table_files import file_stats
from pipeline.paths import SCHEMAS_DIR


@dataclass
class ValidationReport:
    ok: bool
    errors: list[str] = field(default_factory=list)
    # Rows per table (from the CSV), for logging.
    stats: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.ok:
            return f"valid ({sum(self.stats.values())} rows in {len(self.stats)} tables)"
        return f"{len(self.errors)} validation error(s):\n" + "\n".join(f"- {e}" for e in self.errors)


# Nesting no descriptor needs (a package's is 7 deep): deeper is refused before any recursive check meets it.
MAX_DEPTH = 64


def _too_deep(value: Any) -> bool:
    """Whether ``value`` (parsed JSON) nests more than :data:`MAX_DEPTH` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


# Parts checked at once: each check holds one part (a few hundred documents) in memory.
PART_THREADS = 2


# -- descriptor vs metadata model ---------------------------------------------------------------------------


def _check_model(resources: dict[str, dict], metas: dict[str, TableMeta]) -> tuple[list[str], int | None]:
    """Errors, and the number of parts every resource has (None when that cannot be told)."""
    errors = []
    expected: dict[str, tuple[Any, dict]] = {}
    for meta in metas.values():
        expected[meta.name] = (partial(parts.csv_part_path, meta.name), meta.frictionless_schema())
        expected[meta.name + PARQUET_SUFFIX] = (
            partial(parts.parquet_part_path, meta.name),
            meta.frictionless_schema(resource_suffix=PARQUET_SUFFIX),
        )
    for name in expected:
        if name not in resources:
            errors.append(f"resource {name!r}: missing from datapackage.json")
    counts = set()
    for name, res in resources.items():
        if name not in expected:
            errors.append(f"resource {name!r}: not a table of the metadata model")
            continue
        part_path, schema = expected[name]
        paths = res.get("path")
        if not isinstance(paths, list) or not paths:
            errors.append(f"resource {name!r}: 'path' must be the list of its part files")
        else:
            counts.add(len(paths))
            want = [part_path(i) for i in range(len(paths))]
            if paths != want:
                errors.append(f"resource {name!r}: path is {paths[:3]!r}{'…' if len(paths) > 3 else ''}, expected "
                              f"{want[:3]!r}{'…' if len(want) > 3 else ''}")
            listed = res.get(PARTS_KEY)
            if not isinstance(listed, list) or [p.get("path") if isinstance(p, dict) else None for p in listed] != paths:
                errors.append(f"resource {name!r}: '{PARTS_KEY}' must list every file of 'path', in order")
        if res.get("schema") != schema:
            errors.append(f"resource {name!r}: inline schema differs from the metadata model (schemas/)")
    if len(counts) > 1:
        errors.append(f"resources have different numbers of parts: {sorted(counts)}")
    return errors, (counts.pop() if len(counts) == 1 else None)


# -- files ----------------------------------------------------------------------------------------------------


def _resolve(base: Path, name: str, path: Any, real: dict[str, str]) -> tuple[Path | None, os.stat_result | None, str | None]:
    """The part file's full path and ``os.stat``, or an error; string checks (thousands of parts per build).

    A part must be a file inside the package: a symbolic link (the file or a folder above it) that leads out of
    the package is an error. ``real`` caches the resolved package folder (key ``""``) and part folders.
    """
    if not isinstance(path, str) or not path:
        return None, None, f"resource {name!r}: a part path is not a string"
    segments = path.split("/")
    if path.startswith("/") or ".." in segments or "://" in path or "\\" in path:
        return None, None, f"resource {name!r}: path {path!r} is not inside the package"
    full = os.path.join(base, *segments)
    try:
        st = os.stat(full)
        link = stat.S_ISLNK(os.lstat(full).st_mode)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        return None, None, f"resource {name!r}: file {path} not found"
    folder = os.path.dirname(full)
    if folder not in real:
        real[folder] = os.path.realpath(folder)
    target = os.path.realpath(full) if link else os.path.join(real[folder], segments[-1])
    if not target.startswith(real[""] + os.sep):
        return None, None, f"resource {name!r}: {path} leads outside the package (to {target})"
    return Path(full), st, None


def _check_file(name: str, part: dict, path: Path) -> list[str]:
    errors = []
    size, digest = file_stats(path)
    if part.get("bytes") != size:
        errors.append(f"resource {name!r}: 'bytes' of {part['path']} is {part.get('bytes')}, but it has {size} bytes")
    if part.get("hash") != digest:
        errors.append(f"resource {name!r}: 'hash' of {part['path']} is {part.get('hash')!r}, but it has {digest!r}")
    return errors


def _is_trusted(part: dict, st: os.stat_result, record: dict | None) -> bool:
    """The staged file is the recorded, already validated file: same inode, size, mtime and stated hash."""
    if not record:
        return False
    return (st.st_ino, st.st_size, st.st_mtime_ns) == (record.get("ino"), record.get("bytes"), record.get("mtime_ns")) \
        and part.get("hash") == record.get("hash") and part.get("bytes") == record.get("bytes")


def _document_ids(path: Path) -> list[str] | None:
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            include_columns=["document_id"], column_types={"document_id": pa.string()}))
    except (pa.ArrowInvalid, OSError):
        return None  # the row checks report why
    return table.column("document_id").to_pylist()


def _check_ranges(resources: dict[str, dict], n_parts: int) -> tuple[list[str], list[Any]]:
    """Each part's stated ``documentIds`` range is the same in every resource and increases strictly from part
    to part; returns the errors and each part's stated range (checked against its rows later)."""
    errors = []
    ranges = []
    for i in range(n_parts):
        stated = {json.dumps(res[PARTS_KEY][i].get("documentIds")) for res in resources.values()}
        if len(stated) != 1:
            errors.append(f"part {parts.part_name(i)}: resources state different documentIds ranges")
        rng = resources["documents"][PARTS_KEY][i].get("documentIds")
        ranges.append(rng)
        pair = isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, str) for x in rng)
        if not (rng == [] and n_parts == 1 or pair and rng[0] <= rng[1]):
            errors.append(f"part {parts.part_name(i)}: documentIds {rng!r} is not a [first, last] range")
    for i in range(1, n_parts):
        prev, cur = ranges[i - 1], ranges[i]
        if all(isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in (prev, cur)) \
                and not prev[1] < cur[0]:
            errors.append(f"parts {parts.part_name(i - 1)} and {parts.part_name(i)}: document ranges {prev} and {cur} "
                          "overlap or are out of order")
    return errors, ranges


# -- frictionless -----------------------------------------------------------------------------------------------


def _frictionless_errors(descriptor_path: Path) -> list[str]:
    import frictionless  # only here: importing it costs ~0.1 s a build that does not use it

    try:
        report = frictionless.validate(str(descriptor_path))
    except Exception as exc:  # noqa: BLE001 - frictionless raises on unreadable descriptors
        return [f"frictionless: cannot validate {descriptor_path.name}: {exc}"]
    if report.valid:
        return []
    errors = [f"frictionless: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        for e in task.errors:
            errors.append(f"resource {task.name!r}: frictionless {e.type}: {e.message}")
    return errors


# -- entry point ------------------------------------------------------------------------------------------------


def validate_package(
    descriptor_path: Path, *, schemas_dir: Path = SCHEMAS_DIR, frictionless: bool = False,
    trusted: Mapping[int, Mapping[str, Any]] | None = None, memo_dir: Path | None = None,
) -> ValidationReport:
    """Run every check on the package whose ``datapackage.json`` is ``descriptor_path``; never raises for bad data.

    The row checks are :mod:`pipeline.package.arrow_checks` (vectorised, the build's gate). ``frictionless=True``
    also runs ``frictionless.validate`` on the package -- the reference the Arrow checks are tested against
    on small packages; far too slow for a large corpus (~50k rows/s for CSV, 7x slower for Parquet).
    ``trusted`` maps part indexes to ``package.PartFiles.tables`` records of files validated before (see the
    module docstring); a part is skipped only if each of its files still matches its record. ``memo_dir``: see
    :func:`check_profiles`.
    """
    descriptor_path = Path(descriptor_path)
    base = descriptor_path.parent
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ValidationReport(ok=False, errors=[f"{descriptor_path}: cannot read: {exc}"])
    except RecursionError:
        descriptor = None
    if descriptor is None or _too_deep(descriptor):
        return ValidationReport(ok=False, errors=[f"{descriptor_path}: nested more than {MAX_DEPTH} levels deep; a "
                                                  "data package descriptor is far shallower"])

    errors = check_profiles(descriptor, memo_dir=memo_dir)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return ValidationReport(ok=False, errors=errors or ["datapackage.json: no 'resources' list"])

    resources: dict[str, dict] = {}
    for i, res in enumerate(descriptor["resources"]):
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str):
            errors.append(f"resource #{i}: no name")
        elif name in resources:
            errors.append(f"resource {name!r}: name used twice")
        else:
            resources[name] = res

    metas = load_tables(schemas_dir)
    model_errors, n_parts = _check_model(resources, metas)
    errors += model_errors
    if model_errors or n_parts is None:
        return ValidationReport(ok=False, errors=errors)
    range_errors, ranges = _check_ranges(resources, n_parts)
    errors += range_errors

    trusted = trusted or {}
    real = {"": os.path.realpath(base)}  # resolved folders of the package (_resolve)

    def check_part(i: int) -> tuple[list[str], dict[str, int]]:
        found: list[str] = []
        record = trusted.get(i) or {}
        part_paths: dict[str, Path] = {}
        all_trusted = bool(record)
        for name, res in resources.items():
            part = res[PARTS_KEY][i]
            path, st, error = _resolve(base, name, part.get("path"), real)
            if error:
                found.append(error)
                all_trusted = False
                continue
            part_paths[name] = path
            table = name[: -len(PARQUET_SUFFIX)] if name.endswith(PARQUET_SUFFIX) else name
            kind = "parquet" if name.endswith(PARQUET_SUFFIX) else "csv"
            if _is_trusted(part, st, (record.get(table) or {}).get(kind)):
                continue
            all_trusted = False
            found += _check_file(name, part, path)
        if all_trusted:
            return found, {name: resources[name][PARTS_KEY][i].get("rows", 0) for name in metas}
        where = parts.part_name(i) if n_parts > 1 else ""
        table_errors, part_stats = arrow_checks.check_tables(metas, part_paths, PARQUET_SUFFIX, where)
        found += table_errors
        for name, rows in part_stats.items():
            stated = resources[name][PARTS_KEY][i].get("rows")
            if stated != rows:
                found.append(f"resource {name!r}: 'rows' of {resources[name][PARTS_KEY][i]['path']} is {stated}, "
                             f"but it has {rows}")
        if "documents" in part_paths:
            ids = _document_ids(part_paths["documents"])
            rng = ranges[i]
            if ids is not None and ids[:1] + ids[-1:] != rng:
                found.append(f"part {parts.part_name(i)}: its documents run from {ids[:1]} to {ids[-1:]}, but "
                             f"documentIds says {rng!r}")
            if ids is not None and ids != sorted(ids):
                found.append(f"part {parts.part_name(i)}: documents are not in document_id order")
        return found, part_stats

    # Parts are independent: PART_THREADS at a time (Arrow releases the GIL), results in part order.
    stats: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=PART_THREADS) as pool:
        for found, part_stats in pool.map(check_part, range(n_parts)):
            errors += found
            for name, rows in part_stats.items():
                stats[name] = stats.get(name, 0) + rows

    if frictionless:
        errors += _frictionless_errors(descriptor_path)
    return ValidationReport(ok=not errors, errors=errors, stats=stats)
