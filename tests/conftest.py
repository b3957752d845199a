from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

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
    from pipeline.parse import parse_raw_document
    from pipeline.raw import discover

    (raw,) = [d for d in discover(RAW_DIR) if d.relpath == SEED_NAME]
    return parse_raw_document(raw)
