"""Careless and hostile input through the real ``yusuan`` program, a subprocess, as issue 11 tried it.

Every case asserts the exit code, the message (plain text, no traceback) and that nothing outside the output
folder was touched: a snapshot of the surrounding folder (content, mode and mtime of every file, every link)
is taken before and after. A refusal (exit 2) touches nothing at all; a build may add or replace only the
output folder, its build report and its lock file.

Refusals take a second each and run a few at a time (:func:`run_all`); builds take a few seconds each, so the
cases that need one share it: one corpus holds every broken document at once.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME, copy_seed_raw

from pipeline.package.marker import MARKER_NAME, write_staging_marker

SEED = (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")
EXE = Path(sys.executable).with_name("yusuan")
# Variables a user's shell may hold that would steer the build elsewhere.
_DROP = ("DAGSTER_HOME", "YUSUAN_RAW_DIR", "YUSUAN_OUT_DIR", "YUSUAN_WORKERS", "YUSUAN_MAX_RAW_BYTES")


def yusuan(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "pipeline.cli"]
    base = {k: v for k, v in os.environ.items() if k not in _DROP}
    return subprocess.run([*cmd, *args], cwd=cwd, env={**base, "SOURCE_DATE_EPOCH": "", **(env or {})},
                          capture_output=True, text=True, timeout=600)


def run_all(cases: dict[str, tuple]) -> dict[str, subprocess.CompletedProcess]:
    """``{name: (args, cwd, env)}`` run a few at a time (each its own ``yusuan`` process)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(yusuan, *args, cwd=cwd, env=env) for name, (args, cwd, env) in cases.items()}
        return {name: f.result() for name, f in futures.items()}


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Every path under ``root`` (links not followed) with what it is; paths starting with ``skip`` left out."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        st = path.lstat()
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            found[rel] = ("dir", st.st_mode)
        else:
            found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mode, st.st_mtime_ns)
    return found


def plain(proc: subprocess.CompletedProcess) -> str:
    """stderr + stdout, asserting it reads as plain text: no traceback, no Python class path, no markup tags."""
    text = proc.stderr + proc.stdout
    assert "Traceback" not in text and "Error:" not in text.replace("yusuan", ""), text
    assert "pipeline." not in text and "[/" not in text.replace("[/x]", ""), text
    return text


def make_raw(folder: Path) -> Path:
    return copy_seed_raw(folder / "raw")


# -- 1. the output folder: refused up front, nothing touched -----------------------------------------------


def _stray_descriptor(d: Path):
    make_raw(d)
    (d / "mydata").mkdir()
    (d / "mydata" / "datapackage.json").write_text("{}\n")
    (d / "mydata" / "thesis.docx").write_text("years of work")
    return ["build", "--out", "mydata"], d, None


def _project_folder_as_out(d: Path):
    make_raw(d)
    (d / "datapackage.json").write_text("{}\n")
    (d / ".git").mkdir()
    (d / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (d / "notes.txt").write_text("notes")
    return ["build", "--out", "."], d, None


def _home_folder(d: Path):
    make_raw(d)
    home = d / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("key")
    (home / ".bashrc").write_text("alias x=y")
    (home / "Documents").mkdir()
    (home / "Documents" / "letter.txt").write_text("dear")
    (home / "datapackage.json").write_text("{}\n")
    return ["build", "--raw", str(d / "raw"), "--out", str(home)], d, {"HOME": str(home)}


def _with_raw(args: list[str], setup=None):
    def case(d: Path):
        make_raw(d)
        if setup:
            setup(d)
        return ["build", *args], d, None
    return case


def _file(name: str, text: str = "x"):
    def setup(d: Path):
        (d / name).write_text(text)
    return setup


def _copy_raw_to(rel: str):
    def setup(d: Path):
        shutil.copytree(d / "raw", d / rel)
    return setup


def _symlink(name: str, target: str, folder: bool = False):
    def setup(d: Path):
        if folder:
            (d / target).mkdir()
        else:
            (d / target).write_text("a user's file")
        (d / name).symlink_to(d / target)
    return setup


FOLDER_REFUSALS = {
    # name: (setup, words the message must hold)
    "stray datapackage.json beside a user's file": (_stray_descriptor, ["refusing to replace mydata", "thesis.docx"]),
    "--out . in a project folder": (_project_folder_as_out, ["is the folder this command runs in"]),
    "the home folder holding a stray datapackage.json": (_home_folder, ["is your home folder"]),
    "--out /": (_with_raw(["--out", "/"]), ["--out / is the root folder"]),
    '--out ""': (_with_raw(["--out", ""]), ["--out is empty"]),
    "--out whose parent is a file": (_with_raw(["--out", "afile/pkg"], _file("afile")), ["afile is a file"]),
    "--out inside --raw": (_with_raw(["--out", "raw/pkg"]), ["--out raw/pkg is inside --raw raw"]),
    "--raw inside --out": (_with_raw(["--raw", "data/raw", "--out", "data"], _copy_raw_to("data/raw")),
                           ["--raw data/raw is inside --out data"]),
    "--cache equal to --out": (_with_raw(["--out", "pkg", "--cache", "pkg"]), ["--cache pkg is the same folder as --out pkg"]),
    "--cache inside --out": (_with_raw(["--out", "pkg", "--cache", "pkg/cache"]), ["--cache pkg/cache is inside --out"]),
    "--cache inside --raw": (_with_raw(["--out", "pkg", "--cache", "raw/cache"]), ["--cache raw/cache is inside --raw"]),
    "--out a symbolic link": (_with_raw(["--out", "pkg"], _symlink("pkg", "elsewhere", folder=True)), ["symbolic link"]),
    "a user's file where the report goes": (
        _with_raw(["--out", "pkg"], _file("pkg.build-report.json", "my own notes")),
        ["pkg.build-report.json (where the build report goes)", "was not written by yusuan"]),
    "a link where the lock goes": (_with_raw(["--out", "pkg"], _symlink(".pkg.lock", "target.txt")),
                                   [".pkg.lock (where the build lock goes)", "not a plain file"]),
}


def _env(**env):
    def case(d: Path):
        args, cwd, _ = _with_raw(["--out", "pkg"])(d)
        return args, cwd, env
    return case


# 4. arguments and environment a person can get wrong
FOLDER_REFUSALS |= {
    "--raw given the manifest file": (_with_raw(["--raw", "raw/manifest.json", "--out", "pkg"]),
                                      ["--raw raw/manifest.json is a file, not a folder"]),
    "--raw that does not exist": (_with_raw(["--raw", "nowhere", "--out", "pkg"]), ["nowhere does not exist"]),
    "YUSUAN_WORKERS=abc": (_env(YUSUAN_WORKERS="abc"), ["YUSUAN_WORKERS='abc': expected a whole number"]),
    "YUSUAN_MAX_RAW_BYTES=-1": (_env(YUSUAN_MAX_RAW_BYTES="-1"), ["YUSUAN_MAX_RAW_BYTES='-1'"]),
    "--max-raw-bytes 0": (_with_raw(["--out", "pkg", "--max-raw-bytes", "0"]),
                          ["--max-raw-bytes must be a positive number of bytes"]),
}
ARGUMENT_ERRORS = {  # argparse's own exit code 2 and message
    "--workers 0": (["--workers", "0"], "argument --workers: must be 1 or more, got 0"),
    "--wait nan": (["--wait", "nan"], "argument --wait: expected a number of seconds, 0 or more, got 'nan'"),
    "--wait -1": (["--wait", "-1"], "argument --wait: expected a number of seconds, 0 or more, got '-1'"),
}


@pytest.fixture(scope="module")
def folder_refusals(tmp_path_factory):
    root = tmp_path_factory.mktemp("refusals")
    cases, before, folders = {}, {}, {}
    for i, (name, (setup, _)) in enumerate(FOLDER_REFUSALS.items()):
        folder = root / f"case{i:02d}"
        folder.mkdir()
        cases[name] = setup(folder)
        folders[name] = folder
        before[name] = snapshot(folder)
    results = run_all(cases)
    return {name: (results[name], before[name], snapshot(folders[name])) for name in cases}


@pytest.mark.parametrize("name", list(FOLDER_REFUSALS))
def test_unusable_output_folders_are_refused_up_front_and_nothing_is_touched(folder_refusals, name):
    proc, before, after = folder_refusals[name]
    text = plain(proc)
    assert proc.returncode == 2, text
    for words in FOLDER_REFUSALS[name][1]:
        assert words in text, text
    assert "Nothing was read or written" in text
    assert after == before  # not even a lock file or a report


@pytest.mark.parametrize("name", list(ARGUMENT_ERRORS))
def test_bad_arguments_are_refused_by_the_parser(tmp_path, name):
    make_raw(tmp_path)
    before = snapshot(tmp_path)
    args, message = ARGUMENT_ERRORS[name]
    proc = yusuan("build", "--out", "pkg", *args, cwd=tmp_path)
    assert proc.returncode == 2 and message in plain(proc)
    assert snapshot(tmp_path) == before


def test_version(tmp_path):
    from importlib.metadata import version

    proc = yusuan("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"yusuan {version('yusuan')}"


def test_root_is_refused_without_writing_beside_it(tmp_path):
    before = {p for p in ("/.build-report.json", "/..lock") if os.path.lexists(p)}
    make_raw(tmp_path)
    proc = yusuan("build", "--out", "/", cwd=tmp_path)
    assert proc.returncode == 2 and "root folder" in plain(proc)
    assert {p for p in ("/.build-report.json", "/..lock") if os.path.lexists(p)} == before


# -- 1. a build replaces only its own package, and tidies only its own leftovers ---------------------------


def test_a_build_replaces_only_a_package_it_published_holding_nothing_else(tmp_path):
    make_raw(tmp_path)
    first = yusuan("build", "--out", "pkg", cwd=tmp_path)
    assert first.returncode == 0, plain(first)
    pkg = tmp_path / "pkg"
    published = snapshot(pkg)
    assert MARKER_NAME in published
    umask = os.umask(0)
    os.umask(umask)
    for beside in ("pkg.build-report.json", ".pkg.lock", "pkg/datapackage.json", f"pkg/{MARKER_NAME}"):
        assert (tmp_path / beside).stat().st_mode & 0o777 == 0o666 & ~umask, beside  # readable like the package

    # A file added to the package, or one changed in it: refused, nothing touched.
    (pkg / "my-notes.txt").write_text("mine")
    readme = (pkg / "README.md").read_bytes()
    (pkg / "data" / "extra").mkdir()
    for change, words in (
        (lambda: None, ["my-notes.txt (not written by yusuan)", "data/extra/ (a folder yusuan did not write)"]),
        (lambda: ((pkg / "my-notes.txt").unlink(), (pkg / "data" / "extra").rmdir(),
                  (pkg / "README.md").write_bytes(readme + b"my edit\n")),
         [f"README.md (changed since yusuan wrote it: {len(readme) + 8} bytes, not {len(readme)})"]),
        # the same size, other bytes: only the hash tells
        (lambda: (pkg / "README.md").write_bytes(readme[:-2] + b"!\n"), ["README.md (changed since yusuan wrote it)"]),
    ):
        change()
        before = snapshot(tmp_path)
        proc = yusuan("build", "--out", "pkg", cwd=tmp_path)
        text = plain(proc)
        assert proc.returncode == 2, text
        assert all(w in text for w in words), text
        assert snapshot(tmp_path) == before
    (pkg / "README.md").write_bytes(readme)

    # Leftovers: a killed build's staging folder (marked) is removed; folders that only look like leftovers stay.
    killed = tmp_path / ".pkg.staging-0123456789ab"
    killed.mkdir()
    write_staging_marker(killed, "pkg")
    (killed / "half-written.csv").write_text("a,b\n")
    for name in (".pkg.old-mybackup", ".pkg.staging-mine"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "important.txt").write_text("mine")
    before = snapshot(tmp_path, skip=("pkg", "pkg.build-report.json", ".pkg.lock", killed.name))
    proc = yusuan("build", "--out", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 0, text
    assert not killed.exists()
    assert snapshot(tmp_path, skip=("pkg", "pkg.build-report.json", ".pkg.lock")) == before
    assert "left .pkg.old-mybackup alone" in text and "left .pkg.staging-mine alone" in text
    report = json.loads((tmp_path / "pkg.build-report.json").read_text(encoding="utf-8"))
    assert any("removed .pkg.staging-0123456789ab" in n for n in report["notes"])
    contents = lambda snap: {k: v[1] for k, v in snap.items() if v[0] == "file"}  # noqa: E731
    assert contents(snapshot(pkg)) == contents(published)  # the same package again


# -- 3. the raw manifest: a value of the wrong type names its entry and key, before anything is read ---------


def _manifest(change):
    def case(d: Path):
        raw = make_raw(d)
        data = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
        data = change(data)
        (raw / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return ["build", "--out", "pkg"], d, None
    return case


def _set(**values):
    def change(data):
        data["documents"][0].update(values)
        return data
    return change


FOLDER_REFUSALS |= {
    "manifest: source_url a list": (_manifest(_set(source_url=["x"])),
                                    ["documents[0] ('hebei-", "'source_url' must be text or null, found a list"]),
    "manifest: province_zh an object": (_manifest(_set(province_zh={})),
                                        ["documents[0]", "'province_zh' must be text or null, found an object"]),
    "manifest: retrieved_date a number": (_manifest(_set(retrieved_date=20261127)),
                                          ["documents[0]", "'retrieved_date' must be a date as text"]),
    "manifest: file a number": (_manifest(_set(file=7)), ["documents[0]: 'file' must be the file's path"]),
    "manifest: a list at the top": (_manifest(lambda data: data["documents"]), ["expected an object", "found a list"]),
}


# -- 2. a figure that cannot be read: its document is quarantined at its line, the others are published -----


def _department(text: str, i: int) -> str:
    return text.replace("万庄镇", "甲乙丙丁戊己庚辛壬癸"[i] + "庄镇")


INCOME = "2019年预算收入6041.24万元"


def outside(root: Path) -> dict:
    """The surrounding folder but the output, its report and its lock: what a build must never touch."""
    return snapshot(root, skip=("pkg", "pkg.build-report.json", ".pkg.lock"))


def test_a_misread_figure_quarantines_its_document_at_its_line(tmp_path):
    raw = make_raw(tmp_path)
    printed = ["6041.2B万元", "6O41.24万元", "1e309万元", "NaN万元", "6041。24万元", "6041.24万，", "6041.24亿元"]
    for i, figure in enumerate(printed):
        (raw / f"income-{i}.txt").write_text(_department(SEED.replace(INCOME, "2019年预算收入" + figure, 1), i),
                                             encoding="utf-8")
    # The wrong number: the total unreadable, the source after it stated as 6000.00万元.
    wrong = SEED.replace(INCOME, "2019年预算收入6041.2B万元", 1).replace("一般公共预算收入6041.24万元",
                                                                         "一般公共预算收入6000.00万元", 1)
    (raw / "wrong-number.txt").write_text(_department(wrong, 9), encoding="utf-8")
    before = outside(tmp_path)
    proc = yusuan("build", "--out", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 3, text
    report = json.loads((tmp_path / "pkg.build-report.json").read_text(encoding="utf-8"))
    status = {d["file"]: d for d in report["documents"]}
    for name in [f"income-{i}.txt" for i in range(len(printed))] + ["wrong-number.txt"]:
        assert status[name]["status"] == "quarantined" and status[name]["line"] == 57, status[name]
        assert status[name]["reason"].startswith("预算收入: expected an amount such as 6041.24万元, found"), status[name]
        assert f"QUARANTINED {name}:57: 预算收入: expected an amount" in text
    assert status[SEED_NAME]["status"] == "warned"
    with (tmp_path / "pkg" / "data" / "csv" / "budget_lines" / "part-00000.csv").open(encoding="utf-8") as fh:
        totals = [row["amount_yuan"] for row in csv.DictReader(fh) if row["line_code"] == "income_total"]
    assert totals == ["60412400.00"]  # the seed's own total only: never 60,000,000 from the source after it
    assert outside(tmp_path) == before


def test_a_misread_figure_in_a_pdf_quarantines_its_document_at_its_place(tmp_path, monkeypatch):
    """The Shanghai template (PDF) holds its prose figures to the same rule: a synthetic disclosure whose 收入预算
    is printed as ``…B万元`` is quarantined at its page and lines; the seed beside it is published."""
    from pipeline.synth.shanghai import generate
    from pipeline.synth.shanghai.pdf import Writer

    paragraph = Writer.paragraph

    def misprinted(self, text, *args, **kwargs):
        return paragraph(self, re.sub(r"收入预算([0-9.]+)万元", r"收入预算\1B万元", text, count=1), *args, **kwargs)

    monkeypatch.setattr(Writer, "paragraph", misprinted)
    raw = make_raw(tmp_path)
    (raw / "misprinted.pdf").write_bytes(generate(11)[1])
    before = outside(tmp_path)
    proc = yusuan("build", "--out", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 3, text
    report = json.loads((tmp_path / "pkg.build-report.json").read_text(encoding="utf-8"))
    status = {d["file"]: d for d in report["documents"]}
    pdf = status["misprinted.pdf"]
    assert pdf["status"] == "quarantined" and re.fullmatch(r"p\d+:l\d+(-\d+)?", pdf["where"]), pdf
    assert re.match(r"收入预算: expected an amount such as 3121.42万元, found '[0-9.]+B万元'$", pdf["reason"]), pdf
    assert f"QUARANTINED misprinted.pdf:{pdf['where']}: 收入预算: expected an amount" in text
    assert status[SEED_NAME]["status"] == "warned"
    assert outside(tmp_path) == before


# -- 3. one bad file never stops the build ---------------------------------------------------------------------


def test_one_bad_file_never_stops_the_build(tmp_path):
    raw = make_raw(tmp_path)
    (raw / "quantity.txt").write_text(_department(SEED.replace("\t16.9\n", "\t0.0000001\n", 1), 0), encoding="utf-8")
    (raw / "count.txt").write_text(_department(SEED.replace("\t13\n\t178.27", "\t1234567890123456789012345\n\t178.27",
                                                            1), 1), encoding="utf-8")
    for i, name in enumerate([b"back\\slash.txt", b"new\nline.txt", b"caf\xe9.txt"], start=2):
        with open(os.path.join(os.fsencode(raw), name), "wb") as fh:
            fh.write(_department(SEED, i).encode())
    (raw / "loop").symlink_to("loop")
    # A path that reads as Rich markup ("[bold]", and "[/x]" across a folder and its file): shown as it is.
    (raw / "[bold]junk[").mkdir()
    (raw / "[bold]junk[" / "x].txt").write_text("junk\n", encoding="utf-8")
    before = outside(tmp_path)
    proc = yusuan("build", "--out", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 3, text
    report = json.loads((tmp_path / "pkg.build-report.json").read_bytes().decode("utf-8"))
    status = {d["file"]: d for d in report["documents"]}
    expected = {
        "quantity.txt": (1646, "field 'quantity' is 0.0000001 and has more than 6 decimal places"),
        "count.txt": (1681, "has more than 18 digits before the decimal point"),
        "back\\slash.txt": (None, "the file name holds a backslash"),
        "new\\u000aline.txt": (None, "the file name holds the invisible character U+000A"),
        "caf\\xe9.txt": (None, "the file name is not valid UTF-8"),
        "loop": (None, "a symbolic link that leads round in a loop"),
        "[bold]junk[/x].txt": (1, "no known disclosure template matches"),  # a folder "[bold]junk[", file "x].txt"
    }
    for name, (line, words) in expected.items():
        assert status[name]["status"] == "quarantined" and status[name]["line"] == line, status[name]
        assert words in status[name]["reason"], status[name]
    assert {f for f, d in status.items() if d["status"] != "quarantined"} == {SEED_NAME}
    assert report["counts"] == {"documents": 8, "built": 0, "warned": 1, "quarantined": 7}
    assert "new\\u000aline.txt" in text and "caf\\xe9.txt" in text  # one line each, escaped
    assert "QUARANTINED [bold]junk[/x].txt:1:" in text and "Logging error" not in text
    assert yusuan("validate", "pkg", cwd=tmp_path).returncode == 0
    assert outside(tmp_path) == before


# -- 4. messages a person can act on -------------------------------------------------------------------------


def test_a_single_document_that_fails_is_counted_as_quarantined(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "junk.txt").write_text("junk\n", encoding="utf-8")
    proc = yusuan("build", "--raw", "junk", "--out", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 1, text
    assert text.count("Documents:") == 1 and "Documents: 1 — 0 built, 0 built with warnings, 1 quarantined" in text
    assert "QUARANTINED junk.txt:1: no known disclosure template" in text
    report = json.loads((tmp_path / "pkg.build-report.json").read_text(encoding="utf-8"))
    assert report["counts"]["quarantined"] == 1 and report["outcome"] == "not_published"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("built")
    make_raw(root)
    proc = yusuan("build", "--out", "pkg", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root / "pkg"


def _damaged(built: Path, tmp_path: Path, damage) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(built, pkg, symlinks=True)
    damage(pkg)
    return pkg


def _descriptor(change):
    def damage(pkg: Path):
        path = pkg / "datapackage.json"
        path.write_text(change(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    return damage


def _rename_first(descriptor):
    descriptor["resources"][0]["name"] = "[/x]"
    return json.dumps(descriptor, ensure_ascii=False)


def _other_parquet(pkg: Path):
    """A Parquet part of another table in place of documents': the schema error quotes both schemas in brackets."""
    shutil.copy(pkg / "data/parquet/glossary/part-00000.parquet", pkg / "data/parquet/documents/part-00000.parquet")


def _part_outside(pkg: Path):
    part = pkg / "data/csv/documents/part-00000.csv"
    elsewhere = pkg.parent / "elsewhere.csv"
    shutil.copy(part, elsewhere)
    part.unlink()
    part.symlink_to(elsewhere)


VALIDATE_CASES = {
    "a resource named [/x]": (_descriptor(_rename_first), ["resource '[/x]': not a table of the metadata model"]),
    "a schema error quoting brackets": (_other_parquet, ["got [", "expected ["]),
    "a descriptor nested without end": (lambda pkg: (pkg / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000),
                                        ["nested more than 64 levels deep"]),
    "a part that is a link out of the package": (_part_outside, ["data/csv/documents/part-00000.csv leads outside the "
                                                                 "package"]),
}


@pytest.mark.parametrize("name", list(VALIDATE_CASES))
def test_validate_reports_hostile_packages_in_plain_words(built, tmp_path, name):
    damage, words = VALIDATE_CASES[name]
    _damaged(built, tmp_path, damage)
    proc = yusuan("validate", "pkg", cwd=tmp_path)
    text = plain(proc)
    assert proc.returncode == 1, text
    assert all(w in text for w in words), text


def test_an_expected_error_inside_the_run_is_printed_without_a_class_name(tmp_path):
    make_raw(tmp_path)
    before = outside(tmp_path)
    proc = yusuan("build", "--out", "pkg", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "abc"})
    text = plain(proc)  # no "pipeline.build.results.BuildError: …"
    assert proc.returncode == 1, text
    assert "  datapackage_staging: SOURCE_DATE_EPOCH='abc' is not a Unix timestamp in seconds" in text
    assert not (tmp_path / "pkg").exists() and outside(tmp_path) == before
