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
        '<row r="1"><c r="A1"><v>1</v></c>'
        '<c r="B1"><f>_xlfn.WEBSERVICE("http://example.com")</f><v>1</v></c></row>'
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
    assert "Refused" in done.stderr and "WEBSERVICE" in done.stderr and "MYMACRO" in done.stderr
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


NEOCLOUD = Path(__file__).parents[2] / "workbooks" / "neocloud.xlsx"


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        # the Inputs sheet's own data validation: decimal <= 1, decimal >= 0, a list
        ("annual_decline=abc", "annual_decline (Inputs!B9) accepts a number <= 1"),
        ("gpus=-5", "gpus (Inputs!B6) accepts a number >= 0; got -5"),
        ("Inputs!B13=150%", "Inputs!B13 accepts a number between 0 and 1; got 1.5"),
        ("profile=balloon", "accepts one of annuity, linear, bullet, sculpted"),
    ],
)
def test_inputs_outside_the_sheets_validation_are_refused(tmp_path: Path, setting, reason):
    out = tmp_path / "o.xlsx"
    done = run(NEOCLOUD, "--set", setting, "--out", out)
    assert done.returncode == 2, done.stdout
    assert reason in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def _named_inputs_book(path: Path, *, validation: bool) -> Path:
    """gpus and a pick list, as named input cells; the pick list's choices in a range."""
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "In"
    sheet["A1"], sheet["B1"] = 100, "=A1*2"
    sheet["A2"] = "low"
    sheet["D1"], sheet["D2"] = "low", "high"
    sheet["A3"], sheet["B3"] = 3, "=A3+1"
    book.defined_names["gpus"] = DefinedName("gpus", attr_text="In!$A$1")
    book.defined_names["Case"] = DefinedName("Case", attr_text="In!$A$2")
    book.defined_names["Choices"] = DefinedName("Choices", attr_text="In!$D$1:$D$2")
    book.defined_names["Years"] = DefinedName("Years", attr_text="In!$A$3")
    if validation:
        picks = DataValidation(type="list", formula1="Choices", allow_blank=False)
        picks.add("A2")
        whole = DataValidation(type="whole", operator="between", formula1="1", formula2="$D$3")
        sheet["D3"] = 10
        whole.add("A3")
        sheet.add_data_validation(picks)
        sheet.add_data_validation(whole)
    book.save(path)
    return path


def test_validation_lists_from_names_and_bounds_from_cells(tmp_path: Path):
    source = _named_inputs_book(tmp_path / "v.xlsx", validation=True)
    for setting, reason in (
        ("Case=medium", "accepts one of low, high"),
        ("Case=", "accepts no blank"),
        ("Years=2.5", "accepts a whole number between 1 and 10; got 2.5"),
        ("Years=11", "accepts a whole number between 1 and 10; got 11"),
    ):
        done = run(source, "--set", setting, "--out", tmp_path / "o.xlsx")
        assert done.returncode == 2 and reason in done.stderr, (setting, done.stderr)
    done = run(source, "--set", "Case=HIGH", "--set", "Years=7", "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True)["In"]["B3"].value == 8


def test_documented_deal_ranges_apply_without_sheet_validation(tmp_path: Path):
    source = _named_inputs_book(tmp_path / "plain.xlsx", validation=False)
    done = run(source, "--set", "gpus=-5", "--out", tmp_path / "o.xlsx")
    assert done.returncode == 2
    assert "the deal assumption gpus (GPUs) must be" in done.stderr and "-5" in done.stderr
    done = run(source, "--set", "In!A1=abc", "--out", tmp_path / "o.xlsx")  # named gpus
    assert done.returncode == 2 and "the deal assumption gpus" in done.stderr
    assert not (tmp_path / "o.xlsx").exists()
    done = run(source, "--set", "gpus=250", "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True)["In"]["B1"].value == 500


def test_new_error_cells_fail_the_refresh_unless_allowed(tmp_path: Path):
    # A1 = 0 is allowed by every rule, but B1 = 1/A1 then holds #DIV/0! where it held 0.01.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "M"
    sheet["A1"], sheet["B1"], sheet["C1"] = 100, "=1/A1", '=IFERROR(B1,"never")'
    source = tmp_path / "m.xlsx"
    book.save(source)
    first = run(source, "--in-place")  # cached values for every formula
    assert first.returncode == 0, first.stderr
    assert "error" not in first.stderr
    out = tmp_path / "o.xlsx"
    done = run(source, "--set", "M!A1=0", "--out", out)
    assert done.returncode == 1
    assert "M!B1" in done.stderr and "#DIV/0!" in done.stderr
    assert "1 formula cell(s) that held values now hold errors" in done.stderr
    assert not out.exists(), "nothing is written without --allow-errors"
    done = run(source, "--set", "M!A1=0", "--out", out, "--allow-errors")
    assert done.returncode == 0, done.stderr
    assert "warning: 1 formula cell(s)" in done.stderr and out.exists()


def test_a_valid_neocloud_refresh_still_passes(tmp_path: Path):
    done = run(NEOCLOUD, "--set", "annual_decline=20%", "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr


def test_errors_that_were_already_there_are_reported_not_refused(tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "M"
    book.active["A1"], book.active["B1"] = 0, "=1/A1"  # no cached value yet: blank before
    source = tmp_path / "m.xlsx"
    book.save(source)
    done = run(source, "--out", tmp_path / "o.xlsx")
    assert done.returncode == 0, done.stderr
    assert "warning: 1 formula cell(s) hold errors" in done.stderr
