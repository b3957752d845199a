"""Incremental, parallel, columnar builds: the parse cache, the process pool, the Arrow CSV/Parquet writer.

A small corpus of seed variants (the town name replaced, so each has its own document_id) stands in for the
generated corpus; every rebuild is compared byte for byte with a from-scratch build.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from conftest import RAW_DIR, SEED_NAME, csv_cell_text
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.build import cache as cache_module
from pipeline.build import columnar, incremental
from pipeline.build.cache import ParseCache, read_entry
from pipeline.build.incremental import parse_corpus
from pipeline.metadata.schemas import load_tables
from pipeline.orchestration.definitions import JOB_NAME, build_defs
from pipeline.package import table_files
from pipeline.package.table_files import write_table_files
from pipeline.raw.discover import discover

SEED_TOWN = "万庄镇"
TOWNS = ["东庄镇", "西庄镇", "南庄镇", "北庄镇", "中庄镇"]


def add_variant(raw: Path, town: str) -> Path:
    text = (RAW_DIR / SEED_NAME).read_text(encoding="utf-8").replace(SEED_TOWN, town)
    path = raw / f"variant-{town}.tika.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for town in TOWNS[:3]:
        add_variant(raw, town)
    return raw


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(raw: Path, out: Path, cache: Path, tmp_path: Path, workers: int | None = 1) -> dg.ExecuteInProcessResult:
    storage = tmp_path / "dagster"
    storage.mkdir(exist_ok=True)
    job = build_defs(raw_dir=raw, out_dir=out, cache_dir=cache, workers=workers).resolve_job_def(JOB_NAME)
    with dg.DagsterInstance.ephemeral(tempdir=str(storage)) as instance:
        result = job.execute_in_process(instance=instance)
    assert result.success
    return result


def parsed_now(result: dg.ExecuteInProcessResult) -> int:
    [mat] = [e.step_materialization_data.materialization for e in result.get_asset_materialization_events()
             if e.asset_key == dg.AssetKey("parsed_documents")]
    return mat.metadata["parsed_now"].value


def from_scratch(raw: Path, tmp_path: Path, name: str) -> dict[str, str]:
    out = tmp_path / f"scratch-{name}"
    run(raw, out, tmp_path / f"scratch-cache-{name}", tmp_path)
    return tree(out)


# -- rebuilds re-parse only what changed and equal a from-scratch build ---------------------------------------


def test_rebuild_after_add_change_remove_parses_only_that_document(corpus: Path, tmp_path: Path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert parsed_now(run(corpus, out, cache, tmp_path)) == 3
    assert parsed_now(run(corpus, out, cache, tmp_path)) == 0

    add_variant(corpus, TOWNS[3])
    assert parsed_now(run(corpus, out, cache, tmp_path)) == 1
    assert tree(out) == from_scratch(corpus, tmp_path, "added")

    changed = corpus / f"variant-{TOWNS[0]}.tika.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace(TOWNS[0], TOWNS[4]), encoding="utf-8")
    assert parsed_now(run(corpus, out, cache, tmp_path)) == 1
    assert tree(out) == from_scratch(corpus, tmp_path, "changed")

    (corpus / f"variant-{TOWNS[1]}.tika.txt").unlink()
    assert parsed_now(run(corpus, out, cache, tmp_path)) == 0
    assert tree(out) == from_scratch(corpus, tmp_path, "removed")


def test_corrupt_cache_entries_are_parsed_again_never_trusted(corpus: Path, tmp_path: Path):
    cache = ParseCache(tmp_path / "cache")
    raws = discover(corpus)
    first = parse_corpus(raws, cache, workers=1)
    entries = [Path(doc.entry_path) for _, doc in first.parsed]
    good = entries[0].read_bytes()

    entries[0].write_bytes(good[:-7] + b"garbage")  # same length, different payload
    entries[1].write_bytes(good[: len(good) // 2])  # truncated
    entries[2].write_bytes(good)  # another document's (valid) entry under this key
    again = parse_corpus(raws, cache, workers=1)
    assert [doc.parsed_now for _, doc in again.parsed] == [True, True, True]
    assert [p.read_bytes() for p in entries] == [Path(d.entry_path).read_bytes() for _, d in first.parsed]
    assert read_entry(entries[0], "not-the-key") is None


# -- the hit index -------------------------------------------------------------------------------------------


@pytest.fixture
def entry_reads(monkeypatch):
    """Count the cache entry files parse_corpus reads (both modules' references to read_entry)."""
    calls = []

    def counting(path, key, **kwargs):
        calls.append(Path(path).name)
        return read_entry(path, key, **kwargs)

    monkeypatch.setattr(cache_module, "read_entry", counting)
    monkeypatch.setattr(incremental, "read_entry", counting)
    return calls


def settled(results):
    """``results`` as a rebuild reports them: nothing parsed now."""
    return replace(results, parsed=tuple((raw, replace(doc, parsed_now=False)) for raw, doc in results.parsed))


def test_hit_index_answers_an_unchanged_corpus_without_reading_entries(corpus, tmp_path, entry_reads):
    (corpus / "broken.tika.txt").write_text("这不是一份部门预算。\n", encoding="utf-8")  # a cached failure too
    cache = ParseCache(tmp_path / "cache")
    raws = discover(corpus)
    first = parse_corpus(raws, cache, workers=1)
    assert len(first.parsed) == 3 and len(first.failed) == 1 and (cache.dir / "index.json").is_file()
    entry_reads.clear()
    again = parse_corpus(raws, cache, workers=1)
    assert entry_reads == []
    assert again == settled(first)
    # the same answers as reading every entry (no index)
    (cache.dir / "index.json").unlink()
    assert parse_corpus(raws, cache, workers=1) == again and len(entry_reads) == 4


def test_hit_index_falls_back_when_an_entry_file_is_gone(corpus, tmp_path, entry_reads):
    cache = ParseCache(tmp_path / "cache")
    raws = discover(corpus)
    first = parse_corpus(raws, cache, workers=1)
    gone = Path(first.parsed[1][1].entry_path)
    gone.unlink()
    entry_reads.clear()
    again = parse_corpus(raws, cache, workers=1)
    assert [doc.parsed_now for _, doc in again.parsed] == [False, True, False]
    assert gone.is_file() and settled(again) == settled(first)
    # read: the missing entry (a miss), then the one just written; the others came from the index
    assert entry_reads == [gone.name, gone.name]


def test_corrupt_or_foreign_hit_index_is_ignored(corpus, tmp_path, entry_reads):
    cache = ParseCache(tmp_path / "cache")
    raws = discover(corpus)
    first = parse_corpus(raws, cache, workers=1)
    index = cache.dir / "index.json"
    good = index.read_bytes()
    foreign = json.loads(good) | {"fingerprint": "f" * 64}  # another code version's index, with other ids
    for record in foreign["entries"].values():
        record[1] = "not-this-document"
    for content in (good[: len(good) // 2], b"[1, 2]", json.dumps(foreign).encode()):
        index.write_bytes(content)
        entry_reads.clear()
        assert parse_corpus(raws, cache, workers=1) == settled(first)
        assert len(entry_reads) == 3
    assert index.read_bytes() == good  # rewritten


def test_output_does_not_depend_on_the_number_of_workers(corpus: Path, tmp_path: Path):
    (corpus / "broken.tika.txt").write_text("这不是一份部门预算。\n", encoding="utf-8")
    raws = discover(corpus)
    one = parse_corpus(raws, ParseCache(tmp_path / "c1"), workers=1)
    two = parse_corpus(raws, ParseCache(tmp_path / "c2"), workers=2)
    # the broken document is reported, the others are parsed, in both
    assert [f.relpath for f in one.failed] == [f.relpath for f in two.failed] == ["broken.tika.txt"]
    assert [d.document_id for _, d in one.parsed] == [d.document_id for _, d in two.parsed]
    assert len(one.parsed) == 3
    for (_, a), (_, b) in zip(one.parsed, two.parsed):
        assert Path(a.entry_path).read_bytes() == Path(b.entry_path).read_bytes()

    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    run(corpus, out1, tmp_path / "c3", tmp_path, workers=1)
    run(corpus, out2, tmp_path / "c4", tmp_path, workers=2)
    assert tree(out1) == tree(out2)


def test_with_a_warm_forkserver_a_single_new_document_is_parsed_in_a_worker(corpus: Path, tmp_path: Path,
                                                                           monkeypatch):
    raws = discover(corpus)
    reference = parse_corpus(raws, ParseCache(tmp_path / "c1"), workers=1)
    incremental.warm_up()

    def not_here(*args):
        raise AssertionError("parsed in the build's own process")

    # A worker runs its own (preloaded) module; a parse in this process would call this replacement.
    monkeypatch.setattr(incremental, "parse_into_cache", not_here)
    cache = ParseCache(tmp_path / "c2")
    parse_corpus(raws[:-1], cache, workers=2)  # several misses: the pool, as always
    last = parse_corpus(raws, cache, workers=2)  # one miss: the pool too, because it is warm
    assert [d.parsed_now for _, d in last.parsed] == [False] * (len(raws) - 1) + [True]
    for (_, a), (_, b) in zip(reference.parsed, last.parsed):
        assert Path(a.entry_path).read_bytes() == Path(b.entry_path).read_bytes()


def test_a_new_parser_version_never_hits_old_entries(corpus: Path, tmp_path: Path):
    raws = discover(corpus)
    parse_corpus(raws, ParseCache(tmp_path / "cache", fingerprint="a" * 64), workers=1)
    newer = ParseCache(tmp_path / "cache", fingerprint="b" * 64)
    assert all(doc.parsed_now for _, doc in parse_corpus(raws, newer, workers=1).parsed)
    newer.prune_other_versions()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["b" * 16]


def test_cli_cache_flag_and_env(tmp_path: Path, monkeypatch):
    from pipeline.cli import main

    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "a"), "--cache", str(tmp_path / "flag")]) == 0
    assert list((tmp_path / "flag").rglob("*.entry"))
    monkeypatch.setenv("YUSUAN_CACHE_DIR", str(tmp_path / "env"))
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "b"), "--workers", "1"]) == 0
    assert list((tmp_path / "env").rglob("*.entry"))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


# -- the Arrow writer ------------------------------------------------------------------------------------------

GLOSSARY = load_tables()["glossary"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list('a,"\n\r 字\t;\'')), max_size=8), min_size=1, max_size=6))
def test_csv_text_is_what_csv_writer_writes(texts):
    """Byte for byte csv.writer's text -- except that a lone "\r" is quoted too (csv.writer with "\n" line
    ends leaves it bare, and every CSV reader then sees a line break in the middle of the cell)."""
    rows = [{"document_id": "d", "term_seq": i + 1, "term_zh": t or "x", "definition_zh": t or "y",
             "source_ref": "L1"} for i, t in enumerate(texts)]
    table = columnar.rows_to_table(GLOSSARY, rows)
    cells = [[csv_cell_text(row[n]) for n in GLOSSARY.field_names] for row in columnar.prepare_rows(GLOSSARY, rows)]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(cells)
    ours = columnar.csv_text(table)
    if not any("\r" in t for t in texts):
        assert ours == expected.getvalue().encode("utf-8")
    assert list(csv.reader(io.StringIO(ours.decode("utf-8"), newline=""))) == cells
    # and the text does not depend on how the rows are split into batches
    assert b"".join(columnar.csv_text(table.slice(i, 1)) for i in range(table.num_rows)) == columnar.csv_text(table)


def test_files_do_not_depend_on_batch_boundaries(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(table_files, "ROW_GROUP_ROWS", 3)  # several row groups from 7 rows
    rows = [{"document_id": "d", "term_seq": i + 1, "term_zh": f"词{i}", "definition_zh": "释义", "source_ref": "L1"}
            for i in range(7)]
    table = columnar.rows_to_table(GLOSSARY, rows)
    outputs = []
    for split in ([7], [1, 6], [3, 3, 1], [2, 2, 2, 1]):
        batches, start = [], 0
        for n in split:
            batches += table.slice(start, n).to_batches()
            start += n
        csv_path, pq_path = tmp_path / f"{split}.csv", tmp_path / f"{split}.parquet"
        assert write_table_files(GLOSSARY, batches, csv_path, pq_path) == 7
        outputs.append((csv_path.read_bytes(), pq_path.read_bytes()))
    assert all(o == outputs[0] for o in outputs)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "[7].parquet").metadata.num_row_groups == 3


def test_numbers_keep_their_printed_literal_in_csv_and_value_in_parquet():
    meta = load_tables()["fixed_assets"]
    number = next(f.name for f in meta.fields if f.type == "number")
    assert columnar.core_schema(meta).field(number).type == pa.string()
    assert meta.parquet_schema().field(number).type == pa.decimal128(24, 6)
