"""Scale benchmark: ``.venv/bin/python -m benchmarks.run --sizes 10,100,1000,10000``.

For each corpus size N and raw format (``--formats tika-text,docx``: generated documents as Tika text or as
Word .docx files; see ``corpus()``):

* full build      ``yusuan build`` in a subprocess with an empty parse cache: wall time, documents/s, and
                  peak RSS of the build's whole process tree (the CLI plus its parse workers, sampled from
                  /proc every 50 ms);
* incremental     one more document added to raw/ and ``yusuan build`` again with the same cache: wall time,
                  its share of the full build, documents parsed, peak RSS. Repeated with --rebuild-repeats
                  different new documents (each removed again, and the package rebuilt without it, before the
                  next): the median is reported, since one addition's time depends on the size of the part
                  the document falls in and on the machine's moment;
* parse only      ``parse.parse_raw_document`` in this process, one core, on up to --parse-sample documents:
                  MB of raw files per second;
* validate        the published package validated by ``validate.validate_package`` (the Arrow checks the
                  build runs) and by ``frictionless.validate`` (the baseline), both in this process: seconds
                  and the ratio frictionless / ours.

Not part of the test suite; nothing here asserts a time. Results go to stdout as a table (and, with --json,
to a file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.paths import REPO_ROOT


def corpus(count: int, seed: int, out_dir: Path, fmt: str = "tika-text") -> tuple[list[Path], str]:
    """Generated documents (``pipeline.synth.generate_corpus``, as Tika text or .docx) and their source's name."""
    from pipeline.synth import generate_corpus

    return list(generate_corpus(count, seed, out_dir, fmt)), f"pipeline.synth.generate_corpus ({fmt})"


# -- process-tree RSS ------------------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> int:
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kib(pid)
        stack.extend(tree.get(pid, []))
    return total


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    stdout: str


def run_build(raw: Path, out: Path, cache: Path, workers: int | None) -> Run:
    env = {**os.environ, "YUSUAN_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": ""}
    if workers:
        env["YUSUAN_WORKERS"] = str(workers)
    env.pop("DAGSTER_HOME", None)
    cmd = [sys.executable, "-m", "pipeline.cli", "build", "--raw", str(raw), "--out", str(out)]
    # 0 published; 3 published with some documents quarantined (a generated corpus may include broken ones)
    return run_command(cmd, env, ok=(0, 3))


def run_command(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> Run:
    """Run ``cmd``: wall time, peak RSS of its process tree (sampled every 50 ms), stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[2:4])} failed ({proc.returncode}):\n{stderr[-5000:]}")
    return Run(seconds=seconds, peak_rss_mib=peak / 1024, stdout=stdout)


# -- one size ------------------------------------------------------------------------------------------------


@dataclass
class Result:
    format: str
    documents: int
    rows: int
    raw_mb: float
    full_s: float
    docs_per_s: float
    full_peak_rss_mib: float
    incremental_s: float  # median over the additions
    incremental_share: float
    incremental_parsed: int  # documents parsed by the first addition's build
    incremental_peak_rss_mib: float
    incremental_runs: list[float]  # each addition's wall time, in order (the first is the document count+1)
    parse_mb_per_s: float
    parse_sample: int
    validate_s: float
    frictionless_s: float | None
    frictionless_ratio: float | None
    # "" when frictionless finished and found the package valid; else why not ("timeout": seconds is a bound)
    frictionless_note: str = ""


def _write_manifest(all_dir: Path, raw: Path, names: set[str]) -> None:
    manifest_path = all_dir / "manifest.json"
    if not manifest_path.exists():
        return
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest.get("documents", []) if d.get("file") in names]
    (raw / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _cache_entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.entry"))


class _Timeout(BaseException):  # not Exception: frictionless catches those
    pass


def _frictionless(descriptor: Path, timeout: float, console: Console) -> tuple[float, str]:
    """Seconds ``frictionless.validate`` takes on the package, in this process; stops at ``timeout``."""
    import signal

    import frictionless

    def alarm(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        report = frictionless.validate(str(descriptor))
        note = "" if report.valid else "invalid: " + "; ".join(map(str, report.flatten(["type", "note"])[:3]))
    except _Timeout:
        note = "timeout"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    if note:
        console.print(f"[yellow]frictionless: {note} after {seconds:.0f} s[/yellow]")
    return seconds, note


def measure(count: int, work: Path, *, seed: int, workers: int | None, parse_sample: int, frictionless_max: int,
            frictionless_timeout: float, console: Console, rebuild_repeats: int = 1, fmt: str = "tika-text") -> Result:
    from pipeline.package.validate import validate_package
    from pipeline.raw.discover import discover
    from pipeline.tables.parse import parse_raw_document

    all_dir, raw, out, cache = work / "all", work / "raw", work / "out", work / "cache"
    repeats = max(1, rebuild_repeats)
    paths, source = corpus(count + repeats, seed, all_dir, fmt)  # the generator is prefix-stable: same first documents
    console.print(f"[dim]N={count}: corpus from {source}[/dim]", highlight=False)
    paths = sorted(paths)
    first, extras = paths[:count], paths[count:]
    raw.mkdir()
    for p in first:
        shutil.copy2(p, raw / p.name)
    _write_manifest(all_dir, raw, {p.name for p in first})
    raw_bytes = sum(p.stat().st_size for p in first)

    full = run_build(raw, out, cache, workers)
    descriptor = out / "datapackage.json"
    start = time.perf_counter()
    report = validate_package(descriptor)
    validate_s = time.perf_counter() - start
    if not report.ok:
        raise SystemExit(f"the built package is invalid: {report.errors[:5]}")
    rows = sum(report.stats.values())

    base = {p.name for p in first}
    additions: list[Run] = []
    for k, extra in enumerate(extras):
        if k:  # back to the base corpus (the parts without the last addition are still in the cache)
            (raw / extras[k - 1].name).unlink()
            _write_manifest(all_dir, raw, base)
            run_build(raw, out, cache, workers)
        before = _cache_entries(cache)
        shutil.copy2(extra, raw / extra.name)
        _write_manifest(all_dir, raw, base | {extra.name})
        additions.append(run_build(raw, out, cache, workers))
        parsed = _cache_entries(cache) - before
        if k == 0:
            parsed_again = parsed
        if parsed != 1:
            console.print(f"[yellow]addition {k + 1}: {parsed} documents parsed, expected 1[/yellow]")
    times = [run.seconds for run in additions]
    incremental_s = statistics.median(times)

    sample = discover(raw)[:parse_sample]
    sample_bytes = sum(r.path.stat().st_size for r in sample)
    start = time.perf_counter()
    for r in sample:
        parse_raw_document(r)
    parse_s = time.perf_counter() - start

    frictionless_s = ratio = None
    frictionless_note = ""
    if count <= frictionless_max:
        frictionless_s, frictionless_note = _frictionless(descriptor, frictionless_timeout, console)
        ratio = frictionless_s / validate_s

    return Result(
        format=fmt,
        documents=count,
        rows=rows,
        raw_mb=raw_bytes / 1e6,
        full_s=full.seconds,
        docs_per_s=count / full.seconds,
        full_peak_rss_mib=full.peak_rss_mib,
        incremental_s=incremental_s,
        incremental_share=incremental_s / full.seconds,
        incremental_parsed=parsed_again,
        incremental_peak_rss_mib=max(run.peak_rss_mib for run in additions),
        incremental_runs=times,
        parse_mb_per_s=sample_bytes / 1e6 / parse_s,
        parse_sample=len(sample),
        validate_s=validate_s,
        frictionless_s=frictionless_s,
        frictionless_ratio=ratio,
        frictionless_note=frictionless_note,
    )


def render(results: list[Result]) -> Table:
    table = Table(title="yusuan build benchmark", show_lines=False)
    for col in ("format", "docs", "rows", "raw MB", "full build s", "docs/s", "peak RSS MiB", "incr. +1 doc s",
                "incr. range s", "incr./full", "parse MB/s (1 core)", "validate s", "frictionless s",
                "frictionless/ours"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            r.format, f"{r.documents:,}", f"{r.rows:,}", f"{r.raw_mb:.1f}", f"{r.full_s:.1f}", f"{r.docs_per_s:.1f}",
            f"{max(r.full_peak_rss_mib, r.incremental_peak_rss_mib):.0f}", f"{r.incremental_s:.1f}",
            f"{min(r.incremental_runs):.1f}–{max(r.incremental_runs):.1f}", f"{100 * r.incremental_share:.1f}%",
            f"{r.parse_mb_per_s:.2f}", f"{r.validate_s:.2f}",
            "-" if r.frictionless_s is None else (">" if r.frictionless_note == "timeout" else "") + f"{r.frictionless_s:.1f}",
            "-" if r.frictionless_ratio is None else (">" if r.frictionless_note == "timeout" else "") + f"{r.frictionless_ratio:.1f}x",
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--workers", type=int, default=None, help="parse workers (default: all CPUs)")
    parser.add_argument("--parse-sample", type=int, default=500, help="documents timed for parse-only MB/s")
    parser.add_argument("--frictionless-max", type=int, default=10_000,
                        help="skip the frictionless baseline above this many documents (it is slow)")
    parser.add_argument("--frictionless-timeout", type=float, default=3600,
                        help="stop the frictionless baseline after this many seconds (reported as a lower bound)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON (after each size)")
    parser.add_argument("--rebuild-repeats", type=int, default=5,
                        help="new documents added one at a time for the incremental figure (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument("--formats", default="tika-text",
                        help="comma-separated raw formats to generate, each size measured per format: tika-text, docx")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    results = []
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for count, fmt in ((int(s), f) for s in args.sizes.split(",") if s.strip() for f in formats):
        work = Path(tempfile.mkdtemp(prefix=f"yusuan-bench-{count}-"))
        try:
            results.append(measure(count, work, seed=args.seed, workers=args.workers,
                                   parse_sample=args.parse_sample, frictionless_max=args.frictionless_max,
                                   frictionless_timeout=args.frictionless_timeout, console=console,
                                   rebuild_repeats=args.rebuild_repeats, fmt=fmt))
            console.print(results[-1], highlight=False)
            if args.json:
                Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    Console(width=220).print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
