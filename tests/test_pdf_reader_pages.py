"""What the PDF reader makes of pages the Jiangsu files print differently from the Shanghai ones: a row Word cut
at a page break, a table going on with rows that have no figures, a header-only part at a page's foot, a caption
drawn wider than the text, a folio above the margin zone, a part heading after a full line."""

from __future__ import annotations

import functools

from conftest import RAW_DIR

from pipeline.document.model import Paragraph, Table
from pipeline.document.readers import pdf as pdf_reader


@functools.lru_cache(maxsize=None)
def _document(name: str):
    return pdf_reader.read((RAW_DIR / name).read_bytes(), name).document


def _table_after(document, title: str) -> Table:
    """The table under the paragraph ``title`` (the last one printed so: a 目录 lists it first)."""
    blocks = list(document.blocks)
    at = max(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.clean == title)
    return next(b for b in blocks[at:] if isinstance(b, Table))


def _paragraphs(document) -> list[str]:
    return [b.clean for b in document.blocks if isinstance(b, Paragraph)]


def test_a_row_cut_at_a_page_break_stays_in_its_table():
    doc = _document("jiangsu-high-court-2017-budget.pdf")
    # page 12 begins with a row whose top ruling Word drew on page 11 only
    assert not any(p.startswith("二、财政专户管理资金") for p in _paragraphs(doc))
    table = _table_after(doc, "一、2017年度江苏省高级人民法院部门收支预算总表")
    assert table.span.ref == "p11:r1-p12:r20" and len(table.rows) == 26
    first_on_12 = next(r for r in table.rows if r.span.ref.startswith("p12:"))
    assert first_on_12.starts_page and first_on_12.cells[0].text == "二、财政专户管理资金"
    assert [r.starts_page for r in table.rows].count(True) == 1


def test_rows_without_figures_continue_the_table_and_a_cut_label_is_marked():
    doc = _document("jiangsu-npc-standing-committee-office-2017-budget.pdf")
    table = _table_after(doc, "收支预算总表")
    assert table.span.ref == "p7:r1-p9:r3"  # one table over three pages, not three
    cut = next(r for r in table.rows if r.starts_page and r.span.ref.startswith("p8:"))
    assert [c.text for c in cut.cells if c.text] == ["业支出"]  # the rest of 八、社会保障和就 (p7)


def test_a_header_only_part_at_a_page_foot_takes_the_next_parts_columns():
    doc = _document("jiangsu-high-court-2018-budget.pdf")
    table = _table_after(doc, "四、2018年度江苏省高级人民法院财政拨款收支预算总表")
    assert table.span.ref == "p10:t4:r1-p11:r6"
    header = table.rows[0]
    assert [(c.text, c.col_span) for c in header.cells] == [("收入", 2), ("支出", 2)]
    assert table.rows[-1].grid_texts() == ["收入合计", "33172.15", "支出合计", "33172.15"]


def test_paragraphs_join_at_the_common_margin_not_at_a_wider_caption():
    doc = _document("jiangsu-npc-standing-committee-office-2017-budget.pdf")
    paragraphs = _paragraphs(doc)
    assert "省人大常委会是省人民代表大会的常设机构，主要职责是：" in paragraphs  # two lines, one paragraph
    assert "是：" not in paragraphs


def test_a_folio_above_the_margin_zone_is_page_furniture():
    doc = _document("jiangsu-npc-standing-committee-office-2018-budget.pdf")
    assert "17" not in _paragraphs(doc)  # the folio of a landscape page, 50 pt above its foot
    table = _table_after(doc, "政府采购支出预算表")
    assert table.span.ref == "p17:r1-p18:r10"  # so the table goes on to page 18


def test_a_part_heading_starts_a_paragraph():
    doc = _document("jiangsu-cppcc-office-2017-budget-text.pdf")
    paragraphs = _paragraphs(doc)
    # the contents' last two lines are full lines, each a part's title: two paragraphs, not one
    assert not any("第三部分" in p and "第四部分" in p for p in paragraphs)
    assert paragraphs.count("第三部分 江苏省政协办公厅2017年度部门预算情况说明") == 2  # contents and heading
