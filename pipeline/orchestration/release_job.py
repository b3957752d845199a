"""Dagster job ``release_package``: ``yusuan release`` from the UI or a deployment, on demand only.

Not on the schedule and triggered by no sensor: a release is a decision (it is cited and never changes),
while a build runs whenever ``raw/`` changes. The op makes the release of the package in the ``paths``
resource's ``out_dir`` (built from its ``raw_dir``) into ``releases_dir``; it waits up to ``wait_seconds``
for a build of that package to finish. A refused or invalid release fails the run with the reason; no change
since the last release succeeds and writes nothing.
"""

# No "from __future__ import annotations": Dagster reads the op's config and resource types from live annotations.
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipeline.orchestration.assets import YusuanPaths

RELEASE_JOB_NAME = "release_package"


class ReleaseConfig(dg.Config):
    releases_dir: str = Field(default="releases", description="Folder of releases (default: releases/)")
    doi: str | None = Field(default=None, description="The release's DOI, if one was reserved (becomes its id)")
    wait_seconds: float = Field(default=600.0, description="How long to wait for a running build of the package")


@dg.op(description="Make the next release of the built package (versioned by its diff to the previous one).")
def make_release_op(context: dg.OpExecutionContext, config: ReleaseConfig, paths: YusuanPaths) -> dict:
    from pipeline.package.lock import LockBusy
    from pipeline.release.errors import ReleaseError
    from pipeline.release.make import make_release

    try:
        outcome = make_release(paths.out_path(), Path(config.releases_dir), paths.raw_path(), doi=config.doi,
                               wait=config.wait_seconds)
    except (ReleaseError, LockBusy) as exc:
        raise dg.Failure(description=f"no release: {exc}") from None
    for line in outcome.done:
        context.log.info(line)
    if outcome.version is None:
        context.log.info(f"no change since release {outcome.previous}: nothing released")
        return {"version": None, "previous": outcome.previous}
    reasons = outcome.diff.get("reasons") or {}
    context.add_output_metadata({
        "version": outcome.version, "previous": str(outcome.previous), "folder": str(outcome.folder),
        "archive": str(outcome.archive), "bump": str(outcome.diff.get("bump")),
        "reasons": dg.MetadataValue.json(reasons),
    })
    return {"version": outcome.version, "previous": outcome.previous, "folder": str(outcome.folder)}


@dg.job(name=RELEASE_JOB_NAME, description="Release the built package: versioned, immutable, with its diff.",
        executor_def=dg.in_process_executor)
def release_package():
    make_release_op()
