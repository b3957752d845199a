"""Adversarial mode: the cases the ordinary generator keeps away from because the parser's weak spots are there.

The ordinary generator never repeats a paragraph, names every activity so that the checks' activity-to-item
matching cannot go wrong, and never puts two narrow rows (trailing cells vanished) in a row. :func:`twist`
takes drawn records and puts exactly these cases in, at the rates below, with the answers still known:

* ``P_REPEATED_PARAGRAPH`` per activity: one paragraph of its description is printed again right after itself
  (in Tika text, sometimes after empty paragraphs). The parse reads it once and reports it
  (``paragraph_printed_twice``; :func:`pipeline.synth.expected.expected_anomalies`).
* ``P_DECOY_NAME`` per document with two or more project items: the activity named after one item also says a
  word of another item (社区经费 / 社区安全生产), so that item's name points at two activities, one of them at
  level 1 while the right one may be a sub-activity. The item-to-activity check must still pass.
* ``P_BARE_SUB_ACTIVITY`` per sub-activity: no indicator at all; and every row that can be narrow is narrow
  (``Disclosure.adversarial``, see :mod:`pipeline.synth.render`), so a level-1 activity without its own
  indicator followed by such a sub-activity, two such sub-activities, or two procurement lines funded from the
  general budget alone are two narrow rows in a row.
"""

from __future__ import annotations

import random
from dataclasses import replace

from pipeline.synth import vocab
from pipeline.synth.records import Activity, Disclosure

P_REPEATED_PARAGRAPH = 0.15
P_DECOY_NAME = 0.5
P_BARE_SUB_ACTIVITY = 0.3


def _repeat(activity: Activity, rng: random.Random) -> Activity:
    if rng.random() >= P_REPEATED_PARAGRAPH:
        return activity
    paragraphs = list(activity.description)
    at = rng.randrange(len(paragraphs))
    paragraphs.insert(at + 1, paragraphs[at])
    return replace(activity, description=tuple(paragraphs), printed_twice=False)


def _bare(child: Activity, rng: random.Random) -> Activity:
    return replace(child, indicators=()) if rng.random() < P_BARE_SUB_ACTIVITY else child


def named_after(activities: tuple[Activity, ...], item: str, amount: int) -> tuple[int, int | None]:
    """Where the activity a project item funds is: (level-1 index, child index or None)."""
    for i, act in enumerate(activities):
        if act.name in vocab.PROJECT_ITEMS[item] and act.budget == amount:
            return i, None
        for k, child in enumerate(act.children):
            if child.name in vocab.PROJECT_ITEMS[item] and child.budget == amount:
                return i, k
    raise ValueError(f"no activity is named after {item}")


def _decoy(activities: tuple[Activity, ...], items: tuple[tuple[str, int], ...],
           rng: random.Random) -> tuple[Activity, ...]:
    if len(items) < 2 or rng.random() >= P_DECOY_NAME:
        return activities
    (pointed, _), (other, amount) = rng.sample(items, 2)
    i, k = named_after(activities, other, amount)
    word = vocab.ITEM_WORDS[pointed][0]
    tree = list(activities)
    if k is None:
        tree[i] = replace(tree[i], name=word + tree[i].name)
    else:
        children = list(tree[i].children)
        children[k] = replace(children[k], name=word + children[k].name)
        tree[i] = replace(tree[i], children=tuple(children))
    return tuple(tree)


def twist(records: Disclosure, rng: random.Random) -> Disclosure:
    """``records`` with the adversarial cases put in (module docstring); their answers follow from the records."""
    activities = tuple(
        replace(_repeat(act, rng), children=tuple(_repeat(_bare(child, rng), rng) for child in act.children))
        for act in records.activities)
    activities = _decoy(activities, records.budget.project_items, rng)
    return replace(records, activities=activities, adversarial=True)
