"""The diff of a release against the previous one, as the JSON document ``diff/diff.json`` plus each
table's diff rows (``diff/<table>.parquet``). The shape is documented in docs/releases.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.package.descriptor import PARQUET_SUFFIX
from pipeline.release import diff as rows_diff
from pipeline.release.errors import ReleaseRefused
from pipeline.release.schema_diff import compare_descriptors, tables_of
from pipeline.release.tables import jemalloc_pool, sha256_of

CHECKS = "checks"
DOCUMENTS = "documents"
STATUS = "status"
CHECK_KEYS = ("document_id", "check_id", "check_seq")


@dataclass
class ReleaseDiff:
    data: dict[str, Any]
    rows: dict[str, pa.Table] = field(default_factory=dict)  # table -> diff rows, for tables with changes


def _resource(release_dir: Path, descriptor: dict, table: str) -> dict:
    res = next((r for r in descriptor.get("resources", []) if r.get("name") == table + PARQUET_SUFFIX), None)
    if res is None or not isinstance(res.get("path"), str):
        raise ReleaseRefused(f"{release_dir}: no single-file Parquet resource for table {table!r}")
    return res


def _verified(release_dir: Path, descriptor: dict, table: str) -> Path:
    """The table's Parquet file of a published release, after checking it has the hash the release states."""
    res = _resource(release_dir, descriptor, table)
    path = release_dir / res["path"]
    if sha256_of(path)[1] != res.get("hash"):
        raise ReleaseRefused(f"{path}: its SHA-256 is not the one the release states; a release must not be "
                             "changed after it is made (restore it from its zip)")
    return path


def _parquet(release_dir: Path, descriptor: dict, table: str, columns=None) -> pa.Table:
    return pq.read_table(release_dir / _resource(release_dir, descriptor, table)["path"], columns=columns)


def _status_counts(table: pa.Table) -> dict[str, int]:
    if STATUS not in table.column_names:
        return {}
    counts = pc.value_counts(table[STATUS]).to_pylist()
    return {c["values"]: c["counts"] for c in sorted(counts, key=lambda c: str(c["values"]))}


def _status_changes(rows: pa.Table | None) -> list[dict[str, Any]]:
    """Checks present in both releases whose status differs (a ``pass`` that became ``fail``)."""
    old, new = rows_diff.OLD + STATUS, rows_diff.NEW + STATUS
    if rows is None or old not in rows.column_names or new not in rows.column_names:
        return []
    moved = pc.and_(pc.equal(rows[rows_diff.CHANGE], rows_diff.CHANGED), pc.not_equal(rows[old], rows[new]))
    picked = rows.filter(moved).select([*(k for k in CHECK_KEYS if k in rows.column_names), old, new])
    return [{**{k: r[k] for k in CHECK_KEYS if k in r}, "from": r[old], "to": r[new]} for r in picked.to_pylist()]


def compare_releases(old_dir: Path | None, old: dict | None, new_dir: Path, new: dict) -> ReleaseDiff:
    """The diff from the release in ``old_dir`` (descriptor ``old``; None for a first release) to the one being
    made in ``new_dir`` (descriptor ``new``). The old release's Parquet files are checked against their
    stated hashes before they are read."""
    with jemalloc_pool():
        return _compare(old_dir, old, new_dir, new)


def _compare(old_dir: Path | None, old: dict | None, new_dir: Path, new: dict) -> ReleaseDiff:
    new_tables = tables_of(new)
    old_tables = tables_of(old) if old is not None else {}
    changes: dict[str, rows_diff.TableChanges] = {}
    counts = {"from": {}, "to": {}}
    first_ids: list[str] = []
    for table, res in new_tables.items():
        if old is None:  # a first release: every row is added; only the documents and check statuses are read
            columns = [rows_diff.DOCUMENT] + ([STATUS] if table == CHECKS else [])
            new_rows = _parquet(new_dir, new, table, columns=columns)
            changes[table] = rows_diff.first_release(table, new_rows, by_document=False)
            if table == CHECKS:
                counts["to"] = _status_counts(new_rows)
            if table == DOCUMENTS:
                first_ids = sorted(new_rows[rows_diff.DOCUMENT].to_pylist())
            continue
        new_rows = _parquet(new_dir, new, table)
        if table == CHECKS:
            counts["to"] = _status_counts(new_rows)
        if table not in old_tables:
            changes[table] = rows_diff.first_release(table, new_rows)
            continue
        old_path = _verified(old_dir, old, table)
        if _resource(old_dir, old, table).get("hash") == _resource(new_dir, new, table).get("hash"):
            changes[table] = rows_diff.TableChanges(table, new_rows.num_rows, new_rows.num_rows)  # same bytes
            if table == CHECKS:
                counts["from"] = counts["to"]
            continue
        old_rows = pq.read_table(old_path)
        if table == CHECKS:
            counts["from"] = _status_counts(old_rows)
        key = res.get("schema", {}).get("primaryKey", [])
        changes[table] = rows_diff.compare_table(table, old_rows, new_rows, key if isinstance(key, list) else [key])
        del old_rows, new_rows

    docs = changes.get(DOCUMENTS)
    doc_status = {d: ("added" if e["added"] else "removed" if e["removed"] else "changed")
                  for d, e in (docs.by_document if docs else {}).items()}
    by_document: dict[str, dict[str, Any]] = {}
    for table, ch in changes.items():
        for d, entry in ch.by_document.items():
            doc = by_document.setdefault(d, {"status": doc_status.get(d, "changed"), "tables": {}})
            doc["tables"][table] = entry
    by_document = dict(sorted(by_document.items()))
    added = first_ids if old is None else [d for d, s in doc_status.items() if s == "added"]
    removed = [d for d, s in doc_status.items() if s == "removed"]
    changed = [d for d, e in by_document.items() if e["status"] == "changed"]

    if old is not None:
        schema, metadata = compare_descriptors(old, new)
    else:
        schema = {"tables_added": list(new_tables), "tables_removed": [], "tables": {}}
        metadata = {"package": [], "tables": {}}
    tables_json: dict[str, Any] = {}
    for table, ch in changes.items():
        tables_json[table] = {
            "rows": {"from": ch.rows_from, "to": ch.rows_to}, "added": ch.added, "removed": ch.removed,
            "changed": ch.changed, "columns": ch.columns,
            "rows_file": f"diff/{table}.parquet" if ch.rows is not None else None,
        }
        if ch.note:
            tables_json[table]["note"] = ch.note
    for table in schema["tables_removed"]:
        n = pq.ParquetFile(old_dir / next(r["path"] for r in old["resources"]
                                          if r.get("name") == table + PARQUET_SUFFIX)).metadata.num_rows
        tables_json[table] = {"rows": {"from": n, "to": 0}, "added": 0, "removed": n, "changed": 0, "columns": {},
                              "rows_file": None}

    data = {
        "from": old.get("version") if old is not None else None,
        "to": None,
        "bump": None,
        "reasons": None,
        "documents": {"added": added, "removed": removed, "changed": changed},
        "tables": tables_json,
        "schema": schema,
        "checks": {"status_changed": _status_changes(changes[CHECKS].rows if CHECKS in changes else None),
                   "status_counts": counts},
        "metadata": metadata,
        "by_document": by_document,
    }
    return ReleaseDiff(data, {t: ch.rows for t, ch in changes.items() if ch.rows is not None})
