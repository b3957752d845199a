"""Mutations of the seed as replayable recipes, and the property every mutated file must satisfy.

A recipe is a small JSON object (``{"op": "truncate", "at": 1234}``) applied to the seed's bytes, so a case
hypothesis finds can be kept in ``tests/regressions/cases.json`` without storing a 45 kB file per case.

The property (:func:`check`): parsing the bytes either raises :class:`~pipeline.errors.DocumentError` whose
message starts with the file name, or returns tables whose rows satisfy their Table Schemas (types, required,
enum, pattern, minimum/maximum, unique primary key, foreign key to ``documents``) -- i.e. rows that the
package writer accepts and the validator passes. Anything else escaping is a bug.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import RAW_DIR, SEED_NAME
from hypothesis import strategies as st

from pipeline.build import columnar
from pipeline.errors import DocumentError
from pipeline.metadata.schemas import load_tables
from pipeline.raw.discover import discover
from pipeline.tables.parse import ParsedDocument, parse_raw_document

SEED_BYTES = (RAW_DIR / SEED_NAME).read_bytes()
SEED_TEXT = SEED_BYTES.decode("utf-8")
SEED_LINES = SEED_TEXT.split("\n")
NAME = "fuzzed.tika.txt"
TABLES = load_tables()
_WORKDIR: Path | None = None  # made on first use, removed when the process ends (importing makes nothing)


def _workdir() -> Path:
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="yusuan-fuzz-"))
        atexit.register(shutil.rmtree, _WORKDIR, True)
    return _WORKDIR

# Tokens a mutation inserts: the characters the reader and template react to, and some that must not pass.
TOKENS = [
    *"0123456789", "０", "９", ".", "．", ",", "，", "。", "、", "：", "\t", "\n", "\r", " ", "\u3000", "\u00a0",
    "万元", "元", "一、", "九、", "（一）", "1、", "合计", "其中", "增加", "减少", "持平", "单位：万元", "职责活动",
    "采购物品名称", "项目", "—", "-", "[A02]", "\x00", "\x01", "\ufeff", "\ue000", "2019年", "部门预算信息公开",
]


# -- recipes ------------------------------------------------------------------------------------------------


def apply(recipe: dict) -> bytes:
    op = recipe["op"]
    if op == "truncate":
        return SEED_BYTES[: recipe["at"]]
    if op == "bytes":
        data = bytearray(SEED_BYTES)
        for pos, value in recipe["edits"]:
            data[pos % len(data)] = value
        return bytes(data)
    if op == "splice":  # cut at two character positions and join: loses a stretch, mid-line or not
        return (SEED_TEXT[: recipe["at"]] + SEED_TEXT[recipe["resume"]:]).encode()
    if op == "edit":
        text = SEED_TEXT
        for pos, delete, insert in recipe["edits"]:
            pos %= len(text) + 1
            text = text[:pos] + insert + text[pos + delete:]
        return text.encode("utf-8", "surrogatepass")
    lines = list(SEED_LINES)
    start, end = recipe["start"], recipe["end"]
    chunk = lines[start:end]
    if op == "delete_lines":
        del lines[start:end]
    elif op == "duplicate_lines":
        lines[recipe["to"]:recipe["to"]] = chunk
    elif op == "move_lines":
        del lines[start:end]
        to = min(recipe["to"], len(lines))
        lines[to:to] = chunk
    else:
        raise ValueError(f"unknown recipe op {op!r}")
    return "\n".join(lines).encode()


_line = st.integers(0, len(SEED_LINES))


@st.composite
def _line_range(draw, max_len: int = 80):
    start = draw(st.integers(0, len(SEED_LINES) - 1))
    return start, min(len(SEED_LINES), start + draw(st.integers(1, max_len)))


@st.composite
def truncations(draw):
    return {"op": "truncate", "at": draw(st.integers(0, len(SEED_BYTES)))}


@st.composite
def splices(draw):
    at = draw(st.integers(0, len(SEED_TEXT)))
    return {"op": "splice", "at": at, "resume": draw(st.integers(at, len(SEED_TEXT)))}


@st.composite
def line_edits(draw):
    op = draw(st.sampled_from(["delete_lines", "duplicate_lines", "move_lines"]))
    start, end = draw(_line_range())
    return {"op": op, "start": start, "end": end, "to": draw(_line)}


@st.composite
def text_mutations(draw):
    edit = st.tuples(st.integers(0, len(SEED_TEXT)), st.integers(0, 3),
                     st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)))
    return {"op": "edit", "edits": [list(e) for e in draw(st.lists(edit, min_size=1, max_size=8))]}


@st.composite
def byte_mutations(draw):
    edit = st.tuples(st.integers(0, len(SEED_BYTES) - 1), st.integers(0, 255))
    return {"op": "bytes", "edits": [list(e) for e in draw(st.lists(edit, min_size=1, max_size=8))]}


# -- the property -------------------------------------------------------------------------------------------


def parse_bytes(data: bytes) -> ParsedDocument:
    raw_dir = _workdir() / "raw"
    raw_dir.mkdir(exist_ok=True)
    (raw_dir / NAME).write_bytes(data)
    (doc,) = discover(raw_dir)
    return parse_raw_document(doc)


def _check_constraints(name: str, rows: list[dict]) -> None:
    meta = TABLES[name]
    for field in meta.schema["fields"]:
        c = field.get("constraints", {})
        for i, row in enumerate(rows):
            value = row[field["name"]]
            if value is None:
                continue
            where = f"{name}[{i}].{field['name']}={value!r}"
            if "enum" in c:
                assert value in c["enum"], f"{where} not in enum"
            if "pattern" in c:
                assert re.fullmatch(c["pattern"], value), f"{where} does not match {c['pattern']}"
            if "minimum" in c:
                assert value >= (Decimal(str(c["minimum"])) if isinstance(value, Decimal) else c["minimum"]), where
            if "maximum" in c:
                assert value <= (Decimal(str(c["maximum"])) if isinstance(value, Decimal) else c["maximum"]), where
    key = meta.schema.get("primaryKey")
    if key:
        keys = [tuple(row[k] for k in key) for row in rows]
        assert len(keys) == len(set(keys)), f"{name}: duplicate primary key"


def check(data: bytes) -> str:
    """The fuzz property; returns ``"rejected"`` or ``"parsed"`` (for statistics)."""
    try:
        parsed = parse_bytes(data)
    except DocumentError as exc:
        assert str(exc).startswith(NAME), str(exc)
        assert exc.line is None or exc.line >= 1
        return "rejected"
    (document,) = parsed.tables["documents"]
    for name, rows in parsed.tables.items():
        prepared = columnar.prepare_rows(TABLES[name], rows)  # types and required fields, or RowError
        _check_constraints(name, prepared)
        assert all(r["document_id"] == document["document_id"] for r in rows)
    return "parsed"
