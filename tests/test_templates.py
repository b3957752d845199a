"""Template choice by content: the first template that does not refuse a document reads it; a document no
template accepts gets one message naming each template tried and why it refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME

from pipeline.document import readers
from pipeline.errors import DocumentError
from pipeline.tables import templates
from pipeline.tables.templates import hebei_budget, shanghai_budget

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
PDF = "shanghai-putuo-government-office-2025-unit-budget.pdf"


def _document(path: Path):
    return readers.read(path.read_bytes(), path.name).document


def test_each_real_document_is_read_by_its_layouts_template():
    assert templates.select(_document(RAW_DIR / SEED_NAME)) is hebei_budget
    assert templates.select(_document(RAW_DIR / PDF)) is shanghai_budget


def test_each_template_refuses_the_other_layout_saying_why():
    seed, pdf = _document(RAW_DIR / SEED_NAME), _document(RAW_DIR / PDF)
    assert "expected a cover title like '上海市普陀区2025年区级部门预算'" in shanghai_budget.refusal(seed)
    assert "expected a title like '<department><year>年部门预算信息公开'" in hebei_budget.refusal(pdf)


def test_a_document_no_template_accepts_names_every_template_and_its_reason():
    document = _document(FIXTURES / "behaviour.pdf")
    with pytest.raises(DocumentError) as info:
        templates.select(document)
    message = str(info.value)
    # line 1 of page 1 is the running header (page furniture, not in the document): "Contents" is line 2
    assert message.startswith("behaviour.pdf:p1:l2: no known disclosure template matches: ")
    assert "hebei-department-budget-2019: expected a title like" in message
    assert "shanghai-budget-2023: expected a cover title like" in message and "found 'Contents'" in message
    assert info.value.line is None and info.value.where == "p1:l2"


def test_a_cover_without_the_tables_is_refused():
    text = "上海市普陀区2025年区级部门预算\n预算主管部门：上海市普陀区某局\n"
    document = readers.read(text.encode(), "cover-only.txt").document
    assert "no title of the national budget tables" in shanghai_budget.refusal(document)
