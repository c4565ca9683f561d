"""Vector kernels of built-ins: ``ROUND``, ``PMT``, ``MIN`` and ``MAX`` over a block of rows.

Each kernel gives, bit for bit, what the scalar built-in gives on each row
(:mod:`pyfuncs.formulas.builtins`), or computes the row with that very scalar function; the
tests in ``tests/formulas/test_vector_kernels.py`` compare the two on edge values. The inputs
are float64 arrays of rows whose cells all hold numbers (the vector path leaves the other rows
to the cells' closures, :mod:`pyfuncs.formulas.vector`).

ROUND at 15 significant digits
------------------------------
Excel's ``ROUND(x, p)`` rounds the decimal ``t = d15(x) * 10^p`` half away from zero, where
``d15(x)`` is ``x`` at 15 significant digits (:func:`~pyfuncs.formulas.builtins.math_trig.round_decimal`;
``ROUND(0.049999999999999975, 1)`` is 0.1). In binary, ``s = fl(|x| * 10^p)`` differs from
``|t|`` by at most ``5.2E-15 * s`` (half a unit of the 15th digit, ``5E-15`` relative, plus the
half ulp of the product), so ``floor(s + 0.5)`` is the rounded integer ``n`` whenever the
fraction of ``s`` is further than ``1E-13 * s`` from one half; the result ``n / 10^p`` is one
correctly rounded IEEE division of two exact doubles (``n < 2^53``, ``10^p`` exact for
``p <= 22``), as ``float(Decimal)`` of the rounded decimal is. The rows within that distance
of a tie, and those whose 15 digits do not reach ``p`` decimals (``|x| >= 0.5 * 10^(14-p)``),
are computed by the scalar function. For ``p < 0`` the same holds with ``s = fl(|x| / 10^-p)``
and the result ``n * 10^-p`` (exact below ``2^53``).

PMT with a rate and a term shared by the rows
---------------------------------------------
``PMT(rate, nper, pv, [fv], [type])`` is ``-(rate*(pv*g + fv)) / ((1 + rate*type) * (g-1))``
with ``g = (1+rate)^nper`` (:func:`~pyfuncs.formulas.builtins.financial._pmt`). When ``rate``
and ``nper`` are the same for every row (a fixed cell, a constant), ``g`` and ``g-1`` are
computed once by the scalar code and the rest is the same sequence of IEEE operations on
arrays; otherwise each row calls the scalar function.

MIN and MAX of values
---------------------
``MAX(a, b, ...)`` of numbers is Python's ``max``: the first of equal values wins
(``MAX(0, -0)`` is the first zero), so the kernel keeps the running value unless the next is
strictly greater (``numpy.maximum`` may not, on signed zeros).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from typing import Any

import numpy as np

from pyfuncs.formulas.builtins.financial import _growth
from pyfuncs.formulas.builtins.math_trig import round_decimal
from pyfuncs.formulas.values import XlError

#: ROUND's digits handled by the kernel (beyond, the scalar function on each row).
ROUND_PLACES = range(-15, 16)
_TIE_TOLERANCE = 1e-13  # relative distance from a half-integer left to the scalar function


def round_half_up(x: Any, places: int) -> Any:
    """``ROUND(x, places)`` of every element of the float64 array ``x`` (see the module).

    Parameters
    ----------
    x : numpy.ndarray
        Finite numbers.
    places : int
        Decimal places, in :data:`ROUND_PLACES`.

    Returns
    -------
    numpy.ndarray
        float64, equal bit for bit to ``round_decimal(v, places, ROUND_HALF_UP)`` of each ``v``.
    """
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    with np.errstate(all="ignore"):
        if places >= 0:
            scale = 10.0**places
            s = a * scale
            n = np.floor(s + 0.5)
            out = n / scale
        else:
            scale = 10.0**-places
            s = a / scale
            n = np.floor(s + 0.5)
            out = n * scale
        frac = s - np.floor(s)
        hard = (np.abs(frac - 0.5) <= _TIE_TOLERANCE * s) | (a >= 0.5 * 10.0 ** (14 - places))
    out = np.copysign(out, x)
    if hard.any():
        where = np.flatnonzero(hard)
        out[where] = [round_decimal(v, places, ROUND_HALF_UP) for v in x[where].tolist()]
    return out


def pmt_shared_terms(
    rate: float, nper: float, pv: Any, fv: Any, when: Any
) -> tuple[Any, bool] | None:
    """``PMT`` of arrays ``pv``, ``fv``, ``when`` (or scalars) at one ``rate`` and ``nper``.

    Returns
    -------
    (numpy.ndarray or float, bool) or None
        The payments and whether they hold on every row; ``None`` when the scalar function
        gives an error for every row (``nper`` 0, a growth factor that overflows), which the
        caller leaves to the cells.
    """
    if nper == 0:
        return None
    when = np.where(when == 0.0, 0.0, 1.0) if np.ndim(when) else float(when != 0.0)
    with np.errstate(all="ignore"):
        if rate == 0:
            return -(pv + fv) / nper, True
        try:
            growth, growth_m1 = _growth(rate, nper)
        except XlError:
            return None
        if growth_m1 == 0.0:
            return None
        return -(rate * (pv * growth + fv)) / ((1.0 + rate * when) * growth_m1), True


def extreme(columns: list[Any], larger: bool) -> Any:
    """``MAX`` (``larger``) or ``MIN`` of the columns row by row, the first of equals kept."""
    out = columns[0]
    for x in columns[1:]:
        better = x > out if larger else x < out
        out = np.where(better, x, out)
    return out
