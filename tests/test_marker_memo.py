"""The published-files memo (pipeline.package.marker): a file whose identity is remembered is not hashed again,
and a file changed in place is still found, memo or not."""

from __future__ import annotations

import hashlib
import os

from pipeline.package import marker


def _package(folder, files: dict[str, bytes]) -> None:
    folder.mkdir()
    listed = {}
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
        listed[rel] = (len(data), f"sha256:{hashlib.sha256(data).hexdigest()}")
    marker.write_marker(folder, listed)


def test_a_remembered_file_is_not_hashed_again_and_a_changed_one_is_found(tmp_path, monkeypatch):
    out, memo = tmp_path / "out", tmp_path / "cache"
    _package(out, {"a.csv": b"x,y\n1,2\n", "b.csv": b"x\n3\n"})
    marker.record_published(out, memo)
    assert marker.problems(out, memo) == []

    hashed = []
    real = marker.sha256_file
    monkeypatch.setattr(marker, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    assert marker.problems(out, memo) == [] and hashed == []  # every file known by its identity

    (out / "a.csv").write_bytes(b"x,y\n1,9\n")  # same size, new content (and a new mtime)
    st = os.stat(out / "a.csv")
    os.utime(out / "a.csv", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert marker.problems(out, memo) == ["a.csv (changed since yusuan wrote it)"]
    assert hashed == ["a.csv"]
    assert marker.problems(out) == ["a.csv (changed since yusuan wrote it)"]  # the same without a memo


def test_a_memo_of_another_format_is_not_trusted(tmp_path, monkeypatch):
    out, memo = tmp_path / "out", tmp_path / "cache"
    _package(out, {"a.csv": b"1\n"})
    marker.record_published(out, memo)
    path = marker.memo_path(memo, out)
    path.write_text(path.read_text(encoding="utf-8").replace(marker.MEMO_FORMAT, "yusuan-raw-sha256-memo/1"),
                    encoding="utf-8")
    hashed = []
    real = marker.sha256_file
    monkeypatch.setattr(marker, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    assert marker.problems(out, memo) == [] and hashed == ["a.csv"]
