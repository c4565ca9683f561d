"""The conformance suite's coverage report, printed at the end of the run."""

from __future__ import annotations

import sys


def _module(name: str):
    return sys.modules.get(name) or sys.modules.get(f"formulas.{name}")


def pytest_terminal_summary(terminalreporter) -> None:
    ported = _module("test_conformance")
    workbooks = _module("test_conformance_workbooks")
    reports = getattr(workbooks, "REPORTS", None)
    if not reports and ported is None:
        return
    terminalreporter.section("conformance")
    if ported is not None:
        terminalreporter.write_line(ported.summary())
    if reports:
        from conformance_workbooks import Coverage

        entries = {e.file: e for e in workbooks.ENTRIES}
        coverage = Coverage([(entries[f], r) for f, r in reports.items()])
        for line in coverage.lines()[len(reports) :]:
            terminalreporter.write_line(line)
