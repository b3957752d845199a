"""A build's multi-part tables joined into one CSV and one Parquet file: the same rows, one header, and bytes
that do not depend on where the build cut its parts."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.package.table_files import PARQUET_OPTIONS
from pipeline.release.tables import ReleaseInputError, join_csv, join_parquet

PACKAGE = Path(__file__).resolve().parent.parent / "datapackage"
TABLE = "performance_indicators"  # the seed's largest table: 110 rows


def split(tmp: Path, cuts: list[int]) -> tuple[list[Path], list[Path]]:
    """The committed package's table cut into parts at the given row numbers, as a build would write them."""
    header, *rows = (PACKAGE / "data" / "csv" / TABLE / "part-00000.csv").read_bytes().splitlines(keepends=True)
    table = pq.read_table(PACKAGE / "data" / "parquet" / TABLE / "part-00000.parquet")
    bounds = [0, *cuts, len(rows)]
    csvs, parquets = [], []
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        csvs.append(tmp / f"part-{i}.csv")
        csvs[-1].write_bytes(header + b"".join(rows[a:b]))
        parquets.append(tmp / f"part-{i}.parquet")
        pq.write_table(table.slice(a, b - a), parquets[-1], **PARQUET_OPTIONS)
    return csvs, parquets


@pytest.mark.parametrize("cuts", [[], [1], [40, 41, 100]])
def test_parts_joined_whatever_the_cuts(tmp_path, cuts):
    work = tmp_path / "parts"
    work.mkdir()
    csvs, parquets = split(work, cuts)
    joined = join_csv(csvs, tmp_path / "t.csv")
    rows = join_parquet(parquets, tmp_path / "t.parquet")
    original_csv = PACKAGE / "data" / "csv" / TABLE / "part-00000.csv"
    assert (tmp_path / "t.csv").read_bytes() == original_csv.read_bytes()  # one header, every row, in order
    assert joined.bytes == original_csv.stat().st_size
    original = pq.read_table(PACKAGE / "data" / "parquet" / TABLE / "part-00000.parquet")
    assert rows == original.num_rows == 110
    assert pq.read_table(tmp_path / "t.parquet").equals(original)
    assert pq.read_schema(tmp_path / "t.parquet").metadata == original.schema.metadata  # the pandas Int64 hint


def test_joined_parquet_bytes_do_not_depend_on_the_cuts(tmp_path):
    outputs = []
    for i, cuts in enumerate([[], [7], [3, 50, 90]]):
        work = tmp_path / str(i)
        work.mkdir()
        _, parquets = split(work, cuts)
        join_parquet(parquets, work / "t.parquet")
        outputs.append((work / "t.parquet").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_parts_that_disagree_are_refused(tmp_path):
    csvs, _ = split(tmp_path, [10])
    csvs[1].write_bytes(b"other,header\n" + csvs[1].read_bytes().split(b"\n", 1)[1])
    with pytest.raises(ReleaseInputError, match="header differs"):
        join_csv(csvs, tmp_path / "t.csv")
