"""Careless and hostile input through the real ``yusuan`` program, a subprocess, as issue 11 tried it.

Every case asserts the exit code, the message (plain text, no traceback) and that nothing outside the output
folder was touched: a snapshot of the surrounding folder (content, mode and mtime of every file, every link)
is taken before and after. A refusal (exit 2) touches nothing at all; a build may add or replace only the
output folder, its build report and its lock file.

Refusals take a second each and run a few at a time (:func:`run_all`); builds take a few seconds each, so the
cases that need one share it: one corpus holds every broken document at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME

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
    shutil.copytree(RAW_DIR, folder / "raw")
    return folder / "raw"


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
