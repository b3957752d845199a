"""One table's rows as files: the CSV and the Parquet file of one part, streamed from core Arrow batches."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.build import columnar
from pipeline.metadata.schemas import TableMeta

# Parquet writer settings. With the pinned pyarrow these give byte-identical files for identical tables:
# pyarrow writes no timestamps; the only key-value metadata is the serialised Arrow schema, which carries
# no pandas metadata because tables are built from Python lists, not DataFrames.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "version": "2.6",
    "write_statistics": True,
    "use_dictionary": True,
    "data_page_version": "1.0",
    "store_schema": True,
}


# Rows per Parquet row group (pyarrow's default maximum is 1Mi; smaller groups keep the writer's memory flat).
ROW_GROUP_ROWS = 1 << 17


def file_stats(path: Path) -> tuple[int, str]:
    """``(bytes, "sha256:<hex>")`` of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, f"sha256:{digest.hexdigest()}"


def core_batches(meta: TableMeta, value: Any) -> Iterator[pa.RecordBatch]:
    """A table given as row dicts, a core Arrow table or anything with ``batches()`` (``combine.CoreTable``)."""
    if isinstance(value, pa.Table):
        yield from value.to_batches()
    elif hasattr(value, "batches"):
        yield from value.batches()
    else:
        yield from columnar.rows_to_table(meta, value).to_batches()


def write_table_files(meta: TableMeta, batches: Iterable[pa.RecordBatch], csv_path: Path, parquet_path: Path) -> int:
    """Stream core batches into the table's CSV and Parquet files; return the row count.

    The CSV is written batch by batch (its text does not depend on the batch boundaries); the Parquet file
    gets row groups of exactly :data:`ROW_GROUP_ROWS` rows (the last one shorter), so both files are the same
    bytes however the rows arrived. Memory: about one row group.
    """
    schema = meta.parquet_schema()
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with csv_path.open("wb") as csv_file, pq.ParquetWriter(parquet_path, schema, **PARQUET_OPTIONS) as parquet:

        def write_group(table: pa.Table) -> None:
            parquet.write_table(columnar.to_parquet_table(meta, table), row_group_size=ROW_GROUP_ROWS)

        csv_file.write(columnar.csv_header(meta))
        for batch in batches:
            if batch.num_rows == 0:
                continue
            csv_file.write(columnar.csv_text(batch))
            rows += batch.num_rows
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= ROW_GROUP_ROWS:
                table = pa.Table.from_batches(pending)
                write_group(table.slice(0, ROW_GROUP_ROWS))
                rest = table.slice(ROW_GROUP_ROWS)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows or rows == 0:
            # An empty table still gets its (empty) row group, as pq.write_table writes one.
            write_group(pa.Table.from_batches(pending, schema=columnar.core_schema(meta)))
    return rows
