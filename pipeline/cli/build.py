"""``yusuan build``: the checks made before anything is read or written, the in-process Dagster run, the summary.

Exit codes: see :mod:`pipeline.cli`.
"""

from __future__ import annotations

import argparse
import os
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.cli.common import EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE, say
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
