"""Dashboards a credit committee can read: words, formats by kind, a waterfall, one page.

Expected values are written out here: the waterfall's invisible base is the running total worked
by hand from the step amounts; the breach cell's three outcomes are checked in LibreOffice (an
independent engine) on a column with a known breach, none, and an error.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from openpyxl.worksheet.formula import ArrayFormula

import pyfuncs
from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.deal.stress import METRICS
from pyfuncs.recovery import WATERFALL_ITEMS
from pyfuncs.refresh.core import refresh
from pyfuncs.templates import TEMPLATES
from pyfuncs.templates.dashboard import breach_formula, spread_formula

ROOT = Path(__file__).parents[2]
WORKBOOKS = ROOT / "workbooks"
RAW_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def _dashboard(name: str, data_only: bool = False):
    return openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx", data_only=data_only)["Dashboard"]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_dashboard_prints_on_one_landscape_page(name):
    sheet = _dashboard(name)
    assert sheet.print_area, "the dashboard has a print area"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 1)
    # The print area holds every cell with content (nothing is left off the page).
    area = sheet.print_area.split("!")[-1].replace("$", "")
    last_col, last_row = re.fullmatch(r"A1:([A-Z]+)(\d+)", area).groups()
    assert sheet.max_row <= int(last_row)
    assert openpyxl.utils.column_index_from_string(last_col) >= sheet.max_column


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_dashboard_labels_are_words_with_a_note_beside_each(name):
    sheet = _dashboard(name)
    raw = {*METRICS, *SCHEDULE_COLUMNS, "flat_rent", "flat_rent_dscr", "item", "amount"}
    headlines = 0
    for row in sheet.iter_rows(min_row=3):
        label = row[0].value
        if isinstance(label, str) and label.startswith("="):
            continue  # a table's computed first column (the BTC prices), not a label
        if isinstance(label, str):
            assert label not in raw and not RAW_NAME.match(label), f"raw name {label!r}"
        formulas = [c for c in row[1:] if isinstance(c.value, str) and c.value.startswith("=")]
        notes = [c for c in row[1:] if isinstance(c.value, str) and not c.value.startswith("=")]
        if isinstance(label, str) and formulas and not isinstance(row[1].value, ArrayFormula):
            headlines += 1
            assert notes and len(notes[-1].value) > 15, f"{label!r} has no note beside it"
    assert headlines >= 12


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_number_formats_by_kind(name):
    sheet = _dashboard(name)
    by_label = {}
    for row in sheet.iter_rows(min_row=3):
        if isinstance(row[0].value, str):
            by_label[row[0].value] = [
                c.number_format
                for c in row[1:3]
                if isinstance(c.value, str) and c.value.startswith("=")
            ]
    assert "0.0000" not in {f for formats in by_label.values() for f in formats}
    assert all(f == '0.00"x"' for f in by_label["Minimum DSCR"])
    ltv = "Maximum LTV: book value, then market value"
    assert by_label[ltv] and all(f.endswith("%") for f in by_label[ltv])
    assert by_label["Fair spread for this risk"] == ['#,##0" bp"'] * len(
        by_label["Fair spread for this risk"]
    )
    assert by_label["Paths simulated"][0] == "#,##0"
    assert by_label["Probability of default over the horizon"][0] == "0.0%"
    assert by_label["Expected loss"][0].startswith('$#,##0.0,,"M"')
    if name == "datacenter":
        assert by_label["Debt at close"] == ['$#,##0.0,,"M";-$#,##0.0,,"M"'] * 2
        assert by_label["Market rent fall over year 1"] == ["0.0%"] * 2


def _chart_xml(name: str) -> list[str]:
    with zipfile.ZipFile(WORKBOOKS / f"{name}.xlsx") as archive:
        return [
            archive.read(n).decode()
            for n in sorted(archive.namelist())
            if n.startswith("xl/charts/chart")
        ]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_chart_legends_are_words(name):
    charts = _chart_xml(name)
    assert len(charts) >= 4
    for xml in charts:
        series = re.findall(r"<ser>(.*?)</ser>", xml, flags=re.S)
        assert series
        for one in series:
            titles = re.findall(r"<tx><v>(.*?)</v></tx>", one)
            assert titles and not any("_" in t for t in titles), one[:200]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_the_waterfall_is_stacked_bars_over_an_invisible_base(name):
    waterfalls = [x for x in _chart_xml(name) if "<barChart>" in x]
    assert len(waterfalls) == 1
    xml = waterfalls[0]
    assert '<grouping val="stacked"' in xml and '<overlap val="100"' in xml
    series = re.findall(r"<ser>(.*?)</ser>", xml, flags=re.S)
    assert len(series) == 3
    assert "<a:noFill" in series[0], "the base series has no fill"
    assert all("<a:noFill" not in s for s in series[1:])
    assert all("<strRef>" in s for s in series), "step names are text categories"
    # The base is the running total after each deduction, worked here from the amounts.
    book = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx", data_only=True)
    sheet, workings = book["Dashboard"], book["Workings"]
    start = next(r for r in range(1, 80) if sheet[f"A{r}"].value == "Gross market value")
    steps = len(WATERFALL_ITEMS)
    amounts = [sheet[f"B{start + i}"].value for i in range(steps)]
    data = next(r for r in range(1, 80) if workings[f"A{r}"].value == "Gross market value")
    running = amounts[0]
    assert workings[f"D{data}"].value == pytest.approx(amounts[0])
    for i in range(1, steps - 1):
        after = running + amounts[i]
        assert workings[f"B{data + i}"].value == pytest.approx(max(0.0, min(running, after)))
        assert workings[f"C{data + i}"].value == pytest.approx(abs(amounts[i]))
        running = after
    assert workings[f"D{data + steps - 1}"].value == pytest.approx(amounts[-1])
    assert amounts[-1] == pytest.approx(max(0.0, running), abs=1e-6)


def test_breach_cell_says_never_only_when_the_column_has_no_error(libreoffice, tmp_path):
    """Three DSCR columns in LibreOffice with the add-in: a breach, none, an error."""
    from pyfuncs.refresh.libreoffice import computed_values, recalculate_workbook
    from pyfuncs.templates.layout import spell

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deal"
    columns = {
        "A": [1.3, 1.2, 1.05, 1.4],
        "B": [1.3, 1.2, 1.25, 1.4],
        "C": [1.3, "=1/0", 1.5, 1.4],
        "D": [1.3, None, 1.05, None],  # blank between covenant tests: skipped, not a DSCR of 0
    }
    for letter, values in columns.items():
        for row, value in enumerate(values, start=1):
            if value is not None:
                sheet[f"{letter}{row}"] = value
        formula = breach_formula(f"{letter}1:{letter}4", "1.1")
        sheet[f"{letter}6"] = ArrayFormula(f"{letter}6", spell(formula.text, "officejs"))
    book.save(tmp_path / "breach.xlsx")
    done = recalculate_workbook(tmp_path / "breach.xlsx", tmp_path / "out")
    values = computed_values(done.path)
    assert values[("Deal", "A6")] == 3  # 1.05 < 1.10 in the third period
    assert values[("Deal", "B6")] == "never"
    assert getattr(values[("Deal", "C6")], "code", None) == "#DIV/0!"  # not "never"
    assert values[("Deal", "D6")] == 3
    # The headless engine agrees.
    refresh(tmp_path / "breach.xlsx", tmp_path / "refreshed.xlsx")
    again = openpyxl.load_workbook(tmp_path / "refreshed.xlsx", data_only=True)["Deal"]
    shown = [again[f"{c}6"].value for c in "ABCD"]
    assert shown == [3, "never", "#DIV/0!", 3]


def test_spreads_above_2000_bp_or_at_certain_default_read_distressed(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    cases = [(0.0143, 0.2), (0.25, 0.9), ("=1/0", 1), (0.0143, "=1/0")]
    for row, (spread, prob) in enumerate(cases, start=1):
        sheet[f"A{row}"], sheet[f"B{row}"] = spread, prob
        sheet[f"C{row}"] = spread_formula(f"A{row}", f"B{row}")
    book.save(tmp_path / "s.xlsx")
    refresh(tmp_path / "s.xlsx", tmp_path / "out.xlsx")
    out = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    # 0.0143 = 143 bp; 0.25 = 2,500 bp > 2,000; PD 1 (spread infinite); an error in the PD shows
    assert out["C1"].value == pytest.approx(143.0)
    assert [out["C2"].value, out["C3"].value, out["C4"].value] == [
        "distressed",
        "distressed",
        "#DIV/0!",
    ]


def test_the_demos_refreshed_neocloud_has_no_error_on_its_dashboard(tmp_path):
    """At a 60% decline every path defaults: spreads read distressed, annual PD in words."""
    out = tmp_path / "steeper.xlsx"
    refresh(WORKBOOKS / "neocloud.xlsx", out, assignments=[("annual_decline", 0.6)])
    sheet = openpyxl.load_workbook(out, data_only=True)["Dashboard"]
    cells = [c.value for row in sheet.iter_rows(min_row=3) for c in row]
    assert not [v for v in cells if isinstance(v, str) and v.startswith("#")]
    # the deflation-aware view (column C)
    shown = {r[0].value: r[2].value for r in sheet.iter_rows(min_row=3) if r[0].value}
    assert shown["Probability of default over the horizon"] == 1
    assert shown["Annual probability of default"] == "every path defaults"
    assert shown["Fair spread for this risk"] == "distressed"
    assert shown["Repriced spread"] == "distressed"
    assert isinstance(shown["First default"], int | float)
    assert isinstance(shown["Median first default, defaulting paths"], int | float)


def test_an_error_in_the_schedule_shows_on_the_dashboard_not_never(tmp_path):
    """A schedule that cannot be computed makes the breach cells errors, not "never"."""
    data = io.BytesIO((WORKBOOKS / "miner.xlsx").read_bytes())
    book = openpyxl.load_workbook(data)
    # text where a number belongs (the annual_decline=abc): DEAL_SCHEDULE refuses it
    inputs = book["Inputs"]
    row = next(r for r in range(1, 80) if inputs[f"A{r}"].value == "annual_decline")
    inputs[f"B{row}"] = "abc"
    book.save(tmp_path / "broken.xlsx")
    refresh(tmp_path / "broken.xlsx", tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Dashboard"]
    # the deflation-aware view (C) reads annual_decline; the modelled view sets it to 0
    for column in (2,):
        shown = {r[0].value: r[column].value for r in sheet.iter_rows(min_row=3) if r[0].value}
        assert str(shown["First covenant test below lock-up"]).startswith("#")
        assert str(shown["First default"]).startswith("#")
        assert str(shown["Loan repaid in full"]).startswith("#")


def test_the_miner_runs_to_the_convertibles_maturity_and_shows_the_wall(tmp_path):
    """The schedule ends at the convertible's maturity; the wall cells match the deal summary."""
    from pyfuncs.deal.engine import run_deal
    from pyfuncs.deal.metrics import deal_summary

    example = yaml.safe_load((WORKBOOKS / "examples" / "miner.yaml").read_text())
    a = pyfuncs.parse_assumptions({**example, "refi_rate": example.get("annual_rate", 0.0775)})
    months = round(example["convert_years"] * 12)
    assert a.horizon_periods == months > example["tenor_years"] * 12
    out = tmp_path / "refi.xlsx"
    refresh(WORKBOOKS / "miner.xlsx", out, assignments=[("refi_rate", a.refi_rate)])
    book = openpyxl.load_workbook(out, data_only=True)
    periods = [r[0] for r in book["Schedule"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert periods[-1] == months
    sheet = book["Dashboard"]
    shown = {r[0].value: r[2].value for r in sheet.iter_rows(min_row=3) if r[0].value}
    wall = deal_summary(a, run_deal(a)).wall
    assert shown["Wall month"] == wall.period == months
    assert shown["Amount due at the wall"] == pytest.approx(example["convert_principal"])
    assert shown["Cash available at the wall"] == pytest.approx(wall.cash_available, rel=1e-9)
    assert shown["Refinancing DSCR at the wall"] == pytest.approx(wall.refi_dscr, rel=1e-9)
