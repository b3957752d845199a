"""The metadata model: the Table Schemas in ``schemas/`` and the package metadata in ``schemas/package.json``.

Everything the ``out`` layer writes about the tables (the Frictionless descriptor, the Parquet schemas, the
package README) is generated from this model, so the published metadata cannot disagree with the schemas.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.paths import SCHEMAS_DIR

TABLE_ORDER: tuple[str, ...] = (
    "documents",
    "document_files",
    "organisation_units",
    "responsibilities",
    "budget_lines",
    "summary_lines",
    "function_lines",
    "economic_lines",
    "classification_codes",
    "three_public_expenses",
    "performance_activities",
    "performance_indicators",
    "procurement_items",
    "fixed_assets",
    "glossary",
    "document_sections",
    "checks",
)

SCHEMA_SUFFIX = ".schema.json"
PACKAGE_METADATA_NAME = "package.json"
TABLESCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

# Exact decimal for `number` fields: amounts and quantities never pass through binary floats.
DECIMAL_PRECISION = 24
DECIMAL_SCALE = 6
# A `number` field with the property "decimalPlaces": n (the amounts: n = 2, yuan with fen) is written with
# exactly n decimals in the CSV and as decimal128(AMOUNT_PRECISION, n) in Parquet: 18 digits fit a 64-bit
# integer of fen, the natural type of DuckDB's DECIMAL(18, 2), and hold any budget (< 10^16 yuan).
DECIMAL_PLACES_KEY = "decimalPlaces"
AMOUNT_PRECISION = 18

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}

# Keys of a schema file that describe the table rather than belong to the Table Schema proper.
_TABLE_KEYS = ("name", "title", "description")
_SCHEMA_KEYS = ("fields", "missingValues", "primaryKey", "foreignKeys")


class MetadataError(ValueError):
    """``schemas/`` does not hold the expected, well-formed Table Schemas."""


@dataclass(frozen=True)
class FieldMeta:
    name: str
    type: str
    title: str
    description: str
    required: bool
    descriptor: dict[str, Any] = field(repr=False)

    @property
    def decimal_places(self) -> int | None:
        """The fixed number of decimals of a ``number`` field (``decimalPlaces``), or None (as printed)."""
        return self.descriptor.get(DECIMAL_PLACES_KEY)

    @property
    def arrow_type(self) -> pa.DataType:
        if self.decimal_places is not None:
            return pa.decimal128(AMOUNT_PRECISION, self.decimal_places)
        return _ARROW_TYPES[self.type]


@dataclass(frozen=True)
class TableMeta:
    """One table: its name, title and description, and its Table Schema (fields, missingValues, keys)."""

    name: str
    title: str
    description: str
    schema: dict[str, Any] = field(repr=False)

    @property
    def fields(self) -> tuple[FieldMeta, ...]:
        out = []
        for f in self.schema["fields"]:
            out.append(
                FieldMeta(
                    name=f["name"],
                    type=f.get("type", "string"),
                    title=f.get("title", ""),
                    description=f.get("description", ""),
                    required=bool(f.get("constraints", {}).get("required", False)),
                    descriptor=f,
                )
            )
        return tuple(out)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f["name"] for f in self.schema["fields"])

    @property
    def field_types(self) -> dict[str, str]:
        return {f["name"]: f.get("type", "string") for f in self.schema["fields"]}

    @property
    def primary_key(self) -> list[str]:
        pk = self.schema.get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    @property
    def foreign_keys(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.schema.get("foreignKeys", []))

    def frictionless_schema(self, *, resource_suffix: str = "") -> dict[str, Any]:
        """The inline Table Schema of a resource (Table Schema v2), as a fresh dict.

        ``resource_suffix`` is appended to the resources the foreign keys reference, so that the Parquet
        resources (``<table>_parquet``) reference each other rather than the CSV resources.
        """
        out: dict[str, Any] = {"$schema": TABLESCHEMA_PROFILE}
        for key in _SCHEMA_KEYS:
            if key not in self.schema:
                continue
            value = copy.deepcopy(self.schema[key])
            if key == "foreignKeys":
                for fk in value:
                    ref = fk["reference"]
                    # An empty resource name means "this resource" in Table Schema; keep it as is.
                    if ref.get("resource"):
                        ref["resource"] = ref["resource"] + resource_suffix
            out[key] = value
        return out

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the table's Parquet file (without metadata); required fields are non-nullable."""
        return pa.schema(
            [
                pa.field(f.name, f.arrow_type, nullable=not f.required)
                for f in self.fields
            ]
        )

    def parquet_schema(self) -> pa.Schema:
        """``arrow_schema()`` plus a ``pandas`` metadata hint that integer columns are pandas ``Int64``.

        Without the hint ``pyarrow``'s ``to_pandas()`` turns an int64 column holding nulls into float64 (NaN
        for null, every amount a binary float). frictionless reads Parquet exactly that way (``pq.read_table``
        -> ``to_pandas()``) and then rejects ``nan`` as "not an integer". With the hint the column becomes the
        nullable ``Int64`` extension dtype: values stay Python ints, nulls become ``None``. Only the integer
        columns are listed; pyarrow needs no entry for the others. The hint is written by hand (no pandas or
        library versions), so the bytes stay deterministic.
        """
        columns = [
            {"name": f.name, "field_name": f.name, "pandas_type": "int64", "numpy_type": "Int64", "metadata": None}
            for f in self.fields
            if f.type == "integer"
        ]
        hint = {"index_columns": [], "column_indexes": [], "columns": columns}
        return self.arrow_schema().with_metadata({b"pandas": json.dumps(hint, sort_keys=True).encode("utf-8")})


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{path}: cannot read: {exc}") from exc


def _table_from_file(path: Path, expected_name: str) -> TableMeta:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: a Table Schema must be a JSON object")
    for key in (*_TABLE_KEYS, "fields"):
        if key not in data:
            raise MetadataError(f"{path}: missing top-level {key!r}")
    if data["name"] != expected_name:
        raise MetadataError(f"{path}: 'name' is {data['name']!r}, expected {expected_name!r} (the file name)")
    names = [f.get("name") for f in data["fields"]]
    if len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise MetadataError(f"{path}: field names must be unique non-empty strings, got {names}")
    for f in data["fields"]:
        ftype = f.get("type", "string")
        if ftype not in _ARROW_TYPES:
            raise MetadataError(
                f"{path}: field {f['name']!r} has type {ftype!r}; supported: {sorted(_ARROW_TYPES)}"
            )
        places = f.get(DECIMAL_PLACES_KEY)
        if places is not None and (ftype != "number" or not isinstance(places, int) or isinstance(places, bool)
                                   or not 0 <= places <= 6):
            raise MetadataError(f"{path}: field {f['name']!r}: {DECIMAL_PLACES_KEY} is for number fields, "
                                f"an integer 0..6; got {places!r} on a {ftype} field")
    pk = data.get("primaryKey", [])
    for name in [pk] if isinstance(pk, str) else pk:
        if name not in names:
            raise MetadataError(f"{path}: primaryKey names unknown field {name!r}")
    for fk in data.get("foreignKeys", []):
        for name in fk["fields"]:
            if name not in names:
                raise MetadataError(f"{path}: foreignKeys names unknown field {name!r}")
        if fk["reference"].get("resource") not in ("", *TABLE_ORDER):
            raise MetadataError(f"{path}: foreign key references unknown table {fk['reference'].get('resource')!r}")
    schema = {key: copy.deepcopy(data[key]) for key in _SCHEMA_KEYS if key in data}
    return TableMeta(name=data["name"], title=data["title"], description=data["description"], schema=schema)


def load_tables(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, TableMeta]:
    """Read the Table Schemas, ordered by ``TABLE_ORDER``; ``schemas_dir`` must hold exactly those tables."""
    schemas_dir = Path(schemas_dir)
    if not schemas_dir.is_dir():
        raise MetadataError(f"{schemas_dir}: schemas directory not found")
    found = {p.name[: -len(SCHEMA_SUFFIX)] for p in schemas_dir.glob(f"*{SCHEMA_SUFFIX}")}
    missing = [t for t in TABLE_ORDER if t not in found]
    extra = sorted(found - set(TABLE_ORDER))
    if missing or extra:
        raise MetadataError(
            f"{schemas_dir}: expected exactly the Table Schemas {list(TABLE_ORDER)}; "
            f"missing {missing}, unexpected {extra}"
        )
    tables = {name: _table_from_file(schemas_dir / f"{name}{SCHEMA_SUFFIX}", name) for name in TABLE_ORDER}
    for table in tables.values():
        for fk in table.schema.get("foreignKeys", []):
            target = tables.get(fk["reference"].get("resource") or table.name)
            for name in fk["reference"]["fields"]:
                if name not in target.field_names:
                    raise MetadataError(
                        f"{table.name}: foreign key references unknown field {target.name}.{name}"
                    )
    return tables


def load_package_metadata(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, Any]:
    """Package-level metadata (name, title, description, homepage, keywords, licenses, contributors).

    No ``version``: a build is not a release. ``yusuan release`` derives the version from the diff against the
    previous release (:mod:`pipeline.release.version`); a hand-typed one would never move.
    """
    path = Path(schemas_dir) / PACKAGE_METADATA_NAME
    data = _read_json(path)
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: package metadata must be a JSON object")
    if "version" in data:
        raise MetadataError(f"{path}: 'version' is set by `yusuan release`, not by hand; remove it")
    for key in ("name", "title", "description", "licenses"):
        if key not in data:
            raise MetadataError(f"{path}: missing {key!r}")
    return data

