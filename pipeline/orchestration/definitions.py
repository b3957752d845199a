"""Dagster code location: ``dagster dev -m pipeline.orchestration.definitions`` (or ``dg dev``; see ``[tool.dagster]``).

IO manager: the default ``FilesystemIOManager`` with no ``base_dir``, i.e. pickles go to the *instance's*
storage directory: ``$DAGSTER_HOME/storage`` under ``dagster dev`` / the daemon, and a temporary directory for
ephemeral instances (tests). Nothing is written into the repository, and unlike ``mem_io_manager`` a single
asset can be re-materialised from the UI because its upstream values persist between runs. ``yusuan build``
runs the whole job in one process and passes ``in_memory_io=True``: pickling the parse results of a large
corpus to disk and reading them back in every downstream step cost more than a second at 10,000 documents.
"""


from pathlib import Path

import dagster as dg

from pipeline.orchestration.assets import ALL_ASSETS, ALL_CHECKS, YusuanPaths
from pipeline.orchestration.release_job import release_package
from pipeline.orchestration.scaleout import warm_parse_cache
from pipeline.raw.discover import raw_fingerprint

JOB_NAME = "build_package"
SCHEDULE_NAME = "build_package_daily"
SENSOR_NAME = "raw_files_sensor"
SENSOR_MIN_INTERVAL_SECONDS = 30

build_package = dg.define_asset_job(
    name=JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # ~3 s per run vs ~12 s for the multiprocess executor here
    description="Parse every raw disclosure, build and validate the data package, publish it if valid.",
)

build_package_daily = dg.ScheduleDefinition(
    name=SCHEDULE_NAME,
    job=build_package,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    description="Rebuild the package daily at 03:00 UTC.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.sensor(
    name=SENSOR_NAME,
    job=build_package,
    minimum_interval_seconds=SENSOR_MIN_INTERVAL_SECONDS,
    description="Requests a build when the contents of raw_dir change (fingerprint of relpaths + sha256).",
    # On by default: a deployment's daemon rebuilds as soon as raw/ changes, without a click in the UI.
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def raw_files_sensor(context: dg.SensorEvaluationContext, paths: YusuanPaths):
    raw_dir = paths.raw_path()
    if not raw_dir.is_dir():
        return dg.SkipReason(f"raw directory {raw_dir} does not exist")
    fingerprint = raw_fingerprint(raw_dir, memo_dir=paths.cache_path())  # the raw sha256 memo
    if fingerprint == context.cursor:
        return dg.SkipReason(f"raw directory {raw_dir} unchanged (fingerprint {fingerprint[:12]})")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=fingerprint, tags={"yusuan/raw_fingerprint": fingerprint})],
        cursor=fingerprint,
    )


def build_defs(
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    loggers: dict[str, dg.LoggerDefinition] | None = None,
    *,
    cache_dir: str | Path | None = None,
    workers: int | None = None,
    executor: dg.ExecutorDefinition | None = None,
    in_memory_io: bool = False,
) -> dg.Definitions:
    """The project's definitions; the arguments override the defaults (used by the CLI, tests and deploy/).

    ``executor`` runs the jobs that do not fix their own: ``warm_parse_cache`` (``deploy/`` passes the Celery
    executor). ``release_package`` runs on demand only (no schedule or sensor targets it). ``build_package``
    always runs in-process: its steps form a chain, and its parallelism is the
    process pool inside ``parsed_documents``.
    """
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=ALL_CHECKS,
        jobs=[build_package, warm_parse_cache, release_package],
        schedules=[build_package_daily],
        sensors=[raw_files_sensor],
        resources={
            "paths": YusuanPaths(
                raw_dir=str(raw_dir) if raw_dir is not None else None,
                out_dir=str(out_dir) if out_dir is not None else None,
                cache_dir=str(cache_dir) if cache_dir is not None else None,
                workers=workers,
            ),
            "io_manager": dg.InMemoryIOManager() if in_memory_io else dg.FilesystemIOManager(),
        },
        loggers=loggers,
        executor=executor,
    )


defs = build_defs()
