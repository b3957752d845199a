"""Write the tables as a Frictionless Data Package (v2): CSV + Parquet per table, ``datapackage.json``, README.

Everything about the tables comes from the metadata model (:mod:`pipeline.metadata.schemas`). The writer is
deterministic: the same tables, sources and ``created`` give byte-identical files, and nothing reads the clock.
Amounts never pass through binary floats: ``number`` values are :class:`decimal.Decimal`, written to CSV as
their exact plain literal and to Parquet as ``decimal128``. The parts are rendered by
:mod:`pipeline.package.rendered_parts`, the descriptor by :mod:`pipeline.package.descriptor`, the README by
:mod:`pipeline.package.readme`.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.build import parts
from pipeline.build.columnar import RowError
from pipeline.metadata.schemas import TABLE_ORDER, load_package_metadata, load_tables
from pipeline.package.descriptor import build_descriptor, dump_json
from pipeline.package.marker import text_stats, write_marker
from pipeline.package.readme import build_readme
from pipeline.package.rendered_parts import PartFiles, plan_parts, render_part
from pipeline.paths import SCHEMAS_DIR

DATAPACKAGE_NAME = "datapackage.json"
README_NAME = "README.md"
# Parts rendered at once: Arrow's kernels and the Parquet writer release the GIL, so two keep both cores busy.
WRITER_THREADS = 2


def write_package(
    tables: Mapping[str, Any],
    out_dir: Path,
    *,
    sources: list[dict],
    created: str | None,
    schemas_dir: Path = SCHEMAS_DIR,
) -> Path:
    """:func:`write_package_parts` without the record of the parts written."""
    return write_package_parts(tables, out_dir, sources=sources, created=created, schemas_dir=schemas_dir)[0]


def write_package_parts(
    tables: Mapping[str, Any],
    out_dir: Path,
    *,
    sources: list[dict],
    created: str | None,
    schemas_dir: Path = SCHEMAS_DIR,
) -> tuple[Path, list[PartFiles]]:
    """Write the package into ``out_dir`` (created if needed) and return the path of its ``datapackage.json``.

    ``tables`` maps table names to rows: a list of dicts keyed by exactly the schema's field names (checked
    and sorted by ``document_id`` here), or, already checked and ordered, a core Arrow table or a
    ``combine.CoreTable`` (see :mod:`pipeline.build.columnar`). A table missing from ``tables`` is written empty.
    Unknown table names are an error. Each table is written as parts (:mod:`pipeline.build.parts`); the parts of
    ``combine.CoreTable`` tables are rendered once into their store directory and linked from there, so a
    rebuild writes only the parts whose documents changed; the returned :class:`PartFiles` say which.
    """
    metas = load_tables(schemas_dir)
    package_meta = load_package_metadata(schemas_dir)
    unknown = sorted(set(tables) - set(TABLE_ORDER))
    if unknown:
        raise RowError(f"unknown tables {unknown}; known: {list(TABLE_ORDER)}")

    out_dir = Path(out_dir)
    (out_dir / parts.DATA_DIR).mkdir(parents=True, exist_ok=True)
    for name in metas:  # every part of a table lies in the table's directory (pipeline.build.parts)
        for rel in (parts.csv_part_path(name, 0), parts.parquet_part_path(name, 0)):
            (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
        written = [
            render_part(metas, i, first, last, store, data, out_dir, pool)
            for i, (first, last, store, data) in enumerate(plan_parts(metas, tables))
        ]
    counts = {name: sum(part.tables[name]["rows"] for part in written) for name in metas}

    descriptor_text = dump_json(build_descriptor(metas, package_meta, written, sources=sources, created=created))
    descriptor_path = out_dir / DATAPACKAGE_NAME
    descriptor_path.write_text(descriptor_text, encoding="utf-8", newline="\n")

    readme = build_readme(
        metas, package_meta, sources=sources, counts=counts
    )
    (out_dir / README_NAME).write_text(readme, encoding="utf-8", newline="\n")
    # The publish marker: every file written here, so that the next build can prove the folder is ours.
    files = {DATAPACKAGE_NAME: text_stats(descriptor_text), README_NAME: text_stats(readme)}
    for part in written:
        for record in part.tables.values():
            for kind in ("csv", "parquet"):
                files[record[kind]["path"]] = (record[kind]["bytes"], record[kind]["hash"])
    write_marker(out_dir, files)
    return descriptor_path, written


