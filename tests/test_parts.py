"""Tables published in parts (pipeline.build.parts): the cut rule, multi-part packages, and rebuilds that rewrite
only the parts whose documents changed.

The corpora here are small, so ``PART_DOCUMENTS`` is lowered to 4 (a part every four documents on average)
to get packages of several parts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pytest

from pipeline.build import parts
from pipeline.cli import main
from pipeline.package import validate
from pipeline.synth import generate_corpus


def test_split_cuts_after_each_cut_point_and_loses_nothing():
    ids = [f"doc-{i:04d}" for i in range(2000)]
    cut = parts.split(ids, lambda d: d)
    assert [d for part in cut for d in part] == ids
    assert all(part for part in cut)
    for part in cut:
        assert not any(parts.ends_part(d, n) for n, d in enumerate(part[:-1], start=1))
    assert all(parts.ends_part(part[-1], len(part)) for part in cut[:-1])
    assert 20 <= len(cut) <= 50  # 2000 documents, a cut every 64 on average (sooner in long parts)
    assert parts.split([], lambda d: d) == []


def test_long_parts_are_ended_sooner():
    ids = [f"doc-{i:05d}" for i in range(20000)]
    cut = parts.split(ids, lambda d: d)
    natural = [d for d in ids if parts.ends_part(d)]  # the cuts by the hash alone
    assert len(cut) > len(natural)  # some runs were longer than 128 and were ended sooner
    assert max(map(len, cut)) < 2 * parts.PART_DOCUMENTS + 64
    # A document that ends a part by its hash alone ends one whatever the length: long runs are only split.
    assert set(natural) <= {part[-1] for part in cut}


def test_an_added_document_rarely_moves_a_later_cut():
    ids = [f"doc-{i:05d}" for i in range(0, 10000, 2)]
    before = {tuple(p) for p in parts.split(ids, lambda d: d)}
    changed = []
    for new in (f"doc-{i:05d}" for i in range(1, 10000, 101)):  # 100 additions spread over the corpus
        after = parts.split(sorted(ids + [new]), lambda d: d)
        changed.append(sum(1 for p in after if tuple(p) not in before))
    # One part changes, two when the new document is a cut itself or moves the end of a long part; the move of
    # a cut by content does not carry on to the parts after it (a count would).
    assert max(changed) <= 2 and sum(changed) < 1.2 * len(changed)


def test_adding_a_document_changes_only_the_part_it_falls_in():
    ids = [f"doc-{i:04d}" for i in range(0, 3000, 2)]
    before = parts.split(ids, lambda d: d)
    new = "doc-1001"  # between doc-1000 and doc-1002
    after = parts.split(sorted(ids + [new]), lambda d: d)
    changed = [p for p in after if p not in before]
    assert len(changed) <= 2 and any(new in p for p in changed)
    assert len([p for p in before if p not in after]) <= 2


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(parts, "PART_DOCUMENTS", 4)


def _corpus(tmp_path: Path, count: int) -> tuple[Path, list[Path]]:
    all_dir = tmp_path / "all"
    paths = generate_corpus(count, 5, all_dir)
    return all_dir, paths


def _use(all_dir: Path, raw: Path, chosen: list[Path]) -> None:
    """Make ``raw`` hold exactly ``chosen`` (and their manifest entries)."""
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir()
    for p in chosen:
        shutil.copy2(p, raw / p.name)
    manifest = json.loads((all_dir / "manifest.json").read_text(encoding="utf-8"))
    names = {p.name for p in chosen}
    manifest["documents"] = [d for d in manifest["documents"] if d["file"] in names]
    (raw / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in (out / "data").rglob("*") if p.is_file()}


def test_multi_part_package_is_valid_and_read_whole_by_frictionless(tmp_path, small_parts, capsys):
    all_dir, paths = _corpus(tmp_path, 12)
    _use(all_dir, tmp_path / "raw", paths)
    out = tmp_path / "pkg"
    assert main(["build", "--raw", str(tmp_path / "raw"), "--out", str(out)]) == 0
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    n = len(resources["documents"]["path"])
    assert n >= 2, "the corpus should span several parts"
    for res in resources.values():
        assert len(res["path"]) == n and [p["path"] for p in res["parts"]] == res["path"]
    ranges = [p["documentIds"] for p in resources["documents"]["parts"]]
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:]))

    report = validate.validate_package(out / "datapackage.json", frictionless=True)
    assert report.ok, report.errors
    package = frictionless.Package(str(out / "datapackage.json"))
    for name, res in resources.items():
        if name.endswith("_parquet"):
            continue
        rows = package.get_resource(name).read_rows()  # every part, each part's header skipped
        assert len(rows) == sum(p["rows"] for p in res["parts"]) == report.stats[name]
    assert len(package.get_resource("documents").read_rows()) == 12


def test_rebuild_after_adding_a_document_rewrites_one_part_and_equals_a_fresh_build(tmp_path, small_parts, monkeypatch):
    all_dir, paths = _corpus(tmp_path, 13)
    raw, out = tmp_path / "raw", tmp_path / "pkg"
    _use(all_dir, raw, paths[:12])
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 0
    before = _inodes(out)

    _use(all_dir, raw, paths)
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 0
    after = _inodes(out)
    kept = {p for p in after if before.get(p) == after[p]}
    # Files of unchanged parts are the very files of the last build (linked from their rendering), and the
    # part holding the new document is new.
    assert kept and len(kept) < len(after)
    new_parts = {p.rsplit("/", 1)[1] for p in after if p not in kept}
    assert 1 <= len(new_parts) <= 2

    monkeypatch.setenv("YUSUAN_CACHE_DIR", str(tmp_path / "fresh-cache"))
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "fresh")]) == 0
    assert _files(out) == _files(tmp_path / "fresh")


def test_a_rendering_changed_in_place_is_rendered_again_not_trusted(tmp_path, small_parts):
    all_dir, paths = _corpus(tmp_path, 6)
    raw, out = tmp_path / "raw", tmp_path / "pkg"
    _use(all_dir, raw, paths)
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 0
    good = _files(out)
    # The published files share their inode with the cached rendering: appending to one changes both.
    victim = out / "data" / "csv" / "glossary" / "part-00000.csv"
    with victim.open("a", encoding="utf-8") as fh:
        fh.write("tampered,row\n")
    # A package changed after publishing is no longer provably the program's: not replaced (pipeline.package.marker).
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 2
    shutil.rmtree(out)
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 0
    assert _files(out) == good


def test_validation_catches_overlapping_part_ranges(tmp_path, small_parts):
    all_dir, paths = _corpus(tmp_path, 12)
    _use(all_dir, tmp_path / "raw", paths)
    out = tmp_path / "pkg"
    assert main(["build", "--raw", str(tmp_path / "raw"), "--out", str(out)]) == 0
    path = out / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        res["parts"][1]["documentIds"] = list(res["parts"][0]["documentIds"])
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = validate.validate_package(path)
    assert not report.ok
    assert any("overlap or are out of order" in e for e in report.errors), report.errors
    assert any("documentIds says" in e for e in report.errors), report.errors


def test_only_the_very_files_validated_are_recorded_as_validated(tmp_path):
    from pipeline.package import rendered_parts

    store = tmp_path / "part"
    store.mkdir()
    mine = {"documents": {"rows": 1,
                          "csv": {"path": "data/csv/documents/part-00000.csv", "bytes": 9, "hash": "sha256:aa",
                                  "ino": 11, "mtime_ns": 5},
                          "parquet": {"path": "data/parquet/documents/part-00000.parquet", "bytes": 9,
                                      "hash": "sha256:bb", "ino": 12, "mtime_ns": 5}}}
    part = rendered_parts.PartFiles(0, "a", "a", mine, store=str(store))
    other = json.loads(json.dumps(mine))
    other["documents"]["csv"]["ino"] = 99  # a concurrent build's rendering of the same part
    (store / rendered_parts.RENDERED_RECORD).write_text(json.dumps({"tables": other}), encoding="utf-8")
    rendered_parts.record_validated([part], trusted={})
    assert not (store / rendered_parts.VALIDATED_RECORD).exists()
    (store / rendered_parts.RENDERED_RECORD).write_text(json.dumps({"tables": mine}), encoding="utf-8")
    rendered_parts.record_validated([part], trusted={})
    assert json.loads((store / rendered_parts.VALIDATED_RECORD).read_text(encoding="utf-8")) == {"tables": mine}
