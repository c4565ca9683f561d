"""Recalibrate a GPU model's base rent curve on the user's own rental-index file.

A rental index (Silicon Data's daily SDH100RT, SDA100RT and SDB200RT, say) exported as a CSV of
date and $ per GPU-hour is the natural input for a curve (docs/gpu-curves.md). The base curve is
``rent(age) = c + m*(1-d)^(age - age_ref)`` with ``c`` the model's cash operating cost; taking logs
of the margin, ``ln(rent - c) = ln(m) + (age - age_ref)*ln(1-d)`` is a straight line in age, so an
ordinary least-squares fit of the index gives the margin decline ``d`` and the rent at the last
observation, which becomes the new anchor.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pyfuncs.errors import DomainError, InvalidInputError
from pyfuncs.gpu_curves import GpuModel, gpu_model

#: Fewest observations, and shortest span in days, a fit needs.
MIN_OBSERVATIONS = 3
MIN_SPAN_DAYS = 28


@dataclass(frozen=True)
class IndexSeries:
    """A rental index: dates and $ per GPU-hour, in date order."""

    dates: tuple[dt.date, ...]
    prices: np.ndarray


@dataclass(frozen=True)
class Calibration:
    """A model's base rent curve refitted to an index: ``c + (R - c)*(1-d)^(age - age_last)``.

    ``fitted_rent`` (``R``) is the fitted rent on the last index date, when the model was
    ``last_age`` years old; ``margin_decline`` (``d``) the fitted yearly decline of the margin over
    the cash operating cost ``c``.
    """

    model: GpuModel
    margin_decline: float
    observations: int
    first: dt.date
    last: dt.date
    last_age: float
    fitted_rent: float
    residual_sd: float  # of ln(rent - cash cost): how far the index strays from the curve

    def rent(self, age_years: np.ndarray) -> np.ndarray:
        """The recalibrated base rent at the model's ages ``age_years`` (years since launch)."""
        floor = self.model.floor_rent
        since = np.asarray(age_years, dtype=np.float64) - self.last_age
        return floor + (self.fitted_rent - floor) * (1.0 - self.margin_decline) ** since


def decimal_year(day: dt.date) -> float:
    """2026-03-15 as 2026.2: the year plus the elapsed share of it."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _parse_date(text: str, where: str) -> dt.date:
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%Y-%m"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidInputError(f"{where}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _parse_price(text: str, where: str) -> float:
    value = text.strip().lstrip("$").replace(",", "")
    try:
        price = float(value)
    except ValueError:
        raise InvalidInputError(f"{where}: {text.strip()!r} is not a $/GPU-hour price") from None
    if not math.isfinite(price) or price <= 0:
        raise DomainError(f"{where}: the price must be a positive number, got {text.strip()}")
    return price


def read_index(path: str | Path) -> IndexSeries:
    """Read a CSV of ``date, $/GPU-hour`` rows (an optional header row; extra columns ignored).

    Raises
    ------
    InvalidInputError, DomainError
        With a one-line reason naming the file and the line: a missing file, a row without two
        columns, a date or a price that cannot be read, a date given twice, too few rows.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{path.name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path.name}: cannot read it ({exc.__class__.__name__})") from None
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(text.splitlines()), start=1)
        if any(cell.strip() for cell in row)
    ]
    if rows and not any(ch.isdigit() for ch in rows[0][1][0]):
        rows = rows[1:]  # a header row: "date,price"
    seen: dict[dt.date, int] = {}
    observations: list[tuple[dt.date, float]] = []
    for number, row in rows:
        where = f"{path.name} line {number}"
        if len(row) < 2:
            raise InvalidInputError(f"{where}: expected two columns, date and $/GPU-hour")
        day = _parse_date(row[0], where)
        if day in seen:
            raise InvalidInputError(f"{where}: {day} is also on line {seen[day]}")
        seen[day] = number
        observations.append((day, _parse_price(row[1], where)))
    if len(observations) < MIN_OBSERVATIONS:
        raise InvalidInputError(
            f"{path.name}: {len(observations)} prices; a curve needs at least {MIN_OBSERVATIONS}"
        )
    observations.sort()
    dates = tuple(day for day, _ in observations)
    if (dates[-1] - dates[0]).days < MIN_SPAN_DAYS:
        raise InvalidInputError(
            f"{path.name}: the prices span {(dates[-1] - dates[0]).days} days; a decline needs "
            f"at least {MIN_SPAN_DAYS}"
        )
    return IndexSeries(dates, np.array([p for _, p in observations]))


def recalibrate(model: str, series: IndexSeries) -> Calibration:
    """Refit ``model``'s base rent curve to an index.

    Parameters
    ----------
    model : str
        A documented model (``"H100"``, ...).
    series : IndexSeries
        The index, from :func:`read_index`.

    Returns
    -------
    Calibration
        OLS of ``ln(price - c)`` on the model's age at each date (``c`` its cash operating
        cost): slope ``ln(1-d)``, so ``d = 1 - exp(slope)``; the curve is re-anchored at the
        fitted rent on the last date. A rising index gives a negative ``d`` (a rebound).

    Raises
    ------
    DomainError
        When a price is at or below the model's cash operating cost (the curve's floor).
    """
    spec = gpu_model(model)
    floor = spec.floor_rent
    below = series.prices <= floor
    if np.any(below):
        day = series.dates[int(np.argmax(below))]
        raise DomainError(
            f"{spec.name} rent on {day} is at or below its cash operating cost ${floor:.2f}/h; "
            "the curve floors there and cannot be fitted through it"
        )
    ages = np.array([decimal_year(day) for day in series.dates]) - spec.launch_year
    margin = np.log(series.prices - floor)
    slope, intercept = np.polyfit(ages, margin, 1)
    fitted = intercept + slope * ages
    residual_sd = float(np.sqrt(np.mean((margin - fitted) ** 2)))
    last_age = float(ages[-1])
    fitted_rent = floor + math.exp(intercept + slope * last_age)
    decline = 1.0 - math.exp(slope)
    return Calibration(
        spec,
        decline,
        len(series.dates),
        series.dates[0],
        series.dates[-1],
        last_age,
        fitted_rent,
        residual_sd,
    )
