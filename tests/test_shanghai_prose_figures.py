"""The Shanghai template's prose figures (编制说明, 其他相关情况说明): read right after their label, or an error at
their paragraph; never dropped in silence, never the next match (issue 11, section 2, for the PDF template).

Each case breaks one figure of a real document's prose as the PDF reader gave it and parses the document the
way a build does (:func:`pipeline.tables.parse.parse_reading`). ``tests/test_hostile_cli.py`` runs one such
PDF through the real program.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from conftest import RAW_DIR

from pipeline.document import readers
from pipeline.document.model import Paragraph, Span
from pipeline.errors import DocumentError
from pipeline.raw.discover import RawDocument
from pipeline.tables.parse import parse_reading
from pipeline.tables.templates.shanghai_budget.other import other

FILES = {"gov": "shanghai-putuo-government-office-2025-department-budget.pdf",
         "w23": "shanghai-putuo-wanli-street-2023-department-budget.pdf"}


@pytest.fixture(scope="module")
def readings():
    return {key: readers.read((RAW_DIR / name).read_bytes(), name) for key, name in FILES.items()}


def parse(reading):
    name = reading.document.source
    return parse_reading(reading, RawDocument(path=RAW_DIR / name, relpath=name, sha256="0" * 64, manifest=None))


def with_text(reading, old: str, new: str):
    """The reading with the first paragraph holding ``old`` changed to hold ``new``; and that paragraph's place."""
    blocks = list(reading.document.blocks)
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and old in b.text)
    blocks[at] = dataclasses.replace(blocks[at], text=blocks[at].text.replace(old, new, 1))
    document = dataclasses.replace(reading.document, blocks=tuple(blocks))
    return dataclasses.replace(reading, document=document), blocks[at].span.where


BROKEN = {
    # name: (document, as printed, as broken, the label the message names)
    "收入预算": ("gov", "收入预算9101.68万元", "收入预算9101.6B万元", "收入预算"),
    "财政拨款收入": ("gov", "财政拨款收入9101.68万元", "财政拨款收入9I01.68万元", "财政拨款收入"),
    "财政拨款收入, its change": ("gov", "减少2389.52万元；事业", "减少2389,52万元；事业", "财政拨款收入, its change"),
    "事业收入": ("gov", "；事业收入0万元", "；事业收入O万元", "事业收入"),
    "其他收入": ("gov", "其他收入0万元", "其他收入—万元", "其他收入"),
    "支出预算": ("gov", "支出预算9101.68万元，其中", "支出预算9101.68亿元，其中", "支出预算"),
    "财政拨款支出预算": ("gov", "财政拨款支出预算9101.68万元", "财政拨款支出预算NaN万元", "财政拨款支出预算"),
    "一般公共预算拨款支出预算": ("gov", "一般公共预算拨款支出预算9101.68万元", "一般公共预算拨款支出预算9101.6８B万元",
                                 "一般公共预算拨款支出预算"),
    "an item": ("gov", "科目155.42万元", "科目155.4B万元", "行政单位离退休"),
    "the first item": ("w23", "”2.63万元", "”2.6３万", "统计管理"),
    "an item's 预算安排": ("w23", "2023年预算安排2.63万元", "2023年预算安排2.6E万元", "2023年预算安排"),
    "三公 total": ("gov", "预算数为867.50万元", "预算数为867.5O万元", "三公"),
    "因公出国（境）费": ("gov", "因公出国（境）费839万元", "因公出国（境）费839亿元", "因公出国（境）费"),
    "公务接待费": ("gov", "公务接待费28.50万元", "公务接待费2B.50万元", "公务接待费"),
    "机关运行经费": ("gov", "经费预算为213.28万元", "经费预算为213.2八万元", "机关运行经费"),
    "政府采购预算": ("gov", "政府采购预算34万元", "政府采购预算3A万元", "政府采购预算"),
    "政府采购货物预算": ("gov", "政府采购货物预算0万元", "政府采购货物预算O万元", "政府采购货物预算"),
    "涉及项目预算资金": ("gov", "涉及项目预算资金6626万元", "涉及项目预算资金6626万。", "涉及项目预算资金"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_labelled_figure_that_does_not_read_is_an_error_at_its_paragraph(readings, name):
    key, old, new, label = BROKEN[name]
    reading, where = with_text(readings[key], old, new)
    with pytest.raises(DocumentError) as info:
        parse(reading)
    assert info.value.where == where, str(info.value)
    assert label in info.value.detail and "expected an amount such as 3121.42万元, found" in info.value.detail, \
        info.value.detail


def test_the_documents_read_as_before(readings):
    """The labels in sentences without their figure (财政拨款收入支出预算表, “三公”经费预算情况说明) are no error."""
    lines = {(r["line_code"], r["label_zh"]): r for r in parse(readings["gov"]).tables["budget_lines"]}
    assert lines[("income_total", "收入预算")]["amount_yuan"] == Decimal("91016800.00")
    assert lines[("income_fiscal_allocation", "财政拨款收入")]["change_yuan"] == Decimal("-23895200.00")
    assert lines[("performance_projects_funds", "涉及项目预算资金")]["amount_yuan"] == Decimal("66260000.00")


def test_a_change_in_per_cent_is_not_an_amount_and_no_error():
    prose = [Paragraph("2025年“三公”经费预算数为10.00万元，比2024年预算增加5.2 %。", Span(1, 1)),
             Paragraph("（三）公务接待费1.00万元，比2024年预算减少1.O0万元。", Span(2, 2))]
    _, three = other(prose[:1], "x.pdf")
    assert [(t["expense_code"], t["amount_yuan"], t["change_yuan"]) for t in three] == \
        [("total", Decimal("100000.00"), None)]
    with pytest.raises(DocumentError) as info:
        other(prose, "x.pdf")
    assert info.value.line == 2 and "公务接待费, its change: expected an amount" in info.value.detail


def test_a_change_that_reads_is_no_error_where_the_figure_publishes_no_change():
    """机关运行经费's pattern reads no change: one stated after it is checked, and passes when it reads."""
    reads = [Paragraph("2025年机关运行经费预算为213.28万元，比2024年预算增加10.00万元。", Span(1, 1))]
    lines, _ = other(reads, "x.pdf")
    assert [(r["line_code"], r["amount_yuan"]) for r in lines] == [("institutional_operating_costs",
                                                                     Decimal("2132800.00"))]
    for broken in ("10.0B万元", "1.0.0万元", "10.00万元3"):
        text = f"2025年机关运行经费预算为213.28万元，比2024年预算增加{broken}。"
        with pytest.raises(DocumentError) as info:
            other([Paragraph(text, Span(1, 1))], "x.pdf")
        assert "机关运行经费, its change: expected an amount" in info.value.detail, broken


def test_a_label_ending_its_paragraph_is_read_with_a_figure_beginning_the_next_or_passed_over():
    """A sentence cut by a page reads whole; a heading followed by a paragraph beginning with a year is no error."""
    cut = [Paragraph("2025年本部门政府采购预算", Span(1, 1)), Paragraph("34万元，其中：…", Span(2, 2))]
    heading = [Paragraph("（二）政府采购预算", Span(1, 1)), Paragraph("2025年本部门政府采购预算34万元。", Span(2, 2))]
    for paragraphs in (cut, heading):
        lines, _ = other(paragraphs, "x.pdf")
        assert [(r["line_code"], r["amount_yuan"]) for r in lines] == [("procurement_total", Decimal("340000.00"))]
