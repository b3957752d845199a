"""The intermediate document's places: a reader names its positions (Locator), and errors, warnings and the
build report point at them; the reader is chosen by content."""

from __future__ import annotations

from pipeline.build.results import FailedDocument, ParseResults
from pipeline.document import readers
from pipeline.document.model import LINES, Locator, Span
from pipeline.document.normalise import normalise
from pipeline.document.readers import tika_text
from pipeline.errors import DocumentError
from pipeline.package import report


class PageLines(Locator):
    """A stand-in for a paged format: positions 1..10 are lines 1..10 of page 1, then page 2."""

    def ref(self, first: int, last: int) -> str:
        def name(n: int) -> str:
            return f"p{(n - 1) // 10 + 1}:l{(n - 1) % 10 + 1}"

        return name(first) if first == last else f"{name(first)}-{name(last)}"


PAGES = PageLines()


def test_text_spans_keep_their_line_refs():
    span = Span(12, 14)
    assert span.locator is LINES and span.ref == "L12-L14" and Span(5, 5).ref == "L5"
    assert span.line == 12 and span.where == "12"


def test_a_reader_names_its_own_positions_and_joins_keep_them():
    a, b = Span(3, 3, PAGES), Span(12, 13, PAGES)
    assert a.ref == "p1:l3" and b.ref == "p2:l2-p2:l3"
    joined = a.join(b)
    assert joined.ref == "p1:l3-p2:l3" and joined.locator is PAGES
    assert a.line is None and a.where == "p1:l3"
    assert Span(3, 3, PAGES) == Span(3, 3)  # the locator names positions; it is not part of the value


def test_errors_point_at_a_line_or_at_a_place():
    by_line = DocumentError("a.txt", "bad figure", 1675)
    assert str(by_line) == "a.txt:1675: bad figure" and by_line.line == 1675 and by_line.where == "1675"
    by_text_span = DocumentError("a.txt", "bad figure", Span(1675, 1680))
    assert str(by_text_span) == "a.txt:1675: bad figure" and by_text_span.line == 1675
    by_place = DocumentError("a.pdf", "bad figure", Span(12, 12, PAGES))
    assert str(by_place) == "a.pdf:p2:l2: bad figure" and by_place.line is None and by_place.where == "p2:l2"
    nowhere = DocumentError("a.pdf", "no text")
    assert str(nowhere) == "a.pdf: no text" and nowhere.line is None and nowhere.where is None


def test_the_report_gives_lines_for_text_and_places_for_other_readers():
    failed = (FailedDocument("a.pdf", "0" * 64, "a.pdf:p2:l2: bad", None, "bad", "p2:l2"),
              FailedDocument("b.txt", "1" * 64, "b.txt:7: bad", 7, "bad"))
    body = report.draft(ParseResults(failed=failed))
    a, b = body["documents"]
    assert a == {"file": "a.pdf", "sha256": "0" * 64, "status": "quarantined", "line": None, "where": "p2:l2",
                 "reason": "bad"}
    assert b == {"file": "b.txt", "sha256": "1" * 64, "status": "quarantined", "line": 7, "reason": "bad"}
    lines = report.summary_lines(report.finalise(body, "out", published=True))
    assert "  QUARANTINED a.pdf:p2:l2: bad" in lines and "  QUARANTINED b.txt:7: bad" in lines


def test_warnings_are_split_into_line_place_or_neither():
    split = report._split_warning
    assert split("a.txt", "a.txt:65: odd amount") == {"line": 65, "message": "odd amount"}
    assert split("a.pdf", "a.pdf:p9:r3c2: odd amount") == {"line": None, "where": "p9:r3c2", "message": "odd amount"}
    assert split("a.txt", "a.txt: manifest says fiscal_year=2018") == {"line": None,
                                                                       "message": "manifest says fiscal_year=2018"}


def test_the_reader_is_chosen_by_content_and_tika_text_takes_the_rest(seed_text):
    data = seed_text.encode("utf-8")
    assert readers.reader_for(data) is tika_text and readers.READERS[-1] is tika_text
    reading = readers.read(data, "seed.txt")
    assert reading.source_format == "tika-text" and reading.source_encoding == "utf-8"
    assert reading.document == tika_text.read_text(normalise(seed_text), "seed.txt")
