"""The release version, derived from the diff (never typed by hand): the Data Package "version" recipe.

``MAJOR.MINOR.PATCH``; the first release is ``1.0.0``. Against the previous release, the largest of:

* **MAJOR**, incompatible: a table removed; a field added, removed, renamed, retyped (``type``/``format``) or
  reordered (the recipe counts an added column as incompatible: readers that go by position break); a
  primary or foreign key changed; a constraint made stricter; a document removed (its rows are referenced
  by every table's foreign key, and analyses that used it change);
* **MINOR**, data added: a table added; a document added; rows added to a document already released (a row
  the reader now finds); a constraint made looser;
* **PATCH**, corrections: rows changed or removed inside documents that stay; descriptive metadata changed
  (titles, descriptions, sources, licences, ``created``).

No change at all: no release. Each reason is written into the diff and the release notes.
"""

from __future__ import annotations

from typing import Any

from pipeline.release.layout import version_key

FIRST = "1.0.0"
MAJOR, MINOR, PATCH = "major", "minor", "patch"


def _n(count: int, what: str) -> str:
    return f"{count:,} {what}{'' if count == 1 else 's'}"


def reasons(diff: dict[str, Any]) -> dict[str, list[str]]:
    """Why the version moves, by level, from the diff's sections."""
    out: dict[str, list[str]] = {MAJOR: [], MINOR: [], PATCH: []}
    schema = diff["schema"]
    for t in schema["tables_removed"]:
        out[MAJOR].append(f"table {t} removed")
    for t in schema["tables_added"]:
        out[MINOR].append(f"table {t} added")
    for t, s in schema["tables"].items():
        for f in s.get("fields_removed", []):
            out[MAJOR].append(f"{t}.{f} removed")
        for f in s.get("fields_added", []):
            out[MAJOR].append(f"{t}.{f} added")
        for r in s.get("fields_retyped", []):
            out[MAJOR].append(f"{t}.{r['field']} retyped from {r['from']} to {r['to']}")
        if s.get("fields_reordered"):
            out[MAJOR].append(f"fields of {t} reordered")
        if s.get("primary_key"):
            out[MAJOR].append(f"primary key of {t} changed")
        if s.get("foreign_keys_changed"):
            out[MAJOR].append(f"foreign keys of {t} changed")
        for c in s.get("constraints_changed", []):
            (out[MINOR] if c["looser"] else out[MAJOR]).append(
                f"constraints of {t}.{c['field']} made {'looser' if c['looser'] else 'stricter'}")
    docs = diff["documents"]
    if docs["removed"]:
        out[MAJOR].append(_n(len(docs["removed"]), "document") + " removed")
    if docs["added"]:
        out[MINOR].append(_n(len(docs["added"]), "document") + " added")
    new_docs, gone_docs = set(docs["added"]), set(docs["removed"])
    for t, c in diff["tables"].items():
        by_doc = diff["by_document"]
        added_in_old = sum(e["tables"][t]["added"] for d, e in by_doc.items() if d not in new_docs and t in e["tables"])
        removed_in_kept = sum(e["tables"][t]["removed"] for d, e in by_doc.items()
                              if d not in gone_docs and t in e["tables"])
        if added_in_old:
            out[MINOR].append(f"{_n(added_in_old, 'row')} added to released documents in {t}")
        if c["changed"]:
            out[PATCH].append(f"{_n(c['changed'], 'row')} changed in {t} ({', '.join(c['columns'])})")
        if removed_in_kept:
            out[PATCH].append(f"{_n(removed_in_kept, 'row')} removed from documents that stay in {t}")
        if c.get("note"):
            out[MAJOR].append(f"{t}: {c['note']}")
    meta = diff["metadata"]
    if meta["package"]:
        out[PATCH].append("package metadata changed: " + ", ".join(meta["package"]))
    for t, keys in meta["tables"].items():
        out[PATCH].append(f"descriptions of {t} changed: " + ", ".join(keys))
    return out


def bump(why: dict[str, list[str]]) -> str | None:
    """The level the version moves by, or None when nothing changed."""
    return next((level for level in (MAJOR, MINOR, PATCH) if why[level]), None)


def next_version(previous: str | None, level: str | None) -> str | None:
    if previous is None:
        return FIRST
    if level is None:
        return None
    major, minor, patch = version_key(previous)
    if level == MAJOR:
        return f"{major + 1}.0.0"
    if level == MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
