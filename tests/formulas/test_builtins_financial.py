"""Financial built-ins against Microsoft's examples (support.microsoft.com, "<NAME> function"
pages) and numpy-financial (an independent implementation)."""

from __future__ import annotations

import numpy_financial as npf
import pytest
from formula_engine import Err, evaluate


def r2(formula: str, cells: dict | None = None) -> float:
    return round(evaluate(formula, cells), 2)


def test_annuities_from_microsoft_examples():
    assert r2("=PMT(8%/12,10,10000)") == -1037.03
    assert r2("=PMT(8%/12,10,10000,0,1)") == -1030.16
    assert r2("=FV(0.06/12,10,-200,-500,1)") == 2581.40
    assert r2("=PV(0.08/12,12*20,500,,0)") == -59777.15
    assert evaluate("=NPER(0.12/12,-100,-1000,10000,1)") == pytest.approx(59.6738657, abs=1e-7)


def test_rate_agrees_with_numpy_financial_and_microsoft():
    # Microsoft, "RATE function": 4 years of -200 a month on 8000 is 0.77% a month, 9.24% a year.
    monthly = evaluate("=RATE(4*12,-200,8000)")
    assert monthly == pytest.approx(float(npf.rate(48, -200, 8000, 0)), rel=1e-10)
    assert round(monthly * 12, 4) == 0.0924
    assert evaluate("=RATE(10,-100,800,0,1,0.05)") == pytest.approx(
        float(npf.rate(10, -100, 800, 0, when="begin", guess=0.05)), rel=1e-10
    )


FLOWS = {"A1": -70000, "A2": 12000, "A3": 15000, "A4": 18000, "A5": 21000, "A6": 26000}


def test_irr_and_mirr_from_microsoft_examples():
    assert round(evaluate("=IRR(A1:A5)", FLOWS), 4) == -0.0212
    assert round(evaluate("=IRR(A1:A6)", FLOWS), 4) == 0.0866
    assert round(evaluate("=IRR(A1:A3,-10%)", FLOWS), 4) == -0.4435
    assert evaluate("=IRR(A1:A6)", FLOWS) == pytest.approx(
        float(npf.irr([-70000, 12000, 15000, 18000, 21000, 26000])), rel=1e-10
    )
    m = {"A1": -120000, "A2": 39000, "A3": 30000, "A4": 21000, "A5": 37000, "A6": 46000}
    assert round(evaluate("=MIRR(A1:A6,10%,12%)", m), 4) == 0.1261
    assert round(evaluate("=MIRR(A1:A4,10%,12%)", m), 4) == -0.0480
    assert round(evaluate("=MIRR(A1:A6,10%,14%)", m), 4) == 0.1348
    assert evaluate("=MIRR(A1:A6,10%,12%)", m) == pytest.approx(
        float(npf.mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12)), rel=1e-12
    )


DATED = {
    "A1": -10000, "A2": 2750, "A3": 4250, "A4": 3250, "A5": 2750,
    "B1": "=DATE(2008,1,1)", "B2": "=DATE(2008,3,1)", "B3": "=DATE(2008,10,30)",
    "B4": "=DATE(2009,2,15)", "B5": "=DATE(2009,4,1)",
}  # fmt: skip


def test_xnpv_and_xirr_from_microsoft_examples():
    assert r2("=XNPV(0.09,A1:A5,B1:B5)", DATED) == 2086.65
    # Microsoft shows 0.373362535; Excel stops iterating within its tolerance, 1.5E-9 from the
    # root that Newton's method reaches here.
    assert evaluate("=XIRR(A1:A5,B1:B5)", DATED) == pytest.approx(0.373362535, abs=2e-9)
    assert evaluate("=XIRR(A1:A5,B1:B5)", {**DATED, "A1": 10000}) == Err("#NUM!")


def test_effect_nominal_and_cumulative_payments():
    assert evaluate("=EFFECT(0.0525,4)") == pytest.approx(0.053542667, abs=1e-9)
    assert evaluate("=NOMINAL(0.053543,4)") == pytest.approx(0.05250032, abs=1e-8)
    assert r2("=CUMIPMT(0.09/12,30*12,125000,13,24,0)") == -11135.23
    assert r2("=CUMIPMT(0.09/12,30*12,125000,1,1,0)") == -937.50
    assert evaluate("=CUMPRINC(0.09/12,30*12,125000,13,24,0)") == pytest.approx(
        -934.1071234, abs=1e-7
    )
    assert evaluate("=CUMPRINC(0.09/12,30*12,125000,1,1,0)") == pytest.approx(
        -68.27827118, abs=1e-8
    )
    assert evaluate("=CUMIPMT(0.09/12,30*12,125000,0,1,0)") == Err("#NUM!")


def test_depreciation_from_microsoft_examples():
    assert evaluate("=SLN(30000,7500,10)") == 2250
    assert r2("=SYD(30000,7500,10,1)") == 4090.91
    assert r2("=SYD(30000,7500,10,10)") == 409.09
    db = [186083.33, 259639.42, 176814.44, 120410.64, 81999.64, 55841.76, 15845.10]
    assert [r2(f"=DB(1000000,100000,6,{y},7)") for y in range(1, 8)] == db
    assert r2("=DDB(2400,300,120,1,2)") == 40.00
    assert r2("=DDB(2400,300,10,1,2)") == 480.00
    assert r2("=DDB(2400,300,10,2,1.5)") == 306.00
    assert r2("=DDB(2400,300,10,10)") == 22.12


def test_npv_agrees_with_numpy_financial():
    # numpy-financial discounts the first value too: npv(r, [0, ...]) is Excel's NPV(r, ...).
    values = [-10000, 3000, 4200, 6800]
    assert evaluate("=NPV(0.1,-10000,3000,4200,6800)") == pytest.approx(
        float(npf.npv(0.1, [0, *values])), rel=1e-14
    )


def test_vdb_fractional_periods_as_excel_cached_them():
    # xlcalculator's tests/resources/VDB.xlsx, saved by Excel: cost 1, salvage 0, life 14,
    # factor 1.25.
    assert evaluate("=VDB(1,0,14,0,0.5,1.25,FALSE)") == pytest.approx(
        0.044642857142857144, rel=1e-15
    )
    assert evaluate("=VDB(1,0,14,0.5,1.5,1.25,FALSE)") == pytest.approx(
        0.08529974489795919, rel=1e-14
    )
    assert evaluate("=VDB(1,0,14,2.5,3.5,1.25,FALSE)") == pytest.approx(
        0.07074765193864536, rel=1e-14
    )
    assert evaluate("=VDB(1,0,14,3.5,4.5,1.25,FALSE)") == pytest.approx(
        0.06872629045468406, rel=1e-14
    )
