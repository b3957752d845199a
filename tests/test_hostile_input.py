"""Hostile input, in process: manifest values of the wrong type, file names that cannot be published, a link loop,
figures beyond the stored types, descriptors nested without end, part files that lead out of the package.

Each is one document's located error or a manifest error naming the entry and the key; never an exception
that takes the build down. (``tests/test_hostile_cli.py`` runs the same cases through the real program.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_NAME

from pipeline.errors import DocumentError
from pipeline.package import report
from pipeline.package.validate import MAX_DEPTH, validate_package
from pipeline.raw.discover import RawDocument, discover
from pipeline.raw.manifest import ManifestError, load_manifest
from pipeline.raw.names import name_problem, shown
from pipeline.tables.parse import parse_raw_document, parse_text

SEED = (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")
MANIFEST = json.loads((RAW_DIR / "manifest.json").read_text(encoding="utf-8"))


# -- the manifest: a wrong value names its entry and key ----------------------------------------------------


def _entry(**change) -> dict:
    entry = dict(MANIFEST["documents"][0])
    entry.update(change)
    return {"description": "x", "documents": [entry]}


BAD_MANIFESTS = {
    "source_url a list": (_entry(source_url=["x"]), "'source_url' must be text or null, found a list"),
    "province_zh an object": (_entry(province_zh={}), "'province_zh' must be text or null, found an object"),
    "retrieved_date a number": (_entry(retrieved_date=20261127),
                                "'retrieved_date' must be a date as text, \"YYYY-MM-DD\", or null, found a number"),
    "retrieved_date not a date": (_entry(retrieved_date="2026-13-01"), "'retrieved_date': month must be in 1..12"),
    "fiscal_year text": (_entry(fiscal_year="2019"), "'fiscal_year' must be a whole number (2019) or null"),
    "fiscal_year true": (_entry(fiscal_year=True), "'fiscal_year' must be a whole number (2019) or null"),
    "sha256 a number": (_entry(sha256=7), "'sha256' must be 64 lower-case hexadecimal digits"),
    "file a number": (_entry(file=7), "documents[0]: 'file' must be the file's path relative to raw/, found 7"),
    "file outside raw": (_entry(file="../secret.txt"), "'file' must be a path inside raw/"),
    "file with a newline": (_entry(file="a\nb.txt"), "the file name holds the invisible character U+000A"),
    "text that is no Unicode": (_entry(origin="\udce9"), "'origin' is not valid Unicode text"),
    "an entry that is a list": ({"documents": [["x"]]}, "documents[0] must be an object with a 'file', found a list"),
    "documents an object": ({"documents": {"file": "x"}}, "'documents' must be a list of entries, found an object"),
    "a list at the top": (MANIFEST["documents"], "expected an object {\"description\": …, \"documents\": [entry, …]}, "
                                                 "found a list"),
}


@pytest.mark.parametrize("name", list(BAD_MANIFESTS))
def test_a_manifest_value_of_the_wrong_type_names_its_entry_and_key(tmp_path, name):
    data, message = BAD_MANIFESTS[name]
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")  # a lone surrogate as \\udce9
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert message in str(info.value), str(info.value)
    if isinstance(data, dict) and isinstance(data.get("documents"), list) and isinstance(data["documents"][0], dict):
        assert "documents[0]" in str(info.value)


def test_a_deeply_nested_manifest_is_a_manifest_error(tmp_path):
    (tmp_path / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ManifestError, match="cannot read the raw manifest"):
        load_manifest(tmp_path)


# -- file names: refused, without reading, when they cannot be published safely ----------------------------


@pytest.mark.parametrize(("name", "problem", "as_shown"), [
    (b"a\\b.txt", "holds a backslash", "a\\b.txt"),
    (b"a\nb.txt", "holds the invisible character U+000A", "a\\u000ab.txt"),
    (b"caf\xe9.txt", "is not valid UTF-8", "caf\\xe9.txt"),
    ("right\u202eto-left.txt".encode(), "holds the invisible character U+202E", "right\\u202eto-left.txt"),
])
def test_a_file_name_that_cannot_be_published_is_refused_unread(tmp_path, name, problem, as_shown):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "fine name 中文 -x.txt").write_text(SEED, encoding="utf-8")
    with open(os.path.join(os.fsencode(raw), name), "wb") as fh:
        fh.write(SEED.encode())
    docs = {d.relpath: d for d in discover(raw)}
    assert docs["fine name 中文 -x.txt"].refusal is None
    refused = docs[as_shown]
    assert refused.refusal.startswith(f"the file name {problem}") and refused.sha256 == ""
    with pytest.raises(DocumentError) as info:
        parse_raw_document(refused)
    assert str(info.value).startswith(as_shown) and "rename the file" in str(info.value)
    assert name_problem(os.fsdecode(name)) == problem and shown(os.fsdecode(name)) == as_shown


def test_a_report_with_any_name_is_written_as_utf8_json(tmp_path):
    """Belt and braces: even text that is no Unicode (a name that slipped through) cannot break the report."""
    draft = {"counts": {"documents": 1, "built": 0, "warned": 0, "quarantined": 1},
             "documents": [{"file": "caf\udce9.txt", "status": "quarantined", "line": None, "reason": "x"}]}
    path = report.write(report.finalise(draft, tmp_path / "pkg", published=False), tmp_path / "pkg")
    assert json.loads(path.read_bytes().decode("utf-8"))["documents"][0]["file"] == "caf\udce9.txt"


def test_a_link_loop_in_raw_is_refused_not_fatal(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "loop").symlink_to("loop")
    (raw / "a").symlink_to("b")
    (raw / "b").symlink_to("a")
    (raw / "seed.txt").write_text(SEED, encoding="utf-8")
    docs = {d.relpath: d for d in discover(raw)}
    assert docs["seed.txt"].refusal is None
    for name in ("loop", "a", "b"):
        assert docs[name].refusal == "a symbolic link that leads round in a loop: refused", docs[name]


# -- figures beyond the stored types: the document's error at its row -------------------------------------


RAW = RawDocument(path=Path("types.txt"), relpath="types.txt", sha256="0" * 64, manifest=None)


@pytest.mark.parametrize(("old", "new", "table", "field", "words"), [
    ("\t16.9\n", "\t0.0000001\n", "procurement_items", "quantity",
     "field 'quantity' is 0.0000001 and has more than 6 decimal places"),
    ("\t13\n\t178.27", "\t1234567890123456789012345\n\t178.27", "fixed_assets", "quantity_text",
     "field 'quantity' is 1234567890123456789012345 and has more than 18 digits before the decimal point"),
])
def test_a_figure_beyond_the_stored_types_is_the_documents_error_at_its_row(seed_parsed, old, new, table, field, words):
    assert old in SEED
    printed = old.split("\n")[0].strip()
    (row,) = [r for r in seed_parsed.tables[table] if str(r[field]) == printed]
    with pytest.raises(DocumentError) as info:
        parse_text(SEED.replace(old, new, 1), RAW)
    assert words in info.value.detail, info.value.detail
    assert info.value.line == int(row["source_ref"].split("-")[0][1:])  # the row it would have been


def test_an_amount_beyond_what_the_package_holds_is_an_error_at_its_cell():
    old, new = "\t203.15\n", "\t12345678901234567890.15\n"
    text = SEED.replace(old, new, 1)
    with pytest.raises(DocumentError) as info:
        parse_text(text, RAW)
    assert "not an amount the package can hold" in info.value.detail, info.value.detail
    assert info.value.line == text[: text.index(new)].count("\n") + 1  # the line of the figure itself


# -- validate: a descriptor nested without end, a part that leads out of the package ----------------------


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("built") / "pkg"
    assert main(["build", "--raw", str(RAW_DIR), "--out", str(out)]) == 0
    return out


def test_a_descriptor_nested_without_end_is_invalid_not_a_crash(tmp_path, package):
    pkg = tmp_path / "pkg"
    shutil.copytree(package, pkg)
    descriptor = pkg / "datapackage.json"
    for text in ("[" * 100_000 + "]" * 100_000, json.dumps({"resources": [], "x": json.loads("[" * 500 + "]" * 500)})):
        descriptor.write_text(text, encoding="utf-8")
        result = validate_package(descriptor)
        assert not result.ok and f"nested more than {MAX_DEPTH} levels deep" in result.errors[0]


def test_a_part_that_leads_out_of_the_package_is_invalid(tmp_path, package):
    for how in ("file", "folder"):
        pkg = tmp_path / how / "pkg"
        shutil.copytree(package, pkg)
        assert validate_package(pkg / "datapackage.json").ok
        outside = tmp_path / how / "elsewhere"
        if how == "file":  # the same bytes, linked from outside: still not part of the package
            part = pkg / "data" / "csv" / "documents" / "part-00000.csv"
            outside.mkdir()
            shutil.copy(part, outside / part.name)
            part.unlink()
            part.symlink_to(outside / part.name)
        else:
            folder = pkg / "data" / "parquet" / "documents"
            shutil.move(folder, outside)
            folder.symlink_to(outside)
        result = validate_package(pkg / "datapackage.json")
        assert not result.ok and any("leads outside the package" in e for e in result.errors), result.errors


# -- the fuzzing helpers leave nothing behind -------------------------------------------------------------


def test_importing_and_using_the_fuzzing_helpers_leaves_no_temporary_folder(tmp_path):
    tests = Path(__file__).parent
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import fuzzing\n"
            "assert not list(__import__('pathlib').Path(sys.argv[2]).glob('yusuan-fuzz-*')), 'made at import'\n"
            "fuzzing.check(fuzzing.SEED_BYTES)")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code, str(tests), str(tmp_path)], env=env, capture_output=True,
                          text=True, cwd=tests.parent)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
