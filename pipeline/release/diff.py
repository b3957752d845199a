"""The data diff between two releases, table by table, by primary key, vectorised with Arrow.

Each table's Parquet files (the typed copy) are joined on the primary key (a full outer hash join in Arrow's
engine): a key only in the new release is an *added* row, only in the old one a *removed* row, in both with
any value different a *changed* row, and the columns that differ are named. Nothing is compared row by row
in Python.

Most documents do not change from one release to the next, and a release's rows are in ``document_id``
order. So first, the documents that have as many rows in both releases are lined up (runs of consecutive
such documents are one slice on each side) and compared column by column, slice against slice; only the
documents where anything differs, and those in one release only, go through the join. At 10,000 documents
that is one equality pass over each column instead of a hash join of every row (checks table: 0.15 s
instead of 2-7 s).

Values are compared exactly and whatever their Arrow type: a column whose type is the same in both releases
is compared as it is (a decimal as a decimal, never through a float); a retyped one is first cast from the old
type to the new one where Arrow can do that without loss (``int64`` yuan to ``decimal128`` yuan: 100 equals
100.00), otherwise both sides are compared as text. Nulls equal nulls. A retype is a schema change
(:mod:`pipeline.release.schema_diff`), not a change of every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DOCUMENT = "document_id"
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# Column names of the diff rows (diff/<table>.parquet): CHANGE, the key, CHANGED_COLUMNS, then old_/new_ values.
CHANGE = "change"
CHANGED_COLUMNS = "changed_columns"
OLD, NEW = "old_", "new_"


@dataclass
class TableChanges:
    """What changed in one table. ``rows`` are the diff rows (None for a first release: every row is new)."""

    table: str
    rows_from: int | None
    rows_to: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # changed column -> rows changed in it
    by_document: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: pa.Table | None = None
    note: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _exact_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_decimal(t)


def _comparable(old: pa.ChunkedArray, new: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """The two columns in one type: as they are; integers and decimals as the widest decimal of the larger
    scale (exact: 100 and 100.00 are equal); else old cast losslessly to new; else both as text."""
    if old.type == new.type:
        return old, new
    attempts = []
    if _exact_number(old.type) and _exact_number(new.type):
        scale = max(getattr(old.type, "scale", 0), getattr(new.type, "scale", 0))
        attempts.append(pa.decimal128(38, scale))
    attempts.append(None)
    for target in attempts:
        try:
            if target is None:
                return old.cast(new.type, safe=True), new
            return old.cast(target, safe=True), new.cast(target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return old.cast(pa.string()), new.cast(pa.string())


def _differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """Row-wise: the values differ (null equals null, null differs from any value)."""
    same = pc.or_kleene(pc.and_(pc.is_null(a), pc.is_null(b)), pc.fill_null(pc.equal(a, b), False))
    return pc.invert(same)


def _row_numbers(n: int) -> pa.Array:
    return pa.array(np.arange(n, dtype=np.int64))


def _column_lists(masks: list[np.ndarray], names: list[str]) -> pa.Array:
    """Per row, the names whose mask is true, as a list array (built from offsets, no Python loop)."""
    n = len(masks[0]) if masks else 0
    if not names:
        return pa.array([[]] * n, pa.list_(pa.string()))
    matrix = np.column_stack(masks)  # rows x columns
    counts = matrix.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = np.tile(np.array(names, dtype=object), n)[matrix.ravel()]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))


def _by_document(docs: pa.ChunkedArray | pa.Array, flags: dict[str, Any], column_masks: dict[str, Any]) -> dict:
    """``{document_id: {"added": n, "removed": n, "changed": n, "columns": [...]}}`` by one group-by."""
    data = {DOCUMENT: docs}
    for name, mask in flags.items():
        data[name] = pc.cast(mask, pa.int64())
    names = list(column_masks)
    for i, name in enumerate(names):
        data[f"c{i}"] = column_masks[name]
    grouped = pa.table(data).group_by(DOCUMENT).aggregate(
        [(name, "sum") for name in flags] + [(f"c{i}", "any") for i in range(len(names))])
    out = {}
    for row in grouped.sort_by(DOCUMENT).to_pylist():
        entry = {name: row[f"{name}_sum"] for name in flags}
        entry["columns"] = [name for i, name in enumerate(names) if row[f"c{i}_any"]]
        out[row[DOCUMENT]] = entry
    return out


def first_release(table: str, new: pa.Table, *, by_document: bool = True) -> TableChanges:
    """Every row of a first release (or of a new table) is added; ``by_document``: counted per document."""
    counts = {}
    if by_document and DOCUMENT in new.column_names and new.num_rows:
        grouped = new.select([DOCUMENT]).group_by(DOCUMENT).aggregate([([], "count_all")]).sort_by(DOCUMENT)
        counts = {d: {ADDED: n, REMOVED: 0, CHANGED: 0, "columns": []}
                  for d, n in zip(grouped[DOCUMENT].to_pylist(), grouped["count_all"].to_pylist())}
    return TableChanges(table, None, new.num_rows, added=new.num_rows, by_document=counts)


def _document_runs(table: pa.Table) -> dict[str, tuple[int, int]] | None:
    """``{document_id: (first row, rows)}`` when the rows are in ``document_id`` order, else None."""
    ids = table[DOCUMENT].combine_chunks()
    if len(ids) == 0:
        return {}
    runs = pc.run_end_encode(ids)
    values = runs.values
    # In order iff the runs' ids increase strictly (one run per document): 10^4 comparisons, not 10^6.
    if len(values) > 1 and not pc.all(pc.greater(values.slice(1), values.slice(0, len(values) - 1))).as_py():
        return None
    ends = runs.run_ends.to_numpy()
    starts = np.concatenate([[0], ends[:-1]])
    return dict(zip(values.to_pylist(), zip(starts.tolist(), (ends - starts).tolist())))


def _unchanged_documents(old: pa.Table, new: pa.Table, columns: list[str]) -> set[str] | None:
    """The documents whose rows are the same in both tables, position by position (None: not in document
    order). Consecutive documents of equal row counts are compared as one slice per side."""
    old_runs, new_runs = _document_runs(old), _document_runs(new)
    if old_runs is None or new_runs is None:
        return None
    segments: list[list] = []  # [old start, new start, rows, documents]
    for doc, (start, count) in new_runs.items():
        if doc not in old_runs or old_runs[doc][1] != count:
            continue
        o = old_runs[doc][0]
        last = segments[-1] if segments else None
        if last and last[0] + last[2] == o and last[1] + last[2] == start:
            last[2] += count
            last[3].append(doc)
        else:
            segments.append([o, start, count, [doc]])
    same: set[str] = set()
    for o, n, rows, docs in segments:
        differs = None
        for c in columns:
            a, b = old[c].slice(o, rows), new[c].slice(n, rows)
            if a.type == b.type and a.equals(b):
                continue
            mask = _differs(*_comparable(a, b))
            differs = mask if differs is None else pc.or_(differs, mask)
        if differs is None:
            same.update(docs)
            continue
        changed = set(pc.unique(new[DOCUMENT].slice(n, rows).filter(differs)).to_pylist())
        same.update(d for d in docs if d not in changed)
    return same


def compare_table(table: str, old: pa.Table, new: pa.Table, key: list[str]) -> TableChanges:
    """Rows added, removed and changed (with the columns) from ``old`` to ``new``, matched by ``key``."""
    old, new = old.replace_schema_metadata(None), new.replace_schema_metadata(None)
    if not key or any(k not in old.column_names or k not in new.column_names for k in key):
        return TableChanges(table, old.num_rows, new.num_rows,
                            note=f"primary key {key} is not in both releases: rows not compared")
    if DOCUMENT in key:
        columns = [c for c in new.column_names if c in old.column_names]
        same = _unchanged_documents(old, new, columns)
        if same:
            keep = pa.array(sorted(same), pa.string())
            rest_old = old.filter(pc.invert(pc.is_in(old[DOCUMENT], value_set=keep)))
            rest_new = new.filter(pc.invert(pc.is_in(new[DOCUMENT], value_set=keep)))
            result = _join_compare(table, rest_old, rest_new, key)
            result.rows_from, result.rows_to = old.num_rows, new.num_rows
            return result
    return _join_compare(table, old, new, key)


def _join_compare(table: str, old: pa.Table, new: pa.Table, key: list[str]) -> TableChanges:
    new_only = [c for c in new.column_names if c not in key and c not in old.column_names]
    old_only = [c for c in old.column_names if c not in key and c not in new.column_names]
    common = [c for c in new.column_names if c not in key and c in old.column_names]

    left: dict[str, Any] = {k: new[k] for k in key}
    right: dict[str, Any] = {}
    for k in key:
        right[k] = _comparable(old[k], new[k])[0]
    for i, c in enumerate(common):
        right[f"o{i}"], left[f"n{i}"] = _comparable(old[c], new[c])
    for i, c in enumerate(new_only):
        left[f"a{i}"] = new[c]
    for i, c in enumerate(old_only):
        right[f"r{i}"] = old[c]
    left["__new"] = _row_numbers(new.num_rows)
    right["__old"] = _row_numbers(old.num_rows)
    joined = pa.table(left).join(pa.table(right), keys=key, join_type="full outer", coalesce_keys=True)

    in_new, in_old = pc.is_valid(joined["__new"]), pc.is_valid(joined["__old"])
    added, removed = pc.invert(in_old), pc.invert(in_new)
    both = pc.and_(in_new, in_old)
    diffs = {c: pc.and_(both, _differs(joined[f"n{i}"], joined[f"o{i}"])) for i, c in enumerate(common)}
    changed = pa.chunked_array([pa.array(np.zeros(joined.num_rows, dtype=bool))])
    for mask in diffs.values():
        changed = pc.or_(changed, mask)
    selected = pc.or_(pc.or_(added, removed), changed)

    result = TableChanges(table, old.num_rows, new.num_rows,
                          added=pc.sum(added).as_py() or 0, removed=pc.sum(removed).as_py() or 0,
                          changed=pc.sum(changed).as_py() or 0)
    result.columns = {c: n for c in common if (n := pc.sum(diffs[c]).as_py() or 0)}
    if not (result.added or result.removed or result.changed):
        return result

    work = joined.filter(selected)
    work = work.append_column("__f_added", pc.filter(added, selected))
    work = work.append_column("__f_removed", pc.filter(removed, selected))
    for i, c in enumerate(common):
        work = work.append_column(f"__d{i}", pc.filter(diffs[c], selected))
    work = work.sort_by([(k, "ascending") for k in key])

    is_added, is_removed = work["__f_added"], work["__f_removed"]
    is_changed = pc.invert(pc.or_(is_added, is_removed))
    masks = {c: work[f"__d{i}"] for i, c in enumerate(common)}
    change = pc.if_else(is_added, ADDED, pc.if_else(is_removed, REMOVED, CHANGED))
    lists = _column_lists([m.to_numpy() for m in masks.values()], list(masks))
    lists = pc.if_else(is_changed, lists, pa.scalar(None, pa.list_(pa.string())))
    columns: dict[str, Any] = {CHANGE: change}
    columns.update({k: work[k] for k in key})
    columns[CHANGED_COLUMNS] = lists
    for i, c in enumerate(common):
        columns[OLD + c], columns[NEW + c] = work[f"o{i}"], work[f"n{i}"]
    for i, c in enumerate(new_only):
        columns[NEW + c] = work[f"a{i}"]
    for i, c in enumerate(old_only):
        columns[OLD + c] = work[f"r{i}"]
    result.rows = pa.table(columns)
    if DOCUMENT in key:
        flags = {ADDED: is_added, REMOVED: is_removed, CHANGED: is_changed}
        result.by_document = _by_document(work[DOCUMENT], flags, masks)
    return result
