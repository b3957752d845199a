"""Release benchmark: ``.venv/bin/python -m benchmarks.release --count 10000``.

On a generated corpus of N documents (``benchmarks.run.corpus``, seed 1):

* build          ``yusuan build`` of N documents (the baseline the release is compared with);
* release 1      ``yusuan release`` of that package: the first release (tables joined into single files,
                 raw files copied, checks, SHA256SUMS, zip);
* release 2      one document added and one figure of another document corrected, ``yusuan build`` again,
                 then ``yusuan release``: the same work plus the diff against release 1;
* diff           the diff alone (``compare_releases`` of the two published releases) in a fresh process, and
                 as its baseline, reading the same Parquet files without comparing them (``--read-only``).

Each step runs in a subprocess: wall time and peak RSS of its process tree (sampled every 50 ms). Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import Run, corpus, run_build, run_command
from pipeline.raw.hashing import sha256_file


def _inner(old: Path, new: Path, read_only: bool) -> None:
    """The measured part of ``--diff`` / ``--read-only`` (runs in its own process)."""
    import pyarrow.parquet as pq

    from pipeline.release.compare import compare_releases
    from pipeline.release.tables import jemalloc_pool

    old_desc = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    new_desc = json.loads((new / "datapackage.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    if read_only:
        rows = 0
        with jemalloc_pool():  # as the diff reads them
            for desc, folder in ((old_desc, old), (new_desc, new)):
                for res in desc["resources"]:
                    if res["format"] == "parquet":
                        rows += pq.read_table(folder / res["path"]).num_rows
        result = {"rows_read": rows}
    else:
        diff = compare_releases(old, old_desc, new, new_desc)
        result = {"documents": diff.data["documents"], "changed": {t: c["changed"] for t, c in diff.data["tables"].items()}}
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time()  # all threads, since the process started
    print(json.dumps(result))


def _correct_one_figure(path: Path) -> str:
    """Add 0.01 to the first amount printed alone on a line (a table cell) of the file; returns the change."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(?m)^\t(\d+)\.(\d\d)$", text)
    if match is None:
        raise SystemExit(f"{path}: no amount cell to correct")
    cents = int(match.group(1)) * 100 + int(match.group(2)) + 1
    new = f"\t{cents // 100}.{cents % 100:02d}"
    path.write_text(text[: match.start()] + new + text[match.end():], encoding="utf-8")
    return f"{match.group(0).strip()} -> {new.strip()}"


def _manifest(all_dir: Path, raw: Path, names: set[str]) -> None:
    manifest = json.loads((all_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest["documents"] if d["file"] in names]
    for d in manifest["documents"]:
        d["sha256"] = sha256_file(raw / d["file"])
    (raw / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _row(name: str, run: Run, note: str = "") -> str:
    return f"| {name} | {run.seconds:.2f} | {run.peak_rss_mib:.0f} | {note} |"


def measure(count: int, work: Path) -> list[str]:
    all_dir, raw, pkg, out, cache = (work / n for n in ("all", "raw", "pkg", "releases", "cache"))
    paths = sorted(corpus(count + 1, 1, all_dir)[0])
    raw.mkdir()
    for p in paths[:count]:
        shutil.copy2(p, raw / p.name)
    _manifest(all_dir, raw, {p.name for p in paths[:count]})
    env = {**os.environ, "YUSUAN_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": ""}
    env.pop("DAGSTER_HOME", None)
    cli = [sys.executable, "-m", "pipeline.cli"]
    release = [*cli, "release", "--package", str(pkg), "--out", str(out), "--raw", str(raw)]

    load_before = os.getloadavg()[0]
    build = run_build(raw, pkg, cache, None)
    first = run_command(release, env)
    shutil.copy2(paths[count], raw / paths[count].name)
    corrected = _correct_one_figure(raw / paths[count // 2].name)
    _manifest(all_dir, raw, {p.name for p in paths[: count + 1]})
    rebuild = run_build(raw, pkg, cache, None)
    second = run_command(release, env)
    versions = sorted(p.name for p in out.iterdir() if p.is_dir())
    inner = [*cli[:1], "-m", "benchmarks.release", "--inner", str(out / versions[0]), str(out / versions[1])]
    diff = run_command(inner, env)
    read = run_command([*inner, "--read-only"], env)
    diff_inner, read_inner = json.loads(diff.stdout), json.loads(read.stdout)
    rows = read_inner["rows_read"]
    return [
        f"{count:,} documents ({rows:,} Parquet rows read by the diff, both releases); corrected: {corrected} in "
        f"{paths[count // 2].name}; diff found {len(diff_inner['documents']['added'])} document added, "
        f"{len(diff_inner['documents']['changed'])} changed, rows changed {diff_inner['changed']}",
        f"load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores: above 2, the "
        "steps waited for a core)",
        "",
        "| step | wall s | peak RSS MiB | note |",
        "| --- | ---: | ---: | --- |",
        _row("yusuan build (baseline)", build),
        _row("yusuan release, first", first, f"{first.seconds / build.seconds:.0%} of the build"),
        _row("yusuan build, +1 document and 1 correction", rebuild),
        _row("yusuan release, second (with the diff)", second, f"{second.seconds / build.seconds:.0%} of the build"),
        _row("diff alone, process", diff, f"compare_releases itself: {diff_inner['seconds']:.2f} s "
             f"(process CPU {diff_inner['cpu_seconds']:.2f} s)"),
        _row("reading the same Parquet files (diff's baseline)", read,
             f"reading itself: {read_inner['seconds']:.2f} s; diff/read = "
             f"{diff_inner['seconds'] / read_inner['seconds']:.1f}x"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="documents in the first release")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--inner", nargs=2, metavar=("OLD", "NEW"), help=argparse.SUPPRESS)
    parser.add_argument("--read-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _inner(Path(args.inner[0]), Path(args.inner[1]), args.read_only)
        return 0
    work = Path(tempfile.mkdtemp(prefix=f"yusuan-bench-release-{args.count}-"))
    try:
        print("\n".join(measure(args.count, work)))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
