"""The human build summary stays short on a large corpus; the build report keeps everything."""

from pipeline.package import report


def _report(quarantined: int, warned: int) -> dict:
    docs = [{"file": f"q{i}.txt", "status": "quarantined", "line": i + 1, "reason": "cut off"} for i in range(quarantined)]
    docs += [{"file": f"w{i}.txt", "status": "warned", "warnings": [{"line": 7, "message": "odd mark"}]}
             for i in range(warned)]
    counts = {"documents": len(docs), "built": 0, "warned": warned, "quarantined": quarantined}
    return {"counts": counts, "documents": docs, "notes": []}


def test_summary_lists_everything_below_the_limits():
    lines = report.summary_lines(_report(2, 3))
    assert sum("QUARANTINED" in line for line in lines) == 2
    assert sum(line.startswith("  warning ") for line in lines) == 3
    assert not any("more" in line for line in lines)


def test_summary_caps_quarantines_and_warnings_and_says_how_many_more():
    lines = report.summary_lines(_report(60, 1000), max_quarantined=50, max_warnings=20)
    assert sum("QUARANTINED" in line for line in lines) == 50
    assert sum(line.startswith("  warning ") for line in lines) == 20
    assert "  ... and 10 more quarantined documents: all are in the build report" in lines
    assert "  ... and 980 more warnings: all are in the build report" in lines
