"""The conformance suite's coverage report, printed at the end of the run."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter) -> None:
    module = sys.modules.get("test_conformance_workbooks") or sys.modules.get(
        "formulas.test_conformance_workbooks"
    )
    reports = getattr(module, "REPORTS", None)
    if not reports:
        return
    from conformance_workbooks import Coverage

    entries = {e.file: e for e in module.ENTRIES}
    coverage = Coverage([(entries[f], r) for f, r in reports.items()])
    terminalreporter.section("conformance: Excel-saved workbooks")
    for line in coverage.lines()[len(reports) :]:
        terminalreporter.write_line(line)
