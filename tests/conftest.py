from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are derandomised by default so that a CI run is reproducible: the same examples every time
# (a test's own @settings still sets its example count). HYPOTHESIS_PROFILE=explore draws new examples;
# keep any failure it finds as a regression case.
# No deadline in either profile: a per-example time limit is a timed assertion, and a loaded CI machine trips it
# (speed is measured in benchmarks/, never asserted in tests).
settings.register_profile("default", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The environment a developer's shell may carry must not reach the tests: a DAGSTER_HOME would send runs into
# their real instance, YUSUAN_OUT_DIR / YUSUAN_RAW_DIR would point a default build at their own folders, a
# YUSUAN_CACHE_DIR at their real parse cache, and the others change what a build does. Builds in the tests
# (in-process and CLI subprocesses, which inherit os.environ) use a parse cache of their own, removed at exit.
ISOLATED_ENV = ("DAGSTER_HOME", "YUSUAN_OUT_DIR", "YUSUAN_RAW_DIR", "YUSUAN_WORKERS", "YUSUAN_MAX_RAW_BYTES",
                "SOURCE_DATE_EPOCH")
TEST_CACHE_DIR = tempfile.mkdtemp(prefix="yusuan-test-cache-")
atexit.register(shutil.rmtree, TEST_CACHE_DIR, True)


def _reset_environment() -> None:
    for name in ISOLATED_ENV:
        os.environ.pop(name, None)
    os.environ["YUSUAN_CACHE_DIR"] = TEST_CACHE_DIR


_reset_environment()  # now, for the session fixtures too (they are set up before a test's own fixtures)


@pytest.fixture(autouse=True)
def isolated_environment():
    """Every test starts and ends in the same environment, whatever it or an earlier test set and forgot."""
    _reset_environment()
    yield
    _reset_environment()


REPO = Path(__file__).resolve().parent.parent
RAW_DIR = REPO / "raw"
SEED_NAME = "hebei-langfang-guangyang-wanzhuang-2019-budget.tika.txt"


def copy_seed_raw(target: Path, *others: str) -> Path:
    """A raw folder holding the seed alone (and the files of raw/ named in ``others``): the files and a manifest
    listing only them (tests about the seed's own build, whatever else raw/ holds)."""
    import json

    target.mkdir(parents=True)
    for name in (SEED_NAME, *others):
        shutil.copy2(RAW_DIR / name, target / name)
    manifest = json.loads((RAW_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest["documents"] if d["file"] in (SEED_NAME, *others)]
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_parsed():
    from pipeline.raw.discover import discover
    from pipeline.tables.parse import parse_raw_document

    (raw,) = [d for d in discover(RAW_DIR) if d.relpath == SEED_NAME]
    return parse_raw_document(raw)


def csv_cell_text(value) -> str:
    """Reference text of a CSV cell, from a Python value (the package's convention): "" for None,
    true/false, plain-notation decimals, ISO dates. Tests compare the Arrow writer's output with it."""
    import datetime as dt
    from decimal import Decimal

    from pipeline.build.columnar import format_decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
