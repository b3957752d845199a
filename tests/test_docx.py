"""The DOCX route: generated .docx disclosures read back to the generator's answers and to the Tika route's rows,
fixtures for merged cells, split tables and cells of several paragraphs, Word features (tracked changes,
fields, bookmarks, text boxes), ZIP safety, and what the DOCX route reads that Tika's text leaves to a guess."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document.model import Table
from pipeline.document.readers import docx_package, docx_reader, reader_for, tika_text
from pipeline.errors import DocumentError
from pipeline.raw.discover import RawDocument
from pipeline.synth import generate_document
from pipeline.synth.expected import expected_tables, without_refs
from pipeline.synth.render import TikaWriter
from pipeline.synth.render_docx import DocxWriter
from pipeline.tables.parse import parse_reading, parse_text

STRAY_MARK = re.compile(r"amount printed as '[0-9.]+。(万元|元)': read as")
NARROW = re.compile(r"procurement row has \d+ of 14 cells; the missing ones are read as empty$")
# Fields whose printed text must be in the paragraph or row a row's source_ref names.
PRINTED = {
    "organisation_units": ("unit_name_zh", "unit_nature_zh", "funding_form_zh"),
    "responsibilities": ("text_zh",),
    "budget_lines": ("amount_text",),
    "three_public_expenses": ("amount_text",),
    "performance_activities": ("name_zh", "annual_budget_text", "description_zh", "performance_goal_zh"),
    "performance_indicators": ("indicator_name_zh", "standard_excellent_zh", "standard_poor_zh"),
    "procurement_items": ("item_name_zh", "catalogue_code", "quantity_unit_zh"),
    "fixed_assets": ("label_zh", "quantity_text", "value_text"),
    "glossary": ("term_zh", "definition_zh"),
}


def raw_named(name: str) -> RawDocument:
    return RawDocument(path=Path(name), relpath=name, sha256="0" * 64, manifest=None)


def parse_docx(data: bytes, name: str = "synthetic.docx"):
    return parse_reading(docx_reader.read(data, name), raw_named(name))


def texts_by_ref(document) -> dict[str, str]:
    """What a person finds at each paragraph and row reference of a read .docx."""
    out: dict[str, str] = {}
    for block in document.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                out[row.span.ref] = "\n".join("\n".join(c.paragraphs) for c in row.cells)
        else:
            out[block.span.ref] = out.get(block.span.ref, "") + "\n" + block.text
    return out


def assert_docx_round_trip(seed: int, index: int) -> None:
    records, text = generate_document(seed, index)
    _, data = generate_document(seed, index, fmt="docx")
    parsed = parse_docx(data)
    # A narrow row is a merged cell in the .docx: nothing is guessed, so no warning; the stray mark stays.
    assert all(STRAY_MARK.search(w) for w in parsed.warnings), parsed.warnings
    expected = expected_tables(records)
    got = without_refs(parsed.tables)
    tika = without_refs(parse_text(text, raw_named("synthetic.tika.txt")).tables)
    for table, rows in expected.items():
        assert got[table] == rows, table
        assert tika[table] == got[table], table
    assert parsed.tables["documents"][0]["source_format"] == "docx"
    assert parsed.tables["documents"][0]["source_encoding"] is None
    at = texts_by_ref(docx_reader.read_docx(data, "synthetic.docx"))
    for table, fields in PRINTED.items():
        for row in parsed.tables[table]:
            where = at[row["source_ref"]]
            for name in fields:
                for part in (row[name] or "").split("\n"):
                    assert part in where, (table, name, part, row["source_ref"])
            if row.get("change_text"):
                assert row["change_text"] in at[row["change_source_ref"]]


@settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), index=st.integers(0, 10**6))
def test_generated_docx_reads_to_the_answers_and_to_the_tika_rows(seed, index):
    assert_docx_round_trip(seed, index)


def test_generated_docx_is_deterministic():
    assert generate_document(5, 3, fmt="docx")[1] == generate_document(5, 3, fmt="docx")[1]


# -- fixtures -----------------------------------------------------------------------------------------------


def docx_with_body(body_xml: str) -> bytes:
    """A .docx (python-docx's default package) whose body is ``body_xml``."""
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    fragment = parse_xml(f'<w:body {nsdecls("w", "wp", "a")} {mc}>{body_xml}</w:body>')
    for element in list(fragment):
        body.insert(len(body) - 1, element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def p(*runs: str, extra: str = "") -> str:
    return "<w:p>" + extra + "".join(f"<w:r><w:t xml:space=\"preserve\">{r}</w:t></w:r>" for r in runs) + "</w:p>"


def tc(*paragraphs: str, span: int = 1, vmerge: str | None = None) -> str:
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else ("<w:vMerge/>" if vmerge == "continue" else f'<w:vMerge w:val="{vmerge}"/>'))
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>" + "".join(p(x) if x else "<w:p/>" for x in paragraphs or ("",)) + "</w:tc>"


def tbl(*rows: str, grid: int) -> str:
    return "<w:tbl><w:tblPr/><w:tblGrid>" + "<w:gridCol/>" * grid + "</w:tblGrid>" + "".join(
        f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"


def test_fixture_merged_cells_across_rows_and_columns():
    body = p("标题") + tbl(
        tc("项目", vmerge="restart") + tc("金额", span=2),
        tc(vmerge="continue") + tc("上年") + tc("本年"),
        tc("合计", span=2) + tc("3"),
        grid=3)
    (table,) = docx_reader.read_docx(docx_with_body(body), "f.docx").tables
    head, sub, total = table.rows
    assert [(c.text, c.col_span, c.row_span, c.merged_above) for c in head.cells] == [
        ("项目", 1, 2, False), ("金额", 2, 1, False)]
    assert [(c.text, c.merged_above) for c in sub.cells] == [("", True), ("上年", False), ("本年", False)]
    assert head.grid_texts() == ["项目", "金额", ""]
    assert total.grid_texts() == ["合计", "", "3"]  # the amount stays in its own column
    assert total.texts() == ["合计", "3"]  # (by cell order it would move left, as in Tika's text)
    assert [c.span.ref for c in total.cells] == ["T1:R3:C1", "T1:R3:C3"]
    assert table.span.ref == "T1:R1-R3" and total.cells_exact


def test_fixture_cell_with_several_paragraphs():
    body = p("标题") + tbl(tc("第一段", "", "第二段") + tc("综合业务管理", "", "", "综合业务管理"), grid=2)
    (table,) = docx_reader.read_docx(docx_with_body(body), "f.docx").tables
    first, repeated = table.rows[0].cells
    assert first.paragraphs == ("第一段", "", "第二段") and first.text == "第一段\n第二段"
    assert repeated.text == "综合业务管理"  # printed again after empty paragraphs, kept once (as from Tika)


def _first_seed_with(marker: bytes) -> tuple[int, bytes]:
    for index in range(200):
        _, data = generate_document(11, index, fmt="docx")
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if marker in zf.read("word/document.xml"):
                return index, data
    raise AssertionError(f"no generated document holds {marker!r}")


def test_fixture_table_split_by_a_page_break():
    index, data = _first_seed_with(b'w:type="page"')
    records, _ = generate_document(11, index)
    document = docx_reader.read_docx(data, "split.docx")
    units = parse_docx(data).tables["organisation_units"]
    assert [u["unit_name_zh"] for u in units] == [u.name for u in records.units]
    assert [u["unit_seq"] for u in units] == list(range(1, len(units) + 1))
    assert {u["source_ref"].split(":")[0] for u in units} == {"T1", "T2"}  # two tables, one list of units
    assert sum(1 for b in document.tables if "单位名称" in b.rows[0].texts()) == 2
    assert_docx_round_trip(11, index)


# -- Word features ------------------------------------------------------------------------------------------


def read_body(body_xml: str):
    return docx_reader.read_docx(docx_with_body(body_xml), "f.docx")


def test_tracked_changes_are_read_as_accepted():
    body = ('<w:p><w:r><w:t>预算</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>收入</w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="a"><w:r><w:delText>支出</w:delText></w:r></w:del>'
            '<w:moveFrom w:id="3" w:author="a"><w:r><w:t>旧</w:t></w:r></w:moveFrom>'
            '<w:moveTo w:id="4" w:author="a"><w:r><w:t>6041.24万元</w:t></w:r></w:moveTo></w:p>'
            + tbl('<w:tc><w:p><w:r><w:t>留</w:t></w:r></w:p></w:tc>', grid=1)
            .replace("</w:tbl>", '<w:tr><w:trPr><w:del w:id="5" w:author="a"/></w:trPr>'
                                 '<w:tc><w:p><w:r><w:t>删</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'))
    document = read_body(body)
    assert document.paragraphs[0].text == "预算收入6041.24万元"
    assert [r.texts() for r in document.tables[0].rows] == [["留"]]


def test_fields_read_their_result_and_bookmarks_are_kept():
    body = ('<w:p><w:bookmarkStart w:id="0" w:name="_Toc1"/><w:bookmarkEnd w:id="0"/>'
            '<w:r><w:t>第</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>/9</w:t></w:r></w:fldSimple><w:r><w:t>页</w:t></w:r></w:p>')
    (paragraph,) = read_body(body).paragraphs
    assert paragraph.text == "第3/9页" and paragraph.bookmarks == ("_Toc1",)


def test_line_breaks_tabs_and_hidden_text():
    body = ('<w:p><w:r><w:t>一行</w:t><w:br/><w:t>二行</w:t><w:tab/><w:t>列</w:t></w:r>'
            '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>')
    assert [(x.text, x.span.ref) for x in read_body(body).paragraphs] == [("一行", "P1"), ("二行\t列", "P1")]


def test_text_box_with_text_is_refused_where_it_is():
    box = ('<w:r><w:drawing><wp:anchor><a:graphic><a:graphicData><w:txbxContent>'
           '<w:p><w:r><w:t>6041.24万元</w:t></w:r></w:p></w:txbxContent></a:graphicData></a:graphic>'
           '</wp:anchor></w:drawing></w:r>')
    with pytest.raises(DocumentError, match=r"f\.docx: P2 holds a text box with text \('6041\.24万元'\)"):
        read_body(p("标题") + p("正文", extra=box))
    empty = box.replace("<w:r><w:t>6041.24万元</w:t></w:r>", "")
    assert [x.text for x in read_body(p("标题") + p("正文", extra=empty)).paragraphs] == ["标题", "正文"]


def test_alternate_content_is_read_once_and_nested_tables_give_their_text():
    alternate = ('<mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>甲</w:t></w:r></mc:Choice>'
                 '<mc:Fallback><w:r><w:t>甲</w:t></w:r></mc:Fallback></mc:AlternateContent>')
    nested = "<w:tc>" + tbl(tc("内") + tc("表"), grid=2) + "<w:p/></w:tc>"
    document = read_body(p("标题", extra=alternate) + tbl(tc("外") + nested, grid=2))
    assert document.paragraphs[0].text == "甲标题"
    assert document.tables[0].rows[0].texts() == ["外", "内\n表"]


def test_an_embedded_document_is_refused():
    with pytest.raises(DocumentError, match="w:altChunk"):
        read_body(p("标题") + '<w:altChunk r:id="x" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                              '2006/relationships"/>')


# -- ZIP safety ---------------------------------------------------------------------------------------------


def repack(data: bytes, extra: dict[str, bytes] | None = None, rename: dict[str, str] | None = None,
           replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr((rename or {}).get(info.filename, info.filename),
                         (replace or {}).get(info.filename, src.read(info)))
        for name, blob in (extra or {}).items():
            dst.writestr(name, blob)
    return out.getvalue()


@pytest.fixture(scope="module")
def small_docx() -> bytes:
    return docx_with_body(p("某某局2019年部门预算信息公开"))


ZEROS = b"\0" * (docx_package.MAX_PART_BYTES + 1)


@pytest.mark.parametrize(("change", "expected"), [
    (dict(extra={"../../evil.xml": b"x"}), r"ZIP entry '\.\./\.\./evil\.xml': an absolute or parent-directory"),
    (dict(extra={"/etc/evil": b"x"}), r"ZIP entry '/etc/evil': an absolute"),
    (dict(extra={"word/media/image1.png": ZEROS}), r"ZIP entry 'word/media/image1\.png' declares 64\.0 MiB"),
    (dict(replace={"word/document.xml": ZEROS}), r"ZIP entry 'word/document\.xml' declares 64\.0 MiB"),
    (dict(extra={f"word/media/i{n}.png": b"" for n in range(docx_package.MAX_ENTRIES)}), r"holds \d+ entries"),
    (dict(replace={"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'}),
     r"ZIP entry 'word/document\.xml' has a document type or entity declaration"),
    (dict(replace={"word/document.xml": b"<w:document"}), r"'word/document\.xml' is not well-formed XML"),
    (dict(rename={"word/document.xml": "xl/workbook.xml"}, replace={"_rels/.rels": b"<Relationships/>"}),
     r"an Excel workbook"),
])
def test_unsafe_or_foreign_packages_are_refused_naming_the_entry(small_docx, change, expected):
    with pytest.raises(DocumentError, match=expected) as info:
        docx_reader.read(repack(small_docx, **change), "bad.docx")
    assert str(info.value).startswith("bad.docx: ")


def test_the_total_decompressed_size_is_bounded(small_docx, monkeypatch):
    monkeypatch.setattr(docx_package, "MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    parts = {f"word/media/image{n}.png": b"\0" * (1024 * 1024) for n in range(3)}
    with pytest.raises(DocumentError, match=r"declare 3\.\d MiB uncompressed together"):
        docx_reader.read(repack(small_docx, extra=parts), "bad.docx")


def test_a_broken_zip_is_refused():
    with pytest.raises(DocumentError, match="not a readable ZIP"):
        docx_reader.read(b"PK\x03\x04" + b"\0" * 100, "bad.docx")


def test_images_are_never_decompressed(small_docx, monkeypatch):
    read = []
    original = docx_package.read_part
    monkeypatch.setattr(docx_package, "read_part", lambda zf, info, source: read.append(info.filename)
                        or original(zf, info, source))
    docx_reader.read(repack(small_docx, extra={"word/media/image1.png": b"\x89PNG" + b"\0" * 1000}), "ok.docx")
    assert read == ["_rels/.rels", "[Content_Types].xml", "word/document.xml"]


def test_readers_are_chosen_by_content(small_docx):
    assert reader_for(small_docx) is docx_reader
    assert reader_for("某某局2019年部门预算信息公开\n".encode()) is tika_text


# -- what the DOCX route reads that the Tika route had to guess ---------------------------------------------


def both(build) -> tuple[list, list]:
    """The blocks Tika's text and the .docx of the same writer calls read to (tables as grid texts)."""
    out = []
    for writer in (TikaWriter, DocxWriter):
        w = writer(random.Random(0))
        build(w)
        result = w.result()
        document = (tika_text.read_text(result, "x") if isinstance(result, str)
                    else docx_reader.read_docx(result, "x"))
        out.append([[r.grid_texts() for r in b.rows] if isinstance(b, Table) else b.clean for b in document.blocks])
    return out[0], out[1]


def _two_narrow_rows(w):
    w.para("标题")
    w.row(["a", "b", "c", "d"])
    w.row(["x", "y", "", ""], narrow=True)
    w.row(["z", "w", "", ""], narrow=True)
    w.row(["p", "q", "r", "s"])
    w.blank(2)


def _narrow_row_then_empty_paragraph(w):
    w.para("标题")
    w.row(["a", "b", "c", "d"])
    w.row(["x", "y", "z", ""], narrow=True)
    w.row(["p", "q", "r", "s"], gaps={0: 1})
    w.blank(2)


def _heading_inside_a_cell(w):
    w.para("标题")
    w.row(["a", "b", "c"])
    w.row(["x", ("一、说明", "二、其他"), "z"])
    w.blank(2)


def _note_right_after_a_table(w):
    w.para("标题")
    w.row(["a", "b"])
    w.run_into_heading()
    w.para("注：单位为万元")


def _paragraph_starting_with_a_tab(w):
    w.para("标题", "\t缩进的段落", "正文")


@pytest.mark.parametrize(("build", "exact"), [
    (_two_narrow_rows, ["标题", [["a", "b", "c", "d"], ["x", "y", "", ""], ["z", "w", "", ""], ["p", "q", "r", "s"]]]),
    (_narrow_row_then_empty_paragraph, ["标题", [["a", "b", "c", "d"], ["x", "y", "z", ""], ["p", "q", "r", "s"]]]),
    (_heading_inside_a_cell, ["标题", [["a", "b", "c"], ["x", "一、说明\n二、其他", "z"]]]),
    (_note_right_after_a_table, ["标题", [["a", "b"]], "注：单位为万元"]),
    (_paragraph_starting_with_a_tab, ["标题", "缩进的段落", "正文"]),
])
def test_docx_reads_exactly_what_tika_text_leaves_ambiguous(build, exact):
    tika, docx_blocks = both(build)
    assert docx_blocks == exact
    # The Tika reader's rules guess these wrong (its docstring lists the first two); docs/reading.md shows how.
    assert tika != exact


def test_a_narrow_procurement_row_is_a_merged_cell_not_a_guess():
    for index in range(300):
        records, text = generate_document(11, index)
        tika = parse_text(text, raw_named("x.tika.txt"))
        if any(NARROW.search(w) for w in tika.warnings):  # Tika: the missing cells are read as empty, a guess
            break
    else:
        raise AssertionError("no generated document has a narrow procurement row")
    docx_parsed = parse_docx(generate_document(11, index, fmt="docx")[1])
    assert not any(NARROW.search(w) for w in docx_parsed.warnings)  # DOCX: the row says they are merged
    assert without_refs(docx_parsed.tables)["procurement_items"] == expected_tables(records)["procurement_items"]


def test_a_figure_that_cannot_be_read_is_an_error_at_its_word_cell():
    for index in range(50):
        _, data = generate_document(13, index, fmt="docx")
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
        if b"<w:t>[A" in xml:
            break
    broken = repack(data, replace={"word/document.xml": xml.replace(b"<w:t>[A", b"<w:t>[Z", 1)})
    with pytest.raises(DocumentError, match=r"^x\.docx:T\d+:R\d+:C4: expected a procurement catalogue code") as info:
        parse_docx(broken, "x.docx")
    assert info.value.line is None and re.fullmatch(r"T\d+:R\d+:C4", info.value.where)


def test_a_malformed_grid_span_is_refused_at_its_table():
    body = p("标题") + tbl(tc("a") + tc("b"), grid=2) + tbl(tc("x", span=2), grid=2).replace('w:val="2"', 'w:val="two"')
    with pytest.raises(DocumentError, match=r"f\.docx: T2: w:gridSpan 'two' is not a number of columns"):
        read_body(body)
