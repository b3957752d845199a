"""Raw discovery with the manifest, document ids, and the clear errors of documents that cannot be parsed."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.errors import DocumentError
from pipeline.metadata.schemas import load_tables
from pipeline.raw import discover as raw
from pipeline.raw.discover import discover, missing_from_disk, scan
from pipeline.raw.hashing import MEMO_FORMAT, file_identity, memo_path, sha256_file
from pipeline.raw.manifest import ManifestError
from pipeline.tables import ids
from pipeline.tables.parse import parse_raw_document
from pipeline.tables.templates.hebei_budget import layout


@pytest.fixture
def raw_copy(tmp_path):
    return copy_seed_raw(tmp_path / "raw")


def test_manifest_lists_the_seed_with_its_hash():
    (doc,) = [d for d in discover(RAW_DIR) if d.relpath == SEED_NAME]
    assert doc.relpath == SEED_NAME and doc.manifest is not None
    assert doc.sha256 == doc.manifest.sha256 == sha256_file(RAW_DIR / SEED_NAME)
    assert doc.warnings == ()
    # No address is known for the seed: the entry says so instead of inventing one.
    assert doc.manifest.source_url is None and "not known" in doc.manifest.note


def test_unlisted_file_is_processed_with_a_warning(raw_copy):
    shutil.copy(raw_copy / SEED_NAME, raw_copy / "另一个 文件.txt")
    docs = {d.relpath: d for d in discover(raw_copy)}
    extra = docs["另一个 文件.txt"]
    assert extra.manifest is None and "not listed" in extra.warnings[0]
    parsed = parse_raw_document(extra)
    assert parsed.tables["documents"][0]["province_zh"] is None
    assert parsed.tables["documents"][0]["source_file"] == "另一个 文件.txt"


def test_changed_file_keeps_its_new_hash_and_warns(raw_copy):
    path = raw_copy / SEED_NAME
    path.write_bytes(path.read_bytes() + b"\n")
    (doc,) = discover(raw_copy)
    assert doc.sha256 == sha256_file(path) != doc.manifest.sha256
    assert "differs" in doc.warnings[0]


# -- the sha256 memo ------------------------------------------------------------------------------------------


@pytest.fixture
def hash_calls(monkeypatch):
    """Count the raw files discover() reads; files written by the test are memoised at once (no racy window)."""
    calls = []
    real = raw.sha256_file
    monkeypatch.setattr(raw, "sha256_file", lambda path: calls.append(path.name) or real(path))
    monkeypatch.setattr(raw, "MEMO_RACY_NS", 0)
    return calls


def test_hash_memo_spares_reading_unchanged_files(raw_copy, tmp_path, hash_calls):
    shutil.copy(raw_copy / SEED_NAME, raw_copy / "copy.txt")
    memo = tmp_path / "cache"
    first = discover(raw_copy, memo_dir=memo)
    assert len(hash_calls) == 2 and memo_path(memo, raw_copy).is_file()
    hash_calls.clear()
    assert discover(raw_copy, memo_dir=memo) == first == discover(raw_copy)
    assert sorted(hash_calls) == sorted([SEED_NAME, "copy.txt"])  # only the memo-less discover read them

    (raw_copy / "copy.txt").unlink()  # its entry is dropped when the memo is next written
    assert [d.relpath for d in discover(raw_copy, memo_dir=memo)] == [SEED_NAME]
    assert list(json.loads(memo_path(memo, raw_copy).read_text())["files"]) == [SEED_NAME]


def test_rewrite_with_restored_mtime_is_hashed_again(raw_copy, tmp_path, hash_calls):
    path, memo = raw_copy / SEED_NAME, tmp_path / "cache"
    (before,) = discover(raw_copy, memo_dir=memo)
    old = path.stat()
    data = path.read_bytes()
    path.write_bytes(data[:-3] + b"XYZ")  # same size, other bytes
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    hash_calls.clear()
    (after,) = discover(raw_copy, memo_dir=memo)
    assert hash_calls == [SEED_NAME]  # caught by the ctime the rewrite set
    assert after.sha256 == sha256_file(path) != before.sha256 and "differs" in after.warnings[0]


def test_corrupt_or_foreign_memo_is_ignored(raw_copy, tmp_path, hash_calls):
    memo = tmp_path / "cache"
    expected = discover(raw_copy)
    path = memo_path(memo, raw_copy)
    path.parent.mkdir()
    (doc,) = expected
    identity = file_identity((raw_copy / SEED_NAME).stat())
    foreign = {"format": "other", "files": {SEED_NAME: f"{identity} {'0' * 64}"}}
    for content in (b"\x00garbage{", b"[]", json.dumps(foreign).encode(),
                    json.dumps({"format": MEMO_FORMAT, "files": {SEED_NAME: "nonsense"}}).encode(),
                    json.dumps({"format": MEMO_FORMAT, "files": {SEED_NAME: [identity, 12]}}).encode()):
        path.write_bytes(content)
        hash_calls.clear()
        assert discover(raw_copy, memo_dir=memo) == expected
        assert hash_calls == [SEED_NAME]
    assert json.loads(path.read_text())["files"] == {SEED_NAME: f"{identity} {doc.sha256}"}  # rewritten, valid


def test_file_changed_just_before_discovery_is_not_memoised(raw_copy, tmp_path, monkeypatch):
    calls = []
    real = raw.sha256_file
    monkeypatch.setattr(raw, "sha256_file", lambda path: calls.append(path.name) or real(path))
    (raw_copy / SEED_NAME).write_bytes((raw_copy / SEED_NAME).read_bytes())  # ctime: now
    discover(raw_copy, memo_dir=tmp_path / "cache")
    discover(raw_copy, memo_dir=tmp_path / "cache")
    # it could change again within the same timestamp tick unnoticed: hashed until it is MEMO_RACY_NS old
    assert calls == [SEED_NAME, SEED_NAME]


def test_refused_file_is_never_read_with_the_memo(raw_copy, tmp_path, hash_calls):
    memo = tmp_path / "cache"
    for _ in range(2):
        (doc,) = discover(raw_copy, max_bytes=1000, memo_dir=memo)
        assert doc.refusal and doc.sha256 == "" and hash_calls == []


def test_discover_lists_files_in_path_order_as_rglob_did(tmp_path):
    """The directory walk (os.scandir) lists what ``rglob("*")`` listed, in Path order ("a/b" before "a-b")."""
    raw_dir, outside = tmp_path / "raw", tmp_path / "outside"
    for rel in ("a/b/f.txt", "a-b/g.txt", "a.txt", ".hidden/h.txt", "a/.sub/k.txt", ".dot", "README.md"):
        (raw_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw_dir / rel).write_text(rel, encoding="utf-8")
    outside.mkdir()
    (outside / "o.txt").write_text("o", encoding="utf-8")
    (raw_dir / "dir-link").symlink_to(outside, target_is_directory=True)  # not descended into
    (raw_dir / "in-link.txt").symlink_to(raw_dir / "a.txt")
    (raw_dir / "broken.txt").symlink_to(raw_dir / "nowhere")
    listed = [d.relpath for d in discover(raw_dir)]
    assert listed == ["a/b/f.txt", "a-b/g.txt", "a.txt", "broken.txt", "in-link.txt"]
    old = sorted(p for p in raw_dir.rglob("*") if p.is_file() or (p.is_symlink() and not p.is_dir()))
    old = [p.relative_to(raw_dir).as_posix() for p in old]
    assert listed == [r for r in old if not any(part.startswith(".") for part in r.split("/")) and r != "README.md"]


def test_missing_from_disk_with_and_without_discovered_docs(raw_copy):
    manifest = json.loads((raw_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] += [{"file": "gone.txt"}, {"file": "broken-link.txt"}]
    (raw_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (raw_copy / "broken-link.txt").symlink_to(raw_copy / "nowhere")  # discovered (refused), not a file
    docs = discover(raw_copy)
    assert len(docs) == 2
    assert missing_from_disk(raw_copy) == missing_from_disk(raw_copy, docs) == ["broken-link.txt", "gone.txt"]
    found = scan(raw_copy)  # both from one reading of the manifest
    assert found.documents == docs and found.missing == ["broken-link.txt", "gone.txt"]


def test_bad_manifest_is_a_clear_error(raw_copy):
    (raw_copy / "manifest.json").write_text(json.dumps({"documents": [{"file": "a", "colour": "red"}]}))
    with pytest.raises(ManifestError, match="unknown keys"):
        discover(raw_copy)


def test_document_id_is_from_name_and_year_not_hash():
    assert ids.document_id("廊坊市广阳区万庄镇人民政府", 2019, "budget") == (
        "langfangshi-guangyangqu-wanzhuangzhen-renminzhengfu-2019-budget")
    assert ids.name_segments("石家庄市长安区建北街道办事处") == ["石家庄市", "长安区", "建北街道办事处"]
    # Found with the synthetic corpus: 沧州市 was split after 州 (cangzhou-shixinhuaqu-…).
    assert ids.name_segments("沧州市新华区财政局") == ["沧州市", "新华区", "财政局"]
    assert ids.name_segments("恩施土家族苗族自治州恩施市") == ["恩施土家族苗族自治州", "恩施市"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\xff\xfegarbage\x80\x81", "not valid utf-16le"),
        (b"\x80\x81garbage\xff", "neither UTF-8 nor GB18030"),
        (b"\x01\x02\x00\x00binary", "binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00", r"not a readable ZIP \(\.docx\) file"),
        (b"%PDF-1.7\n", "PDF"),
        ("随便一段文字\n没有标题\n".encode(), "no known disclosure template"),
        ("某某局2019年部门预算信息公开\n只有标题\n".encode(), "no section headings"),
    ],
)
def test_unparseable_documents_raise_document_error_naming_the_file(raw_copy, content, expected):
    (raw_copy / "bad.txt").write_bytes(content)
    (bad,) = [d for d in discover(raw_copy) if d.relpath == "bad.txt"]
    with pytest.raises(DocumentError, match=expected) as info:
        parse_raw_document(bad)
    assert str(info.value).startswith("bad.txt")


def test_a_number_that_does_not_parse_names_its_line(raw_copy, seed_text):
    broken = seed_text.replace("\t0.35\n", "\t0.3x5\n", 1)
    (raw_copy / SEED_NAME).write_text(broken, encoding="utf-8")
    (doc,) = discover(raw_copy)
    with pytest.raises(DocumentError) as info:
        parse_raw_document(doc)
    line = broken.split("\n").index("\t0.3x5") + 1
    assert line == 1557  # the unit price of the first computer (seed line 1557)
    assert info.value.line == line
    assert str(info.value) == f"{SEED_NAME}:1557: expected an amount, found '0.3x5' is not a number"


def test_template_vocabularies_are_in_the_schema_enums():
    from pipeline.tables.national.vocabulary import (
        EXPENDITURE_LINES,
        INCOME_LINES,
        SOURCE_GROUPS,
        SOURCE_LINES,
        THREE_PUBLIC_OTHER,
    )
    from pipeline.tables.templates.jiangsu_budget import prose as jiangsu_prose

    tables = load_tables()

    def enum(table, field):
        (f,) = [f for f in tables[table].schema["fields"] if f["name"] == field]
        return set(f["constraints"]["enum"])

    line_codes = set(layout.INCOME_CODES.values()) | {
        "income_total", "expenditure_total", "expenditure_basic", "expenditure_personnel",
        "expenditure_public_operating", "expenditure_project", "expenditure_project_own_level",
        "expenditure_project_item", "institutional_operating_costs", "procurement_total",
        "fixed_assets_total"}
    # The Shanghai template's prose figures (编制说明, 其他相关情况说明) add their own codes to the vocabulary.
    shanghai = {"income_fiscal_allocation", "income_business", "expenditure_fiscal_allocation",
                "expenditure_general_public_budget", "expenditure_government_fund", "expenditure_state_capital",
                "expenditure_function_item", "procurement_goods", "procurement_works", "procurement_services",
                "performance_projects_funds"}
    # The Jiangsu template's 部门预算情况说明 adds its own (reserve, function classes, 会议费 …).
    jiangsu = {code for _, code, _, _, _ in jiangsu_prose.LINES} | {"expenditure_function_class",
                                                                    "expenditure_function_item"}
    assert line_codes | shanghai | jiangsu == enum("budget_lines", "line_code") and not line_codes & shanghai
    assert jiangsu - line_codes - shanghai == {"expenditure_reserve", "expenditure_function_class",
                                               "expenditure_fiscal_allocation_basic", "meeting_fees", "training_fees",
                                               "income_general_public_budget", "income_government_fund",
                                               "income_special_account", "income_carryover"} - line_codes
    # Every summary line the national vocabulary can name is in the schema.
    summary = {c for vocabulary in (INCOME_LINES, EXPENDITURE_LINES, SOURCE_GROUPS, SOURCE_LINES)
               for _, c in vocabulary}
    assert summary | {"function_class", "institutional_operating_costs", *THREE_PUBLIC_OTHER.values()} == enum(
        "summary_lines", "line_code")
    assert {c for c, _, _ in layout.THREE_PUBLIC} | {"total"} == enum("three_public_expenses", "expense_code")
    assert {c for c, _ in layout.ASSET_CODES} == enum("fixed_assets", "line_code")
    proc_fields = [f["name"] for f in tables["procurement_items"].schema["fields"]]
    assert set(layout.PROCUREMENT_COLUMNS) <= set(proc_fields)


def test_folders_not_read_are_said_not_passed_over(tmp_path):
    """A link to a folder is not followed, and a folder that cannot be read is not read: each is named with its
    reason (the build prints it as a warning of raw_documents), never passed over in silence; hidden folders are
    hidden on purpose and not named."""
    raw_dir, outside = tmp_path / "raw", tmp_path / "outside"
    (raw_dir / "sub" / ".hidden").mkdir(parents=True)
    (raw_dir / "a.txt").write_text("a", encoding="utf-8")
    outside.mkdir()
    (outside / "o.txt").write_text("o", encoding="utf-8")
    (raw_dir / "sub" / "linked").symlink_to(outside, target_is_directory=True)
    (raw_dir / "self").symlink_to(".", target_is_directory=True)
    (raw_dir / ".hidden-link").symlink_to(outside, target_is_directory=True)
    found = scan(raw_dir)
    assert [d.relpath for d in found.documents] == ["a.txt"]
    assert [s.split(":")[0] for s in found.skipped] == ["self", "sub/linked"]
    assert all("a symbolic link to a folder, not followed" in s for s in found.skipped)
    locked = raw_dir / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads it anyway: nothing is skipped
            assert scan(raw_dir).skipped == found.skipped
        else:
            assert "locked/: a folder that cannot be read (permission denied)" in scan(raw_dir).skipped[0]
    finally:
        locked.chmod(0o755)
