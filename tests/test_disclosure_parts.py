"""A disclosure published as several files: the manifest names its parts, the build makes them one document whose
rows cite their file by the part their ``source_ref`` starts with, a missing part is a completeness record (never
a silently halved document), and the parse cache treats the parts as one document."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import RAW_DIR

from pipeline.build.cache import ParseCache, entry_key
from pipeline.build.incremental import parse_corpus
from pipeline.cli import main
from pipeline.document import readers
from pipeline.document.model import Span
from pipeline.document.parts import PartsLocator, combine
from pipeline.document.readers import source_ref_pattern
from pipeline.raw.discover import discover, parts_digest
from pipeline.raw.manifest import ManifestError, load_manifest

PC17 = "jiangsu-party-committee-general-office-2017-budget"
TEXT, TABLES = f"{PC17}-text.pdf", f"{PC17}-tables.pdf"


def _raw(tmp_path: Path, names: list[str], entries: list[str] | None = None, edit=None) -> Path:
    """A raw folder with ``names`` copied from raw/ and the manifest entries of ``entries`` (default: the same)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in names:
        shutil.copy2(RAW_DIR / name, raw / name)
    manifest = json.loads((RAW_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest["documents"] if d["file"] in (names if entries is None else entries)]
    if edit is not None:
        edit(manifest["documents"])
    (raw / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return raw


def _checks(parsed, check_id):
    return [r for r in parsed.tables["checks"] if r["check_id"] == check_id]


def test_the_files_of_a_disclosure_are_one_document(tmp_path):
    raw = _raw(tmp_path, [TEXT, TABLES])
    (doc,) = discover(raw)
    assert [f.relpath for f in doc.parts] == [TEXT, TABLES] and doc.relpath == f"{TEXT} + {TABLES}"
    assert doc.sha256 == parts_digest((f.part, f.relpath, f.sha256) for f in doc.parts) and doc.missing == ()
    from pipeline.tables.parse import parse_raw_document

    parsed = parse_raw_document(doc)
    files = parsed.tables["document_files"]
    assert [(f["part"], f["part_seq"], f["file"], f["sha256"]) for f in files] == [
        ("explanation", 1, TEXT, doc.parts[0].sha256), ("tables", 2, TABLES, doc.parts[1].sha256)]
    assert parsed.tables["documents"][0]["source_file"] == TEXT
    (complete,) = _checks(parsed, "document_part_missing")
    assert complete["status"] == "pass"
    # every reference names its part, and the part's file holds what it names
    pattern = re.compile(source_ref_pattern())
    refs = [r["source_ref"] for rows in parsed.tables.values() for r in rows if r.get("source_ref")]
    assert refs and all(pattern.match(ref) for ref in refs)
    parts = {r["source_ref"].split(":", 1)[0] for rows in parsed.tables.values() for r in rows if r.get("source_ref")}
    assert parts == {"explanation", "tables"}
    (fiscal,) = [r for r in parsed.tables["summary_lines"] if r["table_code"] == "fiscal_allocation_summary"
                 and r["side"] == "income" and r["line_code"] == "total"]
    assert fiscal["source_ref"] == "tables:p4:r7c1-p4:r7c2"  # 收入合计 of 财政拨款收支预算总表, page 4 of the tables file
    (total,) = [r for r in parsed.tables["budget_lines"] if r["line_code"] == "income_total"]
    assert total["source_ref"].startswith("explanation:p5:")


def test_a_reference_of_a_document_of_parts_is_read_back_to_its_position():
    docs = [(part, readers.read((RAW_DIR / name).read_bytes(), name).document)
            for part, name in (("explanation", TEXT), ("tables", TABLES))]
    document = combine(docs, f"{TEXT} + {TABLES}")
    locator = document.blocks[0].span.locator
    assert isinstance(locator, PartsLocator)
    for block in document.blocks:
        ref = block.span.ref
        assert locator.position(ref) == block.span.first, ref
        assert document.part_of(block.span) == ref.split(":", 1)[0]
    first_table = next(b for b in document.blocks if hasattr(b, "rows"))
    assert first_table.span.ref == "tables:p1:r1-26"  # 收支预算总表, the first page of the tables file
    # a span from one part into the next names both ends
    span = Span(document.blocks[0].span.first, first_table.span.last, locator)
    assert span.ref == "explanation:p1:l1-tables:p1:r26c6" and re.match(source_ref_pattern(), span.ref)


def test_a_part_missing_from_raw_is_a_completeness_record_not_a_halved_document(tmp_path):
    raw = _raw(tmp_path, [TEXT], entries=[TEXT, TABLES])
    (doc,) = discover(raw)
    assert [f.relpath for f in doc.parts] == [TEXT] and doc.missing == (("tables", TABLES),)
    from pipeline.tables.parse import parse_raw_document

    parsed = parse_raw_document(doc)
    (missing,) = _checks(parsed, "document_part_missing")
    assert (missing["status"], missing["subject"], missing["found_text"]) == ("warn", "tables", TABLES)
    assert "listed in the raw manifest, not in the raw folder" in missing["note"]
    sections = {s["section_key"]: s for s in parsed.tables["document_sections"]}
    assert not sections["budget_tables"]["is_present"]
    assert len([r for r in _checks(parsed, "table_missing") if r["status"] == "warn"]) == 12
    assert parsed.tables["documents"][0]["completeness_score"] < 1
    assert not parsed.tables["function_lines"] and parsed.tables["budget_lines"]
    assert [f["part"] for f in parsed.tables["document_files"]] == ["explanation"]
    # the prose is not judged against tables the disclosure lacks: its items skip, saying why
    items = _checks(parsed, "function_item_matches_table")
    assert items and {(r["status"], r["note"]) for r in items} == {
        ("skip", "the 一般公共预算 function table is not in the document")}
    # what still fails is the prose's own arithmetic (#17: 增长1.66% for 101.48 / 6,005.51 = 1.69 %)
    assert [r["check_id"] for r in parsed.tables["checks"] if r["status"] == "fail"] == ["change_percent_matches"]


def test_tables_without_their_explanation_say_so(tmp_path):
    raw = _raw(tmp_path, [TABLES], entries=[TEXT, TABLES])
    from pipeline.tables.parse import parse_raw_document

    (doc,) = discover(raw)
    parsed = parse_raw_document(doc)
    (missing,) = _checks(parsed, "document_part_missing")
    assert (missing["status"], missing["subject"], missing["found_text"]) == ("warn", "explanation", TEXT)
    document = parsed.tables["documents"][0]
    # the tables print the long name and the year only in the 政府采购 title
    assert (document["department_name_zh"], document["fiscal_year"]) == ("中国共产党江苏省委员会办公厅", 2017)
    assert {s["section_key"] for s in parsed.tables["document_sections"] if not s["is_present"]} == {
        "duties", "organisation", "tasks", "budget_explanation", "glossary"}


def test_unlisted_files_of_one_disclosure_are_two_documents_each_saying_what_it_lacks(tmp_path):
    raw = _raw(tmp_path, [TEXT, TABLES], entries=[])
    docs = discover(raw)
    assert [d.relpath for d in docs] == sorted([TEXT, TABLES]) and all("not listed" in d.warnings[0] for d in docs)
    from pipeline.tables.parse import parse_raw_document

    for doc in docs:
        parsed = parse_raw_document(doc)
        (missing,) = _checks(parsed, "document_part_missing")
        lacks = "tables" if doc.relpath == TEXT else "explanation"
        assert (missing["status"], missing["subject"]) == ("warn", lacks)
        if lacks == "tables":
            assert "具体公开表样附后" in missing["note"]  # the explanation announces the tables it lacks


@pytest.mark.parametrize("edit, message", [
    (lambda d: d[0].pop("part"), "'disclosure' and 'part' go together"),
    (lambda d: d[0].update(part="annex"), "'annex' is not one of explanation, tables"),
    (lambda d: [e.update(disclosure="Bad Key") for e in d], "is not a key of lower-case letters"),
    (lambda d: [e.update(disclosure=e["disclosure"] + "\n") for e in d], "is not a key of lower-case letters"),
    (lambda d: d[1].update(part="explanation"), "lists the part 'explanation' twice"),
    (lambda d: d[1].update(fiscal_year=2018), "disagree on fiscal_year"),
])
def test_a_manifest_whose_parts_contradict_each_other_is_refused(tmp_path, edit, message):
    raw = _raw(tmp_path, [TEXT, TABLES], edit=edit)
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(raw)


def test_a_change_in_either_file_parses_the_disclosure_again(tmp_path):
    raw = _raw(tmp_path, [TEXT, TABLES])
    cache = ParseCache(tmp_path / "cache")
    first = parse_corpus(discover(raw), cache, workers=1)
    assert [doc.parsed_now for _, doc in first.parsed] == [True]
    again = parse_corpus(discover(raw), cache, workers=1)
    assert [doc.parsed_now for _, doc in again.parsed] == [False]
    for name in (TEXT, TABLES):  # one more byte after %%EOF: the same pages, other bytes
        (raw / name).write_bytes((raw / name).read_bytes() + b"\n")
        (doc,) = discover(raw)
        changed = parse_corpus([doc], cache, workers=1)
        assert [d.parsed_now for _, d in changed.parsed] == [True], name
    # the key covers every part: the same document with one part's hash changed has another key
    (doc,) = discover(raw)
    other = doc.parts[1].__class__(**{**doc.parts[1].__dict__, "sha256": "0" * 64})
    assert entry_key(doc, "f") != entry_key(doc.__class__(**{**doc.__dict__, "parts": (doc.parts[0], other)}), "f")


def test_yusuan_add_records_the_parts_and_refuses_a_part_twice(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    args = ["--raw", str(raw), "--disclosure", "jiangsu-x-2017-budget", "--department", "江苏省委办公厅", "--year", "2017"]
    assert main(["add", str(RAW_DIR / TEXT), *args, "--part", "explanation"]) == 0
    assert main(["add", str(RAW_DIR / TABLES), *args, "--part", "tables"]) == 0
    entries = load_manifest(raw)
    assert sorted((e.part, e.disclosure) for e in entries.values()) == [("explanation", "jiangsu-x-2017-budget"),
                                                                        ("tables", "jiangsu-x-2017-budget")]
    (doc,) = discover(raw)
    assert [f.part for f in doc.parts] == ["explanation", "tables"]
    other = RAW_DIR / "jiangsu-party-committee-general-office-2018-budget-tables.pdf"
    before = (raw / "manifest.json").read_bytes()
    assert main(["add", str(other), *args, "--part", "tables"]) == 2
    assert "lists the part 'tables' twice" in capsys.readouterr().err
    assert (raw / "manifest.json").read_bytes() == before and len(list(raw.glob("*.pdf"))) == 2
