"""Command line: ``yusuan build``, ``yusuan validate``, ``yusuan release``, ``yusuan add`` and ``yusuan synth``.

``yusuan build [--raw DIR] [--out DIR] [--cache DIR] [--workers N] [--wait SECONDS] [--max-raw-bytes N]`` runs
the Dagster job ``build_package`` in-process (same assets and checks as ``dagster dev``), shows progress on stderr, prints a
summary on stdout and writes the build report ``<out>.build-report.json`` beside the package (see
``pipeline/package/report.py``: every document built, built with warnings, or quarantined with file, line and reason).

Exit codes of ``yusuan build``:

* 0 -- the package was published; no document was quarantined (some may carry warnings).
* 1 -- nothing was published (no document could be parsed, the package is invalid, an internal error);
  the previous package in ``--out`` is untouched.
* 2 -- refused up front, before anything is read or written: bad arguments or environment variables, folders
  that cannot be used as given (``pipeline/package/folders.py``), an unreadable raw manifest, or an output folder
  that is not provably a package yusuan published holding nothing else (``pipeline/package/marker.py``).
* 3 -- the package was published, but at least one document was quarantined (left out): see the report.
* 4 -- another build of the same ``--out`` is running (the build lock is held); nothing was done. Pass
  ``--wait SECONDS`` to queue behind it instead.

``yusuan validate PATH`` validates a package directory or its ``datapackage.json`` (or a release folder,
recognised by its ``SHA256SUMS``): exit 0 when valid, 1 with the errors otherwise (2 when PATH does not exist).

``yusuan release [--package DIR] [--out DIR] [--raw DIR] [--doi DOI]`` makes the next release of the built
package (:mod:`pipeline.release.make`): exit 0 (also when nothing changed: nothing is written), 1 when the
release would be invalid (nothing published), 2 when refused (no package, raw files changed since the build,
the version exists: releases are never overwritten), 4 when a build or release of the same folders runs.

``yusuan add FILE [--source-url U] [--department NAME] [--year Y] …`` copies a disclosure into raw/ and adds its
manifest entry (:mod:`pipeline.raw.add`): exit 0, or 2 when refused (unreadable, empty, a duplicate).

``yusuan synth --count N --seed S --out DIR [--format docx|pdf] [--adversarial]`` writes N synthetic disclosures
and a manifest into DIR (:mod:`pipeline.synth`): exit 0, or 2 when DIR is non-empty and not a previous synthetic
corpus.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.orchestration.in_process import (
    dagster_tempdir,
    environ,
    failure_metadata,
    output,
    step_failures,
)
from pipeline.package import folders, report
from pipeline.package.lock import LockBusy, build_lock, lock_path
from pipeline.paths import default_cache_dir, default_out_dir, default_raw_dir
from pipeline.raw.discover import MAX_RAW_BYTES_ENV, max_raw_bytes
from pipeline.raw.manifest import ManifestError, load_manifest

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_QUARANTINED = 3
EXIT_BUSY = 4


def say(console: Console, text: str, style: str | None = None) -> None:
    """Print ``text`` as it is: never read as Rich markup (file names and messages are data), no highlighting."""
    console.print(Text(text, style=style or ""), highlight=False, soft_wrap=True)


# -- build --------------------------------------------------------------------------------------------------


def _preflight(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    """Everything checked before anything is read or written (module docstring of pipeline.package.folders).

    Raises ``FolderError``, ``ManifestError``, ``ValueError`` (an environment variable) or ``NotReplaceable``.
    """
    from pipeline.build import incremental
    from pipeline.package import publish

    raw_dir, out_dir, cache_dir = folders.check_folders(
        args.raw if args.raw is not None else str(default_raw_dir()),
        args.out if args.out is not None else str(default_out_dir()),
        args.cache if args.cache is not None else str(default_cache_dir()))
    if args.workers is None:
        incremental.default_workers()
    if args.max_raw_bytes is None:
        max_raw_bytes()
    elif args.max_raw_bytes < 1:
        raise ValueError("--max-raw-bytes must be a positive number of bytes")
    load_manifest(raw_dir)
    folders.check_beside(report.report_path(out_dir), lock_path(out_dir), report.REPORT_TITLE)
    publish.check_replaceable(out_dir, cache_dir)
    return raw_dir, out_dir, cache_dir


def _refusal(exc: Exception) -> list[str]:
    from pipeline.package.publish import NotReplaceable

    if isinstance(exc, NotReplaceable):
        return [f"yusuan build: refusing to replace {exc.out_dir}: a build replaces its output folder whole, and "
                "only a package yusuan published that holds nothing else:",
                *(f"  {p}" for p in exc.problems),
                "Nothing was read or written. Move what you want to keep out of it, or pass another --out. If "
                "nothing in it needs keeping (a package of a yusuan older than the marker, or a checkout whose "
                "files git changed), delete it and build again."]
    return [f"yusuan build: {exc}", "Nothing was read or written."]


def cmd_build(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipeline.package.publish import NotReplaceable

    try:
        raw_dir, out_dir, cache_dir = _preflight(args)
    except (folders.FolderError, ManifestError, ValueError, NotReplaceable) as exc:
        for line in _refusal(exc):
            say(err, line, "red")
        return EXIT_USAGE

    with ExitStack() as stack:
        try:
            stack.enter_context(build_lock(out_dir, wait=args.wait))
        except LockBusy as exc:
            say(err, f"yusuan build: {exc}", "red")
            return EXIT_BUSY
        if args.max_raw_bytes is not None:
            stack.enter_context(environ(MAX_RAW_BYTES_ENV, str(args.max_raw_bytes)))
        from pipeline.build import incremental

        if (args.workers if args.workers is not None else incremental.default_workers()) > 1:
            incremental.warm_up()  # the parser loads on the other core while Dagster starts here
        import dagster as dg

        from pipeline.orchestration.assets import REPORT_DRAFT
        from pipeline.orchestration.definitions import JOB_NAME, build_defs
        from pipeline.orchestration.progress import progress_logger_def

        if os.environ.get("DAGSTER_HOME"):
            instance = stack.enter_context(dg.DagsterInstance.get())
        else:
            # No DAGSTER_HOME: a throwaway instance in a temporary directory, so nothing litters the CWD.
            tmp = stack.enter_context(dagster_tempdir())
            instance = stack.enter_context(dg.DagsterInstance.ephemeral(tempdir=tmp))
        defs = build_defs(raw_dir=raw_dir, out_dir=out_dir, cache_dir=cache_dir, workers=args.workers,
                          in_memory_io=True)
        # Replace Dagster's console logger (one DEBUG line per event) by the progress display.
        job = defs.resolve_job_def(JOB_NAME).with_logger_defs({"console": progress_logger_def(err)})
        say(err, f"Building from {raw_dir} into {out_dir}")
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config={"loggers": {"console": {}}}
        )

        parsed = output(result, "parsed_documents")
        staged = output(result, "datapackage_staging")
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        failures = step_failures(result)
        # The assets write the report at their terminal points; the CLI writes it in every case, still
        # under the lock, so that even a run that failed elsewhere (an internal error) leaves one.
        errors = [] if result.success else [f"{step}: {message}" for step, message in failures.items()]
        check = evaluations.get("datapackage_valid")
        if check is not None and not check.passed:
            check_errors = check.metadata.get("errors")
            errors = ["the package is invalid; nothing was published",
                      *(list(check_errors.value) if check_errors is not None else [])]
        if staged is not None and staged.report:
            draft = {k: v for k, v in staged.report.items() if k != "notes"}
        elif parsed is not None:
            draft = report.draft(parsed)
        else:  # no document could be parsed: the failure carries what happened to each
            draft = failure_metadata(result, "parsed_documents", REPORT_DRAFT)
        notes = list(staged.report.get("notes", [])) if staged is not None and staged.report else []
        build_report = report.finalise(draft, out_dir, published=result.success, errors=errors, notes=notes)
        if result.success and report.report_path(out_dir).is_file():
            report_file = report.report_path(out_dir)  # the datapackage step wrote this very report
        else:
            report_file = report.write(build_report, out_dir)

    for line in report.summary_lines(build_report):
        say(err, line)
    say(err, f"Build report: {report_file}")

    if check is not None and not check.passed:
        say(err, f"yusuan build: the package is invalid ({len(errors) - 1} error(s)); nothing was published, "
                 f"{out_dir} is unchanged", "red")
        for e in errors[1:]:
            say(err, f"  {e}")
        return EXIT_FAILED
    if not result.success:
        say(err, "yusuan build failed", "red")
        for step, message in failures.items():
            message = message.replace("\n", "\n    ")
            say(err, f"  {step}: {message}")
        say(err, f"Nothing was published; {out_dir} is unchanged.")
        return EXIT_FAILED

    descriptor = output(result, "datapackage")
    say(out, f"Package published: {descriptor}")
    core_checks = output(result, "core_tables", "core_checks")
    if core_checks is not None:
        from pipeline.orchestration.check_assets import status_counts

        counts = status_counts(core_checks.read().column("status"))  # Arrow IPC files (combine.CoreTable)
        say(out, "Checks: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + " (see the checks table)")
    if staged is not None:
        table = Table("table", "rows", title=None, box=None, pad_edge=False)
        for name, count in staged.rows.items():
            table.add_row(name, str(count))
        out.print(table)
    if build_report["exit_code"] == report.EXIT_QUARANTINED:
        quarantined = build_report["counts"]["quarantined"]
        say(err, f"{quarantined} document(s) quarantined: published without them (exit code {EXIT_QUARANTINED}); "
                 f"see {report_file}", "yellow")
        return EXIT_QUARANTINED
    return EXIT_OK


# -- validate -----------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipeline.package import validate

    path = Path(args.path)
    descriptor = path / "datapackage.json" if path.is_dir() else path
    if not descriptor.is_file():
        say(err, f"yusuan validate: {descriptor} does not exist", "red")
        return EXIT_USAGE
    if (descriptor.parent / "SHA256SUMS").is_file():
        from pipeline.release.verify import verify_release

        errors = verify_release(descriptor.parent, frictionless=args.frictionless)
        report = validate.ValidationReport(ok=not errors, errors=errors)
    else:
        report = validate.validate_package(descriptor, frictionless=args.frictionless)
    if report.ok:
        say(out, f"ok: {descriptor} is valid")
        return EXIT_OK
    say(out, f"invalid: {descriptor} has {len(report.errors)} error(s):")
    for e in report.errors:
        say(out, f"  {e}")
    return EXIT_FAILED


# -- release and add ----------------------------------------------------------------------------------------


def cmd_release(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipeline.release.errors import ReleaseError
    from pipeline.release.make import make_release

    package = Path(args.package) if args.package else default_out_dir()
    raw = Path(args.raw) if args.raw else default_raw_dir()
    try:
        done = make_release(package, Path(args.out), raw, doi=args.doi, wait=args.wait, frictionless=args.frictionless)
    except LockBusy as exc:
        err.print(f"[red]yusuan release: {exc}[/red]", highlight=False)
        return EXIT_BUSY
    except ReleaseError as exc:
        err.print(f"[red]yusuan release: {exc}[/red]", highlight=False)
        return exc.exit_code
    for line in done.done:
        err.print(line, highlight=False, markup=False)
    if done.version is None:
        out.print(f"No change since release {done.previous}: nothing released.", highlight=False)
        return EXIT_OK
    data = done.diff
    how = f"{data['bump']} release after {done.previous}" if done.previous else "first release"
    out.print(f"Released {done.version} ({how}): {done.folder}", highlight=False, soft_wrap=True)
    out.print(f"Archive: {done.archive}", highlight=False, soft_wrap=True)
    for level, why in (data.get("reasons") or {}).items():
        for reason in why:
            out.print(f"  {level}: {reason}", highlight=False, markup=False)
    docs = data["documents"]
    out.print(f"Documents: {len(docs['added'])} added, {len(docs['removed'])} removed, {len(docs['changed'])} changed",
              highlight=False)
    return EXIT_OK


def cmd_add(args: argparse.Namespace, out: Console, err: Console) -> int:
    from datetime import date

    from pipeline.document import readers
    from pipeline.raw.add import AddError, add_file

    def reader(data: bytes, name: str) -> str:
        # raises DocumentError, naming the place, for a file the build cannot read
        return readers.read(data, name).source_format

    try:
        retrieved = date.fromisoformat(args.retrieved) if args.retrieved else date.today()
        if args.source_url and not args.source_url.startswith(("http://", "https://")):
            raise AddError(f"--source-url {args.source_url!r} is not an http(s) address")
        added = add_file(Path(args.file), Path(args.raw) if args.raw else default_raw_dir(), retrieved=retrieved,
                         source_url=args.source_url, department_zh=args.department, fiscal_year=args.year,
                         province_zh=args.province, kind=args.kind, format=args.format, origin=args.origin,
                         terms=args.terms, note=args.note, reader=reader)
    except (AddError, ValueError) as exc:
        err.print(f"[red]yusuan add: {exc}[/red]", highlight=False)
        return EXIT_USAGE
    out.print(f"Added {added.path} (sha256 {added.entry.sha256}) to the manifest; run `yusuan build` to publish it.",
              highlight=False, soft_wrap=True)
    return EXIT_OK


# -- synth --------------------------------------------------------------------------------------------------


def cmd_synth(args: argparse.Namespace, out: Console, err: Console) -> int:
    from pipeline.synth import SynthError, generate_corpus

    try:
        paths = generate_corpus(args.count, args.seed, Path(args.out), args.format, args.adversarial)
    except SynthError as exc:
        say(err, f"yusuan synth: {exc}", "red")
        return EXIT_USAGE
    say(out, f"Wrote {len(paths)} synthetic disclosure(s) and manifest.json to {args.out} (seed {args.seed})")
    return EXIT_OK


# -- entry point --------------------------------------------------------------------------------------------


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yusuan", description="Chinese government budget disclosures -> Frictionless data package."
    )
    parser.add_argument("--version", action="version", version=f"yusuan {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse raw disclosures, build, validate and publish the data package")
    b.add_argument("--raw", metavar="DIR", help="folder of raw disclosures (default: $YUSUAN_RAW_DIR or raw/)")
    b.add_argument("--out", metavar="DIR", help="package folder (default: $YUSUAN_OUT_DIR or datapackage/)")
    b.add_argument("--cache", metavar="DIR",
                   help="per-document parse cache (default: $YUSUAN_CACHE_DIR or ~/.cache/yusuan)")
    b.add_argument("--workers", metavar="N", type=_positive,
                   help="processes that parse documents (default: $YUSUAN_WORKERS or the CPU count)")
    b.add_argument("--wait", metavar="SECONDS", type=_seconds, default=0.0,
                   help="if another build of --out is running, wait up to SECONDS for it (default: refuse at once, "
                        f"exit {EXIT_BUSY})")
    b.add_argument("--max-raw-bytes", metavar="N", type=int, default=None,
                   help=f"refuse raw files larger than N bytes (default: ${MAX_RAW_BYTES_ENV} or 20 MiB)")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("validate", help="validate a data package")
    v.add_argument("path", metavar="PATH", help="package folder or its datapackage.json")
    v.add_argument("--frictionless", action="store_true",
                   help="also run frictionless validate (the reference; slow on large packages)")
    v.set_defaults(func=cmd_validate)
    r = sub.add_parser("release", help="make the next versioned release of the built package")
    r.add_argument("--package", metavar="DIR", help="the built package (default: $YUSUAN_OUT_DIR or datapackage/)")
    r.add_argument("--out", metavar="DIR", default="releases", help="folder of releases (default: releases/)")
    r.add_argument("--raw", metavar="DIR", help="raw files the package was built from (default: $YUSUAN_RAW_DIR or raw/)")
    r.add_argument("--doi", metavar="DOI", help="the release's DOI, if one was reserved (becomes its id)")
    r.add_argument("--wait", metavar="SECONDS", type=float, default=0.0,
                   help=f"wait up to SECONDS for a running build or release (default: refuse, exit {EXIT_BUSY})")
    r.add_argument("--frictionless", action="store_true", help="also run frictionless validate on the release")
    r.set_defaults(func=cmd_release)
    a = sub.add_parser("add", help="copy a disclosure into raw/ and add it to the manifest")
    a.add_argument("file", metavar="FILE", help="the disclosure file")
    a.add_argument("--raw", metavar="DIR", help="raw folder (default: $YUSUAN_RAW_DIR or raw/)")
    a.add_argument("--source-url", metavar="URL", help="where it was published (default: unknown, null)")
    a.add_argument("--department", metavar="NAME", help="the department as the document names it")
    a.add_argument("--year", metavar="YEAR", type=int, help="the budget year")
    a.add_argument("--province", metavar="NAME", help="the province, e.g. 河北省")
    a.add_argument("--kind", default="budget", help="kind of document (default: budget)")
    a.add_argument("--format", help="how the file was made (default: the name of the reader that reads it)")
    a.add_argument("--retrieved", metavar="YYYY-MM-DD", help="when it was downloaded (default: today)")
    a.add_argument("--origin", help="how the file reached the project")
    a.add_argument("--terms", help="the publisher's terms of use")
    a.add_argument("--note", help="anything else worth knowing, e.g. why no --source-url")
    a.set_defaults(func=cmd_add)
    s = sub.add_parser("synth", help="write synthetic disclosures with known answers (for tests and benchmarks)")
    s.add_argument("--count", type=_count, required=True, metavar="N", help="number of documents")
    s.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0); same seed, same bytes")
    s.add_argument("--out", required=True, metavar="DIR",
                   help="output folder: new, empty, or a previous synthetic corpus (which is replaced)")
    s.add_argument("--format", choices=("tika-text", "docx", "pdf"), default="tika-text",
                   help="write Tika text (.tika.txt, the default) or Word files (.docx) in the Hebei layout, or PDFs "
                        "(.pdf) in the Shanghai layout with the national tables")
    s.add_argument("--adversarial", action="store_true",
                   help="put in the cases the parser finds hard, at known rates: repeated paragraphs, activity names "
                        "that point at two project items, two narrow rows in a row (docs/synthetic.md)")
    s.set_defaults(func=cmd_synth)
    return parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("yusuan")
    except metadata.PackageNotFoundError:  # run from a checkout that was not installed
        return "(not installed)"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:  # a bad argument (argparse printed why: exit 2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    return args.func(args, out, err)


def run() -> None:
    """The ``yusuan`` program: :func:`main` as the whole process (tests call ``main`` instead)."""
    # A build keeps ~10^6 objects alive (document records, Dagster's machinery). At Python's default gen-0
    # threshold (700) the collector walks them again and again: ~0.6 s of a 4 s rebuild of 10,000 documents.
    # Collections still run, ~70x less often; cyclic garbage waits at most 50,000 allocations.
    gc.set_threshold(50_000, 20, 20)
    code = main()
    # What the command leaves behind goes with the process. Frozen, it is skipped by the collections the
    # interpreter runs while shutting down, which take ~0.8 s after a build of 10,000 documents.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
