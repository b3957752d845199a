"""Validate a written data package before it is published.

Checks, each reported with the resource it concerns:

1. ``datapackage.json`` against the Data Package v2 JSON Schema profiles, read offline from
   ``pipeline/profiles/datapackage-v2/`` (each registered under its canonical URL, so no ``$ref`` can reach
   the network); each resource also against the Data Resource profile and its inline schema against the
   Table Schema profile;
2. the descriptor agrees with the metadata model (one CSV and one Parquet resource per table, schemas equal);
3. each resource's ``bytes`` and ``hash`` against the file;
4. the rows, vectorised with pyarrow (:mod:`pipeline.arrow_checks`): types as read back from the CSV text,
   constraints, primary keys, foreign keys; each Parquet file's Arrow schema against the metadata model and
   its rows against the CSV's, exactly (numbers as ``decimal128``, never floats);
5. optionally (``frictionless=True``) ``frictionless.validate`` on the package, the reference implementation
   of 4 (tests run both on small packages, so the two cannot drift apart).

Notes on frictionless 5.21 with Data Package v2 descriptors (what the writer does about them):

* ``"$schema"`` keys (package and inline Table Schemas) are accepted; v2 ``"type": "table"`` too.
* frictionless never reads a Parquet file's bytes (pyarrow opens the path), so its ``stats.bytes`` is None
  and a stated ``bytes`` fails with "byte-count ... actual is None". Parquet resources therefore carry
  ``hash`` but no ``bytes``; frictionless skips the hash check when it has no actual hash, and check 4 here
  verifies the hash.
* frictionless reads Parquet through ``to_pandas()``, which turns an int64 column holding nulls into float64
  NaN that it rejects as "not an integer". The Parquet files carry a ``pandas`` metadata hint making integer
  columns pandas ``Int64`` (see ``TableMeta.parquet_schema``). ``decimal128`` (-> ``Decimal``), ``date32``
  (-> ``datetime.date``), strings and booleans are read fine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import frictionless
import jsonschema
from referencing import Registry, Resource

from pipeline import arrow_checks
from pipeline.metadata import TableMeta, load_tables
from pipeline.package import (
    DATAPACKAGE_PROFILE,
    PARQUET_SUFFIX,
    csv_resource_path,
    file_stats,
    parquet_resource_path,
)
from pipeline.paths import SCHEMAS_DIR

PROFILES_DIR = Path(__file__).resolve().parent / "profiles" / "datapackage-v2"
PROFILE_BASE_URL = "https://datapackage.org/profiles/2.0/"
PROFILE_NAMES = ("datapackage", "dataresource", "tableschema", "tabledialect")


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


# -- JSON Schema profiles -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _profiles() -> tuple[Registry, dict[str, dict]]:
    contents = {}
    for name in PROFILE_NAMES:
        contents[name] = json.loads((PROFILES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        (PROFILE_BASE_URL + f"{name}.json", Resource.from_contents(body)) for name, body in contents.items()
    )
    return registry.crawl(), contents


def _profile_validator(name: str) -> jsonschema.protocols.Validator:
    registry, contents = _profiles()
    schema = contents[name]
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


def _profile_errors(instance: Any, profile: str, where: str) -> list[str]:
    out = []
    validator = _profile_validator(profile)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        at = "/".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(f"{where}: not valid against the v2 {profile} profile at {at}: {error.message[:300]}")
    return out


def check_profiles(descriptor: Any) -> list[str]:
    errors = []
    if not isinstance(descriptor, dict):
        return ["datapackage.json: not a JSON object"]
    if descriptor.get("$schema") != DATAPACKAGE_PROFILE:
        errors.append(f"datapackage.json: '$schema' is {descriptor.get('$schema')!r}, expected {DATAPACKAGE_PROFILE!r}")
    errors += _profile_errors(descriptor, "datapackage", "datapackage.json")
    for i, res in enumerate(descriptor.get("resources") or []):
        if not isinstance(res, dict):
            continue
        where = f"resource {res.get('name', i)!r}"
        errors += _profile_errors(res, "dataresource", where)
        if isinstance(res.get("schema"), dict):
            errors += _profile_errors(res["schema"], "tableschema", where + " schema")
    return errors


# -- descriptor vs metadata model ---------------------------------------------------------------------------


def _check_model(resources: dict[str, dict], metas: dict[str, TableMeta]) -> list[str]:
    errors = []
    expected: dict[str, tuple[str, dict]] = {}
    for meta in metas.values():
        expected[meta.name] = (csv_resource_path(meta.name), meta.frictionless_schema())
        expected[meta.name + PARQUET_SUFFIX] = (
            parquet_resource_path(meta.name),
            meta.frictionless_schema(resource_suffix=PARQUET_SUFFIX),
        )
    for name in expected:
        if name not in resources:
            errors.append(f"resource {name!r}: missing from datapackage.json")
    for name, res in resources.items():
        if name not in expected:
            errors.append(f"resource {name!r}: not a table of the metadata model")
            continue
        path, schema = expected[name]
        if res.get("path") != path:
            errors.append(f"resource {name!r}: path is {res.get('path')!r}, expected {path!r}")
        if res.get("schema") != schema:
            errors.append(f"resource {name!r}: inline schema differs from the metadata model (schemas/)")
    return errors


# -- files ----------------------------------------------------------------------------------------------------


def _resolve(base: Path, name: str, res: dict) -> tuple[Path | None, str | None]:
    path = res.get("path")
    if not isinstance(path, str) or not path:
        return None, f"resource {name!r}: no single 'path'"
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "://" in path:
        return None, f"resource {name!r}: path {path!r} is not inside the package"
    full = base.joinpath(*pure.parts)
    if not full.is_file():
        return None, f"resource {name!r}: file {path} not found"
    return full, None


def _check_file(name: str, res: dict, path: Path) -> list[str]:
    errors = []
    size, digest = file_stats(path)
    if "bytes" in res and res["bytes"] != size:
        errors.append(f"resource {name!r}: 'bytes' is {res['bytes']}, but {res['path']} has {size} bytes")
    if "hash" not in res:
        errors.append(f"resource {name!r}: no 'hash'")
    elif res["hash"] != digest:
        errors.append(f"resource {name!r}: 'hash' is {res['hash']!r}, but {res['path']} has {digest!r}")
    return errors


# -- frictionless -----------------------------------------------------------------------------------------------


def _frictionless_errors(descriptor_path: Path) -> list[str]:
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
    descriptor_path: Path, *, schemas_dir: Path = SCHEMAS_DIR, frictionless: bool = False
) -> ValidationReport:
    """Run every check on the package whose ``datapackage.json`` is ``descriptor_path``; never raises for bad data.

    The row checks are :mod:`pipeline.arrow_checks` (vectorised, the build's gate). ``frictionless=True``
    also runs ``frictionless.validate`` on the package -- the reference the Arrow checks are tested against
    on small packages; far too slow for a large corpus (~50k rows/s for CSV, 7x slower for Parquet).
    """
    descriptor_path = Path(descriptor_path)
    base = descriptor_path.parent
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ValidationReport(ok=False, errors=[f"{descriptor_path}: cannot read: {exc}"])

    errors = check_profiles(descriptor)
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
    errors += _check_model(resources, metas)

    paths: dict[str, Path] = {}
    for name, res in resources.items():
        path, error = _resolve(base, name, res)
        if error:
            errors.append(error)
            continue
        paths[name] = path
        errors += _check_file(name, res, path)

    table_errors, stats = arrow_checks.check_tables(metas, paths, PARQUET_SUFFIX)
    errors += table_errors

    if frictionless:
        errors += _frictionless_errors(descriptor_path)
    return ValidationReport(ok=not errors, errors=errors, stats=stats)
