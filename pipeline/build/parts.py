"""How the published tables are split into parts: content-defined runs of documents.

Every table is published as *parts* (a Data Package multi-part resource, ``path`` a list of files), and part
``i`` of every table holds the rows of the same run of documents. The runs are cut by content, not by count:
a document whose ``document_id`` hashes to 0 modulo :data:`PART_DOCUMENTS` ends a part (documents in
``document_id`` order, the order of the rows). So

* the cut depends only on the set of documents, never on the order they arrived in or on an earlier build:
  an incremental build and a build from scratch give the same parts, byte for byte;
* adding, changing or removing one document changes one part (two if it is itself a cut point: the part it
  ended is joined to the next or split), and every other part keeps its bytes, so a rebuild rewrites and
  revalidates only that part (:mod:`pipeline.build.combine`, :mod:`pipeline.package.writer`);
* a long run is ended sooner: once a part holds twice :data:`PART_DOCUMENTS` documents, a document whose hash
  is 0 modulo :data:`LONG_PART_MODULUS` also ends the part (about 8 documents later). The length counts from
  the part's start, itself a cut, so this too depends only on the set of documents. It bounds the part a new
  document falls in, which is what a rebuild re-renders: at 10,000 generated documents the longest part went
  from 279 to 155 documents, and the part holding a random document from 114 to 88 on average (the longer a
  part, the likelier a new document lands in it). A document added to a long part can move that part's end,
  so on rare occasions it changes the next part too;
* parts hold about :data:`PART_DOCUMENTS` documents on average (about 11,000 rows of all tables together on
  generated disclosures); a corpus smaller than that is often one part. The size is a trade-off measured in
  ``benchmarks/README.md``: smaller parts make a rebuild after one change cheaper (less to combine, write and
  check again), larger ones make a full build and a whole-package validation cheaper (fewer files, and each
  part's checks have a fixed cost).

Primary keys begin with ``document_id`` and foreign keys stay inside a document, so each part is a complete
package of its documents: it is checked on its own, and the parts' ``document_id`` ranges must be strictly
increasing (:mod:`pipeline.package.validate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# Documents per part by the hash alone (the cut probability is 1 / PART_DOCUMENTS). At 10,000 documents: 181 parts.
PART_DOCUMENTS = 64
# A part that has reached 2 * PART_DOCUMENTS documents also ends at a document whose hash is 0 modulo this:
# a cut by content still (a count would shift every later cut when a document is added), ~8 documents later.
LONG_PART_MODULUS = 8
DATA_DIR = "data"


def _hash(document_id: str) -> int:
    return int.from_bytes(hashlib.sha256(document_id.encode("utf-8")).digest()[:8], "big")


def ends_part(document_id: str, length: int = 1) -> bool:
    """Whether ``document_id`` ends its part, being the ``length``-th document of it."""
    value = _hash(document_id)
    if value % PART_DOCUMENTS == 0:
        return True
    return length >= 2 * PART_DOCUMENTS and value % LONG_PART_MODULUS == 0


def split(items: Sequence[T], document_id: Callable[[T], str]) -> list[list[T]]:
    """``items`` (in ``document_id`` order) cut into parts; no part is empty, and none at all for no items."""
    parts: list[list[T]] = []
    current: list[T] = []
    for item in items:
        current.append(item)
        if ends_part(document_id(item), len(current)):
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
