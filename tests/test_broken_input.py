"""Broken and hostile raw files: each fails alone, loudly (file, line, what was expected), and is recorded.

One build over a corpus of bad files next to the seed checks the whole path: the seed is published, every
bad file is quarantined in the build report with its reason, the exit code says so, nothing is written
outside the output directory but the report and the lock file beside it.
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.build.cache import ParseCache
from pipeline.build.incremental import parse_corpus
from pipeline.cli import EXIT_BUSY, EXIT_QUARANTINED, main
from pipeline.errors import DocumentError
from pipeline.package import report
from pipeline.package.lock import LockBusy, build_lock, lock_path
from pipeline.package.validate import validate_package
from pipeline.raw.discover import discover
from pipeline.tables import parse
from pipeline.tables.parse import parse_raw_document


def _seed() -> str:
    return (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _parse_one(tmp_path: Path, name: str, data: bytes, **kwargs):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / name).write_bytes(data)
    (doc,) = [d for d in discover(raw, **kwargs) if d.relpath == name]
    return parse_raw_document(doc)


def _error(tmp_path: Path, name: str, data: bytes, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        _parse_one(tmp_path, name, data, **kwargs)
    assert str(info.value).startswith(name)
    return info.value


# -- one problem at a time: the message names the file, the line and what was expected -------------------


def test_cut_off_file_names_the_last_line_and_the_missing_sections(tmp_path):
    lines = _lines(_seed())
    cut = 1600
    err = _error(tmp_path, "cut.txt", "\n".join(lines[:cut]).encode())
    assert err.line == cut
    assert "cut off" in err.detail and "国有资产" in err.detail and "名词解释" in err.detail


def test_cut_off_mid_line_and_mid_character(tmp_path):
    data = _seed().encode()
    at = len(data) // 2 - 2  # in line 528 (…免除): 除 is the three bytes at, at + 1, at + 2
    assert data[at:at + 3].decode("utf-8") == "除"
    whole = data[: at + 3]
    whole.decode("utf-8")  # ends after a whole character, mid-line: read, then found cut off
    err = _error(tmp_path, "mid.txt", whole)
    assert err.line == whole.count(b"\n") + 1 == 528  # the last, cut line
    assert err.detail.startswith("the text ends in section '五、绩效预算信息'") and "cut off" in err.detail

    part = data[: at + 1]  # ends inside the UTF-8 sequence of 除
    with pytest.raises(UnicodeDecodeError):
        part.decode("utf-8")
    err = _error(tmp_path, "mid-char.txt", part)
    assert err.line == 528
    assert err.detail.startswith(f"not valid UTF-8 at byte {at} (unexpected end of data)")


def test_missing_middle_section_is_a_warning_not_a_quarantine(tmp_path):
    text = _seed()
    start = text.index("三、机关运行经费安排情况")
    end = text.index("四、财政拨款")
    parsed = _parse_one(tmp_path, "no-running.txt", (text[:start] + text[end:]).encode())
    assert any("'running_costs' is missing" in w for w in parsed.warnings)
    assert "institutional_operating_costs" not in {r["line_code"] for r in parsed.tables["budget_lines"]}


def test_extra_cell_in_a_table_row_is_quarantined_with_its_line(tmp_path):
    lines = _lines(_seed())
    at = lines.index("\t廊坊市广阳区万庄镇财政所")
    lines.insert(at + 4, "\t多出来的一格")
    err = _error(tmp_path, "extra.txt", "\n".join(lines).encode())
    assert err.line == at + 1 and "cells" in err.detail and "header has 4" in err.detail


def test_missing_cells_in_a_procurement_row_are_a_recorded_warning(seed_parsed):
    assert any(":1646: procurement row has 10 of 14 cells" in w for w in seed_parsed.warnings)


def test_stray_mark_in_a_printed_amount_is_read_and_recorded(seed_parsed):
    (total,) = [r for r in seed_parsed.tables["three_public_expenses"] if r["expense_code"] == "vehicles"]
    assert total["amount_text"] == "4.37。万元" and total["amount_yuan"] == Decimal("43700.00")
    assert any(":65: amount printed as '4.37。万元'" in w for w in seed_parsed.warnings)


@pytest.mark.parametrize(
    ("old", "new", "expected", "line"),
    [
        ("2019年预算收入6041.24万元", "2019年预算收入6041.2.4万元", "not a number", 57),
        ("\t1097.10\n", "\t1097.1O\n", "not a number", 1671),  # letter O for zero
        ("\t0.35\n", "\t0.3555555\n", "not a whole number of fen", 1557),
    ],
)
def test_a_number_that_does_not_parse_is_quarantined_with_its_line(tmp_path, old, new, expected, line):
    text = _seed()
    assert old in text
    broken = text.replace(old, new, 1)
    err = _error(tmp_path, "number.txt", broken.encode())
    assert broken[: broken.index(new.strip())].count("\n") + 1 == line  # the line the figure is printed on
    assert expected in err.detail and err.line == line


def test_oversize_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    big = raw / "big.txt"
    big.write_bytes(_seed().encode())
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    (doc,) = discover(raw, max_bytes=1000)
    assert doc.refusal and "over the raw size limit of 1000 bytes" in doc.refusal and doc.sha256 == ""
    with pytest.raises(DocumentError, match="--max-raw-bytes"):
        parse_raw_document(doc)
    assert "big.txt" not in opened  # neither hashed nor read
    monkeypatch.setenv("YUSUAN_MAX_RAW_BYTES", "1000")
    (doc,) = discover(raw)
    assert doc.refusal


def test_file_that_grows_past_the_limit_after_discovery_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "grows.txt").write_bytes(_seed().encode())
    (doc,) = discover(raw)
    with pytest.raises(DocumentError, match="over the raw size limit of 100 bytes"):
        parse_raw_document(doc, max_bytes=100)


def test_symlink_out_of_raw_is_refused_and_inside_is_read(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(_seed(), encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "escape.txt").symlink_to(outside)
    (raw / "real.txt").write_text(_seed(), encoding="utf-8")
    (raw / "alias.txt").symlink_to(raw / "real.txt")
    (raw / "dangling.txt").symlink_to(raw / "nothing")
    docs = {d.relpath: d for d in discover(raw)}
    assert "outside the raw directory" in docs["escape.txt"].refusal and docs["escape.txt"].sha256 == ""
    assert "not a regular file" in docs["dangling.txt"].refusal
    assert docs["alias.txt"].refusal is None and parse_raw_document(docs["alias.txt"]).document_id


def test_same_department_and_year_twice(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    seed = _seed()
    (raw / "a.txt").write_text(seed, encoding="utf-8")
    (raw / "b-copy.txt").write_text(seed, encoding="utf-8")
    (raw / "c-edited.txt").write_text(seed.replace("基本支出5931.45万元", "基本支出5931.46万元"), encoding="utf-8")
    results = parse_corpus(discover(raw), ParseCache(tmp_path / "cache"), workers=1)
    assert results.parsed == ()  # a and its copy differ from c: none can be trusted
    reasons = {f.relpath: f.reason for f in results.failed}
    assert "b-copy.txt" in reasons["a.txt"] and "c-edited.txt" in reasons["a.txt"]
    assert "none of them is published" in reasons["c-edited.txt"]

    (raw / "c-edited.txt").unlink()
    results = parse_corpus(discover(raw), ParseCache(tmp_path / "cache"), workers=1)
    assert [raw.relpath for raw, _ in results.parsed] == ["a.txt"]
    (dup,) = results.failed
    assert dup.relpath == "b-copy.txt" and "exact copy of a.txt" in dup.reason


def test_a_parser_bug_quarantines_the_document_not_the_build(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(_seed(), encoding="utf-8")
    (raw / "boom.txt").write_text(_seed().replace("万庄镇人民政府2019", "万庄镇人民政府2020", 1), encoding="utf-8")
    real = parse.parse_raw_document

    def flaky(doc, *args, **kwargs):
        if doc.relpath == "boom.txt":
            raise ZeroDivisionError("simulated bug")
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(parse, "parse_raw_document", flaky)
    results = parse_corpus(discover(raw), ParseCache(tmp_path / "cache"), workers=1)
    assert [r.relpath for r, _ in results.parsed] == ["a.txt"]
    assert "internal error ZeroDivisionError: simulated bug" in results.failed[0].reason
    # a parser bug is not cached as the document's outcome: without it the document parses
    monkeypatch.undo()
    again = parse_corpus(discover(raw), ParseCache(tmp_path / "cache"), workers=1)
    assert [r.relpath for r, _ in again.parsed] == ["a.txt", "boom.txt"] and not again.failed


# -- the whole build: report, summary, exit code, nothing written outside ---------------------------------


# (A name starting with "." is a hidden file, which discover() never treats as a document.)
HOSTILE_NAMES = ["with space.txt", "中文 文件名.txt", "dots..txt", "-rf --out=x.txt", "a..b.txt"]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(root.rglob("*")) if not p.is_symlink()}


def test_build_with_bad_and_hostile_files_publishes_the_rest_and_reports_each(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    raw = copy_seed_raw(tmp_path / "raw")
    seed = _seed()
    lines = _lines(seed)
    (raw / "empty.tika.txt").write_bytes(b"")
    (raw / "garbage.bin.txt").write_bytes(bytes(range(256)) * 4)
    (raw / "cut-off.tika.txt").write_text("\n".join(lines[:1000]), encoding="utf-8")
    (raw / "bad-number.tika.txt").write_text(seed.replace("\t715.68\n", "\t715.6８x\n", 1), encoding="utf-8")
    (raw / "copy-of-seed.tika.txt").write_bytes((raw / SEED_NAME).read_bytes())
    (raw / "too-big.tika.txt").write_bytes(b"x" * 200_000 + b"\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.txt").write_text(seed, encoding="utf-8")
    (raw / "link-out.txt").symlink_to(elsewhere / "outside.txt")
    # Hostile names: each is a GB18030 variant of the seed for another (made-up) department.
    for i, name in enumerate(HOSTILE_NAMES):
        text = seed.replace("万庄镇", f"{'甲乙丙丁戊'[i]}庄镇")
        (raw / name).write_bytes(text.encode("gb18030"))
    before = _snapshot(tmp_path)

    out = tmp_path / "pkg"
    code = main(["build", "--raw", "raw", "--out", "pkg", "--max-raw-bytes", "100000"])
    captured = capsys.readouterr()
    assert code == EXIT_QUARANTINED, captured.err

    rep = json.loads((tmp_path / "pkg.build-report.json").read_text(encoding="utf-8"))
    status = {d["file"]: d for d in rep["documents"]}
    assert rep["outcome"] == "published_with_quarantine" and rep["exit_code"] == EXIT_QUARANTINED
    quarantined = {f for f, d in status.items() if d["status"] == "quarantined"}
    assert quarantined == {"copy-of-seed.tika.txt","empty.tika.txt", "garbage.bin.txt", "cut-off.tika.txt", "bad-number.tika.txt",
                           "too-big.tika.txt", "link-out.txt"}
    expected_reason = {
        "empty.tika.txt": "empty", "garbage.bin.txt": "binary data", "cut-off.tika.txt": "cut off",
        "bad-number.tika.txt": "not a number", "too-big.tika.txt": "size limit",
        "link-out.txt": "outside the raw directory",
    }
    for name, words in expected_reason.items():
        assert words in status[name]["reason"], (name, status[name])
        assert name in captured.err  # the human summary names it too
    assert status["cut-off.tika.txt"]["line"] == 1000
    assert rep["counts"]["quarantined"] == len(quarantined)
    assert rep["counts"]["documents"] == len(status) == len(list(discover(raw, max_bytes=1 << 30)))
    assert "QUARANTINED" in captured.err and "pkg.build-report.json" in captured.err
    assert status[SEED_NAME]["status"] == "warned"
    assert status["copy-of-seed.tika.txt"]["status"] == "quarantined"
    assert "exact copy" in status["copy-of-seed.tika.txt"]["reason"]
    for name in HOSTILE_NAMES:
        assert status[name]["status"] == "warned" and status[name]["source_encoding"] == "gb18030", status[name]
    assert validate_package(out / "datapackage.json").ok
    published = (out / "data" / "csv" / "documents" / "part-00000.csv").read_text(encoding="utf-8")
    for name in HOSTILE_NAMES:
        assert name in published or f'"{name}"' in published

    # Nothing was written outside pkg/ except the report and the lock file beside it; raw/ is untouched.
    after = _snapshot(tmp_path)
    new = sorted(set(after) - set(before))
    assert [n for n in new if not n.startswith("pkg/") and n != "pkg"] == [".pkg.lock", "pkg.build-report.json"]
    assert all(after[k] == v for k, v in before.items())


def test_build_report_is_deterministic(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    copy_seed_raw(tmp_path / "raw")
    (tmp_path / "raw" / "junk.txt").write_text("随便\n", encoding="utf-8")
    assert main(["build", "--raw", "raw", "--out", "a/pkg"]) == EXIT_QUARANTINED
    assert main(["build", "--raw", "raw", "--out", "b/pkg"]) == EXIT_QUARANTINED
    first = (tmp_path / "a" / "pkg.build-report.json").read_bytes()
    assert first == (tmp_path / "b" / "pkg.build-report.json").read_bytes()
    assert json.loads(first)["counts"] == {"documents": 2, "built": 0, "warned": 1, "quarantined": 1}


# -- concurrency: the build lock -------------------------------------------------------------------------


def _lock_holder(out: Path):
    """Another process holding the build lock of ``out`` (as a running build does) until its stdin closes or
    reads a line; it prints ``held`` once it holds the lock. No timing: it holds as long as the test needs."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pipeline.package.lock import build_lock\n"
         f"with build_lock({str(out)!r}):\n    print('held', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return holder


def test_second_build_refuses_while_the_lock_is_held(tmp_path, capsys):
    out = tmp_path / "pkg"
    # Hold the lock from another process, as a running build does.
    holder = _lock_holder(out)
    try:
        assert holder.stdout.readline().strip() == "held"
        code = main(["build", "--raw", str(RAW_DIR), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == EXIT_BUSY
        assert "another build is running" in err and f"pid {holder.pid}" in err and "--wait" in err
        assert not out.exists() and not report.report_path(out).exists()
        with pytest.raises(LockBusy, match="after waiting 0.3 s"):
            with build_lock(out, wait=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the killed holder's lock: the lock is free again at once.
    with build_lock(out, wait=0):
        assert lock_path(out).read_text().strip() == str(os.getpid())


def test_waiting_build_gets_the_lock_when_the_holder_finishes(tmp_path, monkeypatch):
    import threading

    from pipeline.package import lock

    out = tmp_path / "pkg"
    holder = _lock_holder(out)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy):
            with build_lock(out, wait=0):
                pass
        # Handshake instead of a sleep: the holder lets go only once the waiting build has found the lock busy.
        refused, acquired = threading.Event(), threading.Event()
        real_try = lock._try_lock
        monkeypatch.setattr(lock, "_try_lock", lambda fd: real_try(fd) or refused.set())

        def wait_for_it():
            with build_lock(out, wait=600):  # queued behind the holder, then ours
                acquired.set()

        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        assert refused.wait(600) and not acquired.is_set()
        holder.stdin.write("release\n")
        holder.stdin.flush()
        waiter.join(600)
        assert acquired.is_set()
    finally:
        holder.kill()
        holder.wait()
    assert lock_path(out).read_text().strip() == str(os.getpid())


def test_lock_is_reentrant_within_a_process(tmp_path):
    with build_lock(tmp_path / "pkg"):
        with build_lock(tmp_path / "pkg", wait=0):
            pass
        with build_lock(tmp_path / "pkg", wait=0):
            pass


# -- rows that would break the package are caught per document -------------------------------------------


def test_rows_breaking_a_schema_constraint_quarantine_the_document_not_the_package(seed_parsed):
    from pipeline.tables.rowcheck import check_rows

    tables = {name: [dict(r) for r in rows] for name, rows in seed_parsed.tables.items()}
    check_rows(tables, "seed.txt")  # the seed's rows pass
    units = tables["organisation_units"]
    units[1]["unit_seq"] = units[0]["unit_seq"]
    with pytest.raises(DocumentError, match="two rows with the same key") as info:
        check_rows(tables, "seed.txt")
    assert info.value.line == int(units[1]["source_ref"].split("-")[0][1:])
    units[1]["unit_seq"] = 2
    tables["budget_lines"][0]["line_code"] = "not_a_code"
    with pytest.raises(DocumentError, match="expected one of"):
        check_rows(tables, "seed.txt")


def test_readme_build_report_is_what_a_build_writes(tmp_path, monkeypatch, capsys):
    """The report shown in docs/failures.md comes from this corpus, byte for byte."""
    import re

    readme = (Path(__file__).parent.parent / "docs" / "failures.md").read_text(encoding="utf-8")
    section = readme[readme.index("# When a document fails"):]
    shown = re.search(r"```json\n(.+?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    copy_seed_raw(tmp_path / "raw")
    seed = _seed()
    (tmp_path / "raw" / "cut-off-download.tika.txt").write_text("\n".join(_lines(seed)[:1600]), encoding="utf-8")
    typo = seed.replace("万庄镇", "北旺镇").replace("\t715.68\n", "\t715.6B\n", 1)
    (tmp_path / "raw" / "typo-in-a-figure.tika.txt").write_text(typo, encoding="utf-8")
    assert main(["build"]) == EXIT_QUARANTINED
    assert (tmp_path / "datapackage.build-report.json").read_text(encoding="utf-8") == shown
    assert "QUARANTINED typo-in-a-figure.tika.txt:1675" in capsys.readouterr().err
