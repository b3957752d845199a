"""The raw files a release was built from, copied into its ``raw/`` with their manifest entries.

Each ``sources[].path`` of the build (``raw/<file>``) is copied from the raw folder and must still have the
SHA-256 the build recorded (``sources[].version``): a file changed since the build would not be the file
the rows cite, so the release is refused until the package is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.raw.manifest import MANIFEST_NAME
from pipeline.release import layout
from pipeline.release.errors import ReleaseRefused

MANIFEST_DESCRIPTION = ("The raw manifest's entries of the files in this folder, as recorded when they were added "
                        "(see the project's README, 'Adding a disclosure'). The SHA-256 of each file as released "
                        "is the `version` of its source in datapackage.json and its line in SHA256SUMS.")


def _relpath(source: dict) -> str:
    path = source.get("path")
    prefix = layout.RAW_DIR + "/"
    if not isinstance(path, str) or not path.startswith(prefix):
        raise ReleaseRefused(f"source {path!r}: not a raw file (raw/<file>)")
    rel = path[len(prefix):]
    if not rel or rel.startswith("/") or "\\" in rel or ".." in rel.split("/") or rel == MANIFEST_NAME:
        raise ReleaseRefused(f"source {path!r}: not a file inside raw/")
    return rel


def copy_raw(sources: list[dict], raw_dir: Path, target: Path) -> int:
    """Copy every source's raw file into ``target/raw/``, checking its hash; return the bytes copied."""
    raw_dir = Path(raw_dir)
    total = 0
    listed: set[str] = set()
    for source in sources:
        rel = _relpath(source)
        src = raw_dir.joinpath(*rel.split("/"))
        if not src.is_file():
            raise ReleaseRefused(f"{src}: raw file of source {source.get('path')} is missing; a release holds the "
                                 "raw files its rows cite (pass --raw DIR, the folder the package was built from)")
        dest = target.joinpath(layout.RAW_DIR, *rel.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with src.open("rb") as fh, dest.open("xb") as out:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
                total += len(chunk)
        if f"sha256:{digest.hexdigest()}" != source.get("version"):
            raise ReleaseRefused(f"{src} changed since the package was built (its SHA-256 is {digest.hexdigest()}, "
                                 f"the package says {source.get('version')}); run `yusuan build`, then release")
        listed.add(rel)
    entries = []
    manifest = raw_dir / MANIFEST_NAME
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReleaseRefused(f"{manifest}: cannot read the raw manifest: {exc}") from exc
        entries = [e for e in data.get("documents", []) if isinstance(e, dict) and e.get("file") in listed]
    text = json.dumps({"description": MANIFEST_DESCRIPTION, "documents": entries}, ensure_ascii=False, indent=2)
    (target / layout.RAW_MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (target / layout.RAW_MANIFEST).write_text(text + "\n", encoding="utf-8", newline="\n")
    return total
