"""The parts of a package as files, rendered once and reused: a rebuild links unchanged parts from the store.

Each part's rendered CSV and Parquet files are kept in its store directory (``combine``'s part directory in the
parse cache) with a record of their sizes, hashes and inodes; a later build whose part has the same content
links them into its staging package instead of writing them again, and skips validating files an earlier
build already validated (:func:`trusted_parts`, :func:`record_validated`)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.build import columnar, parts
from pipeline.build.columnar import RowError
from pipeline.metadata.schemas import TableMeta
from pipeline.package.table_files import core_batches, file_stats, write_table_files


def _size_hint(value: Any) -> int:
    rows = getattr(value, "rows", None)
    if isinstance(rows, int):
        return rows
    return value.num_rows if isinstance(value, pa.Table) else len(value)


@dataclass(frozen=True)
class PartFiles:
    """What was written for one part: per table, the rows and each file's package path, size and hash."""

    index: int
    first: str | None  # document_id range of the part (None for a package without documents)
    last: str | None
    tables: dict[str, dict[str, Any]]  # name -> {"rows", "csv": record, "parquet": record}
    reused: bool = False  # files linked from an earlier rendering of the same part content
    store: str | None = None  # where the part's rendering is kept (combine's part directory), if anywhere


def _file_record(path: Path, rel: str) -> dict[str, Any]:
    size, digest = file_stats(path)
    st = path.stat()
    # ino/mtime let a later build trust the file without reading it again (see validate.py, "trusted parts")
    return {"path": rel, "bytes": size, "hash": digest, "ino": st.st_ino, "mtime_ns": st.st_mtime_ns}


def _same_file(path: str | Path, record: Mapping[str, Any]) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_ino, st.st_size, st.st_mtime_ns) == (record["ino"], record["bytes"], record["mtime_ns"])


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    """``dst``'s directory must exist (write_package_parts makes the tables' directories once)."""
    try:
        os.link(src, dst)  # the rendered files are never modified in place, so sharing the inode is safe
    except OSError:  # another filesystem, or links not allowed
        shutil.copyfile(src, dst)


def plan_parts(metas: Mapping[str, TableMeta], tables: Mapping[str, Any]) -> list[tuple[str | None, str | None, Path | None, dict]]:
    """The parts to write: ``(first, last, store, {table: core data})``.

    ``combine.CoreTable`` values bring their parts (and a store directory per part, where rendered files are
    kept for reuse); rows or Arrow tables are cut here by the same rule (:func:`pipeline.build.parts.split`).
    """
    values = [tables.get(name) for name in metas]
    if values and all(hasattr(v, "parts") for v in values):
        counts = {len(v.parts) for v in values}
        if len(counts) != 1:
            raise RowError(f"the core tables have different numbers of parts: {sorted(counts)}")
        plan = []
        for i in range(counts.pop()):
            data = {name: tables[name].parts[i] for name in metas}
            some = next(iter(data.values()))
            plan.append((some.first, some.last, some.dir, data))
        return plan
    core: dict[str, pa.Table] = {}
    for name, meta in metas.items():
        value = tables.get(name, [])
        if hasattr(value, "read"):
            value = value.read()
        core[name] = value if isinstance(value, pa.Table) else columnar.rows_to_table(meta, value)
    ids = sorted({i for t in core.values() for i in t.column("document_id").to_pylist() if i is not None})
    if not ids:
        return [(None, None, None, core)]
    plan = []
    for run in parts.split(ids, lambda i: i):
        first, last = run[0], run[-1]
        sliced = {}
        for name, table in core.items():
            column = table.column("document_id")
            mask = pc.and_(pc.greater_equal(column, first), pc.less_equal(column, last))
            sliced[name] = table.filter(mask)
        plan.append((first, last, None, sliced))
    return plan


RENDERED_DIR = "rendered"


RENDERED_RECORD = "rendered.json"


def render_part(metas, index: int, first, last, store: Path | None, data: Mapping[str, Any], out_dir: Path,
                 pool: ThreadPoolExecutor) -> PartFiles:
    """Write part ``index`` into ``out_dir``: linked from ``store`` if already rendered there, else rendered."""
    rels = {name: (parts.csv_part_path(name, index), parts.parquet_part_path(name, index)) for name in metas}
    if store is not None:
        record = _read_json(store / RENDERED_RECORD)
        # Plain strings: a rebuild of 10,000 documents checks and links ~4,000 unchanged files here.
        rendered, out = os.path.join(store, RENDERED_DIR), str(out_dir)
        if isinstance(record, dict) and set(record.get("tables", {})) == set(metas) and all(
            _same_file(f"{rendered}/{name}.{kind}", record["tables"][name][kind])
            for name in metas for kind in ("csv", "parquet")
        ):
            for name, (csv_rel, pq_rel) in rels.items():
                _link_or_copy(f"{rendered}/{name}.csv", f"{out}/{csv_rel}")
                _link_or_copy(f"{rendered}/{name}.parquet", f"{out}/{pq_rel}")
            return PartFiles(index, first, last, _relabel(record["tables"], rels), reused=True, store=str(store))
        target = Path(tempfile.mkdtemp(prefix=".render-", dir=store))
    else:
        target = None

    def write_one(name: str) -> tuple[str, dict[str, Any]]:
        meta = metas[name]
        csv_rel, pq_rel = rels[name]
        csv_path = target / f"{name}.csv" if target else out_dir / csv_rel
        pq_path = target / f"{name}.parquet" if target else out_dir / pq_rel
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        pq_path.parent.mkdir(parents=True, exist_ok=True)
        rows = write_table_files(meta, core_batches(meta, data.get(name, [])), csv_path, pq_path)
        return name, {"rows": rows, "csv": _file_record(csv_path, csv_rel), "parquet": _file_record(pq_path, pq_rel)}

    # Largest tables first, so the two threads finish together.
    order = sorted(metas, key=lambda n: -_size_hint(data.get(n, [])))
    written = dict(pool.map(write_one, order))
    tables = {name: written[name] for name in metas}
    if target is None:
        return PartFiles(index, first, last, tables)
    # Publish the rendering in the store (atomically), then link it into the package.
    _write_json(target / RENDERED_RECORD, {"tables": tables})
    final = store / RENDERED_DIR
    try:
        if final.exists():
            shutil.rmtree(final)
        os.rename(target, final)
        os.replace(final / RENDERED_RECORD, store / RENDERED_RECORD)
    except OSError:  # another build rendered the same part at the same moment: same bytes, take ours by copy
        final = target
    for name, (csv_rel, pq_rel) in rels.items():
        _link_or_copy(final / f"{name}.csv", out_dir / csv_rel)
        _link_or_copy(final / f"{name}.parquet", out_dir / pq_rel)
    if final == target:
        shutil.rmtree(target, ignore_errors=True)
    return PartFiles(index, first, last, _relabel(tables, rels), store=str(store))


def _relabel(tables: Mapping[str, Any], rels: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """A stored rendering's records with this package's paths (a part's index can change between builds)."""
    out = {}
    for name, rec in tables.items():
        csv_rel, pq_rel = rels[name]
        out[name] = {"rows": rec["rows"], "csv": {**rec["csv"], "path": csv_rel},
                     "parquet": {**rec["parquet"], "path": pq_rel}}
    return out


def _paths_of(part: PartFiles) -> dict[str, tuple[str, str]]:
    return {name: (rec["csv"]["path"], rec["parquet"]["path"]) for name, rec in part.tables.items()}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")


VALIDATED_RECORD = "validated.json"


def trusted_parts(written: Sequence[PartFiles]) -> dict[int, dict[str, Any]]:
    """Parts whose files were linked from a rendering that an earlier build validated: ``{index: tables}``.

    The claim is only a hint: :func:`pipeline.package.validate.validate_package` accepts it for a file only if the
    staged file is still the very inode (size, mtime) recorded when it was written and validated.
    """
    out = {}
    for part in written:
        if part.reused and part.store is not None:
            validated = _read_json(Path(part.store) / VALIDATED_RECORD)
            rendered = _read_json(Path(part.store) / RENDERED_RECORD)
            if validated is not None and validated == rendered:
                out[part.index] = part.tables
    return out


def record_validated(written: Sequence[PartFiles], trusted: Mapping[int, Any] | None = None) -> None:
    """After a package passed validation: remember its parts' renderings as validated, for the next build.

    ``trusted``: the :func:`trusted_parts` the validation was given (already recorded, skipped here).
    """
    trusted = trusted_parts(written) if trusted is None else trusted
    for part in written:
        if part.store is not None and part.index not in trusted:
            rendered = Path(part.store) / RENDERED_RECORD
            record = _read_json(rendered)
            # Only the very files this package holds and that were just validated (a concurrent build may have
            # put its own rendering of the same part in the store).
            stored = record.get("tables") if isinstance(record, dict) else None
            if not isinstance(stored, dict) or set(stored) != set(part.tables) \
                    or _relabel(stored, _paths_of(part)) != part.tables:
                continue
            try:
                shutil.copyfile(rendered, Path(part.store) / (VALIDATED_RECORD + ".tmp"))
                os.replace(Path(part.store) / (VALIDATED_RECORD + ".tmp"), Path(part.store) / VALIDATED_RECORD)
            except OSError:  # a lost record only costs a re-validation next time
                pass
