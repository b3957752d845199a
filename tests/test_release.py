"""Releases end to end: two releases, where the second adds one document and corrects one figure of another.

The corpus is the seed plus generated disclosures, added with ``yusuan add``; each release is made by
``yusuan release`` from a package ``yusuan build`` published. The diff must report exactly what was done, the
version must move as the scheme says (MINOR: data added; the correction alone would be PATCH), and the first
release must be left as it was. The second release is then served over HTTP on 127.0.0.1 and read by URL.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.cli import main
from pipeline.metadata.schemas import TABLE_ORDER
from pipeline.release import layout
from pipeline.release.verify import verify_release
from pipeline.synth import generate_corpus

SEED_ID = "langfangshi-guangyangqu-wanzhuangzhen-renminzhengfu-2019-budget"
RETRIEVED = "2026-11-28"


def _tree(root: Path) -> dict[str, str]:
    """Every file below ``root`` with its SHA-256."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _stats(root: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``root`` with its inode and modification time: a file rewritten, even with the same
    bytes, shows."""
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def _correct_seed(raw: Path) -> None:
    """The procurement table's total project budget 8.46 万元 becomes 8.47 (84,600 -> 84,700 yuan)."""
    path = raw / SEED_NAME
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "合　计")  # the procurement total row
    at = next(i for i in range(start, start + 4) if lines[i].strip() == "8.46")
    lines[at] = lines[at].replace("8.46", "8.47")
    path.write_text("\n".join(lines), encoding="utf-8")
    manifest = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["documents"]:
        if entry["file"] == SEED_NAME:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (raw / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    work = tmp_path_factory.mktemp("release")
    generated = sorted(generate_corpus(2, 11, work / "generated"))
    raw, pkg, out = work / "raw", work / "datapackage", work / "releases"
    copy_seed_raw(raw, "shanghai-putuo-government-office-2025-unit-budget.pdf")  # a PDF: the national tables
    assert main(["add", str(generated[0]), "--raw", str(raw), "--retrieved", RETRIEVED, "--province", "河北省"]) == 0
    assert main(["build", "--raw", str(raw), "--out", str(pkg)]) == 0
    assert main(["release", "--package", str(pkg), "--out", str(out), "--raw", str(raw)]) == 0
    first, first_stats = _tree(out), _stats(out)
    shutil.copytree(out, work / "after-first")
    _correct_seed(raw)
    assert main(["add", str(generated[1]), "--raw", str(raw), "--retrieved", RETRIEVED]) == 0
    assert main(["build", "--raw", str(raw), "--out", str(pkg)]) == 0
    assert main(["release", "--package", str(pkg), "--out", str(out), "--raw", str(raw)]) == 0
    return {"work": work, "raw": raw, "pkg": pkg, "out": out, "first": first, "first_stats": first_stats}


def _diff(out: Path, version: str) -> dict:
    return json.loads((out / version / layout.DIFF_JSON).read_text(encoding="utf-8"))


def _rows_of(folder: Path, table: str, document: str) -> int:
    rows = pq.read_table(folder / layout.parquet_path(table), columns=["document_id"]).column(0).to_pylist()
    return rows.count(document)


def test_second_release_reports_exactly_the_added_document_and_the_corrected_figure(releases, capsys):
    out = releases["out"]
    diff = _diff(out, "1.1.0")
    docs = json.loads((out / "1.1.0" / layout.DATAPACKAGE).read_text(encoding="utf-8"))
    added_id = next(d for d in diff["documents"]["added"])
    assert diff["documents"] == {"added": [added_id], "removed": [], "changed": [SEED_ID]}
    assert added_id != SEED_ID and _rows_of(out / "1.0.0", "documents", added_id) == 0
    for table, c in diff["tables"].items():
        # every row the added document has in the new release, and nothing else, is added
        assert c["added"] == _rows_of(out / "1.1.0", table, added_id), table
        assert c["removed"] == 0, table
    changed = {t: c["columns"] for t, c in diff["tables"].items() if c["changed"]}
    # The corrected figure, and the source file's hash: correcting the raw file gave it new bytes.
    assert changed == {"procurement_items": {"project_budget_yuan": 1}, "documents": {"source_sha256": 1},
                       "document_files": {"sha256": 1}}
    assert diff["by_document"][SEED_ID]["tables"]["procurement_items"] == \
        {"added": 0, "removed": 0, "changed": 1, "columns": ["project_budget_yuan"]}
    rows = pq.read_table(out / "1.1.0" / layout.diff_rows_path("procurement_items")).to_pylist()
    (fix,) = [r for r in rows if r["change"] == "changed"]
    assert (fix["document_id"], fix["row_seq"], fix["changed_columns"]) == (SEED_ID, 1, ["project_budget_yuan"])
    assert (fix["old_project_budget_yuan"], fix["new_project_budget_yuan"]) == (84600, 84700)
    added_rows = [r for r in rows if r["change"] == "added"]
    assert len(added_rows) == diff["tables"]["procurement_items"]["added"]
    assert {r["document_id"] for r in added_rows} <= {added_id}
    lines = pq.read_table(out / "1.1.0" / layout.diff_rows_path("budget_lines")).to_pylist()
    assert lines and {(r["change"], r["document_id"]) for r in lines} == {("added", added_id)}
    assert diff["checks"]["status_changed"] == []
    assert diff["schema"] == {"tables_added": [], "tables_removed": [], "tables": {}}
    assert diff["metadata"] == {"package": ["sources"], "tables": {}}
    notes = (out / "1.1.0" / layout.NOTES).read_text(encoding="utf-8")
    assert "| procurement_items | 13 | " not in notes and "`project_budget_yuan` | 84600.00 | 84700.00 |" in notes
    assert docs["version"] == "1.1.0"


def test_version_moves_by_the_scheme(releases):
    out = releases["out"]
    assert layout.releases(out) == ["1.0.0", "1.1.0"]
    diff = _diff(out, "1.1.0")
    assert (diff["from"], diff["to"], diff["bump"]) == ("1.0.0", "1.1.0", "minor")
    assert diff["reasons"]["major"] == [] and diff["reasons"]["minor"] == ["1 document added"]
    assert "1 row changed in procurement_items (project_budget_yuan)" in diff["reasons"]["patch"]
    first = _diff(out, "1.0.0")
    assert (first["from"], first["to"], first["bump"]) == (None, "1.0.0", None)
    latest = json.loads((out / layout.LATEST).read_text(encoding="utf-8"))
    assert (latest["version"], latest["releases"], latest["datapackage"]) == ("1.1.0", ["1.0.0", "1.1.0"],
                                                                              "1.1.0/datapackage.json")
    assert latest["archive_sha256"] == hashlib.sha256((out / latest["archive"]).read_bytes()).hexdigest()


def test_first_release_is_unchanged_by_the_second(releases):
    out = releases["out"]
    before = {k: v for k, v in releases["first"].items() if k != layout.LATEST}
    assert before and all(k.startswith(("1.0.0/", "yusuan-1.0.0.zip")) for k in before)
    assert {k: v for k, v in _tree(out).items() if k in before} == before  # same bytes
    stats = {k: v for k, v in releases["first_stats"].items() if k in before}
    assert {k: v for k, v in _stats(out).items() if k in before} == stats  # not even rewritten


def test_release_is_valid_complete_and_self_contained(releases):
    folder = releases["out"] / "1.1.0"
    assert verify_release(folder) == []  # frictionless validate: by URL, below
    descriptor = json.loads((folder / layout.DATAPACKAGE).read_text(encoding="utf-8"))
    assert descriptor["id"].startswith("urn:uuid:") and descriptor["created"] == f"{RETRIEVED}T00:00:00Z"
    for res in descriptor["resources"]:
        assert isinstance(res["path"], str) and "parts" not in res
        assert ("bytes" in res) == (res["format"] == "csv") and res["hash"].startswith("sha256:")
    documents = pq.read_table(folder / layout.parquet_path("documents")).to_pylist()
    for doc in documents:  # every source file resolves inside the release, with its bytes
        raw = folder / layout.RAW_DIR / doc["source_file"]
        assert hashlib.sha256(raw.read_bytes()).hexdigest() == doc["source_sha256"]
    for source in descriptor["sources"]:
        assert (folder / source["path"]).is_file()
    manifest = json.loads((folder / layout.RAW_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in manifest["documents"]) == sorted(d["source_file"] for d in documents)
    # SHA256SUMS: every other file, checked by sha256sum itself
    listed = [line.split("  ", 1)[1] for line in (folder / layout.SUMS).read_text(encoding="utf-8").splitlines()]
    assert listed == sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                            if p.is_file() and p.name != layout.SUMS)
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", layout.SUMS], cwd=folder, check=True)
    cff = yaml.safe_load((folder / layout.CITATION).read_text(encoding="utf-8"))
    assert (cff["cff-version"], cff["type"], cff["version"], cff["date-released"]) == ("1.2.0", "dataset", "1.1.0",
                                                                                       RETRIEVED)
    assert cff["title"] == descriptor["title"] and cff["identifiers"][0]["value"] == descriptor["id"]
    assert descriptor["id"] in (folder / layout.README).read_text(encoding="utf-8")


def test_zip_holds_the_release_folder(releases):
    out = releases["out"]
    with zipfile.ZipFile(out / layout.archive_name("1.1.0")) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert names == [f"yusuan-1.1.0/{rel}" for rel in sorted(_tree(out / "1.1.0"))]
        assert archive.read("yusuan-1.1.0/datapackage.json") == (out / "1.1.0" / "datapackage.json").read_bytes()
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
    digest, name = (out / layout.archive_sum_name("1.1.0")).read_text(encoding="utf-8").split()
    assert name == layout.archive_name("1.1.0")
    assert digest == hashlib.sha256((out / name).read_bytes()).hexdigest()


def test_same_package_and_previous_release_give_identical_bytes(releases, tmp_path):
    again = _copy_first_release(releases, tmp_path / "again")
    args = ["release", "--package", str(releases["pkg"]), "--out", str(again), "--raw", str(releases["raw"])]
    assert main(args) == 0
    assert _tree(again) == _tree(releases["out"])


def test_nothing_changed_releases_nothing(releases, capsys):
    out = releases["out"]
    before = _tree(out)
    assert main(["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(releases["raw"])]) == 0
    assert "No change since release 1.1.0" in capsys.readouterr().out
    assert _tree(out) == before


def _copy_first_release(releases, target: Path) -> Path:
    """The releases folder as the first release left it."""
    shutil.copytree(releases["work"] / "after-first", target)
    return target


@pytest.mark.parametrize("taken", ["1.1.0/notes.txt", "yusuan-1.1.0.zip", "latest.json"])
def test_a_taken_name_is_refused_and_left_alone(releases, tmp_path, capsys, taken):
    out = _copy_first_release(releases, tmp_path / "out")
    (out / taken).parent.mkdir(parents=True, exist_ok=True)
    (out / taken).write_text("not ours\n", encoding="utf-8")
    before = _tree(out)
    code = main(["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(releases["raw"])])
    assert code == 2
    err = capsys.readouterr().err
    assert "refusing" in err or "never overwritten" in err
    assert _tree(out) == before and not any(p.name.startswith(".release") for p in out.iterdir())


def test_a_doi_becomes_the_id_and_is_cited(releases, tmp_path, capsys):
    out = _copy_first_release(releases, tmp_path / "out")
    args = ["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(releases["raw"])]
    assert main([*args, "--doi", "not-a-doi"]) == 2
    assert "is not a DOI" in capsys.readouterr().err and layout.releases(out) == ["1.0.0"]
    assert main([*args, "--doi", "https://doi.org/10.5281/zenodo.1234567"]) == 0
    descriptor = json.loads((out / "1.1.0" / layout.DATAPACKAGE).read_text(encoding="utf-8"))
    assert descriptor["id"] == "https://doi.org/10.5281/zenodo.1234567"
    cff = (out / "1.1.0" / layout.CITATION).read_text(encoding="utf-8")
    assert 'doi: "10.5281/zenodo.1234567"' in cff and "type: doi" in cff
    assert descriptor["id"] in (out / "1.1.0" / layout.NOTES).read_text(encoding="utf-8")


def test_raw_file_changed_since_the_build_is_refused(releases, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(releases["raw"], raw)
    with (raw / SEED_NAME).open("a", encoding="utf-8") as fh:
        fh.write("\n")
    out = _copy_first_release(releases, tmp_path / "out")
    assert main(["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(raw)]) == 2
    assert "changed since the package was built" in capsys.readouterr().err
    assert layout.releases(out) == ["1.0.0"]


def test_a_changed_previous_release_is_refused(releases, tmp_path, capsys):
    out = _copy_first_release(releases, tmp_path / "out")
    parquet = out / "1.0.0" / layout.parquet_path("glossary")
    parquet.write_bytes(parquet.read_bytes() + b"\0")
    assert main(["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(releases["raw"])]) == 2
    assert "must not be changed after it is made" in capsys.readouterr().err
    assert layout.releases(out) == ["1.0.0"]


def test_interrupted_release_is_completed_by_the_next(releases, tmp_path):
    out = _copy_first_release(releases, tmp_path / "out")
    (out / layout.archive_name("1.0.0")).unlink()
    (out / layout.archive_sum_name("1.0.0")).unlink()
    assert main(["release", "--package", str(releases["pkg"]), "--out", str(out), "--raw", str(releases["raw"])]) == 0
    assert _tree(out)[layout.archive_name("1.0.0")] == releases["first"][layout.archive_name("1.0.0")]


def test_validate_finds_a_tampered_release(releases, tmp_path, capsys):
    folder = tmp_path / "1.1.0"
    shutil.copytree(releases["out"] / "1.1.0", folder)
    assert main(["validate", str(folder)]) == 0
    csv = folder / layout.csv_path("procurement_items")
    csv.write_text(csv.read_text(encoding="utf-8").replace(",84700.00,", ",84800.00,"), encoding="utf-8")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "'hash'" in out and "differs from SHA256SUMS" in out


# -- by URL ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(releases):
    """The release folder (and a tampered copy of it) served by a static HTTP server on 127.0.0.1."""
    root = releases["work"] / "www"
    shutil.copytree(releases["out"], root)
    tampered = root / "tampered"
    shutil.copytree(root / "1.1.0", tampered)
    csv = tampered / layout.csv_path("budget_lines")
    csv.write_bytes(csv.read_bytes().replace(b"60412400", b"60412500", 1))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_frictionless_reads_every_row_of_every_resource_by_url(releases, served):
    import frictionless

    folder = releases["out"] / "1.1.0"
    package = frictionless.Package(f"{served}/1.1.0/datapackage.json")
    assert len(package.resources) == 2 * len(TABLE_ORDER)
    for resource in package.resources:
        table = resource.name.removesuffix("_parquet")
        expected = pq.read_metadata(folder / layout.parquet_path(table)).num_rows
        assert expected > 0 and len(resource.read_rows()) == expected, resource.name


def test_frictionless_validate_by_url_passes_and_fails_when_tampered(served):
    cli = [sys.executable, "-m", "frictionless", "validate"]
    good = subprocess.run([*cli, f"{served}/1.1.0/datapackage.json"], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout[-3000:]
    # the tampered resource only (all of them take ~20 s more on this machine)
    bad = subprocess.run([*cli, "--resource-name", "budget_lines", f"{served}/tampered/datapackage.json"],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "hash-count" in bad.stdout, bad.stdout[-3000:]


def test_pandas_and_pyarrow_read_a_table_by_url(releases, served):
    expected = pq.read_table(releases["out"] / "1.1.0" / layout.parquet_path("budget_lines"))
    by_csv = pd.read_csv(f"{served}/1.1.0/data/budget_lines.csv", dtype={"amount_yuan": "Int64"})
    by_parquet = pd.read_parquet(f"{served}/1.1.0/data/budget_lines.parquet")
    with urllib.request.urlopen(f"{served}/1.1.0/data/budget_lines.parquet") as response:
        by_arrow = pq.read_table(io.BytesIO(response.read()))
    assert len(by_csv) == len(by_parquet) == by_arrow.num_rows == expected.num_rows
    assert by_arrow.equals(expected)
    assert by_parquet["amount_yuan"].tolist() == by_csv["amount_yuan"].tolist() == expected["amount_yuan"].to_pylist()


def test_readme_get_the_data_example_runs_against_a_served_release(served):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Get the data", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.+?)```", section, re.S)
    base_line = next(line for line in example.splitlines() if line.startswith("base = "))
    namespace: dict = {}
    exec(compile(example.replace(base_line, f"base = {served + '/1.1.0'!r}"), "README.md", "exec"), namespace)
    assert len(namespace["rows"]) == len(namespace["lines"]) > 0
    assert namespace["checks"].num_rows > 0 and len(namespace["documents"]) == 4  # the seed, a PDF, two added
    assert "sha256sum -c SHA256SUMS" in section and "frictionless validate datapackage.json" in section


# -- Dagster ----------------------------------------------------------------------------------------------------


def test_release_job_is_on_demand_and_releases(releases, tmp_path):
    import dagster as dg

    from pipeline.orchestration.definitions import build_defs
    from pipeline.orchestration.release_job import RELEASE_JOB_NAME

    defs = build_defs(raw_dir=releases["raw"], out_dir=releases["pkg"])
    assert all(s.job_name != RELEASE_JOB_NAME for s in defs.schedules) and \
        all(RELEASE_JOB_NAME not in [j.name for j in s.jobs] for s in defs.sensors)
    out = _copy_first_release(releases, tmp_path / "out")
    config = {"ops": {"make_release_op": {"config": {"releases_dir": str(out)}}}}
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster")) as instance:
        result = defs.resolve_job_def(RELEASE_JOB_NAME).execute_in_process(instance=instance, run_config=config)
        assert result.success and result.output_for_node("make_release_op")["version"] == "1.1.0"
        again = defs.resolve_job_def(RELEASE_JOB_NAME).execute_in_process(instance=instance, run_config=config)
        assert again.output_for_node("make_release_op") == {"version": None, "previous": "1.1.0"}
    assert _tree(out) == _tree(releases["out"])
