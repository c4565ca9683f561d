"""One value reader for ``gpucredit call`` and ``refresh --set``, and ``gpucredit functions``
showing every optional argument."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from pyfuncs.cli.demo import ratio_text
from pyfuncs.errors import ExcelError
from pyfuncs.formulas.typed import TypedValueError, parse_typed


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# 2025-01-01 is serial 45658 (Microsoft's DATE examples count days from 1900-01-00 with the
# 1900 leap-year bug: 1899-12-30 is day 0); 2026-01-01 = 45658 + 365; March 1 = + 31 + 28.
MARCH_2026 = 45658 + 365 + 31 + 28


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-1.5", -1.5),
        ("6.5%", 0.065),
        ("-6.5%", -0.065),
        ("1,000", 1000.0),
        ("1e-3", 0.001),
        ("true", True),
        ("FALSE", False),
        ("2026-03-01", float(MARCH_2026)),
        ("", None),
        ('"12"', "12"),
        ("SLN", "SLN"),
    ],
)
def test_typed_values(text: str, value):
    assert parse_typed(text) == value


def test_typed_errors_dates_and_arrays():
    assert parse_typed("#n/a") == ExcelError("#N/A", "typed as a value")
    assert parse_typed("2026-03-01", date1904=True) == MARCH_2026 - 1462
    assert parse_typed("[[1],[2.5]]", arrays=True) == [[1.0], [2.5]]
    assert parse_typed("[1, 2]", arrays=True) == [[1.0, 2.0]]
    assert parse_typed("[1, 2]") == "[1, 2]"  # a cell takes one value
    with pytest.raises(TypedValueError, match="not a JSON array"):
        parse_typed("[1, 2", arrays=True)
    with pytest.raises(TypedValueError, match="not a date"):
        parse_typed("2026-02-30")


def test_call_reads_negative_numbers_and_percentages():
    done = run("call", "DSCR", "-1.5", "2")
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(-1.5 / 2)  # DSCR = CFADS / debt service
    done = run("call", "HAZARD_RATE", "6.75%", "35%")
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(0.0675 / (1 - 0.35))  # lambda = s / (1 - R)


def test_call_passes_error_literals_through_as_excel_does():
    done = run("call", "DSCR", "#N/A", "2")
    assert done.returncode == 1 and done.stdout.strip() == "#N/A"


def test_refresh_set_reads_values_with_the_same_reader(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inputs"
    sheet["A1"], sheet["A2"], sheet["A3"] = 0, 0, 0
    sheet["B1"], sheet["B2"], sheet["B3"] = "=A1*2", "=A2+1", "=IF(A3,1,0)"
    source = tmp_path / "book.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    done = run(
        "refresh",
        source,
        "--set",
        "Inputs!A1=-1.5",
        "--set",
        "Inputs!A2=2026-03-01",
        "--set",
        "Inputs!A3=true",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    values = openpyxl.load_workbook(out, data_only=True)["Inputs"]
    assert values["B1"].value == pytest.approx(-3.0)
    assert values["B2"].value == MARCH_2026 + 1  # a date is its serial number
    assert values["B3"].value == 1


def test_functions_shows_optional_arguments():
    done = run("functions")
    assert done.returncode == 0, done.stderr
    assert "[annual_decline=0.28]" in done.stdout
    assert "RENT_CURVE(rent0, periods, , " not in done.stdout


def test_ratios_that_round_to_zero_read_without_a_minus_sign():
    assert ratio_text(-0.001) == "0.00x"
    assert ratio_text(-0.006) == "-0.01x"
    assert ratio_text(1.2449) == "1.24x"
