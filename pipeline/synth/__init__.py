"""Synthetic Hebei budget disclosures with known answers: for round-trip tests and benchmarks.

``records`` draws consistent structured records, ``render`` prints them as Tika text in the seed's layout
(quirks included), ``expected`` gives the rows a correct parse must return and the source anomalies the checks
must report (``expected_anomalies``), ``broken`` changes one figure so that a given identity does not hold,
``corpus`` writes many documents plus a ``manifest.json`` that ``yusuan build --raw DIR`` reads.
"""

from pipeline.synth.corpus import SynthError, generate_corpus, generate_document

__all__ = ["SynthError", "generate_corpus", "generate_document"]
