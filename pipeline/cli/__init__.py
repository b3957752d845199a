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

``yusuan --version`` prints the installed version. A bad argument is refused by the parser (exit 2). Every message
is printed as plain text (never read as Rich markup: file names and messages are data). The commands live in
:mod:`pipeline.cli.build` and :mod:`pipeline.cli.commands`.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys

from pipeline.cli.build import cmd_build
from pipeline.cli.commands import cmd_add, cmd_release, cmd_synth, cmd_validate
from pipeline.cli.common import EXIT_BUSY, EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, EXIT_USAGE
from pipeline.raw.discover import MAX_RAW_BYTES_ENV
from pipeline.raw.manifest import PARTS

__all__ = ["EXIT_BUSY", "EXIT_FAILED", "EXIT_OK", "EXIT_QUARANTINED", "EXIT_USAGE", "main", "make_parser", "run"]


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
    b.add_argument("--workers", metavar="N", type=_whole(1),
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
    r.add_argument("--wait", metavar="SECONDS", type=_seconds, default=0.0,
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
    a.add_argument("--disclosure", metavar="KEY",
                   help="the file is one part of a disclosure published as several files: the key its files share")
    a.add_argument("--part", choices=PARTS, help="with --disclosure: which part the file is")
    a.set_defaults(func=cmd_add)
    s = sub.add_parser("synth", help="write synthetic disclosures with known answers (for tests and benchmarks)")
    s.add_argument("--count", type=_whole(0), required=True, metavar="N", help="number of documents")
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


def _whole(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {value}")
        return value
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, got {text!r}")
    return value



def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:  # a bad argument (argparse printed why: exit 2), or --help / --version (0)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    from rich.console import Console

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

