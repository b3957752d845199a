"""PDF reading speed in pages per second on one core: ``.venv/bin/python -m benchmarks.pdf_pages``.

For the PDFs of raw/ and ``--generated`` synthetic ones (``pipeline.synth.shanghai``), each measured ``--repeats``
times in this process (best and median):

* baseline   the bare PDFium character loop: load each page's text layer and ask every character's loose box
             (what any reader built on pypdfium2 must at least do);
* read       ``read_pdf``: characters with hidden ones dropped, rulings, tables, lines (the reader's own work);
* document   ``read_pdf`` + tables stitched + the intermediate document (``readers.pdf.read``);
* parse      the whole per-document parse (``parse_raw_document``: reader, Shanghai template, checks, row checks).

Ratios are against the baseline measured in the same process a moment before, so a busy machine moves both.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from rich.console import Console
from rich.table import Table

from pipeline.document.readers import pdf as pdf_reader
from pipeline.document.readers.pdf.reader import read_pdf
from pipeline.paths import REPO_ROOT
from pipeline.raw.discover import discover
from pipeline.tables.parse import parse_raw_document


def baseline(data: bytes) -> None:
    """Every character's loose box, page by page: the floor of a pypdfium2 reader."""
    pdf = pdfium.PdfDocument(data)
    rect = pdfium_c.FS_RECTF()
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            text = pdfium_c.FPDFText_LoadPage(page.raw)
            for k in range(pdfium_c.FPDFText_CountChars(text)):
                pdfium_c.FPDFText_GetLooseCharBox(text, k, rect)
            pdfium_c.FPDFText_ClosePage(text)
            page.close()
    finally:
        pdf.close()


def _time(fn, repeats: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def measure(name: str, paths: list[Path], repeats: int) -> dict:
    datas = [p.read_bytes() for p in paths]
    pages = sum(len(pdfium.PdfDocument(d)) for d in datas)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        for p in paths:
            (raw / p.name).write_bytes(p.read_bytes())
        docs = discover(raw)
        steps = {
            "baseline": lambda: [baseline(d) for d in datas],
            "read": lambda: [read_pdf(d) for d in datas],
            "document": lambda: [pdf_reader.read(d, "x.pdf") for d in datas],
            "parse": lambda: [parse_raw_document(doc) for doc in docs],
        }
        times = {step: _time(fn, repeats) for step, fn in steps.items()}
    return {"set": name, "files": len(paths), "pages": pages,
            **{step: pages / best for step, (best, _) in times.items()},
            **{f"{step} median": pages / median for step, (_, median) in times.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=20, help="synthetic Shanghai PDFs to measure (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each step (best and median reported)")
    args = parser.parse_args(argv)
    sets = [("raw/ (six Shanghai PDFs)", sorted((REPO_ROOT / "raw").glob("*.pdf")))]
    with tempfile.TemporaryDirectory() as tmp:
        if args.generated:
            from pipeline.synth import generate_corpus

            sets.append((f"generated ({args.generated})", generate_corpus(args.generated, 1, Path(tmp) / "g", "pdf")))
        results = [measure(name, paths, args.repeats) for name, paths in sets]
    table = Table(title="PDF pages per second, one core (best of runs; median in brackets)")
    for col in ("set", "files", "pages", "baseline", "read", "document", "parse", "read / baseline"):
        table.add_column(col)
    for r in results:
        cell = lambda k: f"{r[k]:.0f} ({r[k + ' median']:.0f})"  # noqa: E731
        table.add_row(r["set"], str(r["files"]), str(r["pages"]), cell("baseline"), cell("read"), cell("document"),
                      cell("parse"), f"{r['read'] / r['baseline']:.2f}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
