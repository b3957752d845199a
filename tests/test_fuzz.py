"""Property-based fuzzing of the parser with mutations of the seed (recipes in tests/fuzzing.py).

Only :class:`DocumentError` may escape, and what parses must satisfy its schemas; mutants that parse are
written as whole packages and validated like a real build (and enough of them must parse for that to test
anything). CI runs a bounded number of examples;
``YUSUAN_FUZZ_EXAMPLES=<n>`` runs ``n`` per strategy (e.g. 2000 for a long run). Every case ever found is
replayed from ``tests/regressions/cases.json``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import fuzzing
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.errors import DocumentError
from pipeline.package import writer
from pipeline.package.validate import validate_package

EXAMPLES = int(os.environ.get("YUSUAN_FUZZ_EXAMPLES", "60"))
# Derandomised like every property test (conftest's profile) unless a long run or HYPOTHESIS_PROFILE=explore asks
# for new examples.
DERANDOMIZE = settings.default.derandomize and not os.environ.get("YUSUAN_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REGRESSIONS = Path(__file__).parent / "regressions" / "cases.json"
STRATEGIES = {
    "truncate": fuzzing.truncations(),
    "splice": fuzzing.splices(),
    "lines": fuzzing.line_edits(),
    "text": fuzzing.text_mutations(),
    "bytes": fuzzing.byte_mutations(),
}


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_mutants_raise_only_document_errors_and_parse_to_valid_rows(kind):
    outcomes = Counter()

    @FUZZ
    @given(recipe=STRATEGIES[kind])
    def run(recipe):
        outcome = fuzzing.check(fuzzing.apply(recipe))
        event(outcome)
        outcomes[outcome] += 1

    run()
    # Shown with `pytest -s`: how many examples ran (the final replay of a shrunk failure included).
    print(f"\nfuzz {kind}: {sum(outcomes.values())} examples, {dict(sorted(outcomes.items()))}")
    assert sum(outcomes.values()) >= min(EXAMPLES, 10)


def _cases() -> list[dict]:
    return json.loads(REGRESSIONS.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["name"])
def test_regression_corpus(case):
    outcome = fuzzing.check(fuzzing.apply(case["recipe"]))
    assert outcome == case["expect"], case["note"]


def test_corpus_names_are_unique():
    names = [c["name"] for c in _cases()]
    assert len(names) == len(set(names))


# Mutants written as whole packages: a package each, so fewer than the parse-only properties run.
PUBLISH_EXAMPLES = max(30, EXAMPLES // 2)


def test_published_mutants_validate_as_a_package(tmp_path_factory):
    outcomes = Counter()

    @settings(max_examples=PUBLISH_EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=[HealthCheck.too_slow])
    @given(recipe=st.one_of(fuzzing.line_edits(), fuzzing.text_mutations()))
    def run(recipe):
        try:
            parsed = fuzzing.parse_bytes(fuzzing.apply(recipe))
        except DocumentError:
            outcomes["rejected"] += 1
            return
        out = tmp_path_factory.mktemp("pkg")
        descriptor = writer.write_package(parsed.tables, out, sources=[], created=None)
        report = validate_package(descriptor)
        assert report.ok, report.errors
        outcomes["validated"] += 1

    run()
    print(f"\npublished mutants: {dict(sorted(outcomes.items()))}")
    # Most line and text edits leave a document that still parses: a run where a quarter of them did not even
    # reach the package writer tested nothing of it.
    assert outcomes["validated"] >= PUBLISH_EXAMPLES // 4, outcomes
