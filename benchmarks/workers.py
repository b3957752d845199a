"""Where to parallelise: ``.venv/bin/python -m benchmarks.workers --count 200``.

Builds the same generated corpus three ways, each with an empty parse cache, and prints the wall times:

* in-process executor, process pool of 1 worker   (no parallelism: the baseline);
* in-process executor, process pool of 2 workers  (what ``build_package`` does);
* multiprocess executor (one process per step), pool of 1 worker -- the alternative the issue names.

Every step of ``build_package`` depends on the one before (parse -> combine -> write -> validate ->
publish), so the multiprocess executor has nothing to run side by side; it adds a process start and a
pickle round-trip per step. The pool parallelises the one step that is worth it.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg

from benchmarks.run import corpus
from pipeline.orchestration.definitions import JOB_NAME, build_defs

MULTIPROCESS_JOB = "build_package_multiprocess"


def multiprocess_job() -> dg.JobDefinition:
    """``build_package``'s assets and checks under the multiprocess executor (reconstructable: module level)."""
    defs = build_defs()
    job = dg.define_asset_job(MULTIPROCESS_JOB, selection=dg.AssetSelection.all(),
                              executor_def=dg.multiprocess_executor)
    return dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=[job],
                          resources=defs.resources).resolve_job_def(MULTIPROCESS_JOB)


def _paths_config(raw: Path, out: Path, cache: Path, workers: int) -> dict:
    return {"resources": {"paths": {"config": {"raw_dir": str(raw), "out_dir": str(out), "cache_dir": str(cache),
                                               "workers": workers}}}}


def in_process(raw: Path, work: Path, workers: int) -> float:
    job = build_defs(raw_dir=raw, out_dir=work / f"out-ip{workers}", cache_dir=work / f"cache-ip{workers}",
                     workers=workers).resolve_job_def(JOB_NAME)
    start = time.perf_counter()
    with dg.DagsterInstance.ephemeral(tempdir=str(work / f"dagster-ip{workers}")) as instance:
        assert job.execute_in_process(instance=instance).success
    return time.perf_counter() - start


def multiprocess(raw: Path, work: Path) -> float:
    config = _paths_config(raw, work / "out-mp", work / "cache-mp", 1)
    (work / "dagster-mp").mkdir()
    start = time.perf_counter()
    with dg.DagsterInstance.local_temp(tempdir=str(work / "dagster-mp")) as instance:
        result = dg.execute_job(dg.reconstructable(multiprocess_job), instance=instance, run_config=config)
        assert result.success
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="yusuan-workers-"))
    try:
        corpus(args.count, 1, work / "raw")
        rows = [
            ("in-process executor, pool of 1", in_process(work / "raw", work, 1)),
            ("in-process executor, pool of 2", in_process(work / "raw", work, 2)),
            ("multiprocess executor, pool of 1", multiprocess(work / "raw", work)),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.count} documents, empty cache each time")
    for label, seconds in rows:
        print(f"  {label:36s} {seconds:7.1f} s")


if __name__ == "__main__":
    main()
