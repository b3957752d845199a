"""Atomic publishing under SIGKILL: a build killed at any moment leaves a complete, valid package.

Two raw folders give two different packages, A and B. The output starts as a validated A; then, many
times, a ``yusuan build`` subprocess building the *other* package is killed with SIGKILL at a random
moment. After every kill the output must be byte-identical to the package it held before (the kill came
first) or to the other one (the build had published): never a mix, never missing. The next build tidies
the staging directories the killed ones left. ``YUSUAN_KILL_RUNS=<n>`` sets the number of kills (CI: 4).
Kill times are drawn from the later 85% of a build's duration, where it writes, validates and publishes
(the first seconds are imports, where a kill proves little).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import RAW_DIR, REPO, SEED_NAME

from pipeline.package.publish import clean_leftovers, make_staging_dir
from pipeline.package.validate import validate_package

RUNS = int(os.environ.get("YUSUAN_KILL_RUNS", "4"))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _build_cmd(raw: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "build", "--raw", str(raw), "--out", str(out)]


def _env() -> dict[str, str]:
    return dict(os.environ)  # the isolated environment of conftest (no DAGSTER_HOME, SOURCE_DATE_EPOCH …)


def _build(raw: Path, out: Path) -> float:
    start = time.monotonic()
    proc = subprocess.run(_build_cmd(raw, out), capture_output=True, text=True, cwd=REPO, env=_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    return time.monotonic() - start


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith((f".{out.name}.staging-",
                                                                                f".{out.name}.old-")))


def test_sigkill_at_random_moments_never_damages_the_published_package(tmp_path):
    raw_a = tmp_path / "raw-a"
    shutil.copytree(RAW_DIR, raw_a)
    raw_b = tmp_path / "raw-b"
    shutil.copytree(RAW_DIR, raw_b)
    seed = (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")
    (raw_b / "other.tika.txt").write_text(seed.replace("万庄镇", "北旺镇"), encoding="utf-8")

    packages = {}
    durations = []
    for name, raw in (("A", raw_a), ("B", raw_b)):
        ref = tmp_path / f"ref-{name}" / "pkg"
        durations.append(_build(raw, ref))
        assert validate_package(ref / "datapackage.json").ok
        packages[name] = _files(ref)
    assert packages["A"] != packages["B"]

    out = tmp_path / "site" / "pkg"
    shutil.copytree(tmp_path / "ref-A" / "pkg", out)  # the same bytes a build of raw-a publishes
    current = "A"
    assert _files(out) == packages["A"]

    # The clock only schedules the kills; nothing asserts on speed.
    span = max(durations) * 1.15
    rng = random.Random(int(os.environ.get("YUSUAN_KILL_SEED", "20261127")))
    outcomes = {"previous intact": 0, "new published": 0}
    leftovers_seen = 0
    for _ in range(RUNS):
        other = "B" if current == "A" else "A"
        proc = subprocess.Popen(_build_cmd(raw_b if other == "B" else raw_a, out), cwd=REPO, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3 * span, span))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _files(out)
        assert now in (packages[current], packages[other]), "the package is neither the old nor the new one"
        if now == packages[current]:
            outcomes["previous intact"] += 1
        else:
            outcomes["new published"] += 1
            current = other
        leftovers_seen += bool(_leftovers(out))
    print(f"\nkill test: {RUNS} SIGKILLs, {outcomes}, runs leaving staging dirs: {leftovers_seen}")
    assert sum(outcomes.values()) == RUNS

    # The next build removes what the killed builds left behind (no live process holds it).
    _build(raw_a, out)
    assert _files(out) == packages["A"]
    assert _leftovers(out) == []
    assert validate_package(out / "datapackage.json").ok


def test_leftovers_of_a_live_build_are_kept_and_a_lost_package_is_restored(tmp_path):
    out = tmp_path / "pkg"
    ours = make_staging_dir(out)  # held (flocked) by this live process
    dead = out.parent / f".{out.name}.staging-deadbeef0000"
    dead.mkdir()
    (dead / "half-written.csv").write_text("a,b\n")
    # A fallback publish killed between its two renames: the package sits only in .pkg.old-*.
    old = out.parent / f".{out.name}.old-0123456789ab"
    old.mkdir()
    (old / "datapackage.json").write_text("{}")
    notes = clean_leftovers(out)
    assert (out / "datapackage.json").read_text() == "{}"
    assert not dead.exists() and ours.is_dir()
    assert any("restored the previous package" in n for n in notes) and any(dead.name in n for n in notes)
