"""Adversarial synthetic disclosures (pipeline/synth/adversarial.py): repeated paragraphs, activity names that point a
project item at two activities, two narrow rows in a row. The parse gives the records back exactly, every identity
holds, every item finds its activity, and the anomalies are exactly the ones put in; each case occurs at its rate.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from test_synth import assert_round_trip, parse_generated
from test_synth_checks import not_holding, reported_anomalies

from pipeline.cli import main
from pipeline.document.readers.tika_text import read_text
from pipeline.synth import adversarial, generate_corpus, generate_document, vocab
from pipeline.synth.expected import expected_anomalies
from pipeline.synth.records import Disclosure
from pipeline.synth.render import TikaWriter

SEED, COUNT = 13, 80
KNOWN_NAMES = {*vocab.ACTIVITIES, *vocab.SUB_ACTIVITIES, *(n for names in vocab.PROJECT_ITEMS.values() for n in names)}


@pytest.fixture(scope="module")
def corpus() -> list[tuple[int, Disclosure, str]]:
    return [(k, *generate_document(SEED, k, adversarial=True)) for k in range(COUNT)]


def _activities(records: Disclosure):
    for act in records.activities:
        yield act
        yield from act.children


def narrow_pairs(records: Disclosure) -> int:
    """Two narrow rows in a row, as the renderer makes them in adversarial mode (render._activity_rows and
    render._procurement): an activity row without an indicator (unless printed across a page break), a
    procurement line funded from the general budget alone."""
    narrow = []
    for act in _activities(records):
        narrow.append(not act.indicators and not (len(act.description) == 1 and act.printed_twice))
        narrow += [False] * max(len(act.indicators) - 1, 0)
    pairs = sum(a and b for a, b in zip(narrow, narrow[1:]))
    lines = [i.general and not (i.fund or i.special or i.other_sources or i.other_channels)
             for i in records.procurement or ()]
    return pairs + sum(bool(a and b) for a, b in zip(lines, lines[1:]))


def test_adversarial_documents_parse_to_their_records_and_pass_their_checks(corpus):
    for k, records, text in corpus:
        assert records.adversarial
        assert_round_trip(records, text)
        checks = parse_generated(text).tables["checks"]
        assert not_holding(checks) == [], k
        items = [(r["subject"], r["status"]) for r in checks if r["check_id"] == "activity_budget_matches_project_item"]
        if records.budget.project_items:
            assert items == [(label, "pass") for label, _ in records.budget.project_items], k
        assert reported_anomalies(checks) == expected_anomalies(records), k


def test_each_case_occurs_at_its_rate(corpus):
    activities = [a for _, records, _ in corpus for a in _activities(records)]
    repeated = [a for a in activities if any(p == q for p, q in zip(a.description, a.description[1:]))]
    assert abs(len(repeated) / len(activities) - adversarial.P_REPEATED_PARAGRAPH) < 0.05, len(repeated)

    eligible = [records for _, records, _ in corpus if len(records.budget.project_items) >= 2]
    decoyed = [records for records in eligible if any(a.name not in KNOWN_NAMES for a in _activities(records))]
    assert abs(len(decoyed) / len(eligible) - adversarial.P_DECOY_NAME) < 0.2, (len(decoyed), len(eligible))

    subs = [c for _, records, _ in corpus for a in records.activities for c in a.children]
    bare = [c for c in subs if not c.indicators]
    assert abs(len(bare) / len(subs) - adversarial.P_BARE_SUB_ACTIVITY) < 0.06, (len(bare), len(subs))
    pairs = [narrow_pairs(records) for _, records, _ in corpus]
    print(f"\nadversarial: {len(repeated)} of {len(activities)} activities repeat a paragraph, {len(decoyed)} of "
          f"{len(eligible)} documents with two items or more have a decoy name, {sum(pairs)} narrow pairs "
          f"({sum(pairs) / len(pairs):.1f} per document)")
    assert sum(1 for n in pairs if n) > COUNT // 2  # most documents have two narrow rows in a row somewhere


def test_the_ordinary_generator_avoids_the_cases(corpus):
    for k in range(COUNT):
        records, _ = generate_document(SEED, k)
        assert not records.adversarial
        assert all(a.name in KNOWN_NAMES for a in _activities(records)), k
        assert not any(p == q for a in _activities(records) for p, q in zip(a.description, a.description[1:])), k


# -- the weak spots, one fixture each -----------------------------------------------------------------------


def _activity_table(rows: list[tuple[list[str], bool]]) -> str:
    w = TikaWriter(random.Random(0))
    w.para("部门职责-工作活动绩效目标")
    w.row(["职责活动", "年度预算数", "内容描述", "绩效目标", "绩效指标", "评价标准"])
    w.row(["", "", "", "", "", "优", "良", "中", "差"])
    for cells, narrow in rows:
        w.row(cells, narrow=narrow)
    w.blank(2)
    return w.result()


def test_two_narrow_activity_rows_in_a_row_are_two_rows():
    from pipeline.document.model import regroup
    from pipeline.tables.templates.hebei_budget.tables import _activity_starts

    text = _activity_table([
        (["一、政务服务", "1.00", "描述一", "目标一", "", "", "", "", ""], True),
        (["\u3000\u30001、政务公开", "1.00", "描述二", "目标二", "", "", "", "", ""], True),
        (["\u3000\u30002、会议管理", "", "描述三", "目标三", "会议次数", "≥4", "3", "2", "≤1"], False),
    ])
    (table,) = read_text(text, "x.txt").tables
    body = table.rows[2:]
    assert [len(r.cells) for r in body] == [8, 9]  # the reader alone glues the two narrow rows
    rows = regroup(body, 9, _activity_starts)
    assert [[c.text for c in r.cells][:4] for r in rows] == [
        ["一、政务服务", "1.00", "描述一", "目标一"], ["1、政务公开", "1.00", "描述二", "目标二"],
        ["2、会议管理", "", "描述三", "目标三"]]
    lines = text.split("\n")
    assert [r.span.ref for r in rows] == [f"L{lines.index(chr(9) + '一、政务服务') + 1}-L{lines.index(chr(9) + '目标一') + 1}",
                                          f"L{lines.index(chr(9) + '　　1、政务公开') + 1}-L{lines.index(chr(9) + '目标二') + 1}",
                                          f"L{lines.index(chr(9) + '　　2、会议管理') + 1}-L{lines.index(chr(9) + '≤1') + 1}"]


def test_two_narrow_procurement_rows_in_a_row_are_two_rows():
    from pipeline.document.model import regroup
    from pipeline.tables.templates.hebei_budget.tables import _procurement_starts

    w = TikaWriter(random.Random(1))
    w.row(["政府采购项目来源", *"abcdefghijklm"])
    lines = [["办公费", "", "计算机设备", "[A020101]", "台", "1", "0.35", "0.35", "0.35", "0.35", "", "", "", ""],
             ["办公费", "", "打印设备", "[A02021001]", "台", "2", "0.10", "0.20", "0.20", "0.20", "", "", "", ""],
             ["办公费", "", "投影仪", "[A020202]", "台", "1", "0.50", "0.50", "0.50", "0.25", "0.25", "", "", ""]]
    for i, cells in enumerate(lines):
        w.row(cells, gaps={0: 1}, narrow=i < 2)  # an empty paragraph after the project name, as in the seed
    w.blank(2)
    (table,) = read_text(w.result(), "x.txt").tables
    body = table.rows[1:]
    assert [len(r.cells) for r in body] == [11, 9, 14]  # the reader alone cuts them in the wrong place
    rows = regroup(body, 14, _procurement_starts)
    assert [[c.text for c in r.cells] for r in rows] == [lines[0][:10], lines[1][:10], lines[2]]


def test_a_paragraph_printed_twice_is_read_once_and_reported_with_both_lines():
    text = _activity_table([(["一、政务服务", "", ("同一段话。", "同一段话。"), "目标", "次数", "a", "b", "c", "d"], False)])
    (table,) = read_text(text, "x.txt").tables
    cell = table.rows[2].cells[2]
    lines = text.split("\n")
    first, again = lines.index("\t同一段话。") + 1, len(lines) - lines[::-1].index("同一段话。")
    assert cell.text == "同一段话。"
    assert [(t, a.ref, b.ref) for t, a, b in cell.repeats] == [("同一段话。", f"L{first}", f"L{again}")]
    (where, found, a, b, _table) = read_text(text, "x.txt").repeated_paragraphs[0]
    assert (where, found, a.first, b.first) == ("一、政务服务", "同一段话。", first, again)


def test_cli_synth_adversarial_writes_a_corpus_that_builds(tmp_path: Path, capsys):
    out = tmp_path / "corpus"
    assert main(["synth", "--count", "4", "--seed", str(SEED), "--out", str(out), "--adversarial"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"]["adversarial"] is True and "--adversarial" in manifest["description"]
    texts = sorted(out.glob("*.tika.txt"))
    assert [p.read_text(encoding="utf-8") for p in texts] == [
        generate_document(SEED, k, adversarial=True)[1] for k in range(4)]
    assert [p.name for p in texts] == [p.name for p in generate_corpus(4, SEED, tmp_path / "again", adversarial=True)]
    capsys.readouterr()
    assert main(["build", "--raw", str(out), "--out", str(tmp_path / "pkg")]) == 0
    assert re.search(r"Documents: 4 — .*, 0 quarantined", capsys.readouterr().err)
