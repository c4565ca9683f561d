"""Template workbooks: current against their builders, complete, spelled for their face."""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml

import pyfuncs
from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.refresh.core import refresh
from pyfuncs.templates import TEMPLATES, build_template, template_workbook
from pyfuncs.templates.scenarios import MODELLED

ROOT = Path(__file__).parents[2]
COL_INDEX = {name: i for i, name in enumerate(SCHEDULE_COLUMNS)}
WORKBOOKS = ROOT / "workbooks"


def _example(name: str) -> dict:
    return yaml.safe_load((WORKBOOKS / "examples" / f"{name}.yaml").read_text())


def snapshot(data: bytes) -> dict:
    """What a workbook says: formulas and values per cell, cached values, names, charts."""
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    cells = {}
    for sheet in formulas.worksheets:
        cached = values[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and cached[cell.coordinate].value is None:
                    continue
                text = getattr(cell.value, "text", cell.value)
                cells[(sheet.title, cell.coordinate)] = (text, cached[cell.coordinate].value)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
    names = {name: d.attr_text for name, d in formulas.defined_names.items()}
    return {"cells": cells, "names": names, "charts": charts}


def _same(a, b) -> bool:
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_committed_workbook_is_current(name):
    committed = snapshot((WORKBOOKS / f"{name}.xlsx").read_bytes())
    fresh = snapshot(build_template(name, _example(name)))
    assert committed["names"] == fresh["names"]
    assert committed["charts"] == fresh["charts"]
    assert committed["cells"].keys() == fresh["cells"].keys(), f"rebuild: gpucredit build {name}"
    stale = [
        key
        for key, (formula, value) in fresh["cells"].items()
        if committed["cells"][key][0] != formula or not _same(committed["cells"][key][1], value)
    ]
    assert not stale, f"workbooks/{name}.xlsx is stale at {stale[:5]}; rebuild it"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_example_yaml_is_the_builders_example(name):
    assert pyfuncs.parse_assumptions(_example(name)) == pyfuncs.parse_assumptions(
        TEMPLATES[name].example
    )


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_formula_cell_carries_a_value(name):
    data = (WORKBOOKS / f"{name}.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        formula_cells = 0
        for part in sheets:
            xml = archive.read(part).decode()
            cells = re.findall(r"<c [^>]*?(?:/>|>.*?</c>)", xml, flags=re.S)
            with_formula = [c for c in cells if "<f" in c]
            formula_cells += len(with_formula)
            missing = [c[:80] for c in with_formula if "<v>" not in c and "<is>" not in c]
            assert not missing, f"{part}: formula cells without a cached value: {missing[:3]}"
        assert formula_cells > 100


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_sheets_names_validation_and_styling(name):
    book = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx")
    assert book.sheetnames == [
        "Inputs",
        "Scenarios",
        "Schedule",
        "Schedule as modelled",
        "Dashboard",
        "Workings",
        "Notes",
    ]
    inputs = book["Inputs"]
    names = dict(book.defined_names.items())
    for row in inputs.iter_rows(min_row=5, max_col=2):
        label, value = row
        if isinstance(label.value, str) and label.value in pyfuncs.DealAssumptions.model_fields:
            assert label.value in names, f"input {label.value} has no defined name"
            assert f"$B${value.row}" in names[label.value].attr_text
    assert inputs.data_validations.dataValidation, "inputs carry data validation"
    assert inputs["B6"].font.color.rgb.endswith("0000FF")  # inputs are blue
    assert not book.calculation.fullCalcOnLoad


def _formula_texts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        )
    return re.findall(r"<f[^>]*>(.*?)</f>", xml, flags=re.S)


def test_officejs_and_xlwings_spellings():
    office = " ".join(_formula_texts((WORKBOOKS / "neocloud.xlsx").read_bytes()))
    assert "_xldudf_GPU_DEAL_SCHEDULE(" in office and "_xldudf_GPU_JOINT_STRESS(" in office
    assert "GPU." not in office and "_xludf." not in office
    xlwings = " ".join(_formula_texts(build_template("neocloud", flavor="xlwings")))
    assert "GPU_DEAL_SCHEDULE(" in xlwings and "_xldudf_" not in xlwings and "GPU." not in xlwings


def test_deal_schedule_values_match_the_engine_for_the_example():
    book = openpyxl.load_workbook(WORKBOOKS / "neocloud.xlsx", data_only=True)
    sheet = book["Schedule"]
    header = [c.value for c in sheet[3]]
    dscr = [
        np.nan if row[header.index("dscr")] is None else row[header.index("dscr")]
        for row in sheet.iter_rows(min_row=4, max_row=63, values_only=True)
    ]  # blank where nothing is due (after a default)
    expected = pyfuncs.deal_schedule(_example("neocloud")).dscr
    np.testing.assert_allclose(dscr, expected, rtol=1e-12)
    # The schedule as usually modelled is the engine run flat, with no reserve (by hand).
    modelled = book["Schedule as modelled"]
    flat = {**_example("neocloud"), **MODELLED}
    expected = pyfuncs.deal_schedule(flat)
    cfads = [
        r[COL_INDEX["cfads"]] for r in modelled.iter_rows(min_row=4, max_row=63, values_only=True)
    ]
    np.testing.assert_allclose(cfads, expected.cfads, rtol=1e-12)
    assert flat["annual_decline"] == 0 and flat["dsra_months"] == 0
    rents = {
        r[COL_INDEX["rent"]] for r in modelled.iter_rows(min_row=4, max_row=63, values_only=True)
    }
    assert rents == {_example("neocloud")["rent0"]}  # flat market rent


def test_refreshing_a_template_moves_its_numbers_like_the_engine(tmp_path):
    out = tmp_path / "steeper.xlsx"
    refresh(WORKBOOKS / "neocloud.xlsx", out, assignments=[("annual_decline", 0.4)])
    sheet = openpyxl.load_workbook(out, data_only=True)["Schedule"]
    dscr = [
        np.nan if r[SCHEDULE_COLUMNS.index("dscr")] is None else r[SCHEDULE_COLUMNS.index("dscr")]
        for r in sheet.iter_rows(min_row=4, max_row=63, values_only=True)
    ]
    expected = pyfuncs.deal_schedule({**_example("neocloud"), "annual_decline": 0.4}).dscr
    np.testing.assert_allclose(dscr, expected, rtol=1e-12)


def test_bad_inputs_are_refused_before_anything_is_built():
    with pytest.raises(pyfuncs.GpuCreditError):
        template_workbook("neocloud", {"gpus": -1})
    with pytest.raises(KeyError):
        template_workbook("nope")


def test_build_command(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "m.xlsx"
    cmd = [sys.executable, "-m", "pyfuncs.cli", "build", "miner", "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("gpu_count: 3\n")
    refused = subprocess.run(
        [*cmd[:4], "neocloud", "--inputs", str(bad), "--out", str(tmp_path / "n.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "gpu_count" in refused.stderr


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_cell_of_an_array_range_carries_a_value(name):
    formulas = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx")
    values = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx", data_only=True)
    ranges = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, openpyxl.worksheet.formula.ArrayFormula):
                    ranges += 1
                    area = values[sheet.title][cell.value.ref]
                    # a ratio with nothing due (DSCR after a default) is blank by design
                    blank_ok = {
                        c.column_letter
                        for c in values[sheet.title][3]
                        if c.value in ("dscr", "tested_dscr", "book_ltv", "market_ltv")
                    }
                    empty = [
                        c.coordinate
                        for r in area
                        for c in r
                        if c.value is None and c.column_letter not in blank_ok
                    ]
                    assert not empty, f"{sheet.title}!{cell.value.ref}: no value in {empty[:3]}"
    assert ranges >= 2


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_libreoffice_with_the_addin_confirms_every_cached_value(name, libreoffice):
    from pyfuncs.refresh.libreoffice import disagreements

    assert disagreements(WORKBOOKS / f"{name}.xlsx") == []


def test_libreoffice_engine_and_builtin_engine_refresh_alike(tmp_path, libreoffice):
    builtin, office = tmp_path / "builtin.xlsx", tmp_path / "office.xlsx"
    change = [("rent0", 2.6), ("correlation", 0.8)]
    refresh(WORKBOOKS / "miner.xlsx", builtin, assignments=change)
    from pyfuncs.refresh.libreoffice_engine import LibreOfficeEngine

    refresh(WORKBOOKS / "miner.xlsx", office, assignments=change, engine=LibreOfficeEngine())
    a = snapshot(builtin.read_bytes())["cells"]
    b = snapshot(office.read_bytes())["cells"]
    differ = [
        k for k in a if not _same(a[k][1], b[k][1]) and not (a[k][1] == "" and b[k][1] in (None, 0))
    ]
    assert not differ, differ[:5]
    from pyfuncs.refresh.libreoffice import disagreements

    assert disagreements(builtin) == []
