"""The tests run in an environment of their own (conftest): a developer's DAGSTER_HOME, output, raw and cache
folders, worker count and size limit never reach a test, nor the builds it starts."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ISOLATED_ENV, REPO, TEST_CACHE_DIR


def test_no_variable_of_the_shell_reaches_a_test():
    for name in ISOLATED_ENV:
        assert name not in os.environ, name
    assert os.environ["YUSUAN_CACHE_DIR"] == TEST_CACHE_DIR


def test_a_variable_a_test_sets_is_gone_for_the_next():
    os.environ["YUSUAN_OUT_DIR"] = "leaked-by-a-careless-test"  # not through monkeypatch: nothing undoes it


def test_the_variable_set_by_the_previous_test_is_gone():  # runs after the one above (file order)
    assert "YUSUAN_OUT_DIR" not in os.environ


def test_a_developers_shell_does_not_reach_the_tests(tmp_path):
    shell = {name: str(tmp_path / name.lower()) for name in ISOLATED_ENV}
    shell.update(YUSUAN_WORKERS="7", YUSUAN_MAX_RAW_BYTES="5", SOURCE_DATE_EPOCH="0",
                 YUSUAN_CACHE_DIR=str(tmp_path / "my-real-cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_isolation.py::test_no_variable_of_the_shell_reaches_a_test"],
        cwd=REPO, env={**os.environ, **shell}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "1 passed" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written where the shell pointed
