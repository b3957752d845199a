"""Word files end to end: the .doc route through LibreOffice (or its refusal when the converter is missing), and
``yusuan build`` on a raw folder holding generated .docx files, the seed's Tika text and a .doc.

The tests that need LibreOffice are skipped on a machine without it, except in CI (``$CI`` set), where
``.ci/run`` installs it and a missing converter is a failure, never a silent skip.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.document.readers import doc_convert
from pipeline.errors import DocumentError
from conftest import RAW_DIR, SEED_NAME
from pipeline.raw.discover import discover
from pipeline.synth import generate_document
from pipeline.synth.expected import expected_tables, without_refs
from pipeline.tables.parse import parse_raw_document



def need_soffice() -> str:
    program = doc_convert.soffice()
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: .ci/run must install libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) is not installed")
    return program


def docx_to_doc(docx_bytes: bytes, work: Path) -> bytes:
    """The test's own conversion .docx -> .doc (Word 97-2003), made with LibreOffice like a publisher's file."""
    program = need_soffice()
    work.mkdir(parents=True, exist_ok=True)
    (work / "in.docx").write_bytes(docx_bytes)
    subprocess.run([program, "--headless", "--norestore", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(work / "out"), str(work / "in.docx")],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})
    return (work / "out" / "in.doc").read_bytes()


def test_a_doc_without_the_converter_is_quarantined_saying_how_to_convert(tmp_path, monkeypatch):
    monkeypatch.setenv("YUSUAN_SOFFICE", str(tmp_path / "no-such-soffice"))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "old.doc").write_bytes(doc_convert.OLE_SIGNATURE + b"\0" * 504)
    (doc,) = discover(raw)
    with pytest.raises(DocumentError, match=r"old\.doc: a Word 97-2003 \.doc file, and LibreOffice \(soffice\).*"
                                            r"apt-get install libreoffice-writer-nogui.*--convert-to docx"):
        parse_raw_document(doc)


def test_a_doc_is_converted_and_read_like_its_docx(tmp_path):
    records, _ = generate_document(3, 7)
    _, docx_bytes = generate_document(3, 7, fmt="docx")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "old.doc").write_bytes(docx_to_doc(docx_bytes, tmp_path / "convert"))
    (doc,) = discover(raw)
    parsed = parse_raw_document(doc)
    assert parsed.tables["documents"][0]["source_format"] == "doc-via-libreoffice"
    expected = expected_tables(records)
    got = without_refs(parsed.tables)
    for table, rows in expected.items():
        assert got[table] == rows, table
    assert list(raw.iterdir()) == [raw / "old.doc"]  # LibreOffice left nothing beside the raw file


def test_a_conversion_that_hangs_is_stopped(tmp_path, monkeypatch):
    hang = tmp_path / "soffice"
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    monkeypatch.setenv("YUSUAN_SOFFICE", str(hang))
    monkeypatch.setenv("YUSUAN_DOC_TIMEOUT", "1")
    with pytest.raises(DocumentError, match=r"did not convert the \.doc file within 1 s"):
        doc_convert.convert_doc(doc_convert.OLE_SIGNATURE, "slow.doc")


def test_build_publishes_docx_doc_and_tika_text_together(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / SEED_NAME, raw / SEED_NAME)
    names = {}
    for index in range(3):
        records, data = generate_document(21, index, fmt="docx")
        names[f"{index}.docx"] = records.department.name
        (raw / f"{index}.docx").write_bytes(data)
    have_doc = doc_convert.soffice() is not None or bool(os.environ.get("CI"))
    if have_doc:
        records, data = generate_document(21, 3, fmt="docx")
        (raw / "3.doc").write_bytes(docx_to_doc(data, tmp_path / "convert"))
        names["3.doc"] = records.department.name
    out = tmp_path / "pkg"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--cache", str(tmp_path / "cache")]) == 0
    assert re.search(rf"Documents: {len(names) + 1} — .*, 0 quarantined", capsys.readouterr().err)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    (documents,) = [r for r in descriptor["resources"] if r["name"] == "documents" and r["format"] == "csv"]

    rows = [row for part in documents["path"] for row in csv.DictReader((out / part).open(encoding="utf-8"))]
    formats = {row["source_file"]: row["source_format"] for row in rows}
    expected = {SEED_NAME: "tika-text", **{n: ("docx" if n.endswith(".docx") else "doc-via-libreoffice")
                                          for n in names}}
    assert formats == expected
    assert {row["source_file"]: row["department_name_zh"] for row in rows if row["source_file"] in names} == names


def test_a_doc_refused_for_want_of_the_converter_is_read_once_it_is_installed(tmp_path, monkeypatch, capsys):
    program = need_soffice()
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw = tmp_path / "raw"
    raw.mkdir()
    _, data = generate_document(21, 5, fmt="docx")
    (raw / "old.doc").write_bytes(docx_to_doc(data, tmp_path / "convert"))
    # One worker: parsed in this process, which sees $YUSUAN_SOFFICE as set here (a warm worker keeps its own).
    args = ["build", "--raw", str(raw), "--out", str(tmp_path / "pkg"), "--cache", str(tmp_path / "cache"),
            "--workers", "1"]
    monkeypatch.setenv("YUSUAN_SOFFICE", str(tmp_path / "not-installed"))
    assert main(args) == 1
    assert "LibreOffice (soffice), which converts it, is not installed" in capsys.readouterr().err
    monkeypatch.setenv("YUSUAN_SOFFICE", program)
    assert main(args) == 0 and re.search(r"Documents: 1 — .*, 0 quarantined", capsys.readouterr().err)
