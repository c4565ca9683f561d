"""The plain-Python scalar forms agree with the numpy forms: same values, same errors, same
reasons, on valid and invalid single numbers; and with the closed forms written out here."""

from __future__ import annotations

import inspect
import itertools
import math

import pytest

from pyfuncs import call
from pyfuncs.catalogue import lookup
from pyfuncs.errors import ExcelError, GpuCreditError
from pyfuncs.excel.scalar_fast import SCALAR_FAST

VALUES = (-1.0, 0.0, 0.02, 0.4, 0.9999, 1.0, 1.3, 250.0)


def numpy_form(name: str, args: tuple[float, ...]):
    """The catalogue function itself (numpy), as Excel would see its answer."""
    try:
        value = lookup(name).func(*args)
    except GpuCreditError as exc:
        return ExcelError.from_exception(exc)
    return float(value)


@pytest.mark.parametrize("name", sorted(SCALAR_FAST))
def test_every_fast_form_matches_the_numpy_form_everywhere(name):
    arity = len(inspect.signature(SCALAR_FAST[name]).parameters)
    assert [a.name for a in lookup(name).args] == list(
        inspect.signature(SCALAR_FAST[name]).parameters
    )
    checked = 0
    for args in itertools.product(VALUES, repeat=arity):
        fast = call(name, *args)
        slow = numpy_form(name, args)
        if isinstance(slow, ExcelError):
            assert isinstance(fast, ExcelError), (args, fast, slow)
            assert (fast.code, fast.reason) == (slow.code, slow.reason), args
        else:
            assert fast == pytest.approx(slow, rel=1e-15, abs=0.0), args
        checked += 1
    assert checked == len(VALUES) ** arity


def test_fast_forms_against_closed_forms():
    assert call("GPU.DSCR", 1.3, 1.0) == 1.3
    assert call("GPU.LTV", 70.0, 100.0) == pytest.approx(0.7)
    assert call("GPU.HAZARD_RATE", 0.013) == pytest.approx(0.013 / (1 - 0.35))  # CDS 35%
    assert call("GPU.CUMULATIVE_PD", 0.02, 5.0) == pytest.approx(1 - math.exp(-0.1))
    assert call("GPU.FAIR_SPREAD", 0.02, 0.4) == pytest.approx(-math.log(0.98) * 0.4)
    error = call("GPU.DSCR", 1.0, 0.0)
    assert error.code == "#DIV/0!" and error.reason == "debt_service is zero"
