"""A figure of a template's prose is read right after its label, or it is an error there: never the next match.

A label (收入预算, 财政拨款收入, “三公”经费, an item's function path, 基本支出预算数为 …) may stand in a sentence
without its figure (财政拨款收入支出预算表, 人员经费。主要包括); that occurrence is passed over. Where what stands after
the label looks like a figure (:data:`~pipeline.tables.amounts.FIGURE_START`: a digit, or a short run of marks ending
in a unit: 3121.4B万元, NaN万元, 3121.42亿元, 万元 alone) but the pattern does not read it as an amount, the document
is in error at that paragraph: searching on would publish the label without its figure, or with the figure
of a later sentence. (A label that ends its paragraph is read with a figure that begins the next, a sentence
cut by a page; but what begins the next paragraph is only taken when it reads: a heading is followed by prose
that may well begin with a number.) With ``changes`` (the Shanghai sentences), a change stated after the figure
(比2024年预算增加…) is held to the same rule; a change in per cent (增加60.54%) is not an amount and is not read. A
template that reads its changes itself holds them to the rule with :func:`read_at`.

A percentage stated after a figure (a share ``占…%``, a change in per cent ``增长…%`` or in times ``增长16倍``) is
held to the same rule by :func:`read_percent`: where its words stand and what follows them looks like a
percentage (:data:`PERCENT_START`: a digit, or a short run of marks ending in a per cent sign: 99.1B%, NaN%, %
alone), it reads, or the document is in error there (99.1B%, 6..69%, 99.13%%, 9.5Z); words followed by prose
(占用, 零增长) are passed over. Whether a percentage may lack its sign (``减少9.52``) is the template's pattern's to say.

Shared by the Shanghai and Jiangsu templates (the Hebei template reads its prose with ``hebei_budget.reader``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.errors import DocumentError
from pipeline.tables.amounts import FIGURE_START, parse_decimal
from pipeline.tables.templates.text import Prose

_CONNECT = re.compile(r"\s*(?:为)?\s*")
# After a figure's unit: a digit or Latin letter would mean the figure goes on (3121.42万元3).
_GOES_ON = re.compile(r"[0-9０-９A-Za-z]")
# The words of a stated change up to its figure, and a change in per cent (not an amount).
_CHANGE_WORDS = re.compile(r"\s*[，,。]?\s*(?:其中[:：])?\s*(?:比|与|较)\s*(?:19|20)\d{2}\s*年(?:（[^）]*）)?(?:预算)?(?:执行数)?"
                           r"\s*(?:增加|减少|增长|下降)")
PER_CENT = re.compile(r"\s*[0-9０-９.．]+\s*[%％]")
# A change's amount, checked (not read: the pattern of a figure without a ``change`` group does not publish one).
_CHANGE_AMOUNT = re.compile(r"\s*(?P<number>[0-9０-９][0-9０-９,，.．]*)\s*(?P<unit>万元|亿元|元)")
# What is shown of a figure that does not read: up to its unit, or to the next mark that ends a clause.
_SHOWN = re.compile(r"\s*(\S{0,24}?(?:万元|亿元|元|万|亿)|[^\s，,；;。：:（(）)、]{1,24})")
# Where a percentage starts after its words: a digit; or a short run of marks, none Chinese nor ending a clause,
# ending in a per cent sign (NaN%, —%, % alone). Otherwise the words are prose (占用…, 增长较快).
PERCENT_START = re.compile(r"\s*(?:\d|[^\s\u4e00-\u9fff，,；;。：:、（）()]{0,16}[%％])")
# After a percentage: a digit, Latin letter, sign, or a point before a digit or point would mean it goes on
# (6.69B%, 99.13%%, 6..69% read as 6); a point alone ends a sentence (增长6.69%.).
_PERCENT_GOES_ON = re.compile(r"[\dA-Za-z%％]|[.．][\d.．]")
# What is shown of a percentage that does not read: its run of marks up to the next Chinese word or clause mark.
_PERCENT_SHOWN = re.compile(r"\s*((?:[^\s\u4e00-\u9fff，,；;。：:（(）)、]|倍){1,24})")


def labelled(prose: Prose, label: str, figure: str, start: int = 0, end: int | None = None,
             name: str | None = None, changes: bool = True) -> Iterator[re.Match]:
    """Every occurrence of ``label`` in ``prose.text[start:end]`` followed by a figure, as the match of
    ``figure`` (a pattern beginning with ``label`` and holding ``(?P<unit>…)``, optionally a ``change`` group)
    at that occurrence; :class:`DocumentError` at the first whose figure (or, with ``changes``, change) does not
    read (module docstring). ``name``: how the message names the label (default: the label as printed). The
    search goes on after a figure read, as a search for the whole pattern would."""
    text = prose.text
    end = len(text) if end is None else end
    full = re.compile(figure)
    find = re.compile(label)
    pos = start
    while lm := find.search(text, pos, end):
        shown = re.sub(r"\s+", "", name or lm.group(0))
        m = read_at(prose, lm, full, shown, end)
        pos = lm.end() if m is None else max(m.end(), lm.end())
        if m is None:
            continue
        if changes and not _group(m, "change"):
            change = _CHANGE_WORDS.match(text, m.end("unit"))
            if (change and not PER_CENT.match(text, change.end()) and FIGURE_START.match(text, change.end())
                    and not _reads(_CHANGE_AMOUNT.match(text, change.end()))):
                _fail(prose, f"{shown}, its change", lm.start(), change.end())
        yield m


def read_at(prose: Prose, label: re.Match, figure: re.Pattern, name: str, end: int | None = None) -> re.Match | None:
    """The match of ``figure`` at ``label`` (a match in ``prose.text``); None when no figure stands after the label
    (the label in a sentence, or ending its paragraph before one that does not begin with a figure that reads);
    :class:`DocumentError` naming ``name`` at the label's paragraph when a figure stands there and does not read."""
    text = prose.text
    end = len(text) if end is None else end
    at = _CONNECT.match(text, label.end()).end()
    if not FIGURE_START.match(text, at):
        return None  # the label in a sentence, not before its figure
    m = figure.match(text, label.start(), end)
    if m is None or _GOES_ON.match(text, m.end("unit") if "unit" in figure.groupindex else m.end()):
        if "\n" in text[label.end():at]:
            return None  # a label ending its paragraph (a heading), the next one beginning with a number
        _fail(prose, name, label.start(), at)
    return m


def read_percent(prose: Prose, words: re.Match, percent: re.Pattern, name: str, end: int | None = None
                 ) -> re.Match | None:
    """The match of ``percent`` (a pattern beginning with the words of a share or change, then its number) at
    ``words`` (those words matched in ``prose.text``); None when no percentage stands after them; :class:`DocumentError`
    naming ``name`` at the words' paragraph when one stands there and does not read: the pattern does not match
    there, or the percentage goes on after it (module docstring)."""
    text = prose.text
    end = len(text) if end is None else end
    if not PERCENT_START.match(text, words.end(), end):
        return None  # the words in a sentence, not before a percentage
    m = percent.match(text, words.start(), end)
    if m is None or _PERCENT_GOES_ON.match(text, m.end()):
        shown = _PERCENT_SHOWN.match(text, words.end())
        found = shown.group(1) if shown else text[words.end():words.end() + 12]
        raise DocumentError(prose.source, f"{name}: expected a percentage such as 99.13%, found {found!r}",
                            prose.span(words.start(), shown.end() if shown else words.end() + len(found)))
    return m


def _reads(m: re.Match | None) -> bool:
    """An amount that stops at its unit and whose number parses (``1.2.3万元`` does not)."""
    if m is None or _GOES_ON.match(m.string, m.end()):
        return False
    try:
        parse_decimal(m["number"])
    except ValueError:
        return False
    return True


def _group(m: re.Match, group: str) -> str | None:
    return m.group(group) if group in m.re.groupindex else None


def _fail(prose: Prose, name: str, start: int, at: int) -> None:
    shown = _SHOWN.match(prose.text, at)
    found = shown.group(1) if shown else prose.text[at:at + 12]
    raise DocumentError(prose.source, f"{name}: expected an amount such as 3121.42万元, found {found!r}",
                        prose.span(start, at + len(found)))
