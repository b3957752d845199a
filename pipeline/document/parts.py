"""A disclosure published as several files (an explanation and a tables document) -> one intermediate document.

Each file is read by its own reader into a document whose spans count that file's positions. The parts'
blocks are put one after the other, in part order, and every span renumbered into one sequence of positions,
named by a :class:`PartsLocator`: a reference is the part's name, a colon and the part reader's own reference,
so it says which file and where in it (``tables:p3:r5c2``: page 3, row 5, column 2 of the file that is the
``tables`` part; ``explanation:p6:l2-4``). A range that runs from one part into the next names both ends
(``explanation:p5:l13-tables:p12:r20c6``). The document keeps its parts (:class:`DocumentPart`: name, file,
positions) and the parts the manifest lists that are missing, so a template can tell what is there.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right

from pipeline.document.model import Document, DocumentPart, Locator, Paragraph, Span, Table

# A part's name: lower-case words joined by '-' (no digits: ``p9:`` of a PDF reference is never a part).
PART_NAME = r"[a-z]+(?:-[a-z]+)*"
_PREFIX = re.compile(rf"^({PART_NAME}):")


class PartsLocator(Locator):
    """Names the positions of a document made of parts: ``<part>:<the part's reference>``."""

    def __init__(self, parts: tuple[DocumentPart, ...], locators: tuple[Locator, ...]) -> None:
        self.parts = parts
        self.locators = locators
        self._firsts = [p.first for p in parts]
        self._by_name = {p.name: i for i, p in enumerate(parts)}

    def index(self, position: int) -> int:
        """The part holding ``position``."""
        return max(0, bisect_right(self._firsts, position) - 1)

    def part(self, position: int) -> DocumentPart:
        return self.parts[self.index(position)]

    def ref(self, first: int, last: int) -> str:
        i, j = self.index(first), self.index(last)
        a, b = self.parts[i], self.parts[j]
        if i == j:
            return f"{a.name}:{self.locators[i].ref(first - a.first + 1, last - a.first + 1)}"
        start = self.locators[i].ref(first - a.first + 1, first - a.first + 1)
        end = self.locators[j].ref(last - b.first + 1, last - b.first + 1)
        return f"{a.name}:{start}-{b.name}:{end}"

    def position(self, ref: str) -> int | None:
        m = _PREFIX.match(ref or "")
        if m is None or m.group(1) not in self._by_name:
            return None
        i = self._by_name[m.group(1)]
        inner = self.locators[i].position(ref[m.end():])
        return None if inner is None else inner + self.parts[i].first - 1


def _max_position(blocks) -> int:
    top = 0
    for b in blocks:
        top = max(top, b.span.last)
        if isinstance(b, Table):
            for r in b.rows:
                top = max(top, r.span.last, *(c.span.last for c in r.cells))
    return top


def _moved(span: Span, offset: int, locator: Locator) -> Span:
    return Span(span.first + offset, span.last + offset, locator)


def _move(block, offset: int, locator: Locator):
    if isinstance(block, Paragraph):
        return dataclasses.replace(block, span=_moved(block.span, offset, locator))
    rows = tuple(dataclasses.replace(r, span=_moved(r.span, offset, locator),
                                     cells=tuple(dataclasses.replace(c, span=_moved(c.span, offset, locator),
                                                                     positions=tuple(p + offset for p in c.positions))
                                                 for c in r.cells))
                 for r in block.rows)
    return dataclasses.replace(block, rows=rows, span=_moved(block.span, offset, locator))


def combine(parts: list[tuple[str, Document]], source: str, missing: tuple[tuple[str, str], ...] = ()) -> Document:
    """One document of the ``(part name, document)`` pairs, in the given order (see the module docstring).

    ``source`` names the whole (the files joined, as the build names it); ``missing``: ``(part, file)`` the
    manifest lists that is not in raw/.
    """
    infos, locators, first = [], [], 1
    for name, doc in parts:
        if not re.fullmatch(PART_NAME, name):
            raise ValueError(f"{name!r} is not a part name")
        count = _max_position(doc.blocks)
        locators.append(next((b.span.locator for b in doc.blocks), Locator()))
        infos.append(DocumentPart(name=name, source=doc.source, first=first, last=first + count - 1))
        first += count
    locator = PartsLocator(tuple(infos), tuple(locators))
    blocks = tuple(_move(b, info.first - 1, locator) for (_, doc), info in zip(parts, infos) for b in doc.blocks)
    return Document(source=source, blocks=blocks, line_count=0, parts=tuple(infos), missing_parts=tuple(missing))

