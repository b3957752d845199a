"""The Tika plain-text reader, one quirk per test, on small hand-written fixtures."""

from pipeline.document.model import Paragraph, Table
from pipeline.document.readers.tika_text import read_text


def blocks(text):
    return read_text(text, "fixture.txt").blocks


def table_texts(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_paragraphs_and_a_table_of_complete_rows():
    doc = blocks("标题\n\t甲\n\t乙\n\n\t1\n\t2\n\n\n正文\n")
    assert [type(b) for b in doc] == [Paragraph, Table, Paragraph]
    assert table_texts(doc[1]) == [["甲", "乙"], ["1", "2"]]
    assert doc[1].rows[1].span.ref == "L5-L6"
    assert doc[2].text == "正文" and doc[2].span.ref == "L9"


def test_later_paragraphs_of_a_cell_start_at_column_zero():
    text = "\tA\n\tB\n\tC\n\n\tx\n\n\n\nsecond paragraph of x\n\ty\n\tz\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["A", "B", "C"], ["x\nsecond paragraph of x", "y", "z"]]
    # The empty paragraphs are kept on the cell, only the text drops them.
    assert table.rows[1].cells[0].paragraphs == ("x", "", "", "", "second paragraph of x")
    assert table.rows[1].cells[0].span.ref == "L5-L9"


def test_an_empty_paragraph_inside_a_cell_is_not_a_row_end():
    # Like the procurement rows of the seed (line ~1534): a blank line after the first cell.
    text = "\tH1\n\tH2\n\tH3\n\tH4\n\n\titem\n\n\t\n\tA06\n\t1.69\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["H1", "H2", "H3", "H4"], ["item", "", "A06", "1.69"]]


def test_a_word_tab_inside_a_cell_is_content():
    (table,) = blocks("\tname\n\tdescription\n\n\t社会保障事务\t切实解决\n\tx\n\n")
    assert table_texts(table)[1] == ["社会保障事务\t切实解决", "x"]


def test_a_table_can_run_into_the_next_heading_without_a_blank_line():
    text = "\tA\n\tB\n\tC\n\n\t1\n\t2\n 七、国有资产信息\n正文\n"
    doc = blocks(text)
    assert [type(b) for b in doc] == [Table, Paragraph, Paragraph]
    assert table_texts(doc[0]) == [["A", "B", "C"], ["1", "2"]]  # the vanished cell stays missing
    assert doc[1].text.strip() == "七、国有资产信息" and doc[1].span.ref == "L7"


def test_column_zero_text_right_after_a_cell_continues_it_unless_it_is_a_heading():
    (table,) = blocks("\tA\n\tB\n\n\t1\nmore of 1\n\t2\n\n")
    assert table_texts(table) == [["A", "B"], ["1\nmore of 1", "2"]]


def test_a_narrow_merged_row_is_split_from_the_next_row():
    # Row 2 lost two cells to a horizontal merge; its end looks like an empty paragraph.
    text = "\tA\n\tB\n\tC\n\tD\n\n\t合计\n\t9\n\n\tx\n\t1\n\t2\n\t3\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["A", "B", "C", "D"], ["合计", "9"], ["x", "1", "2", "3"]]


def test_the_widest_header_row_fixes_the_width():
    # A merged header row (2 cells) above a full one (4 cells), then a data row with an empty paragraph.
    text = "\t来源\n\t金额\n\n\ta\n\tb\n\tc\n\td\n\n\tp\n\n\tq\n\tr\n\ts\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["来源", "金额"], ["a", "b", "c", "d"], ["p", "q", "r", "s"]]


def test_two_blank_lines_between_rows_start_a_new_table():
    doc = blocks("\tA\n\tB\n\n\n\tC\n\n")
    assert [table_texts(b) for b in doc] == [[["A", "B"]], [["C"]]]


def test_bookmarks_are_removed_and_kept():
    doc = blocks("[bookmark: _GoBack]按照规定\n[bookmark: _Toc1][bookmark: _Toc2]六、政府采购预算情况\n")
    assert doc[0].text == "按照规定" and doc[0].bookmarks == ("_GoBack",)
    assert doc[1].text == "六、政府采购预算情况" and doc[1].bookmarks == ("_Toc1", "_Toc2")


def test_crlf_line_endings_read_like_lf():
    lf = "标题\n\tA\n\tB\n\n\t1\n\t2\n\n\n正文\n"
    assert blocks(lf.replace("\n", "\r\n")) == blocks(lf)


def test_merged_cell_content_repeated_after_empty_paragraphs_is_kept_once():
    (table,) = blocks("\tA\n\tB\n\n\t综合业务管理\n\n\n综合业务管理\n\tx\n\n")
    assert table_texts(table) == [["A", "B"], ["综合业务管理", "x"]]
    assert table.rows[1].cells[0].paragraphs == ("综合业务管理", "", "", "综合业务管理")


def test_a_narrow_row_splits_before_a_full_row_that_holds_an_empty_paragraph():
    # Like the seed's procurement rows (empty paragraph after the first cell), with a narrow row (merged
    # trailing cells vanished) in the middle: the split goes at the narrow row's end, not at the next row's
    # empty paragraph (which used to glue the next row's first cell onto the narrow one).
    text = "\tA\n\tB\n\tC\n\tD\n\tE\n\tF\n\n\tp\n\n\t\n\tx\n\t1\n\n\tq\n\n\t\n\ty\n\t2\n\t3\n\t4\n\n\tr\n\n\t\n\tz\n\t5\n\t6\n\t7\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["A", "B", "C", "D", "E", "F"], ["p", "", "x", "1"], ["q", "", "y", "2", "3", "4"],
                                  ["r", "", "z", "5", "6", "7"]]
    assert table.rows[1].span.ref == "L8-L12" and table.rows[2].span.ref == "L14-L20"


def test_a_wider_row_without_blank_lines_is_a_wider_header_not_a_glued_row():
    text = "\t标题\n\n\ta\n\tb\n\tc\n\n\tp\n\n\tq\n\tr\n\n"
    (table,) = blocks(text)
    assert table_texts(table) == [["标题"], ["a", "b", "c"], ["p", "q", "r"]]
