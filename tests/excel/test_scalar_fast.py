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


# --- the all-numbers path of pyfuncs.call (no argument conversion, no numpy) ------------------


def _same(a, b) -> bool:
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return (
            isinstance(a, ExcelError)
            and isinstance(b, ExcelError)
            and ((a.code, a.reason) == (b.code, b.reason))
        )
    return a == b


ODD_ARGS = [
    (1.3, 1.0),
    (13, 10),  # JSON integers
    (1.3, 0),
    (True, 1.0),  # a bool is not a number here
    ("1.3", 1.0),
    (None, 1.0),
    ("", 1.0),  # a blank
    (1.3,),  # a required argument left out
    (1.3, 1.0, 2.0),  # one too many
    (float("nan"), 1.0),
    (float("inf"), 1.0),
    (10**400, 1.0),  # an integer too large for a float
]


@pytest.mark.parametrize("args", ODD_ARGS, ids=repr)
def test_all_numbers_path_answers_as_the_general_path(args):
    """A 1x1 range takes the general argument conversion; single values the direct path."""
    direct = call("GPU.DSCR", *args)
    general = call("GPU.DSCR", *[[[a]] if a is not None else a for a in args])
    assert _same(direct, general), (direct, general)


def test_all_numbers_path_by_hand():
    assert call("GPU.DSCR", 13, 10) == 1.3
    assert call("GPU.HAZARD_RATE", 0.013) == pytest.approx(0.013 / 0.65)  # default recovery 35%
    assert call("GPU.FAIR_SPREAD", 0.02, 0.4) == pytest.approx(-math.log(0.98) * 0.4 * 1.0)
    assert call("GPU.DSCR", True, 1.0).reason == "cfads must be a number, got TRUE"
    assert call("GPU.DSCR", 1.3).reason == "debt_service is required"
    assert call("GPU.DSCR", 1.3, 1.0, 2.0).reason == "DSCR takes at most 2 arguments, got 3"


def test_batch_scope_calls_answer_as_call():
    from pyfuncs.excel.dispatch import batch_scope, call_in_batch

    cases = [("GPU.DSCR", a) for a in ODD_ARGS] + [
        ("GPU.LTV", ([[70.0], [80.0]], 100.0)),
        ("GPU.NOPE", (1.0,)),
        ("GPU.DSCR", ([[1.0, "x"]], 1.0)),
    ]
    with batch_scope():
        in_batch = [call_in_batch(name, args) for name, args in cases]
    for (name, args), got in zip(cases, in_batch, strict=True):
        want = call(name, *args)
        if isinstance(want, list):
            assert len(got) == len(want)
            assert all(
                _same(a, b)
                for r, s in zip(got, want, strict=True)
                for a, b in zip(r, s, strict=True)
            )
        else:
            assert _same(got, want), (name, args, got, want)


def test_a_replaced_registry_entry_is_not_short_circuited(monkeypatch):
    import dataclasses

    from pyfuncs.catalogue import REGISTRY
    from pyfuncs.excel import dispatch

    spec = REGISTRY["DSCR"]
    monkeypatch.setitem(
        REGISTRY, "DSCR", dataclasses.replace(spec, func=lambda cfads, debt_service: cfads * 100)
    )
    dispatch._spec.cache_clear()
    try:
        assert call("GPU.DSCR", 1.3, 1.0) == pytest.approx(130.0)
    finally:
        monkeypatch.undo()
        dispatch._spec.cache_clear()
    assert call("GPU.DSCR", 1.3, 1.0) == 1.3
