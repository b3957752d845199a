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
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Builds in the tests (in-process and CLI subprocesses) use a parse cache of their own, not ~/.cache/yusuan.
if "YUSUAN_CACHE_DIR" not in os.environ:
    os.environ["YUSUAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="yusuan-test-cache-")
    atexit.register(shutil.rmtree, os.environ["YUSUAN_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parent.parent
RAW_DIR = REPO / "raw"
SEED_NAME = "hebei-langfang-guangyang-wanzhuang-2019-budget.tika.txt"


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
