"""The data diff (rows by primary key, any Arrow type), the schema diff and the version scheme, on small tables."""

from __future__ import annotations

import copy
from decimal import Decimal

import pyarrow as pa
import pytest

from pipeline.release import layout
from pipeline.release.diff import compare_table, first_release
from pipeline.release.schema_diff import compare_descriptors
from pipeline.release.version import bump, next_version, reasons

KEY = ["document_id", "seq"]


def lines(docs, seqs, amounts, labels, amount_type=pa.int64()):
    return pa.table({"document_id": docs, "seq": pa.array(seqs, pa.int64()),
                     "amount_yuan": pa.array(amounts, amount_type), "label": labels})


def test_rows_added_removed_and_changed_by_key_with_the_columns():
    old = lines(["a", "a", "b", "c"], [1, 2, 1, 1], [100, 200, None, 5], ["x", "y", "z", "w"])
    new = lines(["a", "a", "b", "d"], [1, 2, 1, 1], [100, 201, None, 5], ["x", "y", "zz", "w"])
    ch = compare_table("t", old, new, KEY)
    assert (ch.added, ch.removed, ch.changed) == (1, 1, 2)
    assert ch.columns == {"amount_yuan": 1, "label": 1}
    assert ch.by_document == {
        "a": {"added": 0, "removed": 0, "changed": 1, "columns": ["amount_yuan"]},
        "b": {"added": 0, "removed": 0, "changed": 1, "columns": ["label"]},
        "c": {"added": 0, "removed": 1, "changed": 0, "columns": []},
        "d": {"added": 1, "removed": 0, "changed": 0, "columns": []},
    }
    rows = ch.rows.to_pylist()
    assert [(r["change"], r["document_id"], r["seq"], r["changed_columns"]) for r in rows] == [
        ("changed", "a", 2, ["amount_yuan"]), ("changed", "b", 1, ["label"]),
        ("removed", "c", 1, None), ("added", "d", 1, None)]
    assert (rows[0]["old_amount_yuan"], rows[0]["new_amount_yuan"]) == (200, 201)
    assert (rows[2]["old_label"], rows[2]["new_label"]) == ("w", None)


def test_null_and_value_differ_but_two_nulls_do_not():
    old = lines(["a", "a"], [1, 2], [None, None], ["x", "y"])
    new = lines(["a", "a"], [1, 2], [0, None], ["x", "y"])
    ch = compare_table("t", old, new, KEY)
    assert (ch.changed, ch.columns) == (1, {"amount_yuan": 1})


def test_integer_yuan_retyped_to_decimal_compares_values_exactly():
    """The move of amounts from int64 yuan to two-place decimals: equal amounts are not changes."""
    old = lines(["a", "a", "a"], [1, 2, 3], [100, 200, 10**15 + 1], ["x", "y", "z"])
    new = lines(["a", "a", "a"], [1, 2, 3], [Decimal("100.00"), Decimal("200.01"), Decimal(10**15 + 1)],
                ["x", "y", "z"], pa.decimal128(20, 2))
    ch = compare_table("t", old, new, KEY)
    assert (ch.changed, ch.columns) == (1, {"amount_yuan": 1})
    (row,) = ch.rows.to_pylist()
    assert (row["seq"], row["old_amount_yuan"], row["new_amount_yuan"]) == (2, Decimal("200.00"), Decimal("200.01"))


def test_decimals_are_compared_as_decimals_not_floats():
    # 0.1 + 0.2 and 0.3 are the same float64 neighbourhood problem; as decimal128 they are exact.
    old = lines(["a"], [1], [Decimal("12345678901234567.89")], ["x"], pa.decimal128(38, 2))
    new = lines(["a"], [1], [Decimal("12345678901234567.88")], ["x"], pa.decimal128(38, 2))
    assert compare_table("t", old, new, KEY).changed == 1


def test_a_type_that_cannot_be_cast_is_compared_as_text():
    old = pa.table({"document_id": ["a", "b"], "seq": [1, 1], "v": ["1", "x"]})
    new = pa.table({"document_id": ["a", "b"], "seq": [1, 1], "v": pa.array([1, 2], pa.int64())})
    ch = compare_table("t", old, new, KEY)
    assert (ch.changed, [r["seq"] for r in ch.rows.to_pylist()]) == (1, [1])


def test_added_and_removed_fields_are_not_row_changes():
    old = pa.table({"document_id": ["a"], "seq": [1], "gone": [1]})
    new = pa.table({"document_id": ["a"], "seq": [1], "extra": [True]})
    assert not compare_table("t", old, new, KEY).any


def test_first_release_counts_rows_by_document():
    new = lines(["a", "a", "b"], [1, 2, 1], [1, 2, 3], ["x", "y", "z"])
    ch = first_release("t", new)
    assert (ch.added, ch.rows) == (3, None)
    assert ch.by_document["a"]["added"] == 2 and ch.by_document["b"]["added"] == 1


# -- schema diff and version --------------------------------------------------------------------------------


def descriptor(fields=None, pk=("document_id", "seq"), **package):
    fields = fields or [{"name": "document_id", "type": "string"}, {"name": "seq", "type": "integer"},
                        {"name": "amount_yuan", "type": "integer", "constraints": {"minimum": 0}}]
    table = {"name": "t", "format": "csv", "path": "data/t.csv", "title": "T",
             "schema": {"fields": fields, "primaryKey": list(pk)}}
    return {"name": "p", "title": "P", "version": "1.0.0", **package, "resources": [table]}


def diff_with(old_desc, new_desc, documents=None, tables=None):
    schema, metadata = compare_descriptors(old_desc, new_desc)
    return {"schema": schema, "metadata": metadata,
            "documents": documents or {"added": [], "removed": [], "changed": []},
            "tables": tables or {}, "by_document": {}}


def with_fields(change):
    desc = descriptor()
    change(desc["resources"][0]["schema"]["fields"])
    return desc


@pytest.mark.parametrize("change, level, reason", [
    (lambda f: f.pop(), "major", "t.amount_yuan removed"),
    (lambda f: f.append({"name": "note", "type": "string"}), "major", "t.note added"),
    (lambda f: f[2].update(type="number"), "major", "t.amount_yuan retyped from integer to number"),
    (lambda f: f.insert(1, f.pop(2)), "major", "fields of t reordered"),
    (lambda f: f[2]["constraints"].update(maximum=10), "major", "constraints of t.amount_yuan made stricter"),
    (lambda f: f[2].pop("constraints"), "minor", "constraints of t.amount_yuan made looser"),
    (lambda f: f[2].update(description="new words"), "patch", "descriptions of t changed: amount_yuan.description"),
])
def test_schema_changes_move_the_version_by_the_recipe(change, level, reason):
    why = reasons(diff_with(descriptor(), with_fields(change)))
    assert reason in why[level]
    assert bump(why) == level


def test_data_changes_move_the_version_by_the_recipe():
    same = descriptor()
    table = {"t": {"added": 0, "removed": 0, "changed": 0, "columns": {}}}
    removed_doc = diff_with(same, same, {"added": [], "removed": ["d1"], "changed": []}, table)
    assert bump(reasons(removed_doc)) == "major"
    added_doc = diff_with(same, same, {"added": ["d2"], "removed": [], "changed": []}, table)
    assert bump(reasons(added_doc)) == "minor"
    fixed = diff_with(same, same, {"added": [], "removed": [], "changed": ["d1"]},
                      {"t": {"added": 0, "removed": 0, "changed": 1, "columns": {"amount_yuan": 1}}})
    assert reasons(fixed)["patch"] == ["1 row changed in t (amount_yuan)"] and bump(reasons(fixed)) == "patch"
    dropped_row = diff_with(same, same, {"added": [], "removed": [], "changed": ["d1"]},
                            {"t": {"added": 0, "removed": 1, "changed": 0, "columns": {}}})
    dropped_row["by_document"] = {"d1": {"status": "changed", "tables": {"t": {"added": 0, "removed": 1, "changed": 0}}}}
    assert bump(reasons(dropped_row)) == "patch"
    found_row = copy.deepcopy(dropped_row)
    found_row["by_document"]["d1"]["tables"]["t"] = {"added": 1, "removed": 0, "changed": 0}
    assert bump(reasons(found_row)) == "minor"
    retitled = diff_with(same, descriptor(title="Q"))
    assert reasons(retitled)["patch"] == ["package metadata changed: title"]
    assert bump(reasons(diff_with(same, same, tables=table))) is None


def test_next_version():
    assert next_version(None, None) == "1.0.0"
    assert [next_version("1.4.2", level) for level in ("major", "minor", "patch")] == ["2.0.0", "1.5.0", "1.4.3"]
    assert next_version("1.4.2", None) is None
    with pytest.raises(ValueError):
        layout.version_key("v1.2")


# -- the lined-up fast path must give what the join gives ---------------------------------------------------


def test_documents_lined_up_by_position_and_the_join_agree():
    """Rows in document order: unchanged documents are compared slice by slice; a document whose rows moved
    within it, or whose key changed, still goes through the join and is reported by key."""
    old = lines(["a", "a", "b", "b", "c", "e"], [1, 2, 1, 2, 1, 1], [1, 2, 3, 4, 5, 6], list("uvwxyz"))
    new = lines(["a", "a", "b", "b", "c", "d", "e"], [2, 1, 1, 3, 1, 1, 1], [2, 1, 3, 4, 5, 9, 6],
                list("vuwxyqz"))
    fast = compare_table("t", old, new, KEY)
    shuffled = compare_table("t", old.take([5, 4, 3, 2, 1, 0]), new.take([6, 5, 4, 3, 2, 1, 0]), KEY)  # join only
    for ch in (fast, shuffled):
        assert (ch.added, ch.removed, ch.changed, ch.rows_from, ch.rows_to) == (2, 1, 0, 6, 7)
        assert sorted((r["change"], r["document_id"], r["seq"]) for r in ch.rows.to_pylist()) == \
            [("added", "b", 3), ("added", "d", 1), ("removed", "b", 2)]
    assert fast.by_document == shuffled.by_document
    assert set(fast.by_document) == {"b", "d"}  # a's rows only changed places: no change


def test_a_changed_value_inside_a_long_run_of_unchanged_documents_is_found():
    docs = [f"d{i:04d}" for i in range(2000) for _ in range(3)]
    seqs = [s for _ in range(2000) for s in (1, 2, 3)]
    old = lines(docs, seqs, list(range(6000)), ["x"] * 6000)
    amounts = list(range(6000))
    amounts[4321] += 1
    ch = compare_table("t", old, lines(docs, seqs, amounts, ["x"] * 6000), KEY)
    assert (ch.changed, ch.columns, list(ch.by_document)) == (1, {"amount_yuan": 1}, [docs[4321]])
