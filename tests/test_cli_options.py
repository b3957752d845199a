"""`yusuan build` options and environment defaults that only these tests reach: --max-raw-bytes, --wait, --cache
and $YUSUAN_MAX_RAW_BYTES, $YUSUAN_RAW_DIR, $YUSUAN_OUT_DIR, $YUSUAN_CACHE_DIR, $YUSUAN_WORKERS; and
`yusuan validate --frictionless`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.build import incremental
from pipeline.cli import EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, main
from pipeline.package import lock
from pipeline.package.report import report_path
from pipeline.synth import generate_corpus

SEED_BYTES = (RAW_DIR / SEED_NAME).stat().st_size


@pytest.fixture
def two_docs(tmp_path: Path) -> Path:
    """raw/ with the seed and one smaller synthetic disclosure."""
    raw = tmp_path / "raw"
    copy_seed_raw(raw)
    (synthetic,) = generate_corpus(1, 3, tmp_path / "synth")
    shutil.copy(synthetic, raw / synthetic.name)
    assert synthetic.stat().st_size < SEED_BYTES
    return raw


def _report(out: Path) -> dict:
    return json.loads(report_path(out).read_text(encoding="utf-8"))


def _quarantined(out: Path) -> dict[str, str]:
    docs = _report(out)["documents"]
    return {d["file"]: d["reason"] for d in docs if d["status"] == "quarantined"}


# -- the raw size limit -------------------------------------------------------------------------------------


def test_max_raw_bytes_refuses_a_larger_file_and_builds_the_rest(two_docs, tmp_path, capsys):
    out = tmp_path / "pkg"
    limit = SEED_BYTES - 1
    assert main(["build", "--raw", str(two_docs), "--out", str(out), "--max-raw-bytes", str(limit)]) == EXIT_QUARANTINED
    reasons = _quarantined(out)
    assert list(reasons) == [SEED_NAME]
    assert f"over the raw size limit of {limit} bytes" in reasons[SEED_NAME] and "--max-raw-bytes" in reasons[SEED_NAME]
    assert _report(out)["counts"]["built"] + _report(out)["counts"]["warned"] == 1
    assert "YUSUAN_MAX_RAW_BYTES" not in os.environ  # the option applied to this build only
    capsys.readouterr()
    # The seed fits under its own size: both are built.
    assert main(["build", "--raw", str(two_docs), "--out", str(out), "--max-raw-bytes", str(SEED_BYTES)]) == EXIT_OK
    assert _quarantined(out) == {}


@pytest.mark.parametrize("value", ["0", "-5"])
def test_max_raw_bytes_must_be_positive(two_docs, tmp_path, capsys, value):
    assert main(["build", "--raw", str(two_docs), "--out", str(tmp_path / "pkg"), "--max-raw-bytes", value]) == EXIT_USAGE
    assert "--max-raw-bytes must be a positive number of bytes" in capsys.readouterr().err
    assert not (tmp_path / "pkg").exists()


def test_max_raw_bytes_defaults_to_the_environment(two_docs, tmp_path, monkeypatch, capsys):
    out = tmp_path / "pkg"
    monkeypatch.setenv("YUSUAN_MAX_RAW_BYTES", str(SEED_BYTES - 1))
    assert main(["build", "--raw", str(two_docs), "--out", str(out)]) == EXIT_QUARANTINED
    assert list(_quarantined(out)) == [SEED_NAME]
    monkeypatch.setenv("YUSUAN_MAX_RAW_BYTES", "lots")
    capsys.readouterr()
    assert main(["build", "--raw", str(two_docs), "--out", str(tmp_path / "other")]) == EXIT_USAGE
    assert "YUSUAN_MAX_RAW_BYTES='lots': expected a positive number of bytes" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


# -- waiting for another build ------------------------------------------------------------------------------


def _holder(out: Path) -> subprocess.Popen:
    """Another process holding the build lock of ``out`` until it reads a line (see test_broken_input)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pipeline.package.lock import build_lock\n"
         f"with build_lock({str(out)!r}):\n    print('held', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_wait_queues_the_build_behind_the_running_one(tmp_path, monkeypatch, capsys):
    out = tmp_path / "pkg"
    holder = _holder(out)
    refused = threading.Event()
    real_try = lock._try_lock
    monkeypatch.setattr(lock, "_try_lock", lambda fd: real_try(fd) or refused.set())
    codes = []
    build = threading.Thread(target=lambda: codes.append(
        main(["build", "--raw", str(RAW_DIR), "--out", str(out), "--wait", "600"])))
    try:
        build.start()
        assert refused.wait(600)  # the build found the lock held and waits (a handshake, not a sleep)
        assert not out.exists() and not codes
        holder.stdin.write("done\n")
        holder.stdin.flush()
        build.join(600)
    finally:
        holder.kill()
        holder.wait()
    assert codes == [EXIT_OK]
    assert (out / "datapackage.json").is_file()


def test_wait_gives_up_after_the_time_given(tmp_path, capsys):
    out = tmp_path / "pkg"
    holder = _holder(out)
    try:
        assert main(["build", "--raw", str(RAW_DIR), "--out", str(out), "--wait", "0.5"]) == EXIT_BUSY
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert f"pid {holder.pid}" in err and "after waiting 0.5 s" in err
    assert not out.exists() and not report_path(out).exists()


# -- defaults from the environment ----------------------------------------------------------------------------


def test_raw_and_out_default_to_the_environment(tmp_path, monkeypatch):
    copy_seed_raw(tmp_path / "my-raw")
    monkeypatch.chdir(tmp_path / "my-raw")  # no raw/ here: only the environment says where to read
    monkeypatch.setenv("YUSUAN_RAW_DIR", str(tmp_path / "my-raw"))
    monkeypatch.setenv("YUSUAN_OUT_DIR", str(tmp_path / "site" / "pkg"))
    assert main(["build"]) == EXIT_OK
    assert (tmp_path / "site" / "pkg" / "datapackage.json").is_file()
    assert sorted(p.name for p in (tmp_path / "my-raw").iterdir()) == sorted(["manifest.json", SEED_NAME])
    monkeypatch.setenv("YUSUAN_RAW_DIR", str(tmp_path / "nowhere"))
    assert main(["build"]) == EXIT_USAGE


def _cache_entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*.entry"))


def test_the_cache_defaults_to_the_environment_and_cache_overrides_it(tmp_path, monkeypatch):
    env_cache, cli_cache = tmp_path / "env-cache", tmp_path / "cli-cache"
    monkeypatch.setenv("YUSUAN_CACHE_DIR", str(env_cache))
    raw = copy_seed_raw(tmp_path / "raw")
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "a")]) == EXIT_OK
    assert len(_cache_entries(env_cache)) == 1 and not cli_cache.exists()
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "b"), "--cache", str(cli_cache)]) == EXIT_OK
    assert len(_cache_entries(cli_cache)) == 1 and len(_cache_entries(env_cache)) == 1


@pytest.mark.parametrize(("env", "option", "pool"), [("1", [], None), ("2", [], 2), ("1", ["--workers", "2"], 2),
                                                     (None, ["--workers", "1"], None)])
def test_workers_default_to_the_environment(two_docs, tmp_path, monkeypatch, env, option, pool):
    pools = []
    real_pool = incremental._pool
    monkeypatch.setattr(incremental, "_pool", lambda workers: pools.append(workers) or real_pool(workers))
    if env is not None:
        monkeypatch.setenv("YUSUAN_WORKERS", env)
        assert incremental.default_workers() == int(env)
    # a fresh cache, so that both documents are parsed (a cached document needs no worker)
    args = ["build", "--raw", str(two_docs), "--out", str(tmp_path / "pkg"), "--cache", str(tmp_path / "cache")]
    assert main([*args, *option]) == EXIT_OK
    assert pools == ([] if pool is None else [pool])


# -- validate --frictionless ------------------------------------------------------------------------------------


def test_validate_frictionless_also_runs_the_reference_validator(tmp_path, capsys):
    out = tmp_path / "pkg"
    assert main(["build", "--raw", str(RAW_DIR), "--out", str(out)]) == EXIT_OK
    capsys.readouterr()
    assert main(["validate", "--frictionless", str(out)]) == EXIT_OK
    assert capsys.readouterr().out.startswith(f"ok: {out / 'datapackage.json'} is valid")

    # A row whose fiscal_year is not an integer: both validators must flag it, and only --frictionless runs
    # the reference one.
    (part,) = (out / "data" / "csv" / "documents").glob("part-*.csv")
    text = part.read_text(encoding="utf-8")
    assert ",2019," in text
    part.write_text(text.replace(",2019,", ",2019.5,", 1), encoding="utf-8")
    from_reference = re.compile(r"^  (?:frictionless: |resource '[^']+': frictionless )")  # see validate.py
    assert main(["validate", str(out)]) == EXIT_FAILED
    plain = capsys.readouterr().out.splitlines()
    assert plain[0].startswith("invalid:") and "'2019.5' is not a integer" in "\n".join(plain)
    assert not [line for line in plain if from_reference.match(line)]
    assert main(["validate", "--frictionless", str(out)]) == EXIT_FAILED
    both = capsys.readouterr().out.splitlines()
    assert both[1:len(plain)] == plain[1:]  # the same own errors first, then the reference's
    reference = [line for line in both[len(plain):] if from_reference.match(line)]
    assert reference and any("type-error" in line and "2019.5" in line for line in reference), both
