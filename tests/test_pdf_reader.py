"""The PDF reader (pipeline/document/readers/pdf): errors, behaviours on hand-made fixtures, and figures of the six
real Shanghai files read by hand from their page images (the cells as drawn, before any template)."""

from __future__ import annotations

import random
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import RAW_DIR

from pipeline.document.readers import pdf as pdf_reader
from pipeline.document.readers import reader_for
from pipeline.document.readers.pdf import refs
from pipeline.document.readers.pdf.errors import (
    DamagedPdfError,
    EncryptedPdfError,
    NoTextLayerError,
    NotAPdfError,
    PdfReadError,
)
from pipeline.document.readers.pdf.lines import split_leader
from pipeline.document.readers.pdf.reader import read_pdf
from pipeline.document.readers.pdf.stitching import stitch_tables
from pipeline.errors import DocumentError
from pipeline.tables.amounts import parse_decimal

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402


def read(name: str):
    return read_pdf((FIXTURES / name).read_bytes())


def real(name: str):
    return read_pdf((RAW_DIR / f"shanghai-putuo-{name}-budget.pdf").read_bytes())


def test_the_committed_fixtures_are_what_the_generator_writes():
    for name, data in make_fixtures.fixtures().items():
        assert (FIXTURES / name).read_bytes() == data, name


# -- errors: every failure is a PdfReadError with a message a person can act on ------------------------------

@pytest.mark.parametrize(("name", "error", "words"), [
    ("not_a_pdf.pdf", NotAPdfError, "looks like HTML"),
    ("garbled.pdf", DamagedPdfError, "damaged PDF"),
    ("truncated.pdf", DamagedPdfError, "damaged PDF"),
    ("encrypted.pdf", EncryptedPdfError, "password"),
    ("image_only.pdf", NoTextLayerError, "needs OCR"),
])
def test_unreadable_pdfs_raise_a_read_error_saying_why(name, error, words):
    with pytest.raises(error, match=words):
        read(name)


def test_empty_input_and_wrong_types():
    with pytest.raises(NotAPdfError, match="0 bytes"):
        read_pdf(b"")
    with pytest.raises(TypeError):
        read_pdf("not bytes")  # type: ignore[arg-type]


def test_an_encrypted_pdf_opens_with_its_password():
    with pytest.raises(NoTextLayerError):  # it opens; its one page is empty
        read_pdf((FIXTURES / "encrypted.pdf").read_bytes(), password="secret")


def test_the_registry_reader_turns_read_errors_into_document_errors():
    data = (FIXTURES / "image_only.pdf").read_bytes()
    assert reader_for(data) is pdf_reader
    with pytest.raises(DocumentError, match=r"^scan\.pdf: no text layer") as info:
        pdf_reader.read(data, "scan.pdf")
    assert info.value.line is None


def test_corrupted_variants_of_a_real_file_give_a_document_or_a_read_error_never_anything_else():
    rnd = random.Random(20250101)
    base = (RAW_DIR / "shanghai-putuo-government-office-2025-unit-budget.pdf").read_bytes()
    outcomes: dict[str, int] = {}
    for k in range(60):
        b = bytearray(base)
        if k % 3 == 0:  # flip bytes anywhere
            for _ in range(rnd.randint(1, 50)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
        elif k % 3 == 1:  # cut the file
            b = b[: rnd.randrange(10, len(b))]
        else:  # zero a block (xref, a content stream, a font …)
            i = rnd.randrange(len(b))
            b[i:i + rnd.randint(16, 4096)] = bytes(min(len(b) - i, 4096))
        try:
            read_pdf(bytes(b))
            outcomes["read"] = outcomes.get("read", 0) + 1
        except PdfReadError as exc:
            assert str(exc)
            outcomes[exc.code] = outcomes.get(exc.code, 0) + 1
    assert sum(outcomes.values()) == 60 and len(outcomes) >= 2, outcomes


# -- behaviours on the hand-made fixture --------------------------------------------------------------------

def test_a_glyph_run_drawn_twice_is_read_once():
    d = read("behaviour.pdf")
    assert "Subtotal" in [ln.text for ln in d.page(1).lines]
    assert d.page(1).duplicate_chars == 8


def test_clipped_invisible_and_off_page_text_is_not_read():
    d = read("behaviour.pdf")
    text = " ".join(ln.text for p in d.pages for ln in p.lines)
    for hidden in ("Hidden overflow", "Invisible text", "Off the page"):
        assert hidden not in text
    assert d.page(2).hidden_chars == len("Hiddenoverflow") + len("Invisibletext") + len("Offthepage")
    assert any("not drawn" in w for w in d.page(2).warnings)


def test_running_headers_and_page_numbers_are_marked_and_left_out_of_the_document():
    d = read("behaviour.pdf")
    roles = {ln.text: ln.role for p in d.pages for ln in p.lines}
    assert roles["Budget 2025 running header"] == "header" and roles["- 3 -"] == "page_number"
    assert roles["Income table"] == "body"
    texts = [b.text for b in pdf_reader.read((FIXTURES / "behaviour.pdf").read_bytes(), "b.pdf").document.paragraphs]
    assert "Income table" in texts and not any("running header" in t or t == "- 3 -" for t in texts)


def test_a_contents_line_with_dot_leaders():
    ln = next(ln for ln in read("behaviour.pdf").page(1).lines if ln.leader)
    assert split_leader(ln.text) == ("1. Income table", "2")


def test_a_ruled_table_merged_header_cells_blank_versus_zero_and_refs():
    d = read("behaviour.pdf")
    t = d.page(2).tables[0]
    assert (t.n_rows, t.n_cols) == (5, 4)
    item = t.cell_at(1, 2)
    assert item.text == "Item" and item.colspan == 2 and item.ref == "p2:r1c1"
    assert t.cell_at(4, 4).text == "" and t.cell_at(5, 4).text == "0.00"  # blank is not 0.00
    assert d.resolve("p2:r3c3").text == "1,000.00"


def test_a_table_over_three_pages_with_and_without_repeated_header_is_one_table():
    (lt,) = stitch_tables(read("behaviour.pdf"))
    assert lt.pages == [2, 3, 4] and lt.repeated_header_rows == {3: 2}
    assert [r.texts[0] for r in lt.rows] == ["201", "20101", "20102", "205", "20501", "Total"]
    assert lt.header_labels() == ["Item/Code", "Item/Name", "Budget/Total", "Budget/Basic"]
    assert [ln.text for ln in lt.after] == ["Note: the total includes all rows."]
    assert lt.ref == "p2:r1-p4:r1"


def test_a_rotated_page_reads_as_displayed():
    p = read("behaviour.pdf").page(5)
    assert (p.width, p.height, p.rotation) == (300, 200, 90) and p.lines[0].text == "Rotated page"


# -- source references --------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["p9", "p9:l3", "p9:l3-5", "p7:l30-p8:l2", "p9:r3c2", "p9:t2:r3c2", "p9:r3",
                                 "p9:r3-7", "p14:r1-p15:r11", "p9:r16c1-p9:r16c2", "p9:l1-p10:r16"])
def test_the_published_reference_format(ref):
    assert re.fullmatch(refs.PATTERN, ref) and re.fullmatch(pdf_reader.REF_PATTERN, ref)


@pytest.mark.parametrize("bad", ["9:r3", "p9:r3c", "p9:l", "p0", "p9:t1r3", "L5", "p9:l3-"])
def test_malformed_references_are_refused(bad):
    assert not re.fullmatch(refs.PATTERN, bad)


def test_parse_ref():
    assert refs.parse_ref("p9:t2:r3c2") == refs.Ref(page=9, table=2, row=3, col=2)
    assert refs.parse_ref("p7:l30-p8:l2") == refs.Ref(page=7, line=30, line_end=2, page_end=8)
    with pytest.raises(ValueError):
        refs.parse_ref("p9:r3c")


# -- the six real files: cells as drawn, read by hand from the page images (PINS) -----------------------------

# file -> (收入总计 cell, value), (表5 合计 row, its three amounts), a 项 row (ref, 类 款 项 名称, amounts),
# (三公 row, its seven cells). "" is a blank cell.
PINS = {
    "finance-bureau-2025-department": (
        ("p9:r16c2", "31,214,205.80"), ("p16:r10", ["31,214,205.80", "25,121,091.00", "6,093,114.80"]),
        ("p15:r9", "201 06 08 财政委托业务支出", ["4,188,000.00", "", "4,188,000.00"]),
        ("p21:r4", ["0.95", "", "0.95", "", "", "", "229.43"])),
    "government-office-2025-department": (
        ("p8:r16c2", "91,016,775.35"), ("p15:r11", ["91,016,775.35", "24,606,775.35", "66,410,000.00"]),
        ("p14:r8", "201 03 50 事业运行", ["3,807,295.58", "3,767,295.58", "40,000.00"]),
        ("p20:r4", ["867.50", "839.00", "28.50", "", "", "", "213.28"])),
    "government-office-2025-unit": (
        ("p8:r13c2", "91,016,775.35"), ("p15:r11", ["91,016,775.35", "24,606,775.35", "66,410,000.00"]),
        ("p14:r13", "208 05 05 机关事业单位基本养老保险缴费支出", ["1,763,159.52", "1,763,159.52", ""]),
        ("p20:r4", ["867.50", "839.00", "28.50", "", "", "", "213.28"])),
    "wanli-street-2023-department": (
        ("p10:r16c2", "164,978,640"), ("p23:r17", ["164,978,640", "99,406,297", "65,572,343"]),
        ("p21:r10", "206 07 02 科普活动", ["100,000", "0", "100,000"]),
        ("p28:r4", ["22.91", "0", "1.35", "21.56", "0", "21.56", "786.09"])),
    "wanli-street-2024-department": (
        ("p10:r16c2", "156,211,123"), ("p26:r9", ["156,211,123", "99,706,020", "56,505,103"]),
        ("p25:r9", "212 01 01 行政运行", ["16,603,248", "16,353,248", "250,000"]),
        ("p31:r4", ["47.91", "0", "1.35", "46.56", "25", "21.56", "443.18"])),
    "wanli-street-2025-department": (
        ("p9:r16c2", "189,767,551"), ("p24:r9", ["189,767,551", "101,341,746", "88,425,805"]),
        ("p23:r8", "212 01 城乡社区管理事务", ["94,995,790", "77,381,546", "17,614,243"]),
        ("p29:r4", ["37.91", "0", "1.35", "36.56", "15", "21.56", "464.64"])),
}


def _row_texts(doc, ref: str) -> list[str]:
    r = refs.parse_ref(ref)
    return doc.page(r.page).tables[(r.table or 1) - 1].row_texts(r.row)


@pytest.mark.parametrize("name", sorted(PINS))
def test_real_files_cells_read_by_hand(name):
    doc = real(name)
    (cell_ref, total), (t5_ref, t5), (row_ref, label, amounts), (sangong_ref, sangong) = PINS[name]
    assert doc.resolve(cell_ref).text == total
    texts = _row_texts(doc, t5_ref)
    assert texts[0] == "合计" and texts[-3:] == t5
    texts = _row_texts(doc, row_ref)
    assert " ".join(x for x in texts[:3] if x) + " " + texts[3] == label and texts[-3:] == amounts
    assert _row_texts(doc, sangong_ref) == sangong
    assert parse_decimal(total) == Decimal(total.replace(",", ""))


def test_the_finance_bureaus_overflowing_text_box_is_read_once():
    """WPS writes an overflowing text box in full on both pages and clips it: items 7-11 of the 编制说明 are in
    the text layer of p7 and p8, but drawn once (p7 draws 1-8, p8 9-11). Not a printed error."""
    doc = real("finance-bureau-2025-department")
    text = "".join(ln.text for p in doc.pages for ln in p.lines)
    for item in ("7.“社会保障", "9.“卫生健康", "11.“住房保障"):
        assert text.count(item) == 1, item
    assert doc.page(7).hidden_chars > 0 and doc.page(8).hidden_chars > 0


def test_a_table_split_over_pages_is_one_table_of_the_document():
    reading = pdf_reader.read((RAW_DIR / "shanghai-putuo-wanli-street-2024-department-budget.pdf").read_bytes(), "w.pdf")
    tables = reading.document.tables
    assert len(tables) == 9 and reading.source_format == "pdf" and reading.source_encoding is None
    income = tables[1]  # 收入预算总表: p11-p15, the last page holding only its 合计 row, in fewer grid columns
    assert income.span.ref == "p11:r1-p15:r1" and income.width == 9
    total = income.rows[-1]
    assert total.span.ref == "p15:r1" and total.cells_exact and total.cells[0].col_span == 4
    assert total.grid_texts()[0] == "合计" and total.grid_texts()[4] == "156211123"


def test_paragraphs_join_wrapped_lines_and_keep_their_lines():
    reading = pdf_reader.read((RAW_DIR / "shanghai-putuo-finance-bureau-2025-department-budget.pdf").read_bytes(), "f.pdf")
    (p,) = [b for b in reading.document.paragraphs if b.text.startswith("2025年，上海市普陀区财政局收入预算")]
    assert p.span.ref == "p7:l2-3" and "比2024年预算增加107.62万元；事业收入0万元" in p.text
    assert reading.document.paragraphs[0].text == "上海市普陀区2025年区级部门预算" and reading.document.paragraphs[0].span.ref == "p1:l1"


def test_the_locator_puts_published_references_back_in_reading_order():
    """document_sections counts the rows read from each section by the position of their source_ref."""
    reading = pdf_reader.read((RAW_DIR / "shanghai-putuo-government-office-2025-department-budget.pdf").read_bytes(), "g.pdf")
    locator = reading.document.paragraphs[0].span.locator
    table = reading.document.tables[4]  # 一般公共预算支出功能分类预算表, p14-p15
    row = next(r for r in table.rows if r.span.ref == "p14:r6")
    assert locator.position("p14:r6") == row.cells[0].span.first == locator.position("p14:r6c1")
    assert locator.position("p6:l2-3") < locator.position("p14:r6") < locator.position("p15:r11") < locator.position("p21:l1")
    assert locator.position("p99:r1") is None and locator.position("L5") is None


def test_the_schemas_source_ref_patterns_are_every_readers_formats():
    from pipeline.document.readers import source_ref_pattern
    from pipeline.metadata.schemas import load_tables

    patterns = {(t.name, f.name): f.descriptor.get("constraints", {}).get("pattern")
                for t in load_tables().values() for f in t.fields if f.name.endswith("source_ref")}
    assert patterns and all(p == (source_ref_pattern(many=True) if name == "computed_source_ref" else
                                  source_ref_pattern()) for (_, name), p in patterns.items()), patterns
    assert re.fullmatch(source_ref_pattern(), "p14:r1-p15:r11") and re.fullmatch(source_ref_pattern(), "L12-L14")
    assert re.fullmatch(source_ref_pattern(), "T3:R4-R6") and not re.fullmatch(source_ref_pattern(), "p0:l1")
