"""The out layer: metadata model, package writer, validation and atomic publish (pipeline.metadata.schemas/package/
validate/publish). Sample tables are generated from the real Table Schemas in schemas/."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import csv_cell_text

from pipeline.build.columnar import RowError
from pipeline.metadata import schemas
from pipeline.metadata.schemas import (
    TABLE_ORDER,
    MetadataError,
    load_package_metadata,
    load_tables,
)
from pipeline.package import profile_check, publish
from pipeline.package.descriptor import dump_json
from pipeline.package.profile_check import check_profiles
from pipeline.package.publish import PublishError, discard, make_staging_dir
from pipeline.package.table_files import file_stats
from pipeline.package.validate import validate_package
from pipeline.package.writer import write_package
from pipeline.paths import SCHEMAS_DIR

FRICTIONLESS = Path(sys.executable).with_name("frictionless")

DOC_A = "hebei-langfang-guangyang-wanzhuang-2019-budget"
DOC_B = "beijing-xicheng-2020-budget"
# Given in this order on purpose: the package must come out sorted by document_id (B before A).
DOCS = (DOC_A, DOC_B)
MESSY_TEXT = '含逗号, "引号"\n和换行'
SOURCES = [
    {"title": "廊坊市广阳区万庄镇人民政府 2019 年部门预算信息公开", "path": "raw/hebei-langfang-guangyang-wanzhuang-2019-budget.tika.txt"}
]
CREATED = "2026-11-27T00:00:00Z"

# Values for fields whose constraints a generic value would break.
OVERRIDES = {
    "source_sha256": lambda i: "0123456789abcdef"[i] * 64,
    "sha256": lambda i: "fedcba9876543210"[i] * 64,
    "source_ref": lambda i: f"L{10 + i}",
    "change_source_ref": lambda i: f"L{20 + i}-L{22 + i}",
    "activity_id": lambda i: "01",
    "parent_activity_id": lambda i: "01",
    "catalogue_code": lambda i: "A02",
    "fiscal_year": lambda i: 2019 + i,
    "completeness_score": lambda i: Decimal("0.8889"),
    "level": lambda i: 1,
    # the codes of the national tables (function_lines, economic_lines, classification_codes)
    "code": lambda i: "2010601", "function_code": lambda i: "2010601", "economic_code": lambda i: "30101",
    "class_code": lambda i: "201", "section_code": lambda i: "06", "item_code": lambda i: "01",
    "parent_code": lambda i: "20106",
}


def sample_value(field: schemas.FieldMeta, i: int):
    cons = field.descriptor.get("constraints", {})
    if field.name in OVERRIDES:
        return OVERRIDES[field.name](i)
    if "enum" in cons:
        return cons["enum"][0]
    if field.type == "integer":
        value = 15034 * (i + 1) if "yuan" in field.name else i + 1
        value = max(value, cons.get("minimum", value))
        return min(value, cons.get("maximum", value))
    if field.type == "number" and field.decimal_places is not None:  # an amount: yuan with fen
        return Decimal("15034.50") * (i + 1)
    if field.type == "number":
        return Decimal("16.9")
    if field.type == "date":
        return dt.date(2026, 11, 27)
    if field.type == "boolean":
        return True
    if "pattern" in cons:
        if field.required:
            raise AssertionError(f"add an OVERRIDES entry for the patterned field {field.name!r}")
        return None
    return MESSY_TEXT if field.name in ("text_zh", "title_zh") else f"{field.name} 值{i}"


def sample_tables() -> dict[str, list[dict]]:
    """Two rows per table, one per document: the first with every field filled, the second with every
    optional field empty."""
    tables = {}
    for name, meta in load_tables().items():
        rows = []
        for i, doc in enumerate(DOCS):
            row = {}
            for f in meta.fields:
                if f.name == "document_id":
                    row[f.name] = doc
                elif not f.required and i == 1:
                    row[f.name] = None
                else:
                    row[f.name] = sample_value(f, i)
            rows.append(row)
        tables[name] = rows
    return tables


def write(tables, out_dir: Path, **kwargs) -> Path:
    kwargs.setdefault("sources", SOURCES)
    kwargs.setdefault("created", CREATED)
    return write_package(tables, out_dir, **kwargs)


def read_descriptor(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def resources_by_name(descriptor: dict) -> dict[str, dict]:
    return {r["name"]: r for r in descriptor["resources"]}


def rehash(descriptor_path: Path, resource_name: str) -> None:
    """Make a resource's bytes/hash match its (tampered) file again, so only the tampering itself is reported."""
    descriptor = read_descriptor(descriptor_path)
    for part in resources_by_name(descriptor)[resource_name]["parts"]:
        part["bytes"], part["hash"] = file_stats(descriptor_path.parent / part["path"])
    descriptor_path.write_text(dump_json(descriptor), encoding="utf-8")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    return write(sample_tables(), tmp_path_factory.mktemp("pkg") / "datapackage")


@pytest.fixture(scope="module")
def written_report(written):
    return validate_package(written, frictionless=True)


# -- metadata model ------------------------------------------------------------------------------------------


def test_metadata_model_matches_schemas():
    tables = load_tables()
    assert tuple(tables) == TABLE_ORDER
    for name, meta in tables.items():
        raw = json.loads((SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert (meta.name, meta.title, meta.description) == (raw["name"], raw["title"], raw["description"])
        assert meta.field_names == tuple(f["name"] for f in raw["fields"])
        assert not {"name", "title", "description"} & set(meta.schema)
        fl = meta.frictionless_schema()
        assert fl["fields"] == raw["fields"] and fl["primaryKey"] == raw["primaryKey"]
        assert fl.get("foreignKeys", []) == raw.get("foreignKeys", [])
        for fk in meta.frictionless_schema(resource_suffix="_parquet").get("foreignKeys", []):
            assert fk["reference"]["resource"].endswith("_parquet")
        arrow = meta.arrow_schema()
        assert arrow.names == list(meta.field_names)
        for f in meta.fields:
            assert arrow.field(f.name).nullable is (not f.required)
    assert load_package_metadata()["name"] == "yusuan-department-budgets"


def test_arrow_type_mapping():
    fixed = load_tables()["fixed_assets"].arrow_schema()
    assert fixed.field("document_id").type == pa.string()
    assert fixed.field("value_yuan").type == pa.decimal128(18, 2)
    assert fixed.field("quantity").type == pa.decimal128(24, 6)
    assert fixed.field("as_of_date").type == pa.date32()
    assert fixed.field("is_subset").type == pa.bool_()
    assert not fixed.field("document_id").nullable and fixed.field("quantity").nullable


@pytest.mark.parametrize("bad", [{"type": "string", "decimalPlaces": 2}, {"type": "number", "decimalPlaces": "2"},
                                 {"type": "number", "decimalPlaces": 9}])
def test_decimal_places_only_on_number_fields_as_a_small_integer(tmp_path, bad):
    shutil.copytree(SCHEMAS_DIR, tmp_path / "s")
    path = tmp_path / "s" / "glossary.schema.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["fields"][-1].update(bad)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MetadataError, match="decimalPlaces"):
        load_tables(tmp_path / "s")


def test_every_amount_column_is_yuan_with_two_decimals():
    amounts = [(t.name, f.name, f.type, f.decimal_places) for t in load_tables().values() for f in t.fields
               if f.name.endswith("_yuan")]
    assert amounts and all(kind == "number" and places == 2 for _, _, kind, places in amounts), amounts


def test_load_tables_requires_exactly_the_expected_schemas(tmp_path):
    shutil.copytree(SCHEMAS_DIR, tmp_path / "s")
    (tmp_path / "s" / "glossary.schema.json").unlink()
    with pytest.raises(MetadataError, match=r"missing \['glossary'\]"):
        load_tables(tmp_path / "s")
    shutil.copy(SCHEMAS_DIR / "glossary.schema.json", tmp_path / "s" / "glossary.schema.json")
    shutil.copy(SCHEMAS_DIR / "glossary.schema.json", tmp_path / "s" / "extra.schema.json")
    with pytest.raises(MetadataError, match=r"unexpected \['extra'\]"):
        load_tables(tmp_path / "s")


def test_package_metadata_refuses_a_hand_typed_version(tmp_path):
    shutil.copytree(SCHEMAS_DIR, tmp_path / "s")
    meta = json.loads((tmp_path / "s" / "package.json").read_text(encoding="utf-8"))
    (tmp_path / "s" / "package.json").write_text(json.dumps({**meta, "version": "0.1.0"}), encoding="utf-8")
    with pytest.raises(MetadataError, match="yusuan release"):
        load_package_metadata(tmp_path / "s")


# -- writer ---------------------------------------------------------------------------------------------------


def test_files_and_descriptor_layout(written):
    root = written.parent
    descriptor = read_descriptor(written)
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    pkg_meta = load_package_metadata()
    for key in ("name", "title", "description", "homepage", "keywords", "licenses", "contributors"):
        assert descriptor.get(key) == pkg_meta.get(key)
    assert descriptor["licenses"] and "version" not in descriptor  # a build is not a release
    assert descriptor["created"] == CREATED and descriptor["sources"] == SOURCES
    names = [r["name"] for r in descriptor["resources"]]
    assert names == list(TABLE_ORDER) + [f"{t}_parquet" for t in TABLE_ORDER]
    metas = load_tables()
    for res in descriptor["resources"]:
        is_parquet = res["name"].endswith("_parquet")
        table = res["name"].removesuffix("_parquet")
        kind = "parquet" if is_parquet else "csv"
        assert res["path"] == [f"data/{kind}/{table}/part-00000.{kind}"]  # the sample is one part
        assert [p["path"] for p in res["parts"]] == res["path"] and (root / res["path"][0]).is_file()
        assert "bytes" not in res and "hash" not in res  # stated per part file
        assert res["type"] == "table"
        assert res["format"] == ("parquet" if is_parquet else "csv")
        assert res["mediatype"] == ("application/vnd.apache.parquet" if is_parquet else "text/csv")
        assert ("encoding" in res) is (not is_parquet)
        assert res["schema"]["$schema"] == "https://datapackage.org/profiles/2.0/tableschema.json"
        assert res["schema"]["fields"] == metas[table].schema["fields"]
        assert res["description"] == metas[table].description
        for fk in res["schema"].get("foreignKeys", []):
            assert fk["reference"]["resource"].endswith("_parquet") is is_parquet
    text = written.read_text(encoding="utf-8")
    assert text == json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    assert "部门预算" in text  # not \u-escaped


def test_created_is_omitted_when_none(tmp_path):
    descriptor = read_descriptor(write({}, tmp_path / "p", created=None, sources=[]))
    assert "created" not in descriptor and descriptor["sources"] == []


def test_csv_format(written):
    raw = (written.parent / "data" / "csv" / "responsibilities" / "part-00000.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    meta = load_tables()["responsibilities"]
    assert rows[0] == list(meta.field_names)
    assert [r[0] for r in rows[1:]] == [DOC_B, DOC_A]  # sorted by document_id
    by_name = dict(zip(rows[0], rows[2]))  # DOC_A: every field filled
    assert by_name["text_zh"] == MESSY_TEXT  # quoted, newline and quotes survive
    assert by_name["responsibility_seq"] == "1"
    assert dict(zip(rows[0], rows[1]))["heading_zh"] == ""  # None -> empty

    fixed = list(csv.DictReader(io.StringIO((written.parent / "data" / "csv" / "fixed_assets" / "part-00000.csv").read_text("utf-8"))))
    assert fixed[1]["quantity"] == "16.9" and fixed[1]["is_subset"] == "true"
    assert fixed[1]["as_of_date"] == "2026-11-27" and fixed[1]["value_yuan"] == "15034.50"


def _written_cell(seed_parsed, field: str, value) -> str:
    """The CSV text the package writer gives ``value`` in a fixed_assets row (columnar.rows_to_table -> csv_text)."""
    from pipeline.build import columnar

    meta = load_tables()["fixed_assets"]
    row = {**seed_parsed.tables["fixed_assets"][1], field: value}
    cells = next(csv.reader(io.StringIO(columnar.csv_text(columnar.rows_to_table(meta, [row])).decode("utf-8"))))
    return cells[meta.field_names.index(field)]


def test_csv_cells_are_exact(seed_parsed):
    from pipeline.build import columnar

    cell = lambda field, value: _written_cell(seed_parsed, field, value)  # noqa: E731
    assert cell("quantity", Decimal("16.9")) == "16.9"
    assert cell("quantity", Decimal("15034")) == "15034"
    assert cell("quantity", Decimal("1.5034E+4")) == "15034"
    assert cell("quantity", Decimal("1E-7")) == "0.0000001"
    assert cell("quantity", Decimal("0.10")) == "0.10"
    assert cell("quantity", Decimal("-0.0")) == "0.0"
    # amounts: always two decimals, whatever the Decimal's own exponent; never rounded
    assert cell("value_yuan", Decimal("9999999999999999.99")) == "9999999999999999.99"
    assert cell("value_yuan", Decimal("5")) == "5.00" and cell("value_yuan", Decimal("1.5E+3")) == "1500.00"
    assert cell("value_yuan", Decimal("-0")) == "0.00" and cell("value_yuan", Decimal("0.100")) == "0.10"
    for inexact in (Decimal("0.005"), Decimal("1.999"), Decimal("1E-7")):
        with pytest.raises(columnar.RowError, match="not exact with 2 decimal places"):
            cell("value_yuan", inexact)
    assert (cell("is_subset", True), cell("is_subset", False), cell("quantity", None)) == ("true", "false", "")
    assert cell("as_of_date", dt.date(2019, 1, 2)) == "2019-01-02"


def test_bytes_and_hashes_match_files(written):
    for res in read_descriptor(written)["resources"]:
        for part in res["parts"]:
            data = (written.parent / part["path"]).read_bytes()
            assert part["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert part["bytes"] == len(data)


def test_parquet_types_and_rows_equal_csv(written):
    root = written.parent
    metas = load_tables()
    for name, meta in metas.items():
        table = pq.read_table(root / "data" / "parquet" / name / "part-00000.parquet")
        assert table.schema.equals(meta.arrow_schema(), check_metadata=False)
        csv_rows = list(csv.DictReader(io.StringIO((root / "data" / "csv" / name / "part-00000.csv").read_text("utf-8"), newline="")))
        pq_rows = table.to_pylist()
        assert len(pq_rows) == len(csv_rows) == 2
        for p, c in zip(pq_rows, csv_rows):
            rendered = {k: csv_cell_text(v) for k, v in p.items()}
            if name in ("fixed_assets", "procurement_items") and p["quantity"] is not None:
                assert p["quantity"] == Decimal("16.9") and isinstance(p["quantity"], Decimal)
            for k, ftype in meta.field_types.items():
                if ftype == "number" and p[k] is not None:
                    assert Decimal(c[k]) == p[k]
                    rendered[k] = c[k]  # decimal128 keeps scale 6: 16.900000
            assert rendered == c
    docs = pq.read_table(root / "data" / "parquet" / "documents" / "part-00000.parquet")
    assert docs.schema.field("fiscal_year").type == pa.int64()
    assert docs.schema.field("retrieved_date").type == pa.date32()
    assert docs.column("retrieved_date").to_pylist() == [None, dt.date(2026, 11, 27)]
    # Amounts read back into pandas as exact Decimal objects (decimal128(18, 2)), never float64.
    df = pq.read_table(root / "data" / "parquet" / "budget_lines" / "part-00000.parquet").to_pandas()
    assert df["change_yuan"].tolist() == [None, Decimal("15034.50")]
    assert df["change_yuan"].tolist()[1].as_tuple().exponent == -2


def test_nullable_integer_columns_read_back_as_pandas_int64(tmp_path):
    """See TableMeta.parquet_schema: without the hint a nullable int64 column becomes float64 in pandas."""
    meta = schemas.TableMeta("t", "t", "t", {"fields": [{"name": "n", "type": "integer"}]})
    pq.write_table(pa.table({"n": pa.array([None, 15034], pa.int64())}, schema=meta.parquet_schema()), tmp_path / "t.parquet")
    df = pq.read_table(tmp_path / "t.parquet").to_pandas()
    assert str(df["n"].dtype) == "Int64" and df["n"].tolist()[1] == 15034


def test_descriptor_passes_v2_profile(written):
    assert check_profiles(read_descriptor(written)) == []
    bad = read_descriptor(written)
    bad["resources"][0]["name"] = 7
    del bad["resources"][1]["path"]
    errors = check_profiles(bad)
    assert errors and any("datapackage profile" in e for e in errors)


def test_package_profile_inlines_the_resource_and_table_schema_profiles():
    """check_profiles runs the resource/schema profiles only when the package profile fails: sound only because
    the package profile embeds them unchanged."""
    load = lambda name: json.loads((profile_check.PROFILES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    item = load("datapackage")["properties"]["resources"]["items"]
    resource, table_schema = load("dataresource"), load("tableschema")
    for key in ("type", "oneOf", "properties", "required"):
        assert item.get(key) == resource.get(key)
    inlined = resource["properties"]["schema"]
    meta = {"$schema", "propertyOrder", "title", "description", "type"}  # type: inlined also allows a path
    assert set(inlined) - meta == set(table_schema) - meta
    for key in set(table_schema) - meta:
        assert inlined[key] == table_schema[key], key


def test_profiles_are_byte_identical_copies():
    """The shipped profiles still have the sha256 their README records for the upstream files."""
    readme = (profile_check.PROFILES_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict((name, digest) for digest, name in re.findall(r"^ {4}([0-9a-f]{64})  (\S+\.json)$", readme, re.M))
    assert sorted(recorded) == sorted(f"{name}.json" for name in profile_check.PROFILE_NAMES)
    for name, digest in recorded.items():
        assert hashlib.sha256((profile_check.PROFILES_DIR / name).read_bytes()).hexdigest() == digest, name


def test_frictionless_cli_accepts_package(written):
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", str(written)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_validate_package_ok(written_report):
    assert written_report.ok, written_report.errors
    assert written_report.stats == {t: 2 for t in TABLE_ORDER}


def test_empty_tables_make_a_valid_package(tmp_path):
    path = write({}, tmp_path / "p")
    for name in TABLE_ORDER:
        assert (path.parent / "data" / "csv" / name / "part-00000.csv").read_text("utf-8") == ",".join(
            load_tables()[name].field_names
        ) + "\n"
        assert pq.read_table(path.parent / "data" / "parquet" / name / "part-00000.parquet").num_rows == 0
    report = validate_package(path)
    assert report.ok, report.errors


def test_deterministic_and_independent_of_document_order(tmp_path, written):
    tables = sample_tables()
    reordered = {name: list(reversed(rows)) for name, rows in reversed(list(tables.items()))}
    first = write(tables, tmp_path / "one")
    second = write(reordered, tmp_path / "two")
    files = sorted(p.relative_to(first.parent) for p in first.parent.rglob("*") if p.is_file())
    assert len(files) == 2 * len(TABLE_ORDER) + 3  # the parts, datapackage.json, README.md and the marker
    assert files == sorted(p.relative_to(second.parent) for p in second.parent.rglob("*") if p.is_file())
    for rel in files:
        assert (first.parent / rel).read_bytes() == (second.parent / rel).read_bytes(), rel
        assert (first.parent / rel).read_bytes() == (written.parent / rel).read_bytes(), rel


def test_rows_of_a_document_keep_their_order(tmp_path):
    tables = sample_tables()
    a, b = tables["glossary"]
    a = dict(a, term_seq=1)
    a2 = dict(a, term_seq=2, term_zh="后")
    tables["glossary"] = [a2, b, a]  # DOC_A term 2, DOC_B, DOC_A term 1
    path = write(tables, tmp_path / "p")
    rows = pq.read_table(path.parent / "data" / "parquet" / "glossary" / "part-00000.parquet").to_pylist()
    assert [(r["document_id"], r["term_seq"]) for r in rows] == [(DOC_B, b["term_seq"]), (DOC_A, 2), (DOC_A, 1)]


def test_readme_is_generated_from_metadata(written):
    readme = (written.parent / "README.md").read_text("utf-8")
    pkg_meta = load_package_metadata()
    assert readme.startswith(f"# {pkg_meta['title']}\n")
    assert SOURCES[0]["title"] in readme and SOURCES[0]["path"] in readme
    assert pkg_meta["licenses"][0]["path"] in readme
    assert "## Preparation" in readme
    for meta in load_tables().values():
        assert f"### {meta.name}" in readme
        assert "Primary key: " + ", ".join(f"`{k}`" for k in meta.primary_key) in readme
        for f in meta.fields:
            assert f"| `{f.name}` | {f.type}" in readme


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda row: row.pop("source_ref"), r"table 'glossary', row 1: .*missing \['source_ref'\]"),
        (lambda row: row.update(bogus=1), r"table 'glossary', row 1: .*unknown \['bogus'\]"),
        (lambda row: row.update(term_seq="1"), r"table 'glossary', row 1: field 'term_seq' \(integer\)"),
        (lambda row: row.update(term_seq=True), r"field 'term_seq' \(integer\)"),
        (lambda row: row.update(term_zh=None), r"table 'glossary', row 1: required field 'term_zh' is empty"),
        (lambda row: row.update(term_zh=""), r"required field 'term_zh' is empty"),
    ],
)
def test_bad_rows_raise_clear_errors(tmp_path, mutate, message):
    tables = sample_tables()
    mutate(tables["glossary"][1])
    with pytest.raises(RowError, match=message):
        write(tables, tmp_path / "p")


def test_floats_and_inexact_decimals_are_refused(tmp_path):
    tables = sample_tables()
    tables["fixed_assets"][0]["quantity"] = 16.9
    with pytest.raises(RowError, match=r"'quantity' \(number\).*float"):
        write(tables, tmp_path / "p")
    tables["fixed_assets"][0]["quantity"] = Decimal("0.1234567")  # beyond decimal128(24, 6)
    with pytest.raises(RowError, match="fixed_assets"):
        write(tables, tmp_path / "q")


def test_unknown_table_is_refused(tmp_path):
    with pytest.raises(RowError, match="unknown tables"):
        write({"nope": []}, tmp_path / "p")


def test_empty_string_is_written_as_missing(tmp_path):
    tables = sample_tables()
    tables["documents"][0]["department_code"] = ""
    path = write(tables, tmp_path / "p")
    assert pq.read_table(path.parent / "data" / "parquet" / "documents" / "part-00000.parquet").column("department_code").to_pylist() == [
        None,
        None,
    ]


# -- validation catches bad data ------------------------------------------------------------------------------


def _negative_amount(tables):
    tables["budget_lines"][0]["amount_yuan"] = Decimal("-5.00")


def _duplicate_primary_key(tables):
    tables["glossary"].append(copy.deepcopy(tables["glossary"][0]))


def _missing_document(tables):
    tables["glossary"][0]["document_id"] = "nowhere-2019-budget"


@pytest.mark.parametrize(
    ("mutate", "resource", "error_type"),
    [
        (_negative_amount, "budget_lines", "constraint-error"),
        (_duplicate_primary_key, "glossary", "primary-key"),
        (_missing_document, "glossary", "foreign-key"),
    ],
)
def test_validate_reports_constraint_violations(tmp_path, mutate, resource, error_type):
    tables = sample_tables()
    mutate(tables)
    path = write(tables, tmp_path / "p")
    report = validate_package(path)
    assert not report.ok
    assert any(e.startswith(f"resource '{resource}': {error_type}: ") for e in report.errors), report.errors
    # frictionless, the reference, agrees -- and finds the same violation in the Parquet copy.
    reference = validate_package(path, frictionless=True)
    assert any(e.startswith(f"resource '{resource}': frictionless {error_type}") for e in reference.errors)
    assert any(e.startswith(f"resource '{resource}_parquet': frictionless {error_type}") for e in reference.errors)


# -- the Arrow checks catch every class of error frictionless catches ------------------------------------------


def _field(table: str, predicate) -> str:
    return next(f.name for f in load_tables()[table].fields if predicate(f))


def _cons(f) -> dict:
    return f.descriptor.get("constraints", {})


def _tamper_csv(descriptor_path: Path, table: str, row: int, field: str, value: str) -> None:
    """Set one CSV cell (row 0 = first data row) to ``value`` as text and make the hash match again."""
    csv_path = descriptor_path.parent / "data" / "csv" / table / "part-00000.csv"
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row + 1][rows[0].index(field)] = value
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    rehash(descriptor_path, table)


# (table, field chooser, bad cell text, our error type, frictionless error type)
BROKEN_CELLS = {
    "type-integer": ("glossary", lambda f: f.type == "integer", "seven", "type-error", "type-error"),
    "type-date": ("fixed_assets", lambda f: f.type == "date", "2019-13-45", "type-error", "type-error"),
    "type-number": ("fixed_assets", lambda f: f.type == "number", "16,9", "type-error", "type-error"),
    "required": ("glossary", lambda f: _cons(f).get("required") and f.name != "document_id" and f.type == "string",
                 "", "constraint-error", "constraint-error"),
    "enum": ("budget_lines", lambda f: "enum" in _cons(f) and _cons(f).get("required"), "no_such_line",
             "constraint-error", "constraint-error"),
    "pattern": ("glossary", lambda f: f.name == "source_ref", "line 7", "constraint-error", "constraint-error"),
    "minimum": ("glossary", lambda f: "minimum" in _cons(f), "0", "constraint-error", "constraint-error"),
    "maximum": ("documents", lambda f: "maximum" in _cons(f), "2101", "constraint-error", "constraint-error"),
    "unique": ("documents", lambda f: _cons(f).get("unique"), DOC_A, "constraint-error", "primary-key"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CELLS))
def test_arrow_checks_and_frictionless_agree_on_broken_cells(tmp_path, case):
    table, choose, text, ours, theirs = BROKEN_CELLS[case]
    path = write(sample_tables(), tmp_path / "p")
    field = _field(table, choose)
    # Row 0 sorts first by document_id (DOC_B) and has every field filled.
    _tamper_csv(path, table, 0, field, text)
    report = validate_package(path, frictionless=True)
    mine = [e for e in report.errors if e.startswith(f"resource '{table}': {ours}: ") and repr(field) in e]
    assert mine, report.errors
    assert any(e.startswith(f"resource '{table}': frictionless {theirs}") for e in report.errors), report.errors
    # The Parquet copy still holds the original value: the Arrow checks say so.
    assert any(e.startswith(f"resource '{table}_parquet': ") for e in report.errors) or ours == "type-error"


@pytest.mark.parametrize("text", ["15034.5", "15034", "15034.500", "1.5034E+4"])
def test_an_amount_cell_without_exactly_two_decimals_is_a_type_error(tmp_path, text):
    """frictionless accepts any number; the package promises amounts written with exactly two decimals."""
    path = write(sample_tables(), tmp_path / "p")
    _tamper_csv(path, "budget_lines", 0, "amount_yuan", text)
    report = validate_package(path)
    assert any(e.startswith("resource 'budget_lines': type-error: ") and "is not a number with 2 decimals" in e
               for e in report.errors), report.errors


def test_arrow_checks_find_a_broken_csv_structure(tmp_path):
    path = write(sample_tables(), tmp_path / "p")
    csv_path = path.parent / "data" / "csv" / "glossary" / "part-00000.csv"
    csv_path.write_text(csv_path.read_text("utf-8").replace("\n", ",extra\n", 2).replace(",extra", "", 1), "utf-8")
    rehash(path, "glossary")
    report = validate_package(path)
    assert any(e.startswith("resource 'glossary': source-error: ") for e in report.errors), report.errors


def test_committed_package_is_valid_for_both_engines():
    descriptor = Path(__file__).resolve().parent.parent / "datapackage" / "datapackage.json"
    report = validate_package(descriptor, frictionless=True)
    assert report.ok, report.errors


def test_validate_detects_tampered_files(tmp_path):
    path = write(sample_tables(), tmp_path / "p")
    with (path.parent / "data" / "csv" / "glossary" / "part-00000.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{DOC_A},9,词,释义,L1\n")
    report = validate_package(path)
    assert not report.ok
    assert any("resource 'glossary': 'hash'" in e for e in report.errors)
    assert any("resource 'glossary': 'bytes'" in e for e in report.errors)
    assert any("resource 'glossary_parquet': 2 rows, but the CSV 'glossary' has 3" in e for e in report.errors)


def test_validate_detects_parquet_differing_from_csv(tmp_path):
    path = write(sample_tables(), tmp_path / "p")
    meta = load_tables()["fixed_assets"]
    rows = pq.read_table(path.parent / "data" / "parquet" / "fixed_assets" / "part-00000.parquet").to_pylist()
    rows[1]["quantity"] = Decimal("16.900001")
    pq.write_table(pa.Table.from_pylist(rows, schema=meta.parquet_schema()), path.parent / "data" / "parquet" / "fixed_assets" / "part-00000.parquet")
    rehash(path, "fixed_assets_parquet")
    report = validate_package(path)
    assert not report.ok
    assert report.errors == [
        "resource 'fixed_assets_parquet': row 2 field 'quantity' is Decimal('16.900001') in Parquet "
        "but Decimal('16.9') in the CSV 'fixed_assets'"
    ]


def test_validate_detects_wrong_parquet_schema(tmp_path):
    path = write(sample_tables(), tmp_path / "p")
    table = pq.read_table(path.parent / "data" / "parquet" / "glossary" / "part-00000.parquet")
    table = table.cast(pa.schema([f.with_type(pa.string()) if f.name == "term_seq" else f for f in table.schema]))
    pq.write_table(table, path.parent / "data" / "parquet" / "glossary" / "part-00000.parquet")
    rehash(path, "glossary_parquet")
    report = validate_package(path)
    assert any("resource 'glossary_parquet': Arrow schema differs" in e for e in report.errors), report.errors


def test_validate_detects_stale_schema_in_descriptor(tmp_path):
    path = write({}, tmp_path / "p")
    descriptor = read_descriptor(path)
    resources_by_name(descriptor)["documents"]["schema"]["primaryKey"] = ["title_zh"]
    path.write_text(dump_json(descriptor), encoding="utf-8")
    report = validate_package(path)
    assert "resource 'documents': inline schema differs from the metadata model (schemas/)" in report.errors


# -- publish --------------------------------------------------------------------------------------------------


def _stage(out_dir: Path, tables=None) -> Path:
    staging = make_staging_dir(out_dir)
    write(sample_tables() if tables is None else tables, staging)
    return staging


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_make_staging_dir_is_a_hidden_sibling(tmp_path):
    out = tmp_path / "nested" / "datapackage"
    staging = make_staging_dir(out)
    assert staging.is_dir() and staging.parent == out.parent
    assert staging.name.startswith(".datapackage.staging-")
    assert make_staging_dir(out) != staging
    discard(staging)
    assert not staging.exists()
    with pytest.raises(PublishError, match="not a staging directory"):
        discard(tmp_path / "nested")


def test_publish_creates_then_replaces(tmp_path):
    out = tmp_path / "datapackage"
    publish.publish(_stage(out, {}), out, validate=False)
    assert read_descriptor(out / "datapackage.json")["resources"]
    first = _snapshot(out)
    (out / "notes.txt").write_text("a file the program did not write")

    staging = _stage(out)
    with pytest.raises(publish.NotReplaceable, match=r"notes\.txt \(not written by yusuan\)"):
        publish.publish(staging, out)
    assert _snapshot(out) == {**first, "notes.txt": b"a file the program did not write"}
    (out / "notes.txt").unlink()

    expected = {k: v for k, v in _snapshot(staging).items() if k != ".yusuan-staging"}
    publish.publish(staging, out)  # validates first
    assert _snapshot(out) == expected != first
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datapackage"]  # no staging/old leftovers


def test_publish_refuses_invalid_staging_and_keeps_old(tmp_path):
    out = tmp_path / "datapackage"
    publish.publish(_stage(out, {}), out, validate=False)
    before = _snapshot(out)

    tables = sample_tables()
    _missing_document(tables)
    staging = _stage(out, tables)
    with pytest.raises(PublishError, match="foreign-key") as excinfo:
        publish.publish(staging, out)
    assert excinfo.value.report is not None and not excinfo.value.report.ok
    assert _snapshot(out) == before and staging.is_dir()

    empty_staging = make_staging_dir(out)
    with pytest.raises(PublishError, match="holds no datapackage.json"):
        publish.publish(empty_staging, out, validate=False)
    assert _snapshot(out) == before


def test_publish_failure_midway_restores_old(tmp_path, monkeypatch):
    out = tmp_path / "datapackage"
    publish.publish(_stage(out, {}), out, validate=False)
    before = _snapshot(out)
    staging = _stage(out)

    real_rename = os.rename

    def failing_rename(src, dst):
        if Path(src) == staging:
            raise OSError("simulated failure while moving the staging directory into place")
        return real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", failing_rename)
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)  # the two-rename fallback
    with pytest.raises(OSError, match="simulated failure"):
        publish.publish(staging, out, validate=False)
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert staging.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["datapackage", staging.name])


def test_publish_refuses_to_clobber_non_package(tmp_path):
    out = tmp_path / "important"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    staging = _stage(out, {})
    with pytest.raises(PublishError, match="not a package yusuan published .it holds thesis.tex"):
        publish.publish(staging, out, validate=False)
    assert (out / "thesis.tex").read_text() == "years of work"
    (out / "datapackage.json").write_text("{}")  # a stray descriptor proves nothing
    with pytest.raises(PublishError, match="it holds datapackage.json, thesis.tex"):
        publish.publish(staging, out, validate=False)
    assert (out / "thesis.tex").read_text() == "years of work"

    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(PublishError, match="not a folder"):
        publish.publish(_stage(a_file, {}), a_file, validate=False)
    assert a_file.read_text() == "x"

    empty = tmp_path / "empty"
    empty.mkdir()
    publish.publish(_stage(empty, {}), empty, validate=False)
    assert (empty / "datapackage.json").is_file()


def test_publish_requires_a_sibling_staging_dir(tmp_path):
    out = tmp_path / "datapackage"
    elsewhere = tmp_path / "sub" / ".datapackage.staging-x"
    elsewhere.mkdir(parents=True)
    write({}, elsewhere)
    with pytest.raises(PublishError, match="not a staging directory of"):
        publish.publish(elsewhere, out, validate=False)
    assert not out.exists()


def test_sources_memo_checks_only_new_items_and_never_hides_a_bad_one(written, tmp_path, monkeypatch):
    descriptor = read_descriptor(written)
    descriptor["sources"] = [{"title": f"source {i}", "path": f"raw/{i}.txt"} for i in range(5)]
    seen = []
    real = profile_check._profile_errors

    def spy(instance, profile, where):
        if profile == "datapackage":
            seen.append(len(instance.get("sources", [])))
        return real(instance, profile, where)

    monkeypatch.setattr(profile_check, "_profile_errors", spy)
    assert check_profiles(descriptor, memo_dir=tmp_path) == []
    assert check_profiles(descriptor, memo_dir=tmp_path) == []
    assert seen == [5, 0]  # the second check had no new item to validate

    descriptor["sources"].append({"title": 7, "path": "raw/bad.txt"})  # title must be a string
    errors = check_profiles(descriptor, memo_dir=tmp_path)
    assert any("at sources/5/title" in e for e in errors), errors  # re-checked whole: the true index
    assert check_profiles(descriptor) == errors  # the same verdict as without a memo
    memo = json.loads((tmp_path / profile_check.PROFILE_MEMO_NAME).read_text(encoding="utf-8"))
    assert len(memo["sources"]) == 5  # only items found valid are remembered


def test_profile_memo_premise_holds_for_the_shipped_profile():
    # Without it the memo is silently off (correct, but a rebuild re-checks every source and schema).
    spec = profile_check._memo_spec()
    assert spec is not None and set(spec) == {"sources", "schema"}


def test_schema_memo_replaces_only_known_schemas_and_never_hides_a_bad_one(written, tmp_path, monkeypatch):
    descriptor = read_descriptor(written)
    schemas_seen = []
    real = profile_check._profile_errors

    def spy(instance, profile, where):
        if profile == "datapackage":
            schemas_seen.append([r.get("schema") for r in instance["resources"]])
        return real(instance, profile, where)

    monkeypatch.setattr(profile_check, "_profile_errors", spy)
    assert check_profiles(descriptor, memo_dir=tmp_path) == []
    assert check_profiles(descriptor, memo_dir=tmp_path) == []
    assert all(isinstance(s, dict) for s in schemas_seen[0])  # first check: every schema walked
    assert set(schemas_seen[1]) == {profile_check._SCHEMA_STAND_IN}  # second: all known, none walked

    bad = descriptor["resources"][3]
    bad["schema"] = {**bad["schema"], "fields": [{**bad["schema"]["fields"][0], "type": "no-such-type"},
                                                 *bad["schema"]["fields"][1:]]}
    schemas_seen.clear()
    errors = check_profiles(descriptor, memo_dir=tmp_path)
    assert errors and errors == check_profiles(descriptor)  # the verdict and messages of a check without memo
    assert isinstance(schemas_seen[0][3], dict)  # the changed schema was walked, not replaced
    assert any(f"resource {bad['name']!r} schema" in e for e in errors), errors
    # A stand-in is only ever a string, which the profile accepts for a schema given by path.
    assert profile_check._profile_errors({**descriptor, "resources": [{**r, "schema": profile_check._SCHEMA_STAND_IN}
                                                                for r in descriptor["resources"]]},
                                    "datapackage", "x") == []


def test_a_file_put_in_the_output_while_the_build_validates_is_not_deleted(tmp_path, monkeypatch):
    # The up-front proof is seconds old by the time the swap comes: it is made again just before it.
    out = tmp_path / "datapackage"
    publish.publish(_stage(out, {}), out, validate=False)
    before = _snapshot(out)
    staging = _stage(out)

    from pipeline.package import validate as validate_module

    real = validate_module.validate_package

    def validate_while_someone_writes(descriptor, *args, **kwargs):
        (out / "notes.txt").write_text("written while the build validated")
        return real(descriptor, *args, **kwargs)

    monkeypatch.setattr(validate_module, "validate_package", validate_while_someone_writes)
    with pytest.raises(publish.NotReplaceable, match=r"notes\.txt \(not written by yusuan\)"):
        publish.publish(staging, out)
    assert _snapshot(out) == {**before, "notes.txt": b"written while the build validated"}
