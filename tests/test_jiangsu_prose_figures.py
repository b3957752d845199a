"""The Jiangsu template's prose figures (第三部分 部门预算情况说明) and the percentages stated with them (a share, a
change in per cent): read right after their label or words, or an error at their paragraph; never dropped in
silence, never the next match (the rule of issue 11, section 2; see ``tests/test_shanghai_prose_figures.py`` for
the Shanghai template, which reads no percentage).

Each case breaks one figure of a real disclosure's prose as the PDF reader gave it (for a disclosure of two
files, in the file that prints it) and parses the disclosure the way a build does
(:func:`pipeline.tables.parse.parse_reading`, after :func:`pipeline.document.parts.combine`).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from conftest import RAW_DIR

from pipeline.document import parts, readers
from pipeline.document.model import Paragraph
from pipeline.document.readers import Reading
from pipeline.errors import DocumentError
from pipeline.raw.discover import discover
from pipeline.tables.parse import parse_reading
from pipeline.tables.templates.jiangsu_budget.layout import compact

FILES = {"hc17": "jiangsu-high-court-2017-budget.pdf", "hc18": "jiangsu-high-court-2018-budget.pdf",
         "pp17": "jiangsu-procuratorate-2017-budget.pdf",
         "cp17": "jiangsu-cppcc-office-2017-budget-text.pdf", "cp18": "jiangsu-cppcc-office-2018-budget-text.pdf",
         "pp18": "jiangsu-procuratorate-2018-budget.pdf",
         "np18": "jiangsu-npc-standing-committee-office-2018-budget.pdf"}


@pytest.fixture(scope="module")
def disclosures():
    """key -> (the raw disclosure, each of its files' reading)."""
    raws = {raw.files[0].relpath: raw for raw in discover(RAW_DIR) if raw.files[0].relpath.startswith("jiangsu-")}
    return {key: (raws[name], tuple(readers.read(f.path.read_bytes(), f.relpath) for f in raws[name].files))
            for key, name in FILES.items()}


def parse(disclosure, old: str | None = None, new: str | None = None):
    """The parse of the disclosure (to run), with the first paragraph printing ``old`` made to print ``new``; and
    where that paragraph is in the disclosure."""
    raw, readings = disclosure
    at = None
    if old is not None:
        k, i = next((k, i) for k, r in enumerate(readings) for i, b in enumerate(r.document.blocks)
                    if isinstance(b, Paragraph) and old in compact(b.text))
        blocks = list(readings[k].document.blocks)
        # The template reads the text without its white space (layout.compact): so is the broken paragraph.
        blocks[i] = dataclasses.replace(blocks[i], text=compact(blocks[i].text).replace(old, new, 1))
        readings = (*readings[:k], dataclasses.replace(readings[k], document=dataclasses.replace(
            readings[k].document, blocks=tuple(blocks))), *readings[k + 1:])
        at = (k, i)
    if not raw.parts:
        reading = readings[0]
        where = reading.document.blocks[at[1]].span.where if at else None
        return (lambda: parse_reading(reading, raw)), where
    combined = parts.combine([(f.part, r.document) for f, r in zip(raw.parts, readings)], raw.relpath, raw.missing)
    where = None
    if at:
        offset = sum(len(r.document.blocks) for r in readings[:at[0]])
        where = combined.blocks[offset + at[1]].span.where
    reading = Reading(combined, readings[0].source_format, readings[0].source_encoding)
    return (lambda: parse_reading(reading, raw, readings)), where


BROKEN = {
    # name: (disclosure, as printed, as broken, the label the message names)
    "收入、支出预算总计": ("hc17", "预算总计28849.38万元，与上年", "预算总计28849.3B万元，与上年", "收入预算总计"),
    "收入、支出预算总计, its change": ("hc17", "各增加1808.29万元，增长6.69%", "各增加1808.2B万元，增长6.69%", "change"),
    "财政拨款收入预算总计": ("hc17", "拨款收入预算总计28849.38万元", "拨款收入预算总计28849.38亿元", "财政拨款收入"),
    "一般公共预算收入": ("hc17", "一般公共预算收入预算28849.38万元", "一般公共预算收入预算2884９.3８万", "一般公共预算收入"),
    "政府性基金收入预算": ("cp18", "政府性基金收入预算0万元", "政府性基金收入预算O万元", "政府性基金收入"),
    "财政专户管理资金收入预算总计": ("cp18", "资金收入预算总计0万元", "资金收入预算总计—万元", "财政专户管理资金收入"),
    "其他资金收入预算总计": ("cp17", "其他资金收入预算总计80万元", "其他资金收入预算总计8O万元", "其他资金收入"),
    "上年结转资金预算数为": ("cp18", "上年结转资金预算数为0万元", "上年结转资金预算数为NaN万元", "上年结转资金"),
    "基本支出预算数为": ("hc17", "基本支出预算数为17123.19万元", "基本支出预算数为17l23.19万元", "基本支出"),
    "项目支出预算数为": ("hc17", "项目支出预算数为11543.27万元", "项目支出预算数为11543.27元", "项目支出"),
    "单位预留机动经费预算数为": ("hc17", "经费预算数为182.92万元", "经费预算数为182。92万元", "单位预留机动经费"),
    "财政拨款收、支总预算": ("hc17", "收、支总预算28849.38万元", "收、支总预算28849.38万无", "财政拨款收、支总预算"),
    "财政拨款基本支出预算": ("hc17", "财政拨款基本支出预算17123.19万元", "财政拨款基本支出预算17123.1g万元",
                             "财政拨款基本支出"),
    "人员经费": ("hc17", "人员经费13594.82万元", "人员经费1359A.82万元", "人员经费"),
    "公用经费": ("hc17", "公用经费3528.37万元", "公用经费3528.37万", "公用经费"),
    "政府性基金支出预算支出": ("hc17", "预算支出0万元。", "预算支出0.万元。", "政府性基金支出"),
    "一般公共预算财政拨款支出预算": ("hc17", "财政拨款支出预算28849.38万元", "财政拨款支出预算28849.38亿元",
                                     "一般公共预算财政拨款支出"),
    "会议费预算支出": ("hc17", "会议费预算支出228万元", "会议费预算支出22B万元", "会议费"),
    "培训费预算支出": ("hc17", "培训费预算支出1701.25万元", "培训费预算支出1701.2S万元", "培训费"),
    "机关运行经费预算支出": ("hc17", "经费预算支出9193.40万元", "经费预算支出9193.4O万元", "机关运行经费"),
    "政府采购预算总金额为": ("hc17", "预算总金额为3742.4万元", "预算总金额为3742.4B万元", "政府采购预算"),
    "拟购买货物": ("hc17", "拟购买货物525.4万元", "拟购买货物525.4千元", "政府采购货物预算"),
    "拟购买工程": ("hc17", "拟购买工程500万元", "拟购买工程5OO万元", "政府采购工程预算"),
    "拟购买服务": ("hc17", "拟购买服务2717万元", "拟购买服务27l7万元", "政府采购服务预算"),
    "货物类政府采购支出预算": ("cp17", "货物类政府采购支出预算259.32万元", "货物类政府采购支出预算259.3Z万元",
                               "政府采购货物预算"),
    "拟采购货物支出": ("cp18", "拟采购货物支出355.67万元", "拟采购货物支出355.6７B万元", "政府采购货物预算"),
    "涉及财政性资金合计": ("hc18", "资金合计4481.3万元", "资金合计4481.3亿元", "绩效目标管理项目资金"),
    "a share (一般公共预算收入…，占)": ("hc17", "一般公共预算收入28849.38万元，占100%",
                                         "一般公共预算收入2884B.38万元，占100%", "一般公共预算收入"),
    "a share (基本支出…，占)": ("hc17", "基本支出17123.19万元，占59.35%", "基本支出17123.19元，占59.35%", "基本支出"),
    "a 三公 figure, first statement": ("hc17", "因公出国（境）费支出180万元，占", "因公出国（境）费支出18O万元，占",
                                       "因公出国（境）费"),
    "a 三公 figure, second statement": ("hc17", "费预算支出304.4万元。其中", "费预算支出304.4B万元。其中",
                                        "公务用车购置及运行"),
    "公务用车购置预算支出": ("hc17", "购置预算支出0万元", "购置预算支出O万元", "公务用车购置"),
    "公务接待费支出": ("hc17", "公务接待费支出185.72万元", "公务接待费支出185.7Z万元", "公务接待费"),
    "a 三公 change (本年数小于上年预算数)": ("pp17", "上年预算数29.65万元", "上年预算数29.6S万元", "change"),
    "a 三公 change (比上年预算增加)": ("cp18", "比上年预算增加30万元", "比上年预算增加3O万元", "change"),
    "a function class (1．…（类）支出)": ("hc17", "公共安全（类）支出23513.11万元", "公共安全（类）支出2351E.11万元",
                                          "公共安全（类）支出"),
    "a function class's change": ("hc17", "与上年相比增加345.96万元", "与上年相比增加345.96元", "change"),
    "an item (…（项）支出)": ("hc17", "行政运行（项）支出11786.92万元", "行政运行（项）支出11786,92万元", "行政运行（项）"),
    "an item (…（项）, no 支出)": ("cp18", "委员视察（项）429.30万元", "委员视察（项）429.3O万元", "委员视察（项）"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_labelled_figure_that_does_not_read_is_an_error_at_its_paragraph(disclosures, name):
    key, old, new, label = BROKEN[name]
    run, where = parse(disclosures[key], old, new)
    with pytest.raises(DocumentError) as info:
        run()
    assert info.value.where == where, str(info.value)
    assert label in info.value.detail and "expected an amount such as 3121.42万元, found" in info.value.detail, \
        info.value.detail


BROKEN_PERCENT = {
    # name: (disclosure, as printed, as broken, the label the message names, what it shows as found, the check row
    # the percentage is published in when it reads: its check_id and text)
    "a share (…万元，占)": ("hc17", "基本支出17123.19万元，占59.35%", "基本支出17123.19万元，占59.3S%", "基本支出, its share",
                          "59.3S%", ("share_percent_matches", "59.35%")),
    "a share, its point twice": ("hc17", "项目支出11543.27万元，占40.01%", "项目支出11543.27万元，占40..01%",
                                 "项目支出, its share", "40..01%", ("share_percent_matches", "40.01%")),
    "a share, no number": ("hc18", "单位预留机动经费3258.06万元，占9.82%", "单位预留机动经费3258.06万元，占NaN%",
                           "单位预留机动经费, its share", "NaN%", ("share_percent_matches", "9.82%")),
    "a share, a digit after its sign": ("pp17", "17981.68万元，占99.92%", "17981.68万元，占99.92%2",
                                        "一般公共预算收入, its share", "99.92%2", ("share_percent_matches", "99.92%")),
    "a share without its sign": ("pp17", "17981.68万元，占99.92%", "17981.68万元，占99.92",
                                 "一般公共预算收入, its share", "99.92", ("share_percent_matches", "99.92%")),
    "a share (占“三公”经费的)": ("hc17", "占“三公”经费的26.86%", "占“三公”经费的26.8B%", "因公出国（境）费, its share",
                               "26.8B%", ("share_percent_matches", "26.86%")),
    "a share (占本年支出合计的)": ("cp17", "财政拨款支出预算9066.79万元，占本年支出合计的99.13%",
                                "财政拨款支出预算9066.79万元，占本年支出合计的99.1B%", "一般公共预算财政拨款支出, its share",
                                "99.1B%", ("share_percent_matches", "99.13%")),
    "a share (,占 of 政府采购)": ("cp17", "259.32万元,占20.40%", "259.32万元,占2O.40%", "政府采购货物预算, its share",
                                "2O.40%", ("share_percent_matches", "20.40%")),
    "a change in per cent (增长)": ("hc17", "各增加1808.29万元，增长6.69%", "各增加1808.29万元，增长6..69%",
                                  "收入预算总计, its change in per cent", "6..69%", ("change_percent_matches", "增长6.69%")),
    "a change in per cent, a letter in it": ("hc17", "增加1408.29万元，增长8.96%", "增加1408.29万元，增长8.9B%",
                                             "基本支出, its change in per cent", "8.9B%",
                                             ("change_percent_matches", "增长8.96%")),
    "a change in per cent, no digit first": ("hc17", "增加400万元，增长3.59%", "增加400万元，增长B.59%",
                                             "项目支出, its change in per cent", "B.59%",
                                             ("change_percent_matches", "增长3.59%")),
    "a change in per cent (减少)": ("pp17", "减少20万元，减少0.36%", "减少20万元，减少0.3G%", "项目支出, its change in per cent",
                                  "0.3G%", ("change_percent_matches", "减少0.36%")),
    "a change in per cent (下降, 三公)": ("cp17", "减少0.8万元，下降0.18%", "减少0.8万元，下降O.18%",
                                      "公务接待费, its change in per cent", "O.18%", ("change_percent_matches", "下降0.18%")),
    "a change in per cent (降幅)": ("pp18", "减少3309.98万元，降幅54.9%", "减少3309.98万元，降幅5A.9%",
                                  "机关运行经费, its change in per cent", "5A.9%", ("change_percent_matches", "降幅54.9%")),
    "a change in per cent (增加, of an item)": ("np18", "增加78.34万元，增加15.85%", "增加78.34万元，增加15.85％%",
                                             "住房保障（类）住房公积金（项）, its change in per cent", "15.85％%",
                                             ("change_percent_matches", "增加15.85%")),
    "a change in times (倍)": ("pp18", "），增长16倍", "），增长1O倍", "单位预留机动经费, its change in per cent", "1O倍",
                             ("change_percent_matches", "增长16倍")),
    "a change in per cent without its sign": ("hc18", "减少100万元，减少9.52，", "减少100万元，减少9.5Z，",
                                              "公共安全（类）法院（款）案件执行（项）, its change in per cent", "9.5Z",
                                              ("percentage_written_oddly", "减少9.52")),
}


@pytest.mark.parametrize("name", list(BROKEN_PERCENT))
def test_a_percentage_that_does_not_read_is_an_error_at_its_paragraph(disclosures, name):
    """A share (占…%) or a change in per cent (增长…%, 增长16倍) stated after a figure reads, or it is an error at its
    paragraph. Before, a broken one was passed over, and the check row it is published in went missing (or it was
    read in part: 6..69% as 6 without its sign)."""
    key, old, new, label, found, (check, text) = BROKEN_PERCENT[name]
    run, _ = parse(disclosures[key])
    assert any(r["check_id"] == check and text in (r["stated_text"], r["found_text"]) for r in run().tables["checks"])
    run, where = parse(disclosures[key], old, new)
    with pytest.raises(DocumentError) as info:
        run()
    assert info.value.where == where, str(info.value)
    assert info.value.detail == f"{label}: expected a percentage such as 99.13%, found {found!r}", info.value.detail


NOT_A_PERCENTAGE = {
    # the words of a share or change followed by prose are no percentage and no error: the document reads, the
    # check is not made; full-width digits read, as in an amount (pipeline.tables.amounts.parse_decimal)
    # name: (disclosure, as printed, as changed, the check, its subject's start, the stated texts of its rows)
    "占 then prose": ("hc17", "基本支出17123.19万元，占59.35%", "基本支出17123.19万元，占比最大", "share_percent_matches",
                     "基本支出 占", []),
    "增长 then prose": ("hc17", "增加1408.29万元，增长8.96%", "增加1408.29万元，增长较快", "change_percent_matches",
                       "基本支出 ", []),
    "full-width digits": ("hc17", "增加1408.29万元，增长8.96%", "增加1408.29万元，增长8.9６%", "change_percent_matches",
                          "基本支出 ", ["增长8.9６%"]),
    # a point after the sign ends the sentence (a full stop printed as Latin '.'), it does not continue the number
    "a full stop after the sign": ("hc17", "增加1408.29万元，增长8.96%", "增加1408.29万元，增长8.96%.", "change_percent_matches",
                                   "基本支出 ", ["增长8.96%"]),
    # a percentage is read whole though the 200 characters after its figure end inside it (it was read as 增长8)
    "past the window": ("hc17", "增加1408.29万元，增长8.96%", "增加1408.29万元（" + "说" * 175 + "），增长8.96%",
                        "change_percent_matches", "基本支出 ", ["增长8.96%"]),
}


@pytest.mark.parametrize("name", list(NOT_A_PERCENTAGE))
def test_words_without_a_percentage_are_passed_over(disclosures, name):
    key, old, new, check, subject, texts = NOT_A_PERCENTAGE[name]
    run, _ = parse(disclosures[key])
    assert [r["stated_text"] for r in run().tables["checks"] if r["check_id"] == check
            and r["subject"].startswith(subject)] == [old.split("，")[-1].removeprefix("占")]
    run, _ = parse(disclosures[key], old, new)
    assert [r["stated_text"] for r in run().tables["checks"] if r["check_id"] == check
            and r["subject"].startswith(subject)] == texts


def test_the_disclosures_read_as_before(disclosures):
    """Labels in sentences without their figure (人员经费。主要包括, 基本支出,59.35% of a chart, 公用经费支出) are no
    error; the figures of the prose are those printed (``tests/test_jiangsu.py`` pins every disclosure's)."""
    run, _ = parse(disclosures["hc17"])
    lines = {r["line_code"]: r for r in run().tables["budget_lines"]}
    assert lines["income_total"]["amount_yuan"] == Decimal("288493800.00")
    assert lines["income_total"]["change_yuan"] == Decimal("18082900.00")
    assert lines["expenditure_reserve"]["change_yuan"] == Decimal("0.00")
    assert lines["procurement_services"]["amount_yuan"] == Decimal("27170000.00")
    run, _ = parse(disclosures["pp17"])
    three = {r["expense_code"]: r for r in run().tables["three_public_expenses"]}
    assert three["official_reception"]["change_yuan"] == Decimal("-296500.00")


JOINED_BY_WEI = {
    # a figure joined to its label by 为 reads as without it (the rule that finds a figure allows 为: so must the
    # patterns that read it, or a well-printed figure is an error, or a class is dropped unseen)
    "a share": ("cp17", "一般公共预算收入9066.79万元", "一般公共预算收入为9066.79万元", "checks", "一般公共预算收入"),
    "a function class": ("hc17", "公共安全（类）支出23513.11万元", "公共安全（类）支出为23513.11万元", "budget_lines",
                         "公共安全（类）支出"),
    "an item": ("hc17", "行政运行（项）支出11786.92万元", "行政运行（项）支出为11786.92万元", "budget_lines",
                "行政运行（项）"),
}


@pytest.mark.parametrize("name", list(JOINED_BY_WEI))
def test_a_figure_joined_to_its_label_by_wei_reads_as_without_it(disclosures, name):
    key, old, new, table, label = JOINED_BY_WEI[name]

    def found(tables):  # the share is published as its check: the share of the figure read
        if table == "checks":
            return sorted((r["check_id"], r["status"], str(r["stated_yuan"]), r["computed_yuan"])
                          for r in tables["checks"] if label in (r["subject"] or "") + (r["stated_label_zh"] or ""))
        return sorted((r["label_zh"], r["amount_yuan"]) for r in tables[table] if label in r["label_zh"])

    run, _ = parse(disclosures[key])
    before = found(run().tables)
    run, _ = parse(disclosures[key], old, new)
    assert before and found(run().tables) == before
