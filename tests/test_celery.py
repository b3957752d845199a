"""The scale-out path for real: ``warm_parse_cache`` through Dagster's Celery executor (deploy/celery_definitions.py)
with a Redis broker and two Celery workers started here, on this machine; the parse cache it fills must equal,
entry for entry and byte for byte, the one an in-process run fills.

Needs the extra ``.[celery]`` and ``redis-server`` (Debian package ``redis-server``); ``.ci/run`` installs both, so
CI runs this test. Elsewhere it is skipped when either is missing. The instance is a throwaway DAGSTER_HOME with
Dagster's default SQLite storage (one machine: no Postgres needed); the run's time is printed (``pytest -s``),
never asserted.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml
from conftest import REPO

from pipeline.orchestration.definitions import build_defs
from pipeline.orchestration.scaleout import WARM_JOB_NAME, shard_of
from pipeline.synth import generate_corpus



def _needed() -> None:
    """Skip where the extra or Redis is missing; in CI (``$CI`` set) that is a failure: .ci/run installs them."""
    missing = []
    if importlib.util.find_spec("dagster_celery") is None or importlib.util.find_spec("redis") is None:
        missing.append("pip install -c constraints.txt -e '.[celery]'")
    if shutil.which("redis-server") is None:
        missing.append("apt-get install redis-server")
    if missing and os.environ.get("CI"):
        pytest.fail(f"not installed ({'; '.join(missing)}): .ci/run must install it", pytrace=False)
    if missing:
        pytest.skip(f"not installed: {'; '.join(missing)}", allow_module_level=True)


_needed()
import redis  # noqa: E402 - the optional extra, checked above

DOCUMENTS, SHARDS, WORKERS = 24, 4, 2
READY_S = 120  # how long a server or worker may take to come up (a stalled machine, not a timing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(what: str, ready, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode} before it was ready")
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} was not ready after {READY_S} s")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this test started in a session of its own, with everything it started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _entries(cache: Path) -> dict[str, bytes]:
    return {p.relative_to(cache).as_posix(): p.read_bytes() for p in sorted(cache.rglob("*.entry"))}


@pytest.fixture
def broker(tmp_path: Path):
    """A Redis server on a free loopback port, for this test only; its URL."""
    port = _free_port()
    data = tmp_path / "redis"
    data.mkdir()
    proc = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(data)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for("redis-server", lambda: redis.Redis(port=port, socket_timeout=1).ping(), proc)
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_warm_parse_cache_through_celery_fills_the_cache_an_in_process_run_fills(tmp_path: Path, broker: str):
    raw = tmp_path / "raw"
    generate_corpus(DOCUMENTS, 7, raw)
    assert len({shard_of(p.name, SHARDS) for p in raw.glob("*.tika.txt")}) == SHARDS  # every shard has work

    home = tmp_path / "dagster-home"  # a throwaway instance: SQLite storage, Dagster's defaults
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    executor = {"broker": broker + "/0", "backend": broker + "/1", "include": ["pipeline.orchestration.scaleout"],
                "config_source": {"worker_prefetch_multiplier": 1, "task_acks_late": True}}
    cache = tmp_path / "celery-cache"
    run_config = {
        "execution": {"config": executor},
        "resources": {"paths": {"config": {"raw_dir": str(raw), "out_dir": str(tmp_path / "out"),
                                           "cache_dir": str(cache), "workers": 1}}},
        "ops": {"plan_shards": {"config": {"shards": SHARDS}}},
    }
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(run_config), encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # dagster-celery starts `celery` by name
    env = {**os.environ, "DAGSTER_HOME": str(home), "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}

    # Create the instance's SQLite storage once, before the workers and the run open it side by side (two
    # processes creating it at once stamp its schema twice).
    subprocess.run([sys.executable, "-c", "import dagster; dagster.DagsterInstance.get().get_runs(limit=1)"],
                   env=env, check=True)
    app = __import__("celery").Celery(broker=executor["broker"], backend=executor["backend"])
    workers, logs = [], []
    try:
        for n in range(1, WORKERS + 1):
            log = tmp_path / f"worker-{n}.log"
            logs.append(log)
            with log.open("wb") as out:
                workers.append(subprocess.Popen(
                    [str(Path(bin_dir) / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                     "-y", str(tmp_path / "run.yaml"), "-n", f"yusuan-test-{n}", "--", "--concurrency=1"],
                    cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        # Handshake: both workers answer a ping through the broker before the run starts.
        _wait_for("two Celery workers", lambda: len(app.control.ping(timeout=1)) == WORKERS)

        started = time.monotonic()
        run = subprocess.run(
            [str(Path(bin_dir) / "dagster"), "job", "execute", "-f", str(REPO / "deploy" / "celery_definitions.py"),
             "-j", WARM_JOB_NAME, "-c", str(tmp_path / "run.yaml")],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
        seconds = time.monotonic() - started
    finally:
        for proc in workers:
            _stop(proc)
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    output = run.stdout + run.stderr
    assert "RUN_SUCCESS" in output, output[-5000:]

    # The steps ran on the workers, both of them (not in the run's own process).
    done = re.compile(r"Task execute_plan\[[0-9a-f-]+\] succeeded")
    steps_per_worker = [len(done.findall(log.read_text(errors="replace"))) for log in logs]
    print(f"\nCelery run of {WARM_JOB_NAME}: {DOCUMENTS} documents, {SHARDS} shards, {WORKERS} workers, "
          f"{seconds:.1f} s; steps done per worker {steps_per_worker}")
    assert sum(steps_per_worker) == SHARDS + 2 and all(n > 0 for n in steps_per_worker), steps_per_worker

    local_cache = tmp_path / "local-cache"
    local = build_defs(raw_dir=raw, out_dir=tmp_path / "out2", cache_dir=local_cache, workers=1)
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "local-dagster")) as instance:
        warm = local.resolve_job_def(WARM_JOB_NAME).execute_in_process(
            instance=instance, run_config={"ops": {"plan_shards": {"config": {"shards": SHARDS}}}})
    assert warm.success
    assert warm.output_for_node("summarise_shards") == {"documents": DOCUMENTS, "parsed_now": DOCUMENTS, "failed": 0}
    celery_entries, local_entries = _entries(cache), _entries(local_cache)
    assert len(local_entries) == DOCUMENTS
    assert celery_entries == local_entries
