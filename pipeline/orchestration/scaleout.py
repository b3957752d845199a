"""Scale-out: parse a corpus too big for one machine across many, into the shared parse cache.

``warm_parse_cache`` is a job of ops: ``plan_shards`` splits the raw documents into ``shards`` stable groups
(by a hash of the relative path, so a document stays in its shard as the corpus grows) and fans out one
``parse_shard`` step per group (Dagster dynamic outputs); each step parses its documents into the parse cache
with the machine's own process pool. The job has no executor of its own: locally it runs on Dagster's
default multiprocess executor; in ``deploy/`` the same definitions get the Celery executor, and the steps
run on whichever machines run Celery workers.

Nothing here changes what gets published: ``build_package`` (the assets and their blocking check) then finds
every document in the cache and only combines, writes, validates and publishes -- the cost of an
incremental build. The cache, raw/ and the package folder must be on storage every machine can reach.
"""


import hashlib
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipeline.build.cache import ParseCache
from pipeline.build.incremental import parse_corpus
from pipeline.orchestration.assets import YusuanPaths
from pipeline.raw.discover import RawDocument, discover
from pipeline.raw.hashing import sha256_file
from pipeline.raw.manifest import load_manifest

WARM_JOB_NAME = "warm_parse_cache"


class ShardConfig(dg.Config):
    shards: int = Field(default=8, ge=1, description="Number of parse_shard steps to fan out to")


def shard_of(relpath: str, shards: int) -> int:
    return int(hashlib.sha256(relpath.encode("utf-8")).hexdigest()[:8], 16) % shards


def raw_documents_for(raw_dir: Path, relpaths: list[str]) -> list[RawDocument]:
    """The RawDocuments ``discover`` would give for ``relpaths`` (hashing only those files)."""
    manifest = load_manifest(raw_dir)
    return [
        RawDocument(path=raw_dir / rel, relpath=rel, sha256=sha256_file(raw_dir / rel), manifest=manifest.get(rel))
        for rel in relpaths
    ]


@dg.op(out=dg.DynamicOut(list), description="Split the raw documents into stable shards, one step each.")
def plan_shards(context: dg.OpExecutionContext, config: ShardConfig, paths: YusuanPaths):
    groups: dict[int, list[str]] = {}
    for raw in discover(paths.raw_path(), memo_dir=paths.cache_path()):  # unchanged files are not read again
        groups.setdefault(shard_of(raw.relpath, config.shards), []).append(raw.relpath)
    context.log.info(f"{sum(map(len, groups.values()))} documents in {len(groups)} shards")
    for shard in sorted(groups):
        yield dg.DynamicOutput(groups[shard], mapping_key=f"shard_{shard}")


@dg.op(description="Parse one shard's documents into the shared parse cache (new or changed ones only).")
def parse_shard(context: dg.OpExecutionContext, paths: YusuanPaths, relpaths: list) -> dict:
    raws = raw_documents_for(paths.raw_path(), relpaths)
    results = parse_corpus(raws, ParseCache(paths.cache_path()), workers=paths.workers)
    parsed_now = sum(1 for _, doc in results.parsed if doc.parsed_now)
    for failed in results.failed:
        context.log.warning(failed.error)
    return {"documents": len(raws), "parsed_now": parsed_now, "failed": len(results.failed)}


@dg.op(description="Totals over the shards.")
def summarise_shards(context: dg.OpExecutionContext, counts: list) -> dict:
    total = {key: sum(c[key] for c in counts) for key in ("documents", "parsed_now", "failed")}
    context.add_output_metadata(total)
    return total


@dg.job(
    name=WARM_JOB_NAME,
    description="Parse every raw document into the parse cache, fanned out over shards (and machines, with a "
    "distributed executor); then build_package only combines, writes, validates and publishes.",
)
def warm_parse_cache():
    summarise_shards(plan_shards().map(parse_shard).collect())
