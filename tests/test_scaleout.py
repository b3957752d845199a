"""Scale-out: the sharded warm_parse_cache job, and the deploy/ configuration loads against the definitions."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from conftest import REPO
from test_incremental import TOWNS, add_variant, parsed_now, tree

from pipeline.orchestration.definitions import JOB_NAME, build_defs, defs
from pipeline.orchestration.scaleout import WARM_JOB_NAME, shard_of

DEPLOY = REPO / "deploy"
ENV = {
    "DAGSTER_CELERY_BROKER_URL": "pyamqp://guest@rabbitmq:5672//",
    "DAGSTER_CELERY_BACKEND_URL": "rpc://",
    "DAGSTER_PG_HOST": "postgres",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "secret",
    "DAGSTER_PG_DB": "dagster",
}


def run_config() -> dict:
    return yaml.safe_load((DEPLOY / "celery_run_config.yaml").read_text(encoding="utf-8"))


def test_warm_parse_cache_fans_out_and_build_then_parses_nothing(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for town in TOWNS[:4]:
        add_variant(raw, town)
    cache, out = tmp_path / "cache", tmp_path / "out"
    assert len({shard_of(p.name, 3) for p in raw.iterdir()}) > 1  # more than one shard really runs
    local = build_defs(raw_dir=raw, out_dir=out, cache_dir=cache, workers=1)
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster")) as instance:
        warm = local.resolve_job_def(WARM_JOB_NAME).execute_in_process(
            instance=instance, run_config={"ops": {"plan_shards": {"config": {"shards": 3}}}}
        )
        assert warm.success
        assert warm.output_for_node("summarise_shards") == {"documents": 4, "parsed_now": 4, "failed": 0}
        build = local.resolve_job_def(JOB_NAME).execute_in_process(instance=instance)
    assert build.success and parsed_now(build) == 0

    scratch = tmp_path / "scratch"
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster2")) as instance:
        build_defs(raw_dir=raw, out_dir=scratch, cache_dir=tmp_path / "c2", workers=1).resolve_job_def(
            JOB_NAME
        ).execute_in_process(instance=instance)
    assert tree(out) == tree(scratch)


def test_run_config_resources_and_ops_fit_the_definitions():
    config = run_config()
    job = defs.resolve_job_def(WARM_JOB_NAME)
    dg.validate_run_config(job, {"resources": config["resources"], "ops": config["ops"]})
    # build_package takes the same resources section
    dg.validate_run_config(defs.resolve_job_def(JOB_NAME), {"resources": config["resources"]})


def test_celery_definitions_load_and_take_the_whole_run_config(monkeypatch):
    pytest.importorskip("dagster_celery", reason="optional extra: pip install -e '.[celery]'")
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("celery_definitions", DEPLOY / "celery_definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dg.Definitions.validate_loadable(module.defs)
    job = module.defs.resolve_job_def(WARM_JOB_NAME)
    assert job.executor_def.name == "celery"
    assert module.defs.resolve_job_def(JOB_NAME).executor_def.name == "in_process"
    dg.validate_run_config(job, run_config())


def test_instance_config_is_valid(tmp_path: Path, monkeypatch):
    from dagster._core.instance.config import dagster_instance_config

    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert "postgres" in config["storage"]
    # step outputs live on the same shared mount as the cache, raw/ and the package
    shared = Path(config["local_artifact_storage"]["config"]["base_dir"]).parent
    for key in ("raw_dir", "out_dir", "cache_dir"):
        assert Path(run_config()["resources"]["paths"]["config"][key]).parent == shared
