"""Synthetic disclosures in the Shanghai layout (the national tables) as PDFs, with known answers.

:func:`generate` gives the records and the PDF's bytes of one document (deterministic for a seed and index);
:func:`pipeline.synth.shanghai.expected.expected_tables` the rows a correct parse must give, with the place of
every table row. ``yusuan synth --format pdf`` writes a corpus of them (:mod:`pipeline.synth.corpus`).
"""

from __future__ import annotations

import random

from pipeline.synth.shanghai.draw import make_department, make_disclosure
from pipeline.synth.shanghai.records import ShanghaiDisclosure
from pipeline.synth.shanghai.render import render_pdf
from pipeline.tables import ids

__all__ = ["ShanghaiDisclosure", "document_id", "generate"]


def document_id(d: ShanghaiDisclosure) -> str:
    return ids.document_id(d.department, d.year, d.kind)


def generate(seed: int, index: int = 0, taken: set[str] | None = None) -> tuple[ShanghaiDisclosure, bytes, dict]:
    """Records, PDF bytes and row places of document ``index`` of corpus ``seed``; a department whose document id
    is in ``taken`` is redrawn (the id accepted is added to ``taken``)."""
    rng = random.Random(f"yusuan-synth-shanghai:{seed}:{index}")
    name_rng = random.Random(f"yusuan-synth-shanghai-name:{seed}:{index}")
    records = make_disclosure(rng, make_department(name_rng))
    if taken is not None:
        for _ in range(1000):
            if document_id(records) not in taken:
                break
            records = make_disclosure(rng, make_department(name_rng))
        taken.add(document_id(records))
    data, places = render_pdf(records)
    return records, data, places
