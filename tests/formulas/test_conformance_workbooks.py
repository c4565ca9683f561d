"""The conformance suite of Excel-saved workbooks: every workbook of
tests/data/conformance/workbooks.toml is refreshed with no input changed and every formula cell
compared with the value Excel cached in it (tests/conformance_workbooks.py; tolerance there and
in the manifest). The coverage report (files, cells, agreement, disagreements and refusals with
their reasons) is printed at the end of the pytest run."""

from __future__ import annotations

import hashlib

import pytest
from conformance_workbooks import MANIFEST, application, check, manifest

SOURCES, ENTRIES = manifest()
FOLDER = MANIFEST.parent
REPORTS: dict[str, object] = {}  # file -> WorkbookReport, read by conftest's summary


def test_the_manifest_lists_every_stored_workbook_with_its_origin_and_licence():
    stored = {
        p.relative_to(FOLDER).as_posix()
        for p in (FOLDER / "excel").rglob("*")
        if p.suffix in (".xlsx", ".xlsm")
    }
    listed = [e.file for e in ENTRIES]
    assert sorted(listed) == sorted(stored)
    assert len(set(listed)) == len(listed)
    for name, source in SOURCES.items():
        for key in ("repository", "url", "commit", "licence", "spdx", "licence_file"):
            assert source.get(key), f"source {name} has no {key}"
        assert len(source["commit"]) == 40
        assert (FOLDER / source["licence_file"]).is_file()
    for e in ENTRIES:
        source = SOURCES[e.source]
        assert e.origin == f"{source['url']}/blob/{source['commit']}/{e.path}"
        assert hashlib.sha256((FOLDER / e.file).read_bytes()).hexdigest() == e.sha256, e.file
        # Only files Microsoft Excel saved: their cached values are Excel's results.
        assert application(FOLDER / e.file) == e.saved_by, e.file
        assert e.saved_by.startswith(("Microsoft Excel", "Microsoft Macintosh Excel")), e.file
        assert (FOLDER / e.file).stat().st_size < 1_000_000, e.file
    assert sum((FOLDER / e.file).stat().st_size for e in ENTRIES) < 5_000_000


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.file.rsplit("/", 1)[-1])
def test_workbook_agrees_with_excel(entry):
    report = check(FOLDER / entry.file)
    REPORTS[entry.file] = report
    if entry.refused:
        assert report.refused, f"{entry.file} now refreshes: take `refused` out of the manifest"
        return
    assert not report.refused, f"{entry.file} refused: {report.refused}"
    assert report.compared > 0 or "defined_names" in entry.file
    assert not report.changed_parts, (
        f"parts rewritten beyond the worksheets: {report.changed_parts}"
    )
    differing = {cell: (ours, excel) for cell, ours, excel in report.differing}
    new = {c: v for c, v in differing.items() if c not in entry.disagreements}
    assert not new, f"{entry.file}: cells that differ from Excel (ours, Excel's): {new}"
    fixed = sorted(set(entry.disagreements) - set(differing))
    assert not fixed, f"{entry.file}: listed disagreements that now agree: {fixed}"


def test_suite_size():
    """The suite's floor: it can only grow."""
    assert len(ENTRIES) >= 100
    assert len({e.source for e in ENTRIES}) >= 3
