"""The same disclosure in other encodings, line endings, spaces and digit forms gives the same rows as the seed.

Only provenance may differ: the file's hash, its name and the encoding recorded in `documents.source_encoding`.
"""

from __future__ import annotations

import pytest
from conftest import RAW_DIR, SEED_NAME

from pipeline.document.encoding import ENCODINGS, decode
from pipeline.document.normalise import normalise
from pipeline.errors import DocumentError
from pipeline.metadata.schemas import load_tables
from pipeline.raw.discover import discover
from pipeline.tables.parse import parse_raw_document

PROVENANCE = ("source_sha256", "source_encoding", "source_file")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _seed() -> str:
    return (RAW_DIR / SEED_NAME).read_text(encoding="utf-8")


def _grouped(text: str) -> str:
    """Thousands commas on every amount of four or more integer digits (6041.24 -> 6,041.24)."""
    import re

    return re.sub(r"(?<![\d.])(\d{1,3})(\d{3})(?=\.\d)", r"\1,\2", text)


def _fullwidth_points(text: str) -> str:
    """Decimal points as ``．`` (only between digits: a full stop elsewhere is prose and stays as printed)."""
    import re

    return re.sub(r"(?<=\d)\.(?=\d)", "．", text)


# name -> (bytes of the variant, expected source_encoding)
VARIANTS = {
    "utf-8-bom": (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-bom"),
    "gb18030": (lambda t: t.encode("gb18030"), "gb18030"),
    # GBK cannot encode the seed's two NBSPs; a GBK file would hold a space there.
    "gbk": (lambda t: t.replace("\u00a0", " ").encode("gbk"), "gb18030"),
    "utf-16-bom": (lambda t: t.encode("utf-16"), "utf-16le"),
    "utf-16le-no-bom": (lambda t: t.encode("utf-16-le"), "utf-16le"),
    "utf-16be-no-bom": (lambda t: t.encode("utf-16-be"), "utf-16be"),
    "utf-16be-bom": (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16be"),
    "crlf": (lambda t: t.replace("\n", "\r\n").encode(), "utf-8"),
    "cr": (lambda t: t.replace("\n", "\r").encode(), "utf-8"),
    "nbsp": (lambda t: t.replace(" ", "\u00a0").encode(), "utf-8"),
    "ideographic-space": (lambda t: t.replace(" ", "\u3000").encode(), "utf-8"),
    "no-nbsp": (lambda t: t.replace("\u00a0", " ").replace("\u3000", " ").encode(), "utf-8"),
    "fullwidth-digits": (lambda t: _fullwidth_points(t).translate(FULLWIDTH).encode(), "utf-8"),
    "fullwidth-thousands": (lambda t: t.replace("15,034", "１５，０３４").encode(), "utf-8"),
    "thousands-commas": (lambda t: _grouped(t).encode(), "utf-8"),
    "no-thousands-commas": (lambda t: t.replace("15,034", "15034").encode(), "utf-8"),
    "gb18030-crlf-fullwidth": (lambda t: _grouped(t).translate(FULLWIDTH).replace("\n", "\r\n").encode("gb18030"),
                               "gb18030"),
}


def _rows(parsed) -> dict:
    tables = {name: [dict(r) for r in rows] for name, rows in parsed.tables.items()}
    for row in tables["documents"]:
        for key in PROVENANCE:
            row.pop(key)
    for row in tables["document_files"]:  # the same provenance, per file
        for key in ("file", "sha256", "source_encoding"):
            row.pop(key)
    return tables


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    raw = tmp_path_factory.mktemp("variants")
    seed = _seed()
    (raw / "seed.txt").write_text(seed, encoding="utf-8")
    for name, (make, _) in VARIANTS.items():
        (raw / f"{name}.txt").write_bytes(make(seed))
    return {d.relpath.removesuffix(".txt"): parse_raw_document(d) for d in discover(raw)}


def test_the_variants_really_differ_from_the_seed():
    seed = _seed()
    assert len({make(seed) for make, _ in VARIANTS.values()} | {seed.encode()}) == len(VARIANTS) + 1


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_gives_the_seed_rows(variants, name):
    seed, variant = variants["seed"], variants[name]
    assert _rows(variant) == _rows(seed)
    assert variant.warnings == tuple(w.replace("seed.txt", f"{name}.txt") for w in seed.warnings)
    doc = variant.tables["documents"][0]
    assert doc["source_encoding"] == VARIANTS[name][1]
    assert doc["source_file"] == f"{name}.txt"
    assert doc["source_sha256"] != seed.tables["documents"][0]["source_sha256"]


def test_seed_is_recorded_as_utf8(seed_parsed):
    assert seed_parsed.tables["documents"][0]["source_encoding"] == "utf-8"


def test_schema_enum_lists_exactly_the_encodings():
    (field,) = [f for f in load_tables()["documents"].schema["fields"] if f["name"] == "source_encoding"]
    assert tuple(field["constraints"]["enum"]) == ENCODINGS


@pytest.mark.parametrize(
    ("data", "expected", "line"),
    [
        (b"abc\n\x00\x01\x02\x03\n", "binary data", 2),  # NULs in no UTF-16 pattern
        (b"\xff\xfea\x00\n", "not valid utf-16le", 1),  # odd length after the BOM
        ("标题\n第二行\x01\n".encode(), r"control character U\+0001", 2),
        ("标题\n\ue000\n".encode("gb18030"), "private-use", 2),
        (b"ok\n\x80\x80\x80\n", "neither UTF-8 nor GB18030", 2),
        (b"{\\rtf1\\ansi", "RTF", 1),
    ],
)
def test_undecodable_bytes_name_the_line_and_what_was_expected(data, expected, line):
    with pytest.raises(DocumentError, match=expected) as info:
        decode(data, "x.txt")
    assert info.value.line == line and "expected" in str(info.value)


def test_normalise_keeps_line_numbers_and_folds_only_what_it_documents():
    text = "a\r\nb\rc\n１２３．４５，15,034，其中 1,2\u3000x\u00a0y\t2017，2018"
    out = normalise(text)
    assert out == "a\nb\nc\n123.45，15034，其中 1,2 x y\t2017，2018"
    assert normalise(out) == out


def test_a_corrupt_byte_in_utf8_is_named_not_read_as_gb18030():
    data = bytearray("标题一\n第二行\n第三行文字\n".encode())
    data[data.index("第三".encode()) + 1] = 0xFF
    with pytest.raises(DocumentError, match="though the text before it is UTF-8") as info:
        decode(bytes(data), "x.txt")
    assert info.value.line == 3
    assert decode("标题一\n".encode("gb18030"), "x.txt").encoding == "gb18030"
