"""The neocloud template on the H100 resale curve: its fire-sale waterfall is the closed form.

``R = units * (MV * f * (1 - d) * site_factor - cost_per_unit)`` at the end of year 1, with
``MV = 50,000 * v(1)``, ``f = (1 - k) / -ln k``, ``k = v(1.5) / v(1)`` (six months' sale on the
H100 curve ``v(age) = fl + (1-fl) x^age`` fitted to 62.5% and 42.5% at 1 and 2 years) and
``d = 0.09 + 0.7 * 0.5 * sqrt(1/12) * sqrt(10,000 / 5,000)`` (docs/gpu-curves.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

WORKBOOK = Path(__file__).parents[2] / "workbooks" / "neocloud.xlsx"


def h100_share(age: float) -> float:
    floor = (0.425 - 0.625**2) / (1 + 0.425 - 2 * 0.625)
    keep = (0.625 - floor) / (1 - floor)
    return floor + (1 - floor) * keep**age


def test_year_one_fire_sale_uses_the_h100_curve_while_selling():
    book = openpyxl.load_workbook(WORKBOOK, data_only=True)
    inputs = {r[0]: r[1] for r in book["Inputs"].iter_rows(values_only=True) if r and r[0]}
    assert inputs["gpu_model"] == "H100"
    assert inputs["market_decay"] is None  # blank: a value would override the model's curve
    steps = {r[0]: r[1] for r in book["Dashboard"].iter_rows(values_only=True) if r and r[0]}
    kept = h100_share(1.5) / h100_share(1.0)
    f = (1 - kept) / -math.log(kept)
    d = 0.09 + 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(10_000 / 5_000)
    value = 50_000 * h100_share(1.0)
    assert steps["Gross market value"] == pytest.approx(10_000 * value, rel=1e-12)
    assert steps["Value decline while selling"] == pytest.approx(
        -10_000 * value * (1 - f), rel=1e-9
    )
    assert steps["Net proceeds"] == pytest.approx(10_000 * (value * f * (1 - d) - 1_500), rel=1e-9)
