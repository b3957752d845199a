"""TEMPORARY stand-in corpus until ``pipeline.synth.generate_corpus`` (issue 4, parts 1-2) is in this branch.

Writes ``count`` copies of the seed disclosure, each with a unique town name substituted for 万庄镇 (so each
has its own ``document_id``), plus a ``manifest.json``. Same arguments, same bytes. Every copy has the seed's
227 rows; the real generator varies sizes and structure, so figures measured with this stand-in are a
placeholder for the generated corpus.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.paths import REPO_ROOT

SEED = REPO_ROOT / "raw" / "hebei-langfang-guangyang-wanzhuang-2019-budget.tika.txt"
TOWN = "万庄镇"
DIGITS = "零一二三四五六七八九"


def town_name(index: int) -> str:
    return "万庄" + "".join(DIGITS[int(d)] for d in str(index)) + "镇"


def generate_corpus(count: int, seed: int, out_dir: Path) -> list[Path]:
    """``count`` seed variants in ``out_dir`` (``seed`` is accepted for the real API and ignored)."""
    del seed
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    paths, entries = [], []
    for i in range(count):
        name = town_name(i)
        data = text.replace(TOWN, name).encode("utf-8")
        path = out_dir / f"standin-{i:05d}.tika.txt"
        path.write_bytes(data)
        paths.append(path)
        entries.append(
            {
                "file": path.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "format": "tika-text",
                "department_zh": f"廊坊市广阳区{name}人民政府",
                "province_zh": "河北省",
                "fiscal_year": 2019,
                "kind": "budget",
                "retrieved_date": "2026-11-27",
                "origin": "benchmarks/standin.py: the seed with the town name replaced (temporary stand-in)",
            }
        )
    manifest = {"description": "Stand-in benchmark corpus (temporary).", "documents": entries}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return paths
