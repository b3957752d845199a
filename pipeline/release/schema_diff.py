"""What changed in the descriptors of two releases: tables, fields (added, removed, retyped, reordered),
constraints, keys, and descriptive metadata.

Tables are the CSV resources (each has a Parquet twin ``<table>_parquet`` with the same schema). A field is
*retyped* when its Table Schema ``type`` or ``format`` differs (``integer`` → ``number``, as the move of
amounts from integer to decimal yuan will be). Constraints that only lose keys are *looser*; any other change
of a field's constraints counts as stricter.
"""

from __future__ import annotations

from typing import Any

# Package properties that are not descriptive metadata: they are compared elsewhere or differ by design.
NOT_METADATA = {"$schema", "id", "version", "resources"}
# Resource properties describing the files, which differ from release to release by design.
FILE_PROPERTIES = {"path", "bytes", "hash", "parts"}


def tables_of(descriptor: dict) -> dict[str, dict]:
    return {r["name"]: r for r in descriptor.get("resources", [])
            if isinstance(r, dict) and r.get("format") == "csv" and isinstance(r.get("name"), str)}


def _type(field: dict) -> str:
    return field.get("type", "any") + (f" ({field['format']})" if field.get("format") else "")


def _looser(old: dict, new: dict) -> bool:
    return all(k in old and old[k] == v for k, v in new.items()) and len(new) < len(old)


def compare_table_schemas(old: dict, new: dict) -> tuple[dict[str, Any], list[str]]:
    """Structural changes of one table, and the names of its changed descriptive properties."""
    old_schema, new_schema = old.get("schema", {}), new.get("schema", {})
    of = {f["name"]: f for f in old_schema.get("fields", [])}
    nf = {f["name"]: f for f in new_schema.get("fields", [])}
    out: dict[str, Any] = {}
    added = [n for n in nf if n not in of]
    removed = [n for n in of if n not in nf]
    if added:
        out["fields_added"] = added
    if removed:
        out["fields_removed"] = removed
    retyped = [{"field": n, "from": _type(of[n]), "to": _type(nf[n])} for n in nf if n in of and _type(of[n]) != _type(nf[n])]
    if retyped:
        out["fields_retyped"] = retyped
    if [n for n in of if n in nf] != [n for n in nf if n in of]:
        out["fields_reordered"] = True
    constraints = []
    for n in nf:
        if n in of and of[n].get("constraints", {}) != nf[n].get("constraints", {}):
            before, after = of[n].get("constraints", {}), nf[n].get("constraints", {})
            constraints.append({"field": n, "from": before, "to": after, "looser": _looser(before, after)})
    if constraints:
        out["constraints_changed"] = constraints
    if old_schema.get("primaryKey") != new_schema.get("primaryKey"):
        out["primary_key"] = {"from": old_schema.get("primaryKey"), "to": new_schema.get("primaryKey")}
    if old_schema.get("foreignKeys") != new_schema.get("foreignKeys"):
        out["foreign_keys_changed"] = True

    descriptive = sorted(k for k in set(old) | set(new)
                         if k not in FILE_PROPERTIES | {"schema", "name"} and old.get(k) != new.get(k))
    for n in nf:
        if n in of:
            for key in ("title", "description"):
                if of[n].get(key) != nf[n].get(key):
                    descriptive.append(f"{n}.{key}")
    skip = {"fields", "primaryKey", "foreignKeys"}
    descriptive += sorted(f"schema.{k}" for k in set(old_schema) | set(new_schema)
                          if k not in skip and old_schema.get(k) != new_schema.get(k))
    return out, descriptive


def compare_descriptors(old: dict, new: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(schema, metadata)`` sections of the diff (see docs/releases.md)."""
    old_tables, new_tables = tables_of(old), tables_of(new)
    schema: dict[str, Any] = {
        "tables_added": [t for t in new_tables if t not in old_tables],
        "tables_removed": [t for t in old_tables if t not in new_tables],
        "tables": {},
    }
    metadata: dict[str, Any] = {
        "package": sorted(k for k in set(old) | set(new) if k not in NOT_METADATA and old.get(k) != new.get(k)),
        "tables": {},
    }
    for name, res in new_tables.items():
        if name not in old_tables:
            continue
        changes, descriptive = compare_table_schemas(old_tables[name], res)
        if changes:
            schema["tables"][name] = changes
        if descriptive:
            metadata["tables"][name] = descriptive
    return schema, metadata
