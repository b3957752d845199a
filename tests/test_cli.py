"""`yusuan build` / `yusuan validate` against a temporary copy of raw/ (real parser, writer and validator)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import copy_seed_raw

from pipeline.cli import main
from pipeline.metadata.schemas import TABLE_ORDER
from pipeline.package import validate


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    """A working directory holding raw/ with the seed alone; no DAGSTER_HOME (conftest), so the CLI must use a
    temporary one."""
    copy_seed_raw(tmp_path / "raw")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_build_then_validate(workdir: Path, capsys):
    out = workdir / "pkg"
    assert main(["build", "--raw", str(workdir / "raw"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert (out / "datapackage.json").is_file()
    assert str(out / "datapackage.json") in captured.out
    # one count of the documents, in the build report's words (stderr, with the rest of the summary)
    assert "Documents:" not in captured.out and captured.err.count("Documents:") == 1
    assert "Documents: 1 — 0 built, 1 built with warnings, 0 quarantined" in captured.err
    # the seed's identities hold; its source anomalies are warnings
    assert re.search(r"Checks: [1-9][0-9]* pass, 0 fail, [1-9][0-9]* warn, [0-9]+ skip", captured.out)
    for table in TABLE_ORDER:
        assert table in captured.out
    # nothing but the input, the package, its build report and lock file (no .tmp_dagster_home, no staging)
    assert sorted(p.name for p in workdir.iterdir()) == [".pkg.lock", "pkg", "pkg.build-report.json", "raw"]

    assert main(["validate", str(out)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["validate", str(out / "datapackage.json")]) == 0


def test_build_uses_cwd_defaults(workdir: Path, capsys):
    assert main(["build"]) == 0
    assert (workdir / "datapackage" / "datapackage.json").is_file()


def test_missing_raw_dir_is_a_clear_error(workdir: Path, capsys):
    code = main(["build", "--raw", str(workdir / "does-not-exist"), "--out", str(workdir / "pkg")])
    assert code != 0
    err = capsys.readouterr().err
    assert "does-not-exist" in err and "does not exist" in err
    assert not (workdir / "pkg").exists()


def test_validation_failure_exits_non_zero_and_keeps_previous_package(workdir: Path, capsys, monkeypatch):
    out = workdir / "pkg"
    assert main(["build", "--raw", "raw", "--out", str(out)]) == 0
    before = tree_digest(out)
    capsys.readouterr()

    def always_invalid(descriptor_path, **kwargs):
        return validate.ValidationReport(ok=False, errors=["injected: amounts do not add up"])

    monkeypatch.setattr(validate, "validate_package", always_invalid)
    assert main(["build", "--raw", "raw", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "invalid" in err and "injected: amounts do not add up" in err
    assert tree_digest(out) == before
    assert sorted(p.name for p in workdir.iterdir()) == [".pkg.lock", "pkg", "pkg.build-report.json", "raw"]

    assert main(["validate", str(out)]) == 1
    assert "injected: amounts do not add up" in capsys.readouterr().out


def test_validate_reports_a_corrupted_package(workdir: Path, capsys):
    out = workdir / "pkg"
    assert main(["build", "--raw", "raw", "--out", str(out)]) == 0
    descriptor = out / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["resources"][0]["path"] = "data/missing.csv"
    descriptor.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(out)]) == 1
    assert "invalid" in capsys.readouterr().out


def test_no_parsable_document_exits_non_zero(workdir: Path, capsys):
    raw = workdir / "junk"
    raw.mkdir()
    (raw / "junk.tika.txt").write_text("junk\n", encoding="utf-8")
    assert main(["build", "--raw", str(raw), "--out", str(workdir / "pkg")]) == 1
    err = capsys.readouterr().err
    assert "no document could be parsed" in err and "junk.tika.txt" in err
    assert not (workdir / "pkg").exists()


def test_validate_missing_path(workdir: Path, capsys):
    assert main(["validate", str(workdir / "nothing")]) != 0
    assert "does not exist" in capsys.readouterr().err


def test_console_script(workdir: Path):
    exe = Path(sys.executable).with_name("yusuan")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]
    proc = subprocess.run([*cmd, "build", "--raw", "raw", "--out", "pkg"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (workdir / "pkg" / "datapackage.json").is_file()
    proc = subprocess.run([*cmd, "validate", "pkg"], capture_output=True, text=True)
    assert proc.returncode == 0 and "ok" in proc.stdout
    # The program (cli.run) exits with main's code, whatever it is.
    proc = subprocess.run([*cmd, "validate", "nothing"], capture_output=True, text=True)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_dagster_folders_of_gone_builds_are_removed(tmp_path: Path, monkeypatch):
    from pipeline.orchestration import in_process

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    dead = ended.pid  # a process that has ended
    now = time.time()

    def folder(name: str, age_s: float) -> None:
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (now - age_s, now - age_s))

    folder(f"yusuan-dagster-{dead}-gone0001", 2 * 3600)  # killed build, an hour past: removed
    folder(f"yusuan-dagster-{dead}-fresh001", 60)  # too recent to be sure
    folder(f"yusuan-dagster-{os.getpid()}-alive001", 2 * 3600)  # its process runs
    folder("yusuan-dagster-former01", 2 * 86400)  # the former name, without a pid, days old: removed
    folder("yusuan-dagster-former02", 2 * 3600)
    folder("something-else", 2 * 86400)
    with in_process.dagster_tempdir() as new:
        assert Path(new).parent == tmp_path and Path(new).name.startswith(f"yusuan-dagster-{os.getpid()}-")
        left = sorted(p.name for p in tmp_path.iterdir() if p.name != Path(new).name)
    assert left == sorted([f"yusuan-dagster-{dead}-fresh001", f"yusuan-dagster-{os.getpid()}-alive001",
                           "yusuan-dagster-former02", "something-else"])
