"""Non-blocking Dagster asset checks on ``core_checks``: the sources' own inconsistencies, per build.

A budget that does not add up or a number written oddly is a finding about the source, not a pipeline error:
these checks have severity WARN and are not blocking, so the package is still published (with the ``checks``
table saying what is wrong) while the Dagster UI shows, per build, which checks failed and where. Pipeline
invariants (schema validity, primary and foreign keys) stay in the blocking ERROR check ``datapackage_valid``.
"""

from __future__ import annotations

import dagster as dg

CORE_CHECKS = dg.AssetKey("core_checks")
_LISTED = ("document_id", "check_id", "check_seq", "status", "subject", "stated_yuan", "computed_yuan",
           "difference_yuan", "tolerance_yuan", "found_text", "source_ref")


def _result(rows: list[dict], kinds: tuple[str, ...], bad: tuple[str, ...], what: str) -> dg.AssetCheckResult:
    mine = [r for r in rows if r["check_kind"] in kinds]
    flagged = [{k: r[k] for k in _LISTED} for r in mine if r["status"] in bad]
    counts = {s: sum(1 for r in mine if r["status"] == s) for s in ("pass", "fail", "warn", "skip")}
    table = ["| document | check | # | status | subject | lines |", "| --- | --- | --- | --- | --- | --- |"]
    table += [f"| {r['document_id']} | {r['check_id']} | {r['check_seq']} | {r['status']} | "
              f"{(r['subject'] or '').replace('|', '/')} | {r['source_ref'] or ''} |" for r in flagged]
    return dg.AssetCheckResult(
        passed=not flagged,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(flagged)} {what}" if flagged else None,
        metadata={**counts, "flagged": dg.MetadataValue.json(flagged), "flagged_table": dg.MetadataValue.md("\n".join(table))},
    )


@dg.asset_check(asset=CORE_CHECKS, name="fiscal_identities_hold", blocking=False,
                description="Every fiscal identity and soft relation of every document holds within its printed "
                "precision (checks table rows of kind identity/soft with status fail or warn are listed). WARN, "
                "not blocking: the sources' arithmetic is published, not corrected.")
def fiscal_identities_hold(core_checks: list[dict]) -> dg.AssetCheckResult:
    return _result(core_checks, ("identity", "soft"), ("fail", "warn"), "identity/soft check row(s) fail or warn")


@dg.asset_check(asset=CORE_CHECKS, name="no_source_anomalies", blocking=False,
                description="No document has source anomalies or missing sections (checks table rows of kind "
                "anomaly/completeness with status warn are listed). WARN, not blocking.")
def no_source_anomalies(core_checks: list[dict]) -> dg.AssetCheckResult:
    return _result(core_checks, ("anomaly", "completeness"), ("warn",), "source anomaly/completeness warning(s)")


SOURCE_CHECKS = [fiscal_identities_hold, no_source_anomalies]
