"""``yusuan add``: a disclosure copied into raw/ under a safe name with its manifest entry, or a clear refusal."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.cli import main
from pipeline.raw.add import safe_name
from pipeline.raw.discover import discover
from pipeline.raw.manifest import ManifestEntry

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return copy_seed_raw(tmp_path / "raw")


@pytest.fixture
def disclosure(tmp_path: Path, seed_text: str) -> Path:
    """A readable disclosure that is not in raw/ yet: the seed's text with another department's name."""
    path = tmp_path / "廊坊市 某某局 2019年 预算.Tika.TXT"
    path.write_text(seed_text.replace("万庄镇人民政府", "某某局"), encoding="utf-8")
    return path


def manifest(raw: Path) -> dict:
    return json.loads((raw / "manifest.json").read_text(encoding="utf-8"))


def test_add_copies_under_a_safe_name_and_writes_the_entry(raw, disclosure, capsys):
    before = (raw / "manifest.json").read_text(encoding="utf-8")
    code = main(["add", str(disclosure), "--raw", str(raw), "--source-url", "https://example.gov.cn/a.doc",
                 "--department", "廊坊市某某局", "--year", "2019", "--province", "河北省", "--retrieved", "2026-11-30"])
    assert code == 0
    name = "lang-fang-shi-mou-mou-ju-2019-nian-yu-suan.tika.txt"
    assert (raw / name).read_bytes() == disclosure.read_bytes()
    data = manifest(raw)
    assert json.dumps(data, ensure_ascii=False, indent=2) + "\n" == (raw / "manifest.json").read_text(encoding="utf-8")
    assert data["documents"][0] == json.loads(before)["documents"][0]  # the seed's entry kept as it was
    assert data["documents"][1] == {
        "file": name, "sha256": hashlib.sha256(disclosure.read_bytes()).hexdigest(), "format": "tika-text",
        "department_zh": "廊坊市某某局", "province_zh": "河北省", "fiscal_year": 2019, "kind": "budget",
        "source_url": "https://example.gov.cn/a.doc", "retrieved_date": "2026-11-30"}
    (doc,) = [d for d in discover(raw) if d.relpath == name]
    assert doc.warnings == () and doc.manifest.fiscal_year == 2019
    assert name in capsys.readouterr().out


def test_unknown_source_url_is_recorded_as_null(raw, disclosure):
    assert main(["add", str(disclosure), "--raw", str(raw), "--note", "no address known"]) == 0
    entry = manifest(raw)["documents"][1]
    assert entry["source_url"] is None and entry["note"] == "no address known"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["retrieved_date"])  # today: when it was retrieved


def test_a_taken_name_gets_the_hash(raw, disclosure, tmp_path):
    other = tmp_path / "other" / disclosure.name
    other.parent.mkdir()
    other.write_text(disclosure.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert main(["add", str(disclosure), "--raw", str(raw)]) == 0
    assert main(["add", str(other), "--raw", str(raw)]) == 0
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    assert manifest(raw)["documents"][2]["file"] == f"lang-fang-shi-mou-mou-ju-2019-nian-yu-suan-{digest[:8]}.tika.txt"


@pytest.mark.parametrize("case, message", [
    ("duplicate", "already holds these bytes as " + SEED_NAME),
    ("missing", "no such file"),
    ("empty", "the file is empty"),
    ("folder", "not a regular file"),
    ("binary", "cannot be read as a disclosure"),
    ("in_raw", "is already inside"),
])
def test_refusals_change_nothing(raw, tmp_path, capsys, case, message):
    source = {"duplicate": RAW_DIR / SEED_NAME, "missing": tmp_path / "nothing.txt", "empty": tmp_path / "empty.txt",
              "folder": tmp_path, "binary": tmp_path / "b.txt", "in_raw": raw / SEED_NAME}[case]
    if case == "empty":
        source.write_bytes(b"")
    if case == "binary":
        source.write_bytes(bytes(range(256)) * 8)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    assert main(["add", str(source), "--raw", str(raw)]) == 2
    assert message in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_bad_arguments_are_refused(raw, disclosure, capsys):
    assert main(["add", str(disclosure), "--raw", str(raw), "--source-url", "ftp://x"]) == 2
    assert main(["add", str(disclosure), "--raw", str(raw), "--retrieved", "30/11/2026"]) == 2
    assert main(["add", str(disclosure), "--raw", str(raw / "nope")]) == 2
    assert len(manifest(raw)["documents"]) == 1


@pytest.mark.parametrize("original, safe", [
    ("廊坊市 预算(2019).tika.txt", "lang-fang-shi-yu-suan-2019.tika.txt"),
    ("../../etc/passwd", "passwd"),
    ("A File.PDF", "a-file.pdf"),
    ("预算", "yu-suan"),
    ("....txt", "disclosure.txt"),
    ("manifest.json", "manifest.json"),
])
def test_safe_name(original, safe):
    assert safe_name(Path(original).name) == safe
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", safe_name(Path(original).name))


def test_a_name_the_build_ignores_is_not_used(raw, tmp_path, seed_text):
    source = tmp_path / "manifest.json"
    source.write_text(seed_text.replace("万庄镇人民政府", "某某局"), encoding="utf-8")
    assert main(["add", str(source), "--raw", str(raw)]) == 0
    assert manifest(raw)["documents"][1]["file"].startswith("manifest-")


def test_readme_lists_exactly_the_manifest_keys():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a disclosure", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"^\| `([a-z_0-9]+)` \|", section, re.M)
    assert keys == [f.name for f in dataclasses.fields(ManifestEntry)]
    assert "yusuan add" in section
