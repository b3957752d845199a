"""The ``datapackage.json`` descriptor: package metadata, ``sources`` and one multi-part resource per table
and format, generated from the metadata model."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.metadata.schemas import TableMeta
from pipeline.package.rendered_parts import PartFiles

DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


PARQUET_SUFFIX = "_parquet"


CSV_MEDIATYPE = "text/csv"


PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


# Resource property listing each file of a multi-part resource with its size, hash, rows and document range.
PARTS_KEY = "parts"


# Package-level keys copied from schemas/package.json, in this order.
PACKAGE_KEYS = ("name", "title", "description", "version", "homepage", "keywords", "licenses", "contributors")


def _resource(meta: TableMeta, written: Sequence[PartFiles], *, parquet: bool) -> dict[str, Any]:
    kind = "parquet" if parquet else "csv"
    records = [part.tables[meta.name] for part in written]
    res: dict[str, Any] = {
        "name": meta.name + PARQUET_SUFFIX if parquet else meta.name,
        "type": "table",
        "path": [rec[kind]["path"] for rec in records],
        "format": kind,
        "mediatype": PARQUET_MEDIATYPE if parquet else CSV_MEDIATYPE,
    }
    if not parquet:
        res["encoding"] = "utf-8"
    res["title"] = meta.title + (" (Parquet)" if parquet else "")
    res["description"] = meta.description
    # Each file's size and hash; `bytes`/`hash` of the resource itself would describe the concatenation, which
    # no reader downloads. validate.py checks these.
    res[PARTS_KEY] = [
        {"path": rec[kind]["path"], "bytes": rec[kind]["bytes"], "hash": rec[kind]["hash"], "rows": rec["rows"],
         "documentIds": [part.first, part.last] if part.first is not None else []}
        for part, rec in zip(written, records)
    ]
    res["schema"] = meta.frictionless_schema(resource_suffix=PARQUET_SUFFIX if parquet else "")
    return res


def build_descriptor(
    tables: Mapping[str, TableMeta],
    package_meta: Mapping[str, Any],
    written: Sequence[PartFiles],
    *,
    sources: list[dict],
    created: str | None,
) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"$schema": DATAPACKAGE_PROFILE}
    for key in PACKAGE_KEYS:
        if key in package_meta:
            descriptor[key] = package_meta[key]
    if created is not None:
        descriptor["created"] = created
    descriptor["sources"] = list(sources)
    # All CSV resources in TABLE_ORDER, then all Parquet resources in TABLE_ORDER.
    descriptor["resources"] = [_resource(m, written, parquet=False) for m in tables.values()] + [
        _resource(m, written, parquet=True) for m in tables.values()
    ]
    return descriptor


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
