"""The Dagster layer: definitions, a full in-process run, the blocking validity check, sensor and schedule.

Runs use the real parser, package writer and validator against a temporary copy of the repository's raw/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import jsonschema
import pytest

from pipeline.build import combine
from pipeline.build.results import BuildError
from pipeline.metadata.schemas import TABLE_ORDER, load_tables
from pipeline.orchestration.assets import YusuanPaths, core_asset_name
from pipeline.orchestration.definitions import (
    JOB_NAME,
    SCHEDULE_NAME,
    SENSOR_NAME,
    build_defs,
    defs,
    raw_files_sensor,
)
from pipeline.package import validate
from pipeline.package.profile_check import PROFILES_DIR
from pipeline.package.sources import compute_created, compute_sources
from pipeline.paths import REPO_ROOT
from pipeline.raw.discover import RawDocument, raw_fingerprint
from pipeline.raw.manifest import ManifestEntry, load_manifest
from pipeline.tables.parse import ParsedDocument


# -- fixtures / helpers -------------------------------------------------------------------------------------


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "raw"
    shutil.copytree(REPO_ROOT / "raw", dest)
    return dest


def run_build(raw_dir: Path, out_dir: Path, tmp_path: Path, **kwargs) -> dg.ExecuteInProcessResult:
    storage = tmp_path / "dagster"
    storage.mkdir(exist_ok=True)
    job = build_defs(raw_dir=raw_dir, out_dir=out_dir).resolve_job_def(JOB_NAME)
    with dg.DagsterInstance.ephemeral(tempdir=str(storage)) as instance:
        return job.execute_in_process(instance=instance, **kwargs)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def materialized_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def fake_raw(relpath: str, retrieved: date | None = None, **manifest) -> RawDocument:
    entry = ManifestEntry(file=relpath, retrieved_date=retrieved, **manifest) if (retrieved or manifest) else None
    return RawDocument(path=Path("/nonexistent") / relpath, relpath=relpath, sha256="ab" * 32, manifest=entry)


# -- definitions --------------------------------------------------------------------------------------------


def test_definitions_load_with_expected_names():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def(JOB_NAME)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    expected = {"raw_documents", "parsed_documents", "datapackage_staging", "datapackage"}
    expected |= {core_asset_name(t) for t in TABLE_ORDER}
    assert expected <= keys
    assert expected <= {k.to_user_string() for k in job.asset_layer.executable_asset_keys}

    graph = defs.resolve_asset_graph()
    tables = load_tables()
    for t in TABLE_ORDER:
        node = graph.get(dg.AssetKey(core_asset_name(t)))
        assert node.group_name == "core"
        assert node.description == tables[t].description
    assert graph.get(dg.AssetKey("raw_documents")).group_name == "raw"
    assert graph.get(dg.AssetKey("datapackage")).group_name == "out"

    check_key = dg.AssetCheckKey(dg.AssetKey("datapackage_staging"), "datapackage_valid")
    assert check_key in graph.asset_check_keys
    assert graph.get_check_spec(check_key).blocking
    for name in ("fiscal_identities_hold", "no_source_anomalies"):
        key = dg.AssetCheckKey(dg.AssetKey(core_asset_name("checks")), name)
        assert key in graph.asset_check_keys and not graph.get_check_spec(key).blocking


def test_schedule_and_sensor_target_the_job():
    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert schedule.job_name == JOB_NAME
    assert schedule.cron_schedule == "0 3 * * *"
    sensor = defs.resolve_sensor_def(SENSOR_NAME)
    assert sensor.job_name == JOB_NAME
    assert sensor.minimum_interval_seconds >= 30


# -- full runs ----------------------------------------------------------------------------------------------


def test_job_materialises_and_publishes_a_valid_package(raw_dir: Path, tmp_path: Path):
    out_dir = tmp_path / "out"
    result = run_build(raw_dir, out_dir, tmp_path)
    assert result.success
    descriptor = out_dir / "datapackage.json"
    assert descriptor.is_file()
    assert validate.validate_package(descriptor).ok

    assert "datapackage" in materialized_keys(result)
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["datapackage_valid"].passed

    # The sources' own inconsistencies: non-blocking WARN checks on core_checks, listing what they found.
    identities, anomalies = checks["fiscal_identities_hold"], checks["no_source_anomalies"]
    # the seed's identities hold; the Shanghai PDFs' printed errors are listed, and do not block the build
    assert not identities.passed and identities.severity == dg.AssetCheckSeverity.WARN
    errors = {(f["document_id"], f["check_id"], f["source_ref"]) for f in identities.metadata["flagged"].value}
    assert not {e for e in errors if e[0].startswith("langfangshi")}
    assert ("shanghaishi-putuoqu-caizhengju-2025-budget", "function_item_matches_table", "p7:l21-22") in errors
    assert not anomalies.passed and anomalies.severity == dg.AssetCheckSeverity.WARN
    flagged = {(f["check_id"], f["source_ref"]) for f in anomalies.metadata["flagged"].value}
    assert {("amount_written_oddly", "L65"), ("numbering_restarts_or_repeats", "L506-L514"),
            ("quantity_not_a_count", "L1646-L1656")} <= flagged

    parsed = result.output_for_node("parsed_documents")
    # one document per file, but the files of a disclosure published as several are one document
    files = list((REPO_ROOT / "raw").glob("*.txt")) + list((REPO_ROOT / "raw").glob("*.pdf"))
    parts = [e for e in load_manifest(REPO_ROOT / "raw").values() if e.disclosure]
    assert len(parsed.parsed) == len(files) - len(parts) + len({e.disclosure for e in parts})
    assert not parsed.failed

    data = json.loads(descriptor.read_text(encoding="utf-8"))
    # one source per raw file: each file of a disclosure published as several is a source of its own
    assert [s["path"] for s in data["sources"]] == sorted(
        f"raw/{f.relpath}" for r in parsed.raw_documents for f in r.files)
    assert len(data["sources"]) == len(files)
    # created comes from the manifest's retrieved_date, never from the clock
    manifest = json.loads((raw_dir / "manifest.json").read_text(encoding="utf-8"))
    latest = max(d["retrieved_date"] for d in manifest["documents"] if d.get("retrieved_date"))
    assert data.get("created") == f"{latest}T00:00:00Z"
    # no staging directory left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "dagster", "out", "out.build-report.json", "raw"]


def test_broken_document_does_not_take_the_others_down(raw_dir: Path, tmp_path: Path):
    (raw_dir / "broken.tika.txt").write_text("这不是一份部门预算。\n\nnothing to see here\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    result = run_build(raw_dir, out_dir, tmp_path)
    assert result.success
    parsed = result.output_for_node("parsed_documents")
    assert [f.relpath for f in parsed.failed] == ["broken.tika.txt"]
    assert parsed.parsed
    [mat] = [
        e.step_materialization_data.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("parsed_documents")
    ]
    assert mat.metadata["failed"].value == 1
    assert mat.metadata["failed_documents"].value[0]["file"] == "broken.tika.txt"
    assert (out_dir / "datapackage.json").is_file()


def test_invalid_package_never_replaces_the_last_good_one(raw_dir: Path, tmp_path: Path, monkeypatch):
    out_dir = tmp_path / "out"
    assert run_build(raw_dir, out_dir, tmp_path).success
    before = tree_digest(out_dir)
    assert before

    def always_invalid(descriptor_path, **kwargs):
        return validate.ValidationReport(ok=False, errors=["injected: the package is broken"])

    monkeypatch.setattr(validate, "validate_package", always_invalid)
    result = run_build(raw_dir, out_dir, tmp_path, raise_on_error=False)

    assert not result.success
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "datapackage_valid"]
    assert not check.passed
    assert check.metadata["errors"].value == ["injected: the package is broken"]
    # the blocking check stopped the publish step in the same run
    assert "datapackage_staging" in materialized_keys(result)
    assert "datapackage" not in materialized_keys(result)
    assert tree_digest(out_dir) == before
    # and the staging directory was discarded
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "dagster", "out", "out.build-report.json", "raw"]


def test_no_parsable_document_fails_the_run(tmp_path: Path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "junk.tika.txt").write_text("junk\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    result = run_build(raw_dir, out_dir, tmp_path, raise_on_error=False)
    assert not result.success
    assert not out_dir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dagster", "out.build-report.json", "raw"]


# -- sensor -------------------------------------------------------------------------------------------------


def _tick(raw_dir: Path, cursor: str | None):
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            cursor=cursor, instance=instance, resources={"paths": YusuanPaths(raw_dir=str(raw_dir))}
        )
        result = raw_files_sensor(context)
    if isinstance(result, dg.SkipReason):
        return [], cursor
    return list(result.run_requests or []), result.cursor


def test_sensor_requests_a_run_when_raw_changes(raw_dir: Path):
    requests, cursor = _tick(raw_dir, None)
    assert len(requests) == 1 and requests[0].run_key == cursor and cursor

    again, cursor2 = _tick(raw_dir, cursor)
    assert again == [] and cursor2 == cursor

    (raw_dir / "new-department-2020-budget.tika.txt").write_text("新文件\n", encoding="utf-8")
    changed, cursor3 = _tick(raw_dir, cursor)
    assert len(changed) == 1 and changed[0].run_key == cursor3 and cursor3 != cursor


def test_raw_fingerprint_reads_only_changed_files_with_the_memo(raw_dir: Path, tmp_path: Path, monkeypatch):
    from pipeline.raw import discover as raw

    read = []
    real = raw.sha256_file
    monkeypatch.setattr(raw, "sha256_file", lambda path: read.append(path.name) or real(path))
    monkeypatch.setattr(raw, "MEMO_RACY_NS", 0)  # files written by the test are memoised at once
    memo = tmp_path / "cache"
    (raw_dir / "b.tika.txt").write_text("乙\n", encoding="utf-8")
    first = raw_fingerprint(raw_dir, memo_dir=memo)
    assert first == raw_fingerprint(raw_dir)  # the memo changes nothing but the work
    read.clear()
    assert raw_fingerprint(raw_dir, memo_dir=memo) == first
    assert read == ["manifest.json"]  # the documents came from the memo

    touched = raw_dir / "b.tika.txt"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert raw_fingerprint(raw_dir, memo_dir=memo) == first  # touched, not changed
    touched.write_text("丙\n", encoding="utf-8")
    changed = raw_fingerprint(raw_dir, memo_dir=memo)
    assert changed != first and changed == raw_fingerprint(raw_dir)

    (raw_dir / "manifest.json").write_text("{not json", encoding="utf-8")  # the build would stop on it
    broken = raw_fingerprint(raw_dir, memo_dir=memo)
    assert broken != changed
    (raw_dir / "manifest.json").write_text("{still not json", encoding="utf-8")
    assert raw_fingerprint(raw_dir, memo_dir=memo) != broken  # fixing (or changing) it is seen


def test_sensor_skips_when_raw_dir_is_missing(tmp_path: Path):
    requests, cursor = _tick(tmp_path / "nope", None)
    assert requests == [] and cursor is None


# -- build helpers ------------------------------------------------------------------------------------------


def test_two_files_with_the_same_document_id_is_an_error_naming_both():
    a, b = fake_raw("a.tika.txt"), fake_raw("b.tika.txt")
    doc = ParsedDocument(document_id="same-2019-budget", source_file="x", tables={"documents": []})
    with pytest.raises(BuildError) as excinfo:
        combine.ordered_documents([(b, doc), (a, doc)])
    assert "a.tika.txt" in str(excinfo.value) and "b.tika.txt" in str(excinfo.value)


def test_documents_are_published_in_document_id_order():
    a, b = fake_raw("a.txt"), fake_raw("b.txt")
    da = ParsedDocument("doc-b", "a.txt", {})
    db = ParsedDocument("doc-a", "b.txt", {})
    assert [doc.document_id for _, doc in combine.ordered_documents([(a, da), (b, db)])] == ["doc-a", "doc-b"]


def test_created_is_deterministic():
    raws = [fake_raw("a", date(2026, 1, 2)), fake_raw("b", date(2026, 3, 4)), fake_raw("c")]
    assert compute_created(raws, environ={}) == "2026-03-04T00:00:00Z"
    assert compute_created(raws, environ={"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    assert compute_created([fake_raw("c")], environ={}) is None
    with pytest.raises(BuildError):
        compute_created(raws, environ={"SOURCE_DATE_EPOCH": "yesterday"})


def test_sources_are_valid_v2_source_items():
    raws = [
        fake_raw(
            "x.tika.txt",
            date(2026, 11, 27),
            department_zh="某某局",
            fiscal_year=2019,
            kind="budget",
            source_url="http://example.gov.cn/a.doc",
            terms="no licence stated",
        ),
        fake_raw("unlisted.txt"),
    ]
    sources = compute_sources(raws)
    profile = json.loads((PROFILES_DIR / "datapackage.json").read_text(encoding="utf-8"))
    item_schema = profile["properties"]["sources"]["items"]
    for s in sources:
        jsonschema.validate(s, item_schema)
    assert sources[0]["path"] == "raw/unlisted.txt"
    assert sources[1]["title"].startswith("某某局 2019年")
    assert "http://example.gov.cn/a.doc" in sources[1]["description"]
    assert "2026-11-27" in sources[1]["description"]
    assert sources[1]["version"] == "sha256:" + "ab" * 32
    assert "not known" not in sources[1]["description"]


def test_a_source_without_url_says_so_and_carries_the_manifest_note():
    (source,) = compute_sources([fake_raw("x.txt", date(2026, 11, 27), note="Came by post.")])
    assert "Where it was published is not known." in source["description"]
    assert source["description"].endswith("Note: Came by post.")


def test_warn_check_lists_at_most_max_listed_rows_and_counts_all():
    import types

    import pyarrow as pa

    from pipeline.orchestration import check_assets

    n = check_assets.MAX_LISTED + 7
    rows = [{"document_id": f"d{i}", "check_id": "amount_written_oddly", "check_seq": 1, "check_kind": "anomaly",
             "status": "warn", "subject": None, "stated_yuan": None, "computed_yuan": None, "difference_yuan": None,
             "tolerance_yuan": None, "found_text": "4.37。万元", "source_ref": "L65"} for i in range(n)]
    rows.append({**rows[0], "document_id": "ok", "status": "pass"})
    table = pa.Table.from_pylist(rows)
    core_checks = types.SimpleNamespace(read=lambda: table)  # what combine.CoreTable offers
    result = check_assets.no_source_anomalies(core_checks)
    assert not result.passed
    assert result.metadata["flagged_count"].value == n
    assert len(result.metadata["flagged"].value) == check_assets.MAX_LISTED
    assert result.metadata["warn"].value == n and result.metadata["pass"].value == 1


def test_one_code_location_name_everywhere():
    """`dagster dev` (reading [tool.dagster]) and `dg dev` ([tool.dg.project]) load the same module under the
    same location name, so switching between them keeps the schedule's and the sensor's state."""
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    dagster, dg_project = config["dagster"], config["dg"]["project"]
    assert dagster["code_location_name"] == dg_project["code_location_name"] == "yusuan"
    assert dagster["module_name"] == dg_project["code_location_target_module"] == "pipeline.orchestration.definitions"
    assert "-m pipeline" not in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
