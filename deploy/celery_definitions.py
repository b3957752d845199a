"""The project's definitions with the Celery executor: ``dagster code-server start -f deploy/celery_definitions.py``
(or a workspace.yaml entry ``python_file: deploy/celery_definitions.py``). Needs ``pip install -e '.[celery]'``.

Same assets, checks, jobs, schedule and sensor as ``pipeline.orchestration.definitions``; only the executor differs, and it
applies to ``warm_parse_cache``, whose ``parse_shard`` steps Celery hands to workers on other machines.
Run config for it: ``deploy/celery_run_config.yaml``; instance config: ``deploy/dagster.yaml``.
"""

from dagster_celery import celery_executor

from pipeline.orchestration.definitions import build_defs

defs = build_defs(executor=celery_executor)
