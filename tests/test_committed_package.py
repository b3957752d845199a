"""The committed datapackage/ is valid, equals a fresh build byte for byte, and the README commands are true."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import RAW_DIR, REPO

from pipeline.package.validate import validate_package

PACKAGE = REPO / "datapackage"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build(raw: Path, out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "build", "--raw", str(raw), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, env={**__import__("os").environ, "SOURCE_DATE_EPOCH": ""},
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh") / "datapackage"
    build(RAW_DIR, out)
    return out


def test_committed_package_equals_a_fresh_build(fresh):
    committed, rebuilt = files(PACKAGE), files(fresh)
    assert sorted(committed) == sorted(rebuilt)
    differing = [name for name in committed if committed[name] != rebuilt[name]]
    assert differing == [], f"rebuild `yusuan build` to refresh datapackage/: {differing}"


def test_committed_package_is_provably_the_programs_own():
    """A fresh clone's `yusuan build` may replace the committed package: its marker lists exactly its files."""
    from pipeline.package.marker import MARKER_NAME, problems, read_marker

    assert problems(PACKAGE) == []
    listed = set(read_marker(PACKAGE))
    assert listed | {MARKER_NAME} == set(files(PACKAGE))


def test_two_builds_from_a_copy_of_raw_are_byte_identical(fresh, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    out = tmp_path / "again"
    build(raw, out)
    assert files(out) == files(fresh)


def test_committed_package_passes_our_validation_and_frictionless_cli():
    report = validate_package(PACKAGE / "datapackage.json")
    assert report.ok, report.errors
    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(cli), "validate", str(PACKAGE / "datapackage.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_descriptor_is_v2_with_created_from_the_inputs():
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    manifest = json.loads((RAW_DIR / "manifest.json").read_text(encoding="utf-8"))
    latest = max(d["retrieved_date"] for d in manifest["documents"] if d["retrieved_date"])
    assert descriptor["created"] == f"{latest}T00:00:00Z"
    names = [r["name"] for r in descriptor["resources"]]
    tables = [p.name.removesuffix(".schema.json") for p in (REPO / "schemas").glob("*.schema.json")]
    assert sorted(names) == sorted(tables + [t + "_parquet" for t in tables])


def test_parquet_types_are_real():
    schema = pq.read_schema(PACKAGE / "data" / "parquet" / "procurement_items" / "part-00000.parquet")
    assert str(schema.field("amount_yuan").type) == "decimal128(18, 2)"
    assert str(schema.field("quantity").type).startswith("decimal128")
    assert str(pq.read_schema(PACKAGE / "data" / "parquet" / "fixed_assets" / "part-00000.parquet").field("as_of_date").type) == "date32[day]"
    assert str(pq.read_schema(PACKAGE / "data" / "parquet" / "documents" / "part-00000.parquet").field("department_code").type) == "string"


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    test_command = next(c for c in commands if "pytest" in c)
    build_command = next(c for c in commands if "yusuan build" in c)
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert build_command.startswith("python3 -m venv .venv")


def test_readme_python_example_runs(monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```python\n(.+?)```", readme, re.S) if "datapackage/datapackage.json" in b]
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    seed = "langfangshi-guangyangqu-wanzhuangzhen-renminzhengfu-2019-budget"
    # the seed's 15 figures of sections 二, 三 and 六 + the prose fixed-asset total, among every document's
    assert sum(r["document_id"] == seed for r in namespace["rows"]) == 16
    amounts = namespace["lines"]["amount_yuan"]
    assert amounts.dtype.name == "object" and all(isinstance(v, Decimal) for v in amounts)
    failing = namespace["failing"]
    assert set(failing[failing.document_id == seed].status) == {"warn"}  # the seed's identities all hold
    assert ("amount_written_oddly", "L65") in set(zip(failing.check_id, failing.source_ref))
    # a printed error of the finance bureau's PDF: item 7 of 编制说明 says 887.36万元, the table 873,617.00 元
    assert ("function_item_matches_table", "fail", "p7:l21-22") in set(
        zip(failing.check_id, failing.status, failing.stated_source_ref))
    # 2010601 行政运行 of 财政事务: the finance bureau prints 16,231,840.80 (p15 row 6)
    assert ("p15:r6", Decimal("16231840.80")) in set(zip(namespace["by_code"].source_ref, namespace["by_code"].total_yuan))
