"""Recalibrating a model's base rent curve on an index file generated from a known decline."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pyfuncs.errors import DomainError, InvalidInputError
from pyfuncs.rental_index import decimal_year, read_index, recalibrate

# An H100's cash operating cost: 1.275 kW x (1.3 x $0.08/kWh + $200/kW-month / 730 h)
H100_COST = 1.275 * (1.3 * 0.08 + 200 / 730)
LAUNCH = 2023.25  # the H100's volume launch in the documented curve


def write_index(path, decline, margin0=1.8, start=dt.date(2025, 1, 1), days=400, step=7):
    """A weekly index whose margin over cash cost falls ``decline`` a year from ``margin0``."""
    rows = ["date,usd_per_gpu_hour"]
    for k in range(0, days, step):
        day = start + dt.timedelta(days=k)
        years = decimal_year(day) - decimal_year(start)
        rows.append(f"{day.isoformat()},{H100_COST + margin0 * (1 - decline) ** years:.10f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("decline", [0.35, 0.15, -0.10])
def test_recalibration_recovers_the_decline_it_was_made_from(tmp_path, decline):
    path = write_index(tmp_path / "h100.csv", decline)
    fit = recalibrate("H100", read_index(path))
    assert fit.margin_decline == pytest.approx(decline, abs=1e-9)
    assert fit.observations == 58 and fit.first == dt.date(2025, 1, 1)
    last = dt.date(2025, 1, 1) + dt.timedelta(days=399)
    assert fit.last == last
    years = decimal_year(last) - decimal_year(dt.date(2025, 1, 1))
    assert fit.fitted_rent == pytest.approx(H100_COST + 1.8 * (1 - decline) ** years, rel=1e-9)
    # the curve carries on from the index: one year after the last date, by hand
    age_last = decimal_year(last) - LAUNCH
    ahead = float(fit.rent(age_last + 1))
    assert ahead == pytest.approx(H100_COST + 1.8 * (1 - decline) ** (years + 1), rel=1e-9)
    assert np.all(fit.rent(np.arange(10.0)) > H100_COST)


def test_header_is_optional_and_order_does_not_matter(tmp_path):
    path = tmp_path / "index.csv"
    path.write_text("2025-03-01,2.10\n2025-01-01,2.50\n2025-02-01,2.30\n", encoding="utf-8")
    series = read_index(path)
    assert series.dates[0] == dt.date(2025, 1, 1)
    np.testing.assert_allclose(series.prices, [2.50, 2.30, 2.10])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("date,price\n2025-01-01,2.0\n2025-13-01,1.9\n2025-03-01,1.8\n", "line 3"),
        ("date,price\n2025-01-01,2.0\n2025-02-01,abc\n2025-03-01,1.8\n", "not a $/GPU-hour"),
        ("date,price\n2025-01-01,2.0\n2025-01-01,1.9\n2025-03-01,1.8\n", "also on line 2"),
        ("date,price\n2025-01-01,2.0\n2025-02-01\n2025-03-01,1.8\n", "two columns"),
        ("date,price\n2025-01-01,2.0\n", "at least 3"),
        ("2025-01-01,2.0\n2025-01-02,1.9\n2025-01-03,1.8\n", "span 2 days"),
        ("2025-01-01,2.0\n2025-02-01,-1\n2025-03-01,1.8\n", "positive"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, text, words):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((InvalidInputError, DomainError)) as caught:
        read_index(path)
    assert words in caught.value.reason and "\n" not in caught.value.reason
    assert "bad.csv" in caught.value.reason and str(tmp_path) not in caught.value.reason


def test_prices_below_cash_cost_cannot_be_fitted(tmp_path):
    path = tmp_path / "low.csv"
    path.write_text("2025-01-01,1.0\n2025-02-01,0.40\n2025-03-01,0.30\n", encoding="utf-8")
    with pytest.raises(DomainError, match="cash operating cost"):
        recalibrate("H100", read_index(path))
    with pytest.raises(InvalidInputError, match="no such file"):
        read_index(tmp_path / "missing.csv")
