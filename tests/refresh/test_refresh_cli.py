"""``gpucredit refresh`` as a user runs it: messages, exit codes, refusals, files touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from refresh_books import hand_workbook, rich_workbook

from pyfuncs.formulas.evaluator import RefreshRefusedError
from pyfuncs.refresh.core import refresh


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", "refresh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_refresh_sets_inputs_and_reports(tmp_path: Path):
    source = rich_workbook(tmp_path / "deal.xlsx")
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("Principal: 5000\n", encoding="utf-8")
    done = run(source, "--set", "Rate=6%", "--inputs", inputs, "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr
    assert "formula cells recomputed" in done.stdout and "Inputs!B1" in done.stdout
    summary = openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True)["Summary"]
    rate = 0.06 / 12
    assert summary["B2"].value == pytest.approx(5000 * rate / (1 - (1 + rate) ** -12))


def test_json_inputs_and_sheet_cell_targets(tmp_path: Path):
    source = rich_workbook(tmp_path / "deal.xlsx")
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"Inputs!C1": 1000}), encoding="utf-8")
    done = run(source, "--inputs", inputs, "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True)["Inputs"]
    assert sheet["D1"].value == pytest.approx(1000 * 0.05)


def test_unknown_functions_are_refused_naming_cells_and_nothing_is_written(tmp_path: Path):
    data = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>OFFSET(A1,0,0)</f><v>1</v></c></row>'
        '<row r="2"><c r="B2"><f>SUM(A1)+MYMACRO(A1)</f><v>1</v></c></row>'
    )
    source = hand_workbook(tmp_path / "bad.xlsx", data)
    before = _files(tmp_path)
    with pytest.raises(RefreshRefusedError) as caught:
        refresh(source, tmp_path / "out.xlsx")
    cells = [cell for cell, _ in caught.value.problems]
    assert cells == ["Model!B1", "Model!B2"]
    done = run(source, "--out", tmp_path / "out.xlsx")
    assert done.returncode == 1
    assert "Refused" in done.stderr and "OFFSET" in done.stderr and "MYMACRO" in done.stderr
    assert "Model!B2" in done.stderr and "Traceback" not in done.stderr
    assert _files(tmp_path) == before, "nothing may be written"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "Nope=1"], "no defined name"),
        (["--set", "Inputs!D1=1"], "holds a formula"),
        (["--set", "Rate"], "NAME=VALUE"),
        (["--engine", "excel"], "--engine must be"),
        (["--in-place", "--out", "x.xlsx"], "not both"),
        (["--out", "copy.xlsm"], "extension"),
    ],
)
def test_bad_requests_exit_nonzero_with_a_message(tmp_path: Path, args, message):
    source = rich_workbook(tmp_path / "deal.xlsx")
    original = source.read_bytes()
    done = run(source, *args)
    assert done.returncode == 2
    assert "error:" in done.stderr and message in done.stderr and "Traceback" not in done.stderr
    assert source.read_bytes() == original
    assert _files(tmp_path) == {"deal.xlsx"}


def test_missing_and_corrupt_inputs(tmp_path: Path):
    done = run(tmp_path / "absent.xlsx")
    assert done.returncode == 2 and "does not exist" in done.stderr
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    done = run(fake)
    assert done.returncode == 2 and "not an .xlsx workbook" in done.stderr
    assert "Traceback" not in done.stderr


def test_out_must_not_be_the_input_and_in_place_replaces_it(tmp_path: Path):
    source = rich_workbook(tmp_path / "deal.xlsx")
    original = source.read_bytes()
    done = run(source, "--out", source, "--set", "Rate=0.2")
    assert done.returncode == 2 and "--in-place" in done.stderr
    assert source.read_bytes() == original
    done = run(source, "--in-place", "--set", "Rate=0.2")
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path) == {"deal.xlsx"}, "no temporary file left behind"
    total = openpyxl.load_workbook(source, data_only=True)["Summary"]["B1"].value
    assert total == pytest.approx(780 * 0.2)


def test_libreoffice_engine_computes_gpu_functions_through_the_addin(tmp_path: Path, libreoffice):
    data = '<row r="1"><c r="A1"><f>_xldudf_GPU_HAZARD_RATE(0.05,0.4)</f><v>0</v></c></row>'
    source = hand_workbook(tmp_path / "gpu.xlsx", data)
    out = tmp_path / "gpu.lo.xlsx"
    done = run(source, "--engine", "libreoffice", "--out", out)
    assert done.returncode == 0, done.stderr
    # lambda = spread / (1 - recovery)
    assert openpyxl.load_workbook(out, data_only=True)["Model"]["A1"].value == pytest.approx(
        0.05 / 0.6
    )
