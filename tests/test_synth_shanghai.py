"""Round trip at scale: synthetic disclosures in the Shanghai layout, written as PDFs with the layout's quirks
(tables across pages with and without repeated headers, a 合计 row alone on its page, wrapped names, blank cells
versus 0, fen or whole yuan, rounded or truncated prose), read back by the PDF reader and the Shanghai template:
every table equals the generator's answers, table rows at the page and grid row they were drawn on."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from pipeline.raw.discover import discover
from pipeline.synth import shanghai
from pipeline.synth.corpus import generate_corpus
from pipeline.synth.shanghai.expected import expected_tables
from pipeline.tables.parse import parse_raw_document

COUNT = int(os.environ.get("YUSUAN_SYNTH_PDF_COUNT", "200"))
SEED = 20261201
WITHOUT_REFS = ("budget_lines", "glossary", "organisation_units", "responsibilities")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    raw = tmp_path_factory.mktemp("shanghai") / "raw"
    paths = generate_corpus(COUNT, SEED, raw, "pdf")
    taken: set[str] = set()
    answers = [shanghai.generate(SEED, i, taken) for i in range(COUNT)]
    by_name = {d.relpath: d for d in discover(raw)}
    return [(records, places, by_name[path.name]) for (records, data, places), path in zip(answers, paths)]


def _compare(name: str, got: list[dict], want: list[dict]) -> list[str]:
    drop = {"document_id"} | ({"source_ref", "change_source_ref"} if name in WITHOUT_REFS else {"change_source_ref"})
    got = [{k: v for k, v in r.items() if k not in drop} for r in got]
    want = [{k: v for k, v in r.items() if k not in drop} for r in want]
    if got == want:
        return []
    for k, (a, b) in enumerate(zip(got, want)):
        if a != b:
            diff = {f: (a.get(f), b.get(f)) for f in set(a) | set(b) if a.get(f) != b.get(f)}
            return [f"{name} row {k + 1}: {diff}"]
    return [f"{name}: {len(got)} rows, expected {len(want)}"]


def test_every_table_of_every_document_equals_the_generators_answers(corpus):
    problems = []
    for records, places, raw in corpus:
        parsed = parse_raw_document(raw)
        for name, want in expected_tables(records, places).items():
            for p in _compare(name, parsed.tables.get(name, []), want):
                problems.append(f"{raw.relpath}: {p}")
    assert not problems, "\n".join(problems[:20])


def test_the_corpus_has_the_quirks_it_claims(corpus):
    seen = Counter()
    for records, places, _ in corpus:
        lay = records.layout
        seen["fen"] += lay.fen
        seen["blank zero"] += lay.zero == ""
        seen["truncated prose"] += lay.truncate
        seen["dash items"] += not lay.brackets
        seen["repeated header"] += lay.repeat_header
        seen["narrow names"] += lay.name_width < 200
        seen["unit budget"] += records.kind == "unit-budget"
        tables = {t: {p for p, _ in rows} for t, rows in places.items()}
        seen["table across pages"] += any(len(pages) > 1 for pages in tables.values())
        total_alone = places["general_public_budget_expenditure"]
        seen["合计 alone on its page"] += total_alone[-1][0] != total_alone[-2][0] and total_alone[-1][1] == 1
    assert all(seen[k] >= COUNT // 20 for k in ("fen", "blank zero", "truncated prose", "dash items", "repeated header",
                                               "narrow names", "unit budget", "table across pages")), seen
    assert seen["合计 alone on its page"] >= 1, seen


def test_generated_documents_pass_their_checks(corpus):
    """The generator writes consistent budgets: no check fails (truncated prose passes, saying so)."""
    statuses = Counter()
    for records, places, raw in corpus[:40]:
        for row in parse_raw_document(raw).tables["checks"]:
            statuses[(row["check_id"], row["status"])] += 1
            assert row["status"] != "fail", (raw.relpath, row)
    assert statuses[("table_empty", "warn")] == 80 and statuses[("hierarchy_adds_up", "pass")] >= 120


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    a = generate_corpus(3, SEED, tmp_path / "a", "pdf")
    b = generate_corpus(3, SEED, tmp_path / "b", "pdf")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert Path(a[0]).suffix == ".pdf"
