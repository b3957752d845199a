"""``RELEASE_NOTES.md``: the diff for people -- why the version moved, what was added, removed and changed
(by document, with old and new values), schema and check status changes. Written from the same diff as
``diff/diff.json``, so the two never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.release import diff as rows_diff
from pipeline.release.citation import citation_line, release_date

# Changed rows listed per table in the notes; the rest are in diff/<table>.parquet.
MAX_LISTED = 50
MAX_DOCUMENTS = 100


def _cell(value: Any) -> str:
    text = "∅" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _documents(title: str, ids: list[str], by_document: Mapping[str, Any]) -> list[str]:
    if not ids:
        return []
    lines = [f"### {title} ({len(ids):,})", ""]
    for d in ids[:MAX_DOCUMENTS]:
        tables = by_document.get(d, {}).get("tables", {})
        parts = []
        for t, e in tables.items():
            bits = [f"{e[k]} {k}" for k in ("added", "removed", "changed") if e.get(k)]
            cols = f" ({', '.join(e['columns'])})" if e.get("columns") else ""
            parts.append(f"{t}: {', '.join(bits)}{cols}")
        lines.append(f"- `{d}`" + (f" — {'; '.join(parts)}" if parts else ""))
    if len(ids) > MAX_DOCUMENTS:
        lines.append(f"- … and {len(ids) - MAX_DOCUMENTS:,} more (diff/diff.json lists them all)")
    return lines + [""]


def _changed_rows(table: str, rows: pa.Table, key: list[str]) -> list[str]:
    changed = rows.filter(pc.equal(rows[rows_diff.CHANGE], rows_diff.CHANGED))
    if not changed.num_rows:
        return []
    lines = [f"### {table}", "", "| key | column | before | after |", "| --- | --- | --- | --- |"]
    for r in changed.slice(0, MAX_LISTED).to_pylist():
        where = ", ".join(f"{k}={r[k]}" for k in key)
        for c in r[rows_diff.CHANGED_COLUMNS] or []:
            lines.append(f"| {_cell(where)} | `{c}` | {_cell(r[rows_diff.OLD + c])} | {_cell(r[rows_diff.NEW + c])} |")
    if changed.num_rows > MAX_LISTED:
        lines.append(f"\n… and {changed.num_rows - MAX_LISTED:,} more changed rows: `diff/{table}.parquet`.")
    return lines + [""]


def release_notes(descriptor: Mapping[str, Any], diff: Mapping[str, Any], rows: Mapping[str, pa.Table],
                  keys: Mapping[str, list[str]]) -> str:
    version, previous = descriptor["version"], diff["from"]
    date = release_date(descriptor)
    lines = [f"# {descriptor['name']} {version}", ""]
    lines.append(f"Data as of {date} (the package's `created`: the latest retrieval of its raw files)." if date else
                 "No `created` date.")
    lines += ["", f"Cite as: {citation_line(descriptor)}", ""]
    if previous is None:
        lines += [f"The first release: version {version}.", ""]
    else:
        lines += [f"Version {previous} → {version}: a **{diff['bump'].upper()}** release (the Data Package version "
                  "recipe, derived from the diff below; docs/releases.md). Because:", ""]
        for level in ("major", "minor", "patch"):
            lines += [f"- {level}: {reason}" for reason in diff["reasons"][level]]
        lines.append("")

    if previous is None:
        lines += ["## Tables", "", "| table | rows |", "| --- | ---: |"]
        lines += [f"| {t} | {c['rows']['to']:,} |" for t, c in diff["tables"].items()]
    else:
        lines += ["## Tables", "", f"| table | rows {previous} | rows {version} | added | removed | changed | "
                  "columns changed |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for t, c in diff["tables"].items():
            before = "–" if c["rows"]["from"] is None else f"{c['rows']['from']:,}"
            columns = ", ".join(f"{k} ({n})" for k, n in c["columns"].items())
            lines.append(f"| {t} | {before} | {c['rows']['to']:,} | {c['added']:,} | {c['removed']:,} | "
                         f"{c['changed']:,} | {columns} |")
    lines.append("")

    if previous is not None:
        docs = diff["documents"]
        lines += ["## Documents", ""]
        if not any(docs.values()):
            lines += ["No document was added, removed or changed.", ""]
        lines += _documents("Added", docs["added"], diff["by_document"])
        lines += _documents("Removed", docs["removed"], diff["by_document"])
        lines += _documents("Changed", docs["changed"], diff["by_document"])
        listed = [part for t, r in rows.items() for part in _changed_rows(t, r, keys.get(t, []))]
        if listed:
            lines += ["## Changed values", "", f"Up to {MAX_LISTED} changed rows per table (all of them, with "
                      "added and removed rows: `diff/<table>.parquet`).", ""] + listed

        schema = diff["schema"]
        if schema["tables_added"] or schema["tables_removed"] or schema["tables"]:
            lines += ["## Schema changes", ""]
            lines += [f"- table `{t}` added" for t in schema["tables_added"]]
            lines += [f"- table `{t}` removed" for t in schema["tables_removed"]]
            for t, s in schema["tables"].items():
                for f in s.get("fields_added", []):
                    lines.append(f"- `{t}.{f}` added")
                for f in s.get("fields_removed", []):
                    lines.append(f"- `{t}.{f}` removed")
                for r in s.get("fields_retyped", []):
                    lines.append(f"- `{t}.{r['field']}` retyped: {r['from']} → {r['to']}")
                for key in ("fields_reordered", "primary_key", "foreign_keys_changed"):
                    if s.get(key):
                        lines.append(f"- `{t}`: {key.replace('_', ' ')}")
                for c in s.get("constraints_changed", []):
                    lines.append(f"- `{t}.{c['field']}` constraints: {c['from']} → {c['to']}")
            lines.append("")

        status = diff["checks"]["status_changed"]
        lines += ["## Checks whose status changed", ""]
        if not status:
            lines += ["None.", ""]
        for s in status[:MAX_LISTED]:
            lines.append(f"- `{s['document_id']}` {s['check_id']} #{s['check_seq']}: {s['from']} → {s['to']}")
        if len(status) > MAX_LISTED:
            lines.append(f"- … and {len(status) - MAX_LISTED:,} more (diff/diff.json)")
        if status:
            lines.append("")

        meta = diff["metadata"]
        if meta["package"] or meta["tables"]:
            lines += ["## Metadata changes", ""]
            if meta["package"]:
                lines.append("- package: " + ", ".join(f"`{k}`" for k in meta["package"]))
            for t, keys_changed in meta["tables"].items():
                lines.append(f"- `{t}`: " + ", ".join(f"`{k}`" for k in keys_changed))
            lines.append("")

    counts = diff["checks"]["status_counts"]
    if counts["to"]:
        lines += ["## Check statuses", "", "| status | " + (f"{previous} | " if previous else "") + f"{version} |",
                  "| --- | " + ("---: | " if previous else "") + "---: |"]
        for s in sorted(set(counts["from"]) | set(counts["to"])):
            before = f"{counts['from'].get(s, 0):,} | " if previous else ""
            lines.append(f"| {s} | {before}{counts['to'].get(s, 0):,} |")
        lines.append("")
    return "\n".join(lines)
