"""Atomic publishing under SIGKILL: a build killed at any moment leaves a complete, valid package.

Two raw folders give two different packages, A and B. A build of A then one of B into the output give their
bytes. Then, many times, a ``yusuan build`` subprocess building the *other* package is killed with SIGKILL, and
the output must be byte-identical to the package it held before (the kill came first) or to the other one
(the build had published): never a mix, never missing. The next build tidies the staging directories the
killed ones left.

Where each kill landed is not guessed from the clock: with ``$YUSUAN_TEST_PUBLISH_HOOK`` set, the build records
each point of the publish step it reaches (``swap``: the new package is validated and the swap begins;
``swapped``: it is in place; ``published``: the old one is deleted), so every kill is classified, and the
package must agree (nothing before ``swap``: the old one; ``swapped`` recorded: the new one). The kills:

* ``YUSUAN_KILL_RUNS`` (CI: 4) at random moments of a whole build (the later 85% of its duration: the first
  seconds are imports, where a kill proves little);
* inside the publish window, for certain: a build stopped (``$YUSUAN_TEST_PUBLISH_STOP``: it sends itself
  SIGSTOP) at ``swap`` and at ``swapped`` and killed there;
* ``YUSUAN_KILL_WINDOW_RUNS`` (CI: 3) builds stopped at ``swap``, resumed and killed a random moment later,
  within 1.5 times the window's length as measured on the build of B.
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

from pipeline.package.marker import text_stats, write_marker, write_staging_marker
from pipeline.package.publish import HOOK_ENV, STOP_ENV, clean_leftovers, make_staging_dir
from pipeline.package.validate import validate_package

RUNS = int(os.environ.get("YUSUAN_KILL_RUNS", "4"))
WINDOW_RUNS = int(os.environ.get("YUSUAN_KILL_WINDOW_RUNS", "3"))
HANDSHAKE_S = 600  # how long a build may take to reach a point of publish (a stalled machine, not a timing)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _start(raw: Path, out: Path, hook: Path, stop: str | None = None) -> subprocess.Popen:
    hook.write_text("")
    env = {**os.environ, HOOK_ENV: str(hook)}  # the isolated environment of conftest, plus the hook
    if stop:
        env[STOP_ENV] = stop
    with _stderr(hook).open("wb") as err:  # a file, not a pipe: nobody reads it while the build runs
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "build", "--raw", str(raw), "--out", str(out)],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)


def _stderr(hook: Path) -> Path:
    return hook.with_name(hook.name + ".stderr")


def _build(raw: Path, out: Path, hook: Path) -> float:
    start = time.monotonic()
    proc = _start(raw, out, hook)
    assert proc.wait() == 0, _stderr(hook).read_text(errors="replace")[-3000:]
    return time.monotonic() - start


def _points(hook: Path) -> dict[str, float]:
    """The points of publish the build reached, with the (monotonic) time it reached each."""
    return {name: float(at) for name, at in (line.split() for line in hook.read_text().splitlines())}


def _wait_until_stopped(proc: subprocess.Popen, hook: Path) -> None:
    """Block until the build has stopped itself at its stop point (a handshake: no sleep decides anything)."""
    deadline = time.monotonic() + HANDSHAKE_S
    while time.monotonic() < deadline:
        pid, status = os.waitpid(proc.pid, os.WUNTRACED | os.WNOHANG)
        if pid and os.WIFSTOPPED(status):
            return
        if pid:  # it ended without stopping: the stop point was never reached
            proc.returncode = os.waitstatus_to_exitcode(status)
            raise AssertionError(f"the build ended (exit {proc.returncode}) without reaching its stop point: "
                                 f"{_stderr(hook).read_text(errors='replace')[-3000:]}")
        time.sleep(0.01)
    raise AssertionError("the build did not reach its stop point")


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


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
    raws = {"A": raw_a, "B": raw_b}

    out = tmp_path / "site" / "pkg"
    hook = tmp_path / "hook"
    packages, durations = {}, []
    for name in ("A", "B"):
        durations.append(_build(raws[name], out, hook))
        assert validate_package(out / "datapackage.json").ok
        packages[name] = _files(out)
        assert list(_points(hook)) == ["swap", "swapped", "published"]
    assert packages["A"] != packages["B"]
    points = _points(hook)  # B replaced A: the window of a real swap
    window = points["published"] - points["swap"]
    current = "B"

    kills: list[tuple[str, list[str]]] = []  # (how it was killed, the points of publish it had reached)

    def check(how: str, other: str) -> None:
        """After a kill: the package is the old or the new one, as far as the build got says."""
        nonlocal current
        now, reached = _files(out), list(_points(hook))
        kills.append((how, reached))
        assert now in (packages[current], packages[other]), f"{how}: the package is neither the old nor the new one"
        if "swap" not in reached:
            assert now == packages[current], f"{how}: replaced before the swap began ({reached})"
        if "swapped" in reached:
            assert now == packages[other], f"{how}: not replaced after the swap ({reached})"
        current = other if now == packages[other] else current

    rng = random.Random(int(os.environ.get("YUSUAN_KILL_SEED", "20261127")))
    span = max(durations) * 1.15  # the clock only schedules these kills; nothing asserts on speed
    for _ in range(RUNS):
        other = "B" if current == "A" else "A"
        proc = _start(raws[other], out, hook)
        time.sleep(rng.uniform(0.3 * span, span))
        _kill(proc)
        check("at a random moment", other)

    for point in ("swap", "swapped"):
        other = "B" if current == "A" else "A"
        before = current
        proc = _start(raws[other], out, hook, stop=point)
        _wait_until_stopped(proc, hook)
        _kill(proc)
        check(f"stopped at {point}", other)
        assert kills[-1][1][-1] == point
        assert current == (before if point == "swap" else other)  # old before the swap, new once swapped

    for _ in range(WINDOW_RUNS):
        other = "B" if current == "A" else "A"
        proc = _start(raws[other], out, hook, stop="swap")
        _wait_until_stopped(proc, hook)
        proc.send_signal(signal.SIGCONT)
        time.sleep(rng.uniform(0, 1.5 * window))
        _kill(proc)
        check("in the window", other)

    inside = [how for how, reached in kills if "swap" in reached and "published" not in reached]
    print(f"\nkill test: {len(kills)} SIGKILLs, publish window {window * 1000:.1f} ms; points reached: "
          + "; ".join(f"{how}: {'/'.join(reached) or '-'}" for how, reached in kills))
    assert len(inside) >= 2, kills  # at least the two stopped inside it; the random ones may add more

    # The next build removes what the killed builds left behind (no live process holds it).
    _build(raw_a, out, hook)
    assert _files(out) == packages["A"]
    assert _leftovers(out) == []
    assert validate_package(out / "datapackage.json").ok


def test_leftovers_of_a_live_build_are_kept_and_a_lost_package_is_restored(tmp_path):
    out = tmp_path / "pkg"
    ours = make_staging_dir(out)  # held (flocked) by this live process
    dead = out.parent / f".{out.name}.staging-deadbeef0000"
    dead.mkdir()
    write_staging_marker(dead, out.name)  # as make_staging_dir marks it, before a build was killed
    (dead / "half-written.csv").write_text("a,b\n")
    # A fallback publish killed between its two renames: the package sits only in .pkg.old-*.
    old = out.parent / f".{out.name}.old-0123456789ab"
    old.mkdir()
    (old / "datapackage.json").write_text("{}")
    write_marker(old, {"datapackage.json": text_stats("{}")})
    # Folders named like leftovers that the program did not make: never touched.
    backup = out.parent / f".{out.name}.old-mybackup"
    backup.mkdir()
    (backup / "important.txt").write_text("mine")
    mine = out.parent / f".{out.name}.staging-mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    notes = clean_leftovers(out)
    assert (out / "datapackage.json").read_text() == "{}"
    assert not dead.exists() and ours.is_dir()
    assert any("restored the previous package" in n for n in notes) and any(dead.name in n for n in notes)
    assert (backup / "important.txt").read_text() == "mine" and (mine / "notes.txt").read_text() == "mine"
    assert any(f"left {backup.name} alone" in n for n in notes) and any(f"left {mine.name} alone" in n for n in notes)
    # A previous package someone added a file to is no longer provably the program's: kept too.
    old2 = out.parent / f".{out.name}.old-0123456789cd"
    shutil.copytree(out, old2)
    (old2 / "added.txt").write_text("mine")
    notes = clean_leftovers(out)
    assert (old2 / "added.txt").is_file() and any(f"left {old2.name} alone" in n for n in notes)


def test_a_clean_up_cut_short_leaves_a_leftover_that_still_carries_its_proof(tmp_path, monkeypatch):
    """A build killed while deleting a leftover must not leave it without the marker that proves it ours."""
    import pipeline.package.marker as marker

    out = tmp_path / "pkg"
    dead = out.parent / f".{out.name}.staging-deadbeef0001"
    (dead / "data").mkdir(parents=True)
    write_staging_marker(dead, out.name)
    for name in ("a.csv", "b.csv", "data/c.csv"):
        (dead / name).write_text("x\n")
    real_unlink = os.unlink
    calls = []

    def dies_on_the_second_unlink(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("killed mid-way")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(marker.os, "unlink", dies_on_the_second_unlink)
    try:
        clean_leftovers(out)
    except OSError:
        pass
    monkeypatch.undo()
    assert dead.is_dir() and marker.has_staging_marker(dead)  # half deleted, still provably ours
    assert any(dead.name in note for note in clean_leftovers(out))
    assert not dead.exists()
