"""The deflating curve shared by GPU rents and GPU market values, and period arithmetic.

Both fall smoothly by an annual rate and step down each time a new NVIDIA generation ships, so one
function computes both (``RENT_CURVE`` and ``MARKET_VALUE`` differ only in their inputs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import (
    MAX_PERIODS,
    as_array,
    as_count,
    as_vector,
    check_fraction,
    check_ge,
    check_le,
)
from pyfuncs.defaults import MAX_PER_YEAR
from pyfuncs.errors import DomainError


def per_year_count(per_year: Any) -> int:
    """``per_year`` as a whole number of periods a year, 1 to 8760."""
    return as_count("per_year", per_year, minimum=1, maximum=MAX_PER_YEAR)


def generation_count(gen_periods: Any, periods: int) -> np.ndarray:
    """k_t: how many generation releases fall at or before each period t = 1..periods.

    Parameters
    ----------
    gen_periods : array_like or None
        Period numbers (1-based) at which a new generation ships; ``None`` or empty for none.
    periods : int
        Length of the schedule.

    Returns
    -------
    ndarray of int, shape (periods,)
    """
    t = np.arange(1, periods + 1)
    if gen_periods is None:
        return np.zeros(periods, dtype=np.int64)
    releases = as_vector("gen_periods", gen_periods, allow_empty=True)
    if releases.size == 0:
        return np.zeros(periods, dtype=np.int64)
    check_ge("gen_periods", releases, 1, "period numbers start at 1")
    fractional = np.abs(releases - np.round(releases)) > 1e-9
    if np.any(fractional):
        raise DomainError(
            f"gen_periods must be whole period numbers, got {releases[fractional][0]:g}"
        )
    return np.searchsorted(np.sort(releases), t, side="right").astype(np.int64)


def deflating_curve(
    start: Any,
    periods: Any,
    annual_decline: Any,
    per_year: Any,
    gen_periods: Any,
    gen_step: Any,
    floor: Any,
    *,
    start_name: str,
    decline_name: str,
) -> np.ndarray:
    """``max(floor, start*(1-annual_decline)^((t-1)/per_year)*(1-gen_step)^k_t)``, t = 1..periods.

    Parameters broadcast together (so one call computes many paths); the result gains a trailing
    period axis of length ``periods``.
    """
    n = as_count("periods", periods, maximum=MAX_PERIODS)
    py = per_year_count(per_year)
    start_arr = as_array(start_name, start)
    decline = as_array(decline_name, annual_decline)
    step = as_array("gen_step", gen_step)
    floor_arr = as_array("floor", floor)
    check_ge(start_name, start_arr, 0.0)
    check_le(decline_name, decline, 1.0, "a decline of 100% a year takes it to zero")
    check_fraction("gen_step", step)
    check_ge("floor", floor_arr, 0.0)
    k = generation_count(gen_periods, n)
    elapsed_years = np.arange(n) / py
    growth = (1.0 - decline[..., None]) ** elapsed_years
    steps = (1.0 - step[..., None]) ** k
    return np.maximum(floor_arr[..., None], start_arr[..., None] * growth * steps)
