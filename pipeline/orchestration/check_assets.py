"""Non-blocking Dagster asset checks on ``core_checks``: the sources' own inconsistencies, per build.

A budget that does not add up or a number written oddly is a finding about the source, not a pipeline error:
these checks have severity WARN and are not blocking, so the package is still published (with the ``checks``
table saying what is wrong) while the Dagster UI shows, per build, which checks failed and where. Pipeline
invariants (schema validity, primary and foreign keys) stay in the blocking ERROR check ``datapackage_valid``.
"""

from __future__ import annotations

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

CORE_CHECKS = dg.AssetKey("core_checks")
# Rows listed in the check's metadata: enough to act on in the UI; the checks table has all of them.
MAX_LISTED = 200
_LISTED = ("document_id", "check_id", "check_seq", "status", "subject", "stated_yuan", "computed_yuan",
           "difference_yuan", "tolerance_yuan", "found_text", "source_ref")


def _table(core_checks) -> pa.Table:
    """``core_checks`` is a ``combine.CoreTable`` (Arrow IPC files, one per part); rows as dicts are accepted too."""
    return core_checks.read() if hasattr(core_checks, "read") else pa.Table.from_pylist(list(core_checks))


def status_counts(status: pa.ChunkedArray | pa.Array) -> dict[str, int]:
    """Rows per check status (pass, fail, warn, skip), counted in Arrow: a corpus has ~500,000 check rows."""
    found = pc.value_counts(status).to_pylist() if len(status) else []
    by_status = {item["values"]: item["counts"] for item in found}
    return {s: by_status.get(s, 0) for s in ("pass", "fail", "warn", "skip")}


def _result(core_checks, kinds: tuple[str, ...], bad: tuple[str, ...], what: str) -> dg.AssetCheckResult:
    table = _table(core_checks)
    # Masks over two columns; only the listed rows are taken from the other columns (a corpus has hundreds
    # of thousands of check rows, and filtering the whole table would copy all of them).
    if table.num_rows:
        mine = pc.is_in(table.column("check_kind"), pa.array(kinds))
        counts = status_counts(table.column("status").filter(mine))
        flagged_mask = pc.and_(mine, pc.is_in(table.column("status"), pa.array(bad)))
        n_flagged = pc.sum(flagged_mask).as_py() or 0
        listed = table.select(list(_LISTED)).filter(flagged_mask).slice(0, MAX_LISTED).to_pylist()
    else:
        counts, n_flagged, listed = status_counts(pa.array([], pa.string())), 0, []
    flagged = [{k: r[k] for k in _LISTED} for r in listed]
    table = ["| document | check | # | status | subject | lines |", "| --- | --- | --- | --- | --- | --- |"]
    table += [f"| {r['document_id']} | {r['check_id']} | {r['check_seq']} | {r['status']} | "
              f"{(r['subject'] or '').replace('|', '/')} | {r['source_ref'] or ''} |" for r in flagged]
    if n_flagged > MAX_LISTED:
        table.append(f"| … {n_flagged - MAX_LISTED} more rows in the checks table | | | | | |")
    return dg.AssetCheckResult(
        passed=not n_flagged,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{n_flagged} {what}" if n_flagged else None,
        metadata={**counts, "flagged_count": n_flagged, "flagged": dg.MetadataValue.json(flagged),
                  "flagged_table": dg.MetadataValue.md("\n".join(table))},
    )


@dg.asset_check(asset=CORE_CHECKS, name="fiscal_identities_hold", blocking=False,
                description="Every fiscal identity and soft relation of every document holds within its printed "
                "precision (checks table rows of kind identity/soft with status fail or warn are listed). WARN, "
                "not blocking: the sources' arithmetic is published, not corrected.")
def fiscal_identities_hold(core_checks) -> dg.AssetCheckResult:
    return _result(core_checks, ("identity", "soft"), ("fail", "warn"), "identity/soft check row(s) fail or warn")


@dg.asset_check(asset=CORE_CHECKS, name="no_source_anomalies", blocking=False,
                description="No document has source anomalies or missing sections (checks table rows of kind "
                "anomaly/completeness with status warn are listed). WARN, not blocking.")
def no_source_anomalies(core_checks) -> dg.AssetCheckResult:
    return _result(core_checks, ("anomaly", "completeness"), ("warn",), "source anomaly/completeness warning(s)")


SOURCE_CHECKS = [fiscal_identities_hold, no_source_anomalies]
