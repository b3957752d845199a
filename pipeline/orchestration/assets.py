"""Dagster assets, PUDL-style layers: ``raw`` -> ``core`` -> ``out``.

raw   raw_documents         the files in raw/ with their manifest metadata
core  parsed_documents      each raw file parsed once per content into the parse cache (in a process pool);
                            a broken document is recorded, not fatal
core  core_<table>          one asset per table of the metadata model (TABLE_ORDER): an Arrow IPC file
out   datapackage_staging   the package written into a staging dir next to out_dir, and validated
      datapackage_valid     blocking asset check on the staging package (fails with the validation errors)
core  fiscal_identities_hold, no_source_anomalies   non-blocking WARN checks on core_checks (pipeline.orchestration.check_assets)
out   datapackage           publishes staging -> out_dir; never runs after a failed datapackage_valid

An invalid package never replaces the last good one: it is only ever written into a staging directory, the
blocking check stops the publish step in the same run, and the staging directory is discarded on failure.
The steps that touch the output (datapackage_staging, datapackage) hold the build lock (pipeline/package/lock.py);
datapackage_staging first tidies what killed builds left behind. Every terminal point writes the build
report beside the package (pipeline/package/report.py).
"""


from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipeline.build import combine, incremental
from pipeline.build.cache import ParseCache
from pipeline.build.results import FailedDocument, ParseResults
from pipeline.metadata.schemas import TABLE_ORDER, load_tables
from pipeline.orchestration.check_assets import SOURCE_CHECKS
from pipeline.package import report
from pipeline.package.lock import build_lock
from pipeline.paths import default_cache_dir, default_out_dir, default_raw_dir
from pipeline.raw.discover import RawDocument, scan
from pipeline.raw.manifest import ManifestError

CORE_PREFIX = "core_"
# Metadata key of the build report draft on parsed_documents' failure (pipeline.orchestration.in_process).
REPORT_DRAFT = "report_draft"


def core_asset_name(table: str) -> str:
    return f"{CORE_PREFIX}{table}"


class YusuanPaths(dg.ConfigurableResource):
    """Where the raw disclosures are read from and where the data package is published.

    Unset fields fall back, at run time, to ``$YUSUAN_RAW_DIR`` / ``$YUSUAN_OUT_DIR`` or ``raw`` /
    ``datapackage`` relative to the working directory (see ``pipeline.paths``).
    """

    raw_dir: str | None = Field(default=None, description="Folder of raw disclosures (default: raw/ or $YUSUAN_RAW_DIR)")
    out_dir: str | None = Field(
        default=None, description="Folder the data package is published to (default: datapackage/ or $YUSUAN_OUT_DIR)"
    )

    cache_dir: str | None = Field(
        default=None,
        description="Per-document parse cache (default: $YUSUAN_CACHE_DIR or ~/.cache/yusuan); on a multi-machine "
        "deployment a filesystem every run worker can reach",
    )
    workers: int | None = Field(
        default=None, description="Processes that parse documents (default: $YUSUAN_WORKERS or the CPU count)"
    )

    def cache_path(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else default_cache_dir()

    def raw_path(self) -> Path:
        return Path(self.raw_dir) if self.raw_dir else default_raw_dir()

    def out_path(self) -> Path:
        return Path(self.out_dir) if self.out_dir else default_out_dir()


@dataclass(frozen=True)
class StagedPackage:
    """A package written into a staging directory, with the outcome of its validation."""

    staging_dir: str
    descriptor_path: str
    out_dir: str
    valid: bool
    errors: tuple[str, ...] = ()
    rows: dict[str, int] = field(default_factory=dict)
    report: dict = field(default_factory=dict)  # build report draft (pipeline.package.report.draft)


# ---------------------------------------------------------------------------------------------------- raw

LOGGED_WARNINGS = 20
# Entries of a list kept in an asset's metadata. Every event's metadata is serialised into Dagster's event log:
# three lists of 10,000 entries cost ~0.5 s a build. The build report beside the package has every entry.
METADATA_LIST_LIMIT = 200


def _capped(items: list) -> dg.MetadataValue:
    """The first METADATA_LIST_LIMIT items as JSON metadata, and how many were left out."""
    items = list(items)
    if len(items) <= METADATA_LIST_LIMIT:
        return dg.MetadataValue.json(items)
    return dg.MetadataValue.json({"first": items[:METADATA_LIST_LIMIT], "total": len(items),
                                  "left_out": len(items) - METADATA_LIST_LIMIT,
                                  "all_in": "the build report beside the package (<out>.build-report.json)"})


def _log_capped(log, messages) -> None:
    """Log the first LOGGED_WARNINGS messages and a count of the rest (more in the metadata, all in the report).

    Each log line is an event in Dagster's event log: 10,000 of them cost more than parsing the corpus.
    """
    for message in messages[:LOGGED_WARNINGS]:
        log(message)
    if len(messages) > LOGGED_WARNINGS:
        log(f"... and {len(messages) - LOGGED_WARNINGS} more warnings (see the asset's 'warnings' metadata and "
            "the build report)")



@dg.asset(group_name="raw", description="The raw disclosure files in raw_dir, with their manifest metadata and sha256.")
def raw_documents(context: dg.AssetExecutionContext, paths: YusuanPaths) -> list[RawDocument]:
    raw_dir = paths.raw_path()
    try:
        found = scan(raw_dir, memo_dir=paths.cache_path())  # the sha256 memo lives with the parse cache
    except (ManifestError, FileNotFoundError, NotADirectoryError) as exc:
        raise dg.Failure(description=str(exc)) from None
    docs = found.documents
    warnings = [w for doc in docs for w in doc.warnings]
    warnings += [f"{f}: listed in the manifest but not in {raw_dir}" for f in found.missing]
    warnings += found.skipped
    _log_capped(context.log.warning, warnings)
    context.add_output_metadata(
        {
            "count": len(docs),
            "raw_dir": str(raw_dir.resolve()),
            "files": _capped([d.relpath for d in docs]),
            "warnings": _capped(warnings),
        }
    )
    return docs


# --------------------------------------------------------------------------------------------------- core


def _failed_markdown(failed: tuple[FailedDocument, ...]) -> str:
    lines = ["| file | error |", "| --- | --- |"]
    for f in failed:
        error = f.error.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {f.relpath} | {error} |")
    return "\n".join(lines)


@dg.asset(
    group_name="core",
    description="Each raw document parsed into its tables, held in the per-document parse cache (only new or "
    "changed documents are parsed, in parallel). A document the parser rejects is listed in the metadata "
    "(failed_documents) and logged as an error; the other documents go on.",
)
def parsed_documents(
    context: dg.AssetExecutionContext, paths: YusuanPaths, raw_documents: list[RawDocument]
) -> ParseResults:
    failures = 0

    def progress(i: int, total: int, raw: RawDocument, error: str | None, parsed_now: bool) -> None:
        nonlocal failures
        if error is not None:
            failures += 1
            if failures <= LOGGED_WARNINGS:  # all of them are in the failed_documents metadata
                context.log.error(f"failed [{i}/{total}] {error}")
        elif parsed_now and (total <= 100 or i % 1000 == 0):
            context.log.info(f"parsed [{i}/{total}] {raw.relpath}")

    cache = ParseCache(paths.cache_path())
    results = incremental.parse_corpus(raw_documents, cache, workers=paths.workers, on_document=progress)
    cache.prune_other_versions()
    parsed_now = sum(1 for _, doc in results.parsed if doc.parsed_now)
    context.log.info(
        f"{parsed_now} document(s) parsed, {len(results.parsed) - parsed_now} reused from the cache {cache.dir}"
    )
    _log_capped(context.log.warning, results.warnings)
    metadata = {
        "parsed": len(results.parsed),
        "failed": len(results.failed),
        "parsed_now": parsed_now,
        "reused_from_cache": len(results.parsed) - parsed_now,
        "parsed_documents": _capped(
            [{"file": raw.relpath, "document_id": doc.document_id} for raw, doc in results.parsed]
        ),
        "failed_documents": _capped(
            [{"file": f.relpath, "sha256": f.sha256, "error": f.error} for f in results.failed]
        ),
        "warnings": _capped(results.warnings),
    }
    if results.failed:
        metadata["failed_documents_table"] = dg.MetadataValue.md(_failed_markdown(results.failed[:METADATA_LIST_LIMIT]))
    if not results.parsed:
        if not raw_documents:
            description = "no raw documents found: nothing to build"
        else:
            description = "no document could be parsed:\n" + "\n".join(f.error for f in results.failed)
        draft = report.draft(results)
        report.write(report.finalise(draft, paths.out_path(), published=False, errors=[description]), paths.out_path())
        # The draft rides on the failure, so that `yusuan build` reports these documents as quarantined.
        raise dg.Failure(description=description, metadata={**metadata, REPORT_DRAFT: dg.MetadataValue.json(draft)})
    context.add_output_metadata(metadata)
    return results


_TABLES = load_tables()


@dg.multi_asset(
    outs={
        core_asset_name(name): dg.AssetOut(group_name="core", description=_TABLES[name].description)
        for name in TABLE_ORDER
    },
    name="core_tables",
)
def core_tables(context: dg.AssetExecutionContext, paths: YusuanPaths, parsed_documents: ParseResults):
    tables = combine.combine_documents(parsed_documents.parsed, paths.cache_path() / "core", _TABLES)
    for name in TABLE_ORDER:
        yield dg.Output(
            tables[name],
            output_name=core_asset_name(name),
            metadata={"rows": tables[name].rows, "parts": len(tables[name].parts)},
        )


# ---------------------------------------------------------------------------------------------------- out


def _discard_quietly(context, staging_dir: str | Path) -> None:
    from pipeline.package import publish

    try:
        if Path(staging_dir).exists():
            publish.discard(Path(staging_dir))
    except Exception as exc:  # noqa: BLE001 - the original failure matters more than a failed cleanup
        context.log.warning(f"could not discard staging dir {staging_dir}: {exc}")


@dg.asset(
    group_name="out",
    ins={"parsed_documents": dg.AssetIn(), **{core_asset_name(n): dg.AssetIn() for n in TABLE_ORDER}},
    description="The data package written into a staging directory next to out_dir and validated. "
    "The blocking check datapackage_valid gates its publication.",
)
def datapackage_staging(
    context: dg.AssetExecutionContext, paths: YusuanPaths, parsed_documents: ParseResults, **core
) -> StagedPackage:
    # Imported here so the definitions load even while the package writer is being changed.
    from pipeline.package import publish, rendered_parts, validate, writer
    from pipeline.package.sources import compute_created, compute_sources

    tables = {name: core[core_asset_name(name)] for name in TABLE_ORDER}
    raws = parsed_documents.raw_documents
    out_dir = paths.out_path()
    with build_lock(out_dir, wait=None):
        try:  # before anything is written: a folder that is not provably our package is never replaced
            publish.check_replaceable(out_dir, paths.cache_path())
        except publish.PublishError as exc:
            raise dg.Failure(description=str(exc)) from None
        notes = publish.clean_leftovers(out_dir, paths.cache_path())
        for note in notes:
            context.log.warning(note)
        staging = publish.make_staging_dir(out_dir)
        try:
            descriptor, written = writer.write_package_parts(
                tables, staging, sources=compute_sources(raws), created=compute_created(raws)
            )
            # Parts linked from a rendering an earlier build validated are not read again (validate.py).
            trusted = rendered_parts.trusted_parts(written)
            validation = validate.validate_package(descriptor, trusted=trusted, memo_dir=paths.cache_path())
            if validation.ok:
                rendered_parts.record_validated(written, trusted)
        except BaseException:
            _discard_quietly(context, staging)
            raise
    rows = {name: table.rows for name, table in tables.items()}
    reused = sum(1 for part in written if part.reused)
    context.log.info(f"{len(written)} part(s): {len(written) - reused} written, {reused} reused unchanged")
    staged = StagedPackage(
        staging_dir=str(staging),
        descriptor_path=str(descriptor),
        out_dir=str(out_dir),
        valid=bool(validation.ok),
        errors=tuple(str(e) for e in validation.errors),
        rows=rows,
        report={**report.draft(parsed_documents), "notes": notes},
    )
    for err in staged.errors:
        context.log.error(f"package validation: {err}")
    context.add_output_metadata(
        {
            "staging_dir": str(staging),
            "valid": staged.valid,
            "error_count": len(staged.errors),
            "rows": dg.MetadataValue.json(rows),
            "parts": len(written),
            "parts_reused": reused,
        }
    )
    return staged


@dg.asset_check(
    asset=datapackage_staging,
    name="datapackage_valid",
    blocking=True,
    description="The staged package validates (Frictionless + the project's own checks). Blocking: when it "
    "fails, datapackage is not published and the staging directory is discarded.",
)
def datapackage_valid(context: dg.AssetCheckExecutionContext, datapackage_staging: StagedPackage) -> dg.AssetCheckResult:
    staged = datapackage_staging
    errors = list(staged.errors)
    if staged.valid and not Path(staged.descriptor_path).is_file():
        errors = [f"staged descriptor {staged.descriptor_path} no longer exists; re-materialise datapackage_staging"]
    passed = staged.valid and not errors
    if not passed:
        _discard_quietly(context, staged.staging_dir)
        _write_report(staged, published=False, errors=["the package is invalid; nothing was published", *errors])
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if passed else f"{len(errors)} validation error(s); the package was not published",
        metadata={
            "error_count": len(errors),
            "errors": dg.MetadataValue.json(errors),
            "staging_dir": staged.staging_dir,
        },
    )


@dg.asset(
    group_name="out",
    description="The published data package in out_dir (datapackage.json, data files, README). Replaced only "
    "by a package that passed datapackage_valid.",
)
def datapackage(context: dg.AssetExecutionContext, paths: YusuanPaths, datapackage_staging: StagedPackage) -> str:
    from pipeline.package import publish

    staged = datapackage_staging
    # Belt and braces: the blocking check already stops this step in a run that includes it.
    if not staged.valid:
        _discard_quietly(context, staged.staging_dir)
        raise dg.Failure(description="refusing to publish an invalid package:\n" + "\n".join(staged.errors))
    if not Path(staged.descriptor_path).is_file():
        raise dg.Failure(
            description=f"staged package {staged.staging_dir} no longer exists; re-materialise datapackage_staging"
        )
    out_dir = Path(staged.out_dir)
    try:
        with build_lock(out_dir, wait=None):
            # Already validated by datapackage_staging (and gated by datapackage_valid): don't validate twice.
            publish.publish(Path(staged.staging_dir), out_dir, validate=False, memo_dir=paths.cache_path())
    except publish.PublishError as exc:
        _discard_quietly(context, staged.staging_dir)
        raise dg.Failure(description=str(exc)) from None
    except BaseException:
        _discard_quietly(context, staged.staging_dir)
        raise
    _write_report(staged, published=True)
    descriptor = out_dir / Path(staged.descriptor_path).relative_to(staged.staging_dir)
    context.add_output_metadata(
        {
            "path": dg.MetadataValue.path(str(descriptor.resolve())),
            "rows": dg.MetadataValue.json(staged.rows),
        }
    )
    return str(descriptor)


def _write_report(staged: StagedPackage, *, published: bool, errors=()) -> None:
    draft = dict(staged.report) if staged.report else None
    notes = draft.pop("notes", []) if draft else []
    out_dir = Path(staged.out_dir)
    report.write(report.finalise(draft, out_dir, published=published, errors=errors, notes=notes), out_dir)


ALL_ASSETS = [raw_documents, parsed_documents, core_tables, datapackage_staging, datapackage]
ALL_CHECKS = [datapackage_valid, *SOURCE_CHECKS]
