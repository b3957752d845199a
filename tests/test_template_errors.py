"""Every error and warning of the Hebei template (pipeline/tables/templates/hebei_budget/), each reached by a
targeted edit of the seed: the message and the exact line it names.

Each case edits lines of the seed (line numbers as in raw/, 1-based) and states what the template must say and
at which line: the line of the cell or paragraph that holds the fault, or, for a fault of a whole table row
(too many cells, a row that cannot be placed), the row's first line. Errors quarantine the document
(:class:`DocumentError`); warnings are recorded as ``<file>:<line>: <message>`` and the document is built.
"""

from __future__ import annotations

import re

import pytest
from conftest import RAW_DIR, SEED_NAME

from pipeline.document.readers.tika_text import read_text
from pipeline.errors import DocumentError
from pipeline.raw.discover import RawDocument
from pipeline.tables.parse import parse_text
from pipeline.tables.templates import hebei_budget

NAME = "edited.tika.txt"
SEED_LINES = (RAW_DIR / SEED_NAME).read_text(encoding="utf-8").split("\n")


def edited(*edits: tuple) -> str:
    """The seed with ``edits`` applied: ``(n, text)`` replaces line n, ``(n, "+", text)`` inserts a line after
    line n. Line numbers are the seed's, whatever the edits before them did."""
    lines = list(SEED_LINES)
    for edit in sorted(edits, key=lambda e: e[0], reverse=True):  # bottom up: numbers stay the seed's
        if len(edit) == 3:
            lines.insert(edit[0], edit[2])
        else:
            lines[edit[0] - 1] = edit[1]
    return "\n".join(lines)


def parse(text: str):
    raw = RawDocument(path=RAW_DIR / NAME, relpath=NAME, sha256="0" * 64, manifest=None)
    return parse_text(text, raw)


def seed_line(n: int) -> str:
    return SEED_LINES[n - 1]


def test_the_seed_lines_the_cases_edit_are_what_they_expect():
    """The cases below name seed lines by number: they must still hold what the cases assume."""
    expected = {
        13: "\t单位名称", 57: "反映本部门当年全部收入。", 65: "2019年，我部门财政拨款“三公”经费预算安排4.37万元。",
        89: "\t职责活动", 92: "\t绩效目标", 96: "\t", 101: "\t优", 106: "\t一、政务服务", 114: "\t", 126: "\t",
        127: "\t", 130: "\t政务公开次数", 716: "\t十四、政务管理", 717: "\t43.03", 1481: "\t911007",
        1512: "\t一般公共预算拨款", 1518: "\t合\u3000计", 1531: "\t", 1554: "\t[A020101]", 1556: "\t1",
        1557: "\t0.35", 1662: "\t编制部门：911", 1663: "\t截止时间：2018年12月31日", 1669: "\t资产总额",
        1671: "\t1097.10", 1681: "\t2、车辆（台、辆）", 1682: "\t13", 1689: "\t4、其他固定资产",
        1701: "6、上缴上级支出：", 62: "三、机关运行经费安排情况", 64: "四、财政拨款“三公”经费",
    }
    for n, start in expected.items():
        assert seed_line(n).startswith(start), (n, seed_line(n))


# (id, edits, message (a regular expression, matched from the start of the message), line)
ERRORS = [
    ("section-twice", [(63, "+", "三、机关运行经费安排情况（续）")],
     r"section '机关运行经费安排情况（续）' appears twice$", 64),
    ("unknown-income-source", [(57, seed_line(57).replace("其他来源收入0万元", "捐赠收入0万元"))],
     r"unknown income source '捐赠收入'; expected one of \[", 57),
    ("no-three-public-total", [(65, seed_line(65).replace("预算安排4.37万元。", "预算安排如下。"))],
     r"expected the “三公”经费 total as '…“三公”经费预算安排<amount>万元'$", 65),
    ("organisation-row-too-wide", [(26, "+", "\t多出来的一格")],
     r"organisation row has 5 cells, header has 4$", 23),
    ("activity-header-lacks-a-column", [(92, "\t目标")],
     r"activity table header \['职责活动', '年度预算数', '内容描述', '目标', '绩效指标', '评价标准'\] lacks a column: "
     r"'绩效目标' is not in list$", 89),
    ("no-grade-header", [(101, "\t甲")],
     r"expected a header row with the grades 优 良 中 差 under 评价标准$", 96),
    ("activity-row-too-wide", [(114, "+", "\t多出来的一格")],
     r"activity row has 10 cells, the table has 9 columns$", 106),
    ("sub-activity-before-any-activity", [(106, "\t1、政务服务")],
     r"activity '1、政务服务' numbered 1、… before any 一、… activity$", 106),
    ("activity-not-numbered", [(106, "\t政务服务")],
     r"expected an activity numbered 一、… or 1、…, found '政务服务'$", 106),
    ("indicator-before-any-activity", [(106, "\t")],
     r"indicator row before any activity$", 106),
    ("continuation-row-with-a-budget", [(127, "\t1.00")],
     r"row continues an activity but fills its budget, description or goal$", 126),
    ("grades-without-an-indicator", [(130, "\t")],
     r"grade standards without an indicator name$", 126),
    ("activity-budget-not-a-number", [(717, "\t43.O3")],
     r"expected an amount, found .*'43\.O3'", 717),
    ("procurement-header", [(1512, "\t一般预算拨款")],
     r"procurement table: expected a 14-column header row with 合计 in column 9, 一般公共预算拨款 in column 10", 1481),
    ("procurement-row-too-wide", [(1531, "+", "\t多出来的一格")],
     r"procurement row has 15 cells, the table has 14 columns$", 1518),
    ("procurement-quantity", [(1556, "\t1x")],
     r"procurement quantity: .*'1x'", 1556),
    ("procurement-catalogue-code", [(1554, "\t[X020101]")],
     r"expected a procurement catalogue code like \[A020204\], found '\[X020101\]'$", 1554),
    ("procurement-price-not-a-number", [(1557, "\t0.3x5")],
     r"expected an amount, found .*'0\.3x5'", 1557),
    ("asset-date", [(1663, "\t截止时间：2018年2月30日")],
     r"截止时间 is not a date: day is out of range for month$", 1663),
    ("asset-row-too-wide", [(1671, "+", "\t多出来的一格")],
     r"fixed-asset row has 4 cells, expected 3 \(项目, 数量, 价值\)$", 1669),
    ("unknown-asset-line", [(1689, "\t4、无形资产")],
     r"unknown fixed-asset line '4、无形资产'; expected one of \['资产总额', ", 1689),
    ("asset-quantity", [(1682, "\t1三")],
     r"fixed-asset quantity: .*'1三'", 1682),
    ("asset-value-not-a-number", [(1671, "\t1097.1O")],
     r"expected an amount, found .*'1097\.1O'", 1671),
    ("subset-line-first", [(1669, "\t其中：资产总额")],
     r"其中 line '其中：资产总额' has no line above it to be part of$", 1669),
]


@pytest.mark.parametrize(("edits", "message", "line"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_error_names_its_line(edits, message, line):
    with pytest.raises(DocumentError) as info:
        parse(edited(*edits))
    err = info.value
    assert re.match(message, err.detail), err.detail
    assert err.line == line, str(err)
    assert str(err) == f"{NAME}:{line}: {err.detail}"


# (id, edits, message (the whole warning after '<file>:<line>: '), line or None)
WARNINGS = [
    ("organisation-table-without-header", [(13, "\t单位")],
     "table in section 一 without a 单位名称 header was skipped", 13),
    ("three-public-category-not-stated", [(65, seed_line(65).replace("因公出国（境）费0万元；", ""))],
     "“三公”经费 category 因公出国[（(]境[)）]费 not stated", 65),
    ("glossary-line-without-term", [(1701, "上缴上级支出指下级单位上缴上级的支出。")],
     "glossary line without 'n、term：definition' form kept out: '上缴上级支出指下级单位上缴上级的支出。'", 1701),
    ("stray-mark-before-the-unit", [],
     "amount printed as '4.37。万元': read as 4.37 万元, ignoring the stray mark before the unit", 65),
    ("narrow-procurement-row", [],
     "procurement row has 10 of 14 cells; the missing ones are read as empty", 1646),
    ("section-missing", [(n, "") for n in (62, 63)],
     "section 'running_costs' is missing", None),
]


@pytest.mark.parametrize(("edits", "message", "line"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_warning_names_its_line(edits, message, line):
    parsed = parse(edited(*edits))
    where = NAME if line is None else f"{NAME}:{line}"
    assert f"{where}: {message}" in parsed.warnings, parsed.warnings


def test_the_seed_gives_only_its_two_known_warnings():
    assert parse("\n".join(SEED_LINES)).warnings == (
        f"{NAME}:65: amount printed as '4.37。万元': read as 4.37 万元, ignoring the stray mark before the unit",
        f"{NAME}:1646: procurement row has 10 of 14 cells; the missing ones are read as empty",
    )


# -- the errors a document without a title or headings gives (no one line is at fault) ----------------------


def test_no_title_line_when_the_template_is_applied_directly():
    # templates.select() sends only a document whose first text is a title to this template; called directly,
    # the template itself names the first line of text.
    document = read_text("\n".join(["", "部门预算", *SEED_LINES[3:]]), NAME)
    with pytest.raises(DocumentError) as info:
        hebei_budget.parse(document)
    assert info.value.line == 2
    assert info.value.detail == ("expected the title '<department><year>年部门预算信息公开' as the first line of text, "
                                 "found '部门预算'")


def test_a_document_that_opens_with_a_section_heading_has_no_title():
    # The heading reads as a title too (一、部门职责2019年部门预算公开), so select() takes it; it is a heading first.
    text = "\n".join(["一、部门职责2019年部门预算公开", *SEED_LINES[5:]])
    with pytest.raises(DocumentError) as info:
        parse(text)
    assert (info.value.line, info.value.detail) == (None, "no text: expected the title '<department><year>年部门预算信息公开'")


def test_a_title_without_any_section_heading():
    with pytest.raises(DocumentError) as info:
        parse("\n".join(SEED_LINES[:4]))
    assert info.value.line is None
    assert info.value.detail == ("no section headings (一、部门职责及机构设置情况 …) found: not a department budget "
                                 "disclosure")
