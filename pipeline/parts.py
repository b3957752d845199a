"""How the published tables are split into parts: content-defined runs of documents.

Every table is published as *parts* (a Data Package multi-part resource, ``path`` a list of files), and part
``i`` of every table holds the rows of the same run of documents. The runs are cut by content, not by count:
a document whose ``document_id`` hashes to 0 modulo :data:`PART_DOCUMENTS` ends a part (documents in
``document_id`` order, the order of the rows). So

* the cut depends only on the set of documents, never on the order they arrived in or on an earlier build:
  an incremental build and a build from scratch give the same parts, byte for byte;
* adding, changing or removing one document changes one part (two if it is itself a cut point: the part it
  ended is joined to the next or split), and every other part keeps its bytes, so a rebuild rewrites and
  revalidates only that part (:mod:`pipeline.combine`, :mod:`pipeline.package`);
* parts hold :data:`PART_DOCUMENTS` documents on average (about 11,000 rows of all tables together on
  generated disclosures); a corpus smaller than that is often one part. The size is a trade-off measured in
  ``benchmarks/README.md``: smaller parts make a rebuild after one change cheaper (less to combine, write and
  check again), larger ones make a full build and a whole-package validation cheaper (fewer files, and each
  part's checks have a fixed cost).

Primary keys begin with ``document_id`` and foreign keys stay inside a document, so each part is a complete
package of its documents: it is checked on its own, and the parts' ``document_id`` ranges must be strictly
increasing (:mod:`pipeline.validate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# Expected documents per part (the cut probability is 1 / PART_DOCUMENTS). At 10,000 documents: 166 parts.
PART_DOCUMENTS = 64
DATA_DIR = "data"


def ends_part(document_id: str) -> bool:
    """Whether ``document_id`` is the last document of its part."""
    digest = hashlib.sha256(document_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % PART_DOCUMENTS == 0


def split(items: Sequence[T], document_id: Callable[[T], str]) -> list[list[T]]:
    """``items`` (in ``document_id`` order) cut into parts; no part is empty, and none at all for no items."""
    parts: list[list[T]] = []
    current: list[T] = []
    for item in items:
        current.append(item)
        if ends_part(document_id(item)):
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def part_name(index: int) -> str:
    return f"part-{index:05d}"


def csv_part_path(table: str, index: int) -> str:
    """Path of part ``index`` of ``table``'s CSV, relative to the package root."""
    return f"{DATA_DIR}/csv/{table}/{part_name(index)}.csv"


def parquet_part_path(table: str, index: int) -> str:
    """Path of part ``index`` of ``table``'s Parquet file, relative to the package root."""
    return f"{DATA_DIR}/parquet/{table}/{part_name(index)}.parquet"
