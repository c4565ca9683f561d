"""Headlines that say what they measure, on the committed workbooks' cached values.

Expected values are worked by hand here: the colo notes' level payment comes from
numpy-financial's PMT, the H100 resale share from the published band [37] (62.5% after a year,
the midpoint of 60-65%), the BTC value from the example's 300 BTC at $91,000.
"""

from __future__ import annotations

from pathlib import Path

import numpy_financial as npf
import openpyxl
import pytest

from pyfuncs.templates import TEMPLATES

WORKBOOKS = Path(__file__).parents[2] / "workbooks"


def _rows(name: str) -> dict[str, tuple]:
    """Dashboard rows by label: (value columns B, C, note D), cached values."""
    sheet = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx", data_only=True)["Dashboard"]
    rows = {}
    for row in sheet.iter_rows(min_row=4, max_col=4, values_only=True):
        if isinstance(row[0], str) and row[0] not in rows:
            rows[row[0]] = row[1:]
    return rows


def _labels_and_notes(name: str) -> list[str]:
    sheet = openpyxl.load_workbook(WORKBOOKS / f"{name}.xlsx")["Dashboard"]
    texts = []
    for row in sheet.iter_rows(min_row=1, max_col=4):
        for cell in row:
            if isinstance(cell.value, str) and not cell.value.startswith("="):
                texts.append(cell.value)
    return texts


def test_colo_minimum_dscr_is_after_the_build_by_hand():
    # $1.8B of notes at 7.75%: 6 months interest only (the build), then 42 months of level
    # payments to a $1.55B balloon; once both tranches are in (month 7) the shells earn
    # 200,000 kW x ($134.5 - $20) a month, the lowest cash of any amortising month (the
    # escalator raises it from month 13; the refinancing's payment is lower).
    payment = npf.pmt(0.0775 / 12, 42, -1.8e9, 1.55e9)
    expected = 200_000 * (134.5 - 20.0) / payment
    as_modelled, _, note = _rows("colo")["Minimum DSCR"]
    assert as_modelled == pytest.approx(expected, rel=1e-9)
    # not the build month's 40 MW against interest: 40,000 x 114.5 / (1.8e9 x 0.0775/12)
    build_month = 40_000 * 114.5 / (1.8e9 * 0.0775 / 12)
    assert as_modelled > 3 * build_month
    assert "interest-only build" in note and "maturity wall" in note


def test_miner_minimum_dscr_is_not_the_convertible_wall():
    rows = _rows("miner")
    modelled, aware, note = rows["Minimum DSCR"]
    # the $500M convertible due in month 60 against one month's cash reads ~0.00x; the
    # headline is the senior loan's coverage instead, and the wall has its own rows
    assert modelled > 1.0 and aware > 1.0
    assert "maturity wall" in note.lower()
    assert rows["Amount due at the wall"][1] == pytest.approx(500e6)


def test_miner_fire_sale_values_gpus_and_btc_apart():
    rows = _rows("miner")
    # 6,000 H100s at $50,000, worth 62.5% of new after a year (the band's midpoint [37])
    gpus = 6_000 * 50_000 * 0.625
    assert rows["Gross market value"][0] == pytest.approx(gpus, rel=1e-9)
    # the 300 BTC at $91,000 sell at market: no fleet discount, no site factor
    btc = 300 * 91_000
    assert rows["BTC held, sold at market"][0] == pytest.approx(btc)
    gpu_net = rows["Net proceeds"][0]
    assert gpu_net < gpus  # the fire sale discounts the GPUs only
    assert rows["Net proceeds, GPUs and BTC"][0] == pytest.approx(gpu_net + btc)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_btc_words_only_where_the_deal_holds_btc(name):
    texts = [t for t in _labels_and_notes(name) if "BTC" in t]
    if name == "miner":
        assert any(t == "Correlation of BTC and rent shocks" for t in texts)
    else:
        assert texts == [], f"{name} dashboard mentions BTC: {texts[:3]}"


def test_colo_shows_the_tenants_correlation():
    rows = _rows("colo")
    with_backstop, without, note = rows["Correlation of the tenant's default with GPU rents"]
    assert with_backstop == without == pytest.approx(0.24)  # Basel corporate rho [102]
    assert "offtaker_correlation" in note
    assert "campus" in rows["Fire-sale LTV, end of year 1"][2]
