"""``yusuan validate``, ``yusuan release``, ``yusuan add`` and ``yusuan synth`` (exit codes: see :mod:`pipeline.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from pipeline.cli.common import EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_USAGE, say
from pipeline.package.lock import LockBusy
from pipeline.paths import default_out_dir, default_raw_dir


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
        say(err, f"yusuan release: {exc}", "red")
        return EXIT_BUSY
    except ReleaseError as exc:
        say(err, f"yusuan release: {exc}", "red")
        return exc.exit_code
    for line in done.done:
        say(err, line)
    if done.version is None:
        say(out, f"No change since release {done.previous}: nothing released.")
        return EXIT_OK
    data = done.diff
    how = f"{data['bump']} release after {done.previous}" if done.previous else "first release"
    say(out, f"Released {done.version} ({how}): {done.folder}")
    say(out, f"Archive: {done.archive}")
    for level, why in (data.get("reasons") or {}).items():
        for reason in why:
            say(out, f"  {level}: {reason}")
    docs = data["documents"]
    say(out, f"Documents: {len(docs['added'])} added, {len(docs['removed'])} removed, {len(docs['changed'])} changed")
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
                         terms=args.terms, note=args.note, disclosure=args.disclosure,
                         part=args.part, reader=reader)
    except (AddError, ValueError) as exc:
        say(err, f"yusuan add: {exc}", "red")
        return EXIT_USAGE
    say(out, f"Added {added.path} (sha256 {added.entry.sha256}) to the manifest; run `yusuan build` to publish it.")
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
