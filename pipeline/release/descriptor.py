"""The release's ``datapackage.json``: the build's descriptor with one file per resource, true ``bytes`` and
``hash``, a ``version`` and an ``id``.

``bytes`` and ``hash`` on every CSV resource, ``hash`` alone on every Parquet resource: frictionless 5.21
reads a Parquet file through pyarrow, counts no bytes and computes no hash, so a stated ``bytes`` fails
every ``frictionless validate`` (it compares with a count of nothing) and a stated ``hash`` is never compared
(measured: a wrong one passes). The Parquet hashes are still true: ``yusuan validate`` and
``sha256sum -c SHA256SUMS`` check them (docs/releases.md).

``id``: ``https://doi.org/<DOI>`` when the release is given a DOI (``--doi``, e.g. one reserved on Zenodo
before uploading); otherwise a name-based UUID (``urn:uuid:``, RFC 4122 version 5) of the package name, the
version and the hashes of every data and raw file -- the same content gives the same id, different content a
different one.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

from pipeline.metadata.schemas import TableMeta
from pipeline.package.descriptor import CSV_MEDIATYPE, PARQUET_MEDIATYPE, PARQUET_SUFFIX
from pipeline.release.errors import ReleaseRefused
from pipeline.release.tables import TableFile

DOI_PATTERN = re.compile(r"^10\.[0-9]{4,9}/\S+$")
# Package keys in the order the release writes them (others the build adds follow, before sources/resources).
HEAD_KEYS = ("$schema", "id", "name", "title", "description", "version", "homepage", "keywords", "licenses",
             "contributors", "created")
RESOURCE_HEAD = ("name", "type", "path", "format", "mediatype", "encoding", "bytes", "hash")


def check_doi(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if not DOI_PATTERN.match(doi):
        raise ReleaseRefused(f"--doi {doi!r} is not a DOI (10.<registrant>/<suffix>, e.g. 10.5281/zenodo.1234567)")
    return doi


def release_id(name: str, version: str, content_hashes: list[str], doi: str | None) -> str:
    if doi:
        return f"https://doi.org/{doi}"
    digest = hashlib.sha256("\n".join(sorted(content_hashes)).encode("ascii")).hexdigest()
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"yusuan:{name}/{version}/{digest}"))


def _resource(res: Mapping[str, Any], file: TableFile, *, parquet: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": res["name"], "type": res.get("type", "table"), "path": file.path,
                           "format": "parquet" if parquet else "csv",
                           "mediatype": PARQUET_MEDIATYPE if parquet else CSV_MEDIATYPE}
    if not parquet:
        out["encoding"] = res.get("encoding", "utf-8")
        out["bytes"] = file.bytes
    out["hash"] = file.hash
    for key, value in res.items():
        if key not in out and key not in ("parts", "path", "bytes", "hash"):
            out[key] = value
    return out


def release_descriptor(package: Mapping[str, Any], files: Mapping[str, Mapping[str, TableFile]], *,
                       version: str, id_: str) -> dict[str, Any]:
    """The release descriptor from the build's: resources in the build's order, each naming its one file."""
    merged = {**package, "version": version, "id": id_}
    out: dict[str, Any] = {k: merged[k] for k in HEAD_KEYS if k in merged}
    for key, value in package.items():
        if key not in out and key not in ("sources", "resources"):
            out[key] = value
    out["sources"] = list(package.get("sources", []))
    resources = []
    for res in package.get("resources", []):
        parquet = res.get("format") == "parquet"
        table = res["name"][: -len(PARQUET_SUFFIX)] if parquet else res["name"]
        resources.append(_resource(res, files[table]["parquet" if parquet else "csv"], parquet=parquet))
    out["resources"] = resources
    return out


def table_metas(descriptor: Mapping[str, Any]) -> dict[str, TableMeta]:
    """The tables as the descriptor's CSV resources describe them (a release is checked against its own
    schemas, not against ``schemas/`` as it is today)."""
    out = {}
    for res in descriptor.get("resources", []):
        if isinstance(res, dict) and res.get("format") == "csv":
            schema = {k: v for k, v in res.get("schema", {}).items() if k != "$schema"}
            out[res["name"]] = TableMeta(name=res["name"], title=res.get("title", ""),
                                         description=res.get("description", ""), schema=schema)
    return out
