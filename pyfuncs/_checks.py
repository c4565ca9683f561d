"""Input checks shared by the credit math: numbers in, clear one-line errors out.

Each helper converts an argument to a float array (scalars stay 0-d) and raises a
:class:`~pyfuncs.errors.GpuCreditError` naming the argument and the offending value, so the same
message reaches a Python user as an exception and an Excel user as an error value with a reason.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from pyfuncs.errors import DomainError, InvalidInputError, ZeroDenominatorError

#: Largest number of periods a schedule may have: Excel's last row less a header row.
MAX_PERIODS = 1_048_575
#: Largest number of cells accepted in one argument or produced in one result.
MAX_CELLS = 2_000_000


def _show(value: float) -> str:
    return f"{value:.6g}"


def as_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array of finite numbers (a scalar becomes a 0-d array)."""
    if isinstance(value, str | bytes):
        raise InvalidInputError(f"{name} must be a number, got text {value!r}")
    if isinstance(value, bool | np.bool_):
        raise InvalidInputError(f"{name} must be a number, got {value}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be numbers") from None
    if arr.size > MAX_CELLS:
        raise InvalidInputError(f"{name} has {arr.size:,} cells, more than {MAX_CELLS:,}")
    if not np.all(np.isfinite(arr)):
        raise DomainError(f"{name} must be finite numbers (got NaN or infinity)")
    return arr


def as_vector(name: str, value: Any, *, allow_empty: bool = False) -> np.ndarray:
    """A 1-D float array from a scalar, a list, a row or a column (a 2-D range one cell thick)."""
    arr = as_array(name, value)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    elif arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be a single row or column, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise InvalidInputError(f"{name} is empty")
    return arr


def as_count(name: str, value: Any, *, minimum: int = 1, maximum: int = MAX_PERIODS) -> int:
    """A whole number between ``minimum`` and ``maximum`` (a float such as 60.0 is accepted)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        arr = np.asarray(value)
        if arr.size != 1 or isinstance(value, str):
            raise InvalidInputError(f"{name} must be a single whole number")
        value = arr.reshape(()).item()
        if isinstance(value, bool | str) or not isinstance(value, numbers.Real):
            raise InvalidInputError(f"{name} must be a whole number, got {value!r}")
    number = float(value)
    if not np.isfinite(number):
        raise DomainError(f"{name} must be a finite whole number")
    if abs(number - round(number)) > 1e-9:
        raise DomainError(f"{name} must be a whole number, got {_show(number)}")
    count = round(number)
    if count < minimum:
        raise DomainError(f"{name} must be at least {minimum}, got {count}")
    if count > maximum:
        raise DomainError(f"{name} must be at most {maximum:,}, got {count:,}")
    return count


def periods_of(years: Any, per_year: int, name: str = "years") -> int:
    """Number of periods in ``years`` at ``per_year`` a year; must come out whole."""
    years_arr = as_array(name, years)
    if years_arr.ndim != 0:
        raise InvalidInputError(f"{name} must be a single number")
    years_f = float(years_arr)
    if years_f <= 0:
        raise DomainError(f"{name} must be positive, got {_show(years_f)}")
    periods = years_f * per_year
    if abs(periods - round(periods)) > 1e-6:
        raise DomainError(
            f"{name} x per_year must be a whole number of periods, got {_show(periods)}"
        )
    return as_count(f"{name} x per_year", round(periods))


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> float:
    return float(np.broadcast_to(arr, bad.shape)[bad].flat[0])


def check_ge(name: str, arr: np.ndarray, bound: float, what: str = "") -> None:
    """Raise ``#NUM!`` unless every element is >= ``bound``."""
    bad = arr < bound
    if np.any(bad):
        suffix = f" ({what})" if what else ""
        raise DomainError(
            f"{name} must be at least {_show(bound)}{suffix}, got {_show(_first_bad(arr, bad))}"
        )


def check_gt(name: str, arr: np.ndarray, bound: float, what: str = "") -> None:
    """Raise ``#NUM!`` unless every element is > ``bound``."""
    bad = arr <= bound
    if np.any(bad):
        suffix = f" ({what})" if what else ""
        raise DomainError(
            f"{name} must be above {_show(bound)}{suffix}, got {_show(_first_bad(arr, bad))}"
        )


def check_le(name: str, arr: np.ndarray, bound: float, what: str = "") -> None:
    """Raise ``#NUM!`` unless every element is <= ``bound``."""
    bad = arr > bound
    if np.any(bad):
        suffix = f" ({what})" if what else ""
        raise DomainError(
            f"{name} must be at most {_show(bound)}{suffix}, got {_show(_first_bad(arr, bad))}"
        )


def check_lt(name: str, arr: np.ndarray, bound: float, what: str = "") -> None:
    """Raise ``#NUM!`` unless every element is < ``bound``."""
    bad = arr >= bound
    if np.any(bad):
        suffix = f" ({what})" if what else ""
        raise DomainError(
            f"{name} must be below {_show(bound)}{suffix}, got {_show(_first_bad(arr, bad))}"
        )


def check_fraction(name: str, arr: np.ndarray) -> None:
    """Raise ``#NUM!`` unless every element lies in [0, 1]."""
    check_ge(name, arr, 0.0)
    check_le(name, arr, 1.0, "a decimal fraction")


def check_nonzero(name: str, arr: np.ndarray) -> None:
    """Raise ``#DIV/0!`` where a denominator is zero."""
    if np.any(arr == 0):
        raise ZeroDenominatorError(f"{name} is zero")


def broadcast(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Broadcast named arrays together, or raise ``#VALUE!`` naming the mismatch."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items() if np.ndim(v))
        raise InvalidInputError(f"ranges have mismatched lengths: {shapes}") from None
