"""No absolute path of a machine in the repository: CI runs on a fresh clone in any folder.

Every tracked file (text or binary) is searched for the fixed locations a developer's machine puts into a
file by accident: this checkout's own folder, the home folder, the temporary folder, and the usual roots of
work and home folders. A test or document that needs a file names it relative to the repository; a test
that needs a scratch folder uses ``tmp_path``. (Example deployment paths such as ``/mnt/yusuan/...`` in
``deploy/`` are configuration a user edits, not locations of this machine.)
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from conftest import REPO

# A path starting at one of these roots, not part of a longer word or URL (``https://host/tmp/x`` passes).
START = rb"(?<![\w.~/-])"
FIXED_ROOTS = rb"/(?:work|root|tmp|Users|home/[^/\s\"'`]+)/"
WINDOWS_HOME = rb"\b[A-Za-z]:[\\/]+Users[\\/]"


def _pattern() -> re.Pattern:
    """The fixed roots, plus this machine's own folders wherever the clone is: the checkout, the home folder
    and the temporary folder."""
    own = {str(REPO), str(Path.home()), tempfile.gettempdir()}
    own_paths = [re.escape(p.rstrip("/").encode()) + rb"/" for p in sorted(own) if len(p.rstrip("/")) > 1]
    return re.compile(START + rb"(?:" + rb"|".join([FIXED_ROOTS, *own_paths]) + rb")|" + WINDOWS_HOME, re.I)


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (e.g. an unpacked archive)
        skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "yusuan.egg-info"}
        return [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.relative_to(REPO).parts)]
    return [REPO / name.decode() for name in out.split(b"\0") if name]


def find_machine_paths(files: list[Path]) -> list[str]:
    """``file:line: text`` for every occurrence of a machine path in ``files``."""
    hits = []
    pattern = _pattern()
    for path in files:
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.decode('utf-8', 'replace').strip()[:120]}")
    return hits


def test_no_tracked_file_names_an_absolute_path_of_a_machine():
    files = _tracked_files()
    assert len(files) > 50  # the repository itself, not an empty listing
    assert find_machine_paths(files) == []


def test_the_search_finds_what_it_looks_for(tmp_path, monkeypatch):
    monkeypatch.setitem(globals(), "REPO", tmp_path)
    samples = {
        "a.py": 'P = Path("/' + 'work/shared/standards/x.json")\n',
        "b.md": "copied from `/" + "root/.cache/x`\n",
        "c.txt": "see /" + "home/alice/notes\n",
        "d.txt": "C:\\" + "Users\\bob\\x\n",
        "e.bin": b"\x00\x01".decode() + str(tmp_path) + "/x\n",
        "ok.md": "https://example.org/tmp/x, ~/.cache/yusuan, /mnt/yusuan/raw, #!/usr/bin/env bash\n",
    }
    for name, text in samples.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    hits = find_machine_paths(sorted(tmp_path.iterdir()))
    assert sorted(h.split(":", 1)[0] for h in hits) == ["a.py", "b.md", "c.txt", "d.txt", "e.bin"]
