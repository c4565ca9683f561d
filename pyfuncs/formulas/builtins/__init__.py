"""Excel's built-in functions, as the general engine evaluates them: the registry and helpers.

Each function is a Python function of Excel values, registered with the kinds of its parameters:

``v`` a single value. A reference is read (one cell, or the implicit intersection in a normal
formula); an array argument makes the function run element by element ("lifting"), as Excel
does for a scalar parameter given an array. Errors in ``v`` arguments propagate (left first)
unless the function is declared ``errors_ok`` (``ISERROR``...).
``r`` a range or value, as ``SUM`` takes it: references arrive as :class:`Arr` of cell values.
``a`` like ``r``, and expressions inside are evaluated as arrays (``SUMPRODUCT(A1:A3*B1:B3)``).

A trailing ``*`` repeats the last kind; ``**`` repeats the last two in turn (``SUMIFS``). The function modules (``fn_*.py``) register themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.values import Arr, XlError, num


@dataclass(frozen=True)
class Builtin:
    """A built-in function and how its arguments are prepared."""

    name: str
    fn: Callable[..., Any]
    params: str
    min_args: int
    max_args: int | None
    errors_ok: bool = False
    context: bool = False  # called with the evaluator first (date system, today)

    def kind(self, i: int) -> str:
        fixed = self.params.rstrip("*")
        if i < len(fixed):
            return fixed[i]
        if self.params.endswith("**"):  # the last two kinds repeat in pairs (SUMIFS)
            return fixed[-2:][(i - len(fixed)) % 2]
        return fixed[-1] if self.params.endswith("*") else "v"

    @property
    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


BUILTINS: dict[str, Builtin] = {}


def builtin(
    *names: str,
    params: str,
    min_args: int | None = None,
    max_args: int | None = -1,
    errors_ok: bool = False,
    context: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` under ``names`` (``max_args=None`` for any number)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fixed = len(params.rstrip("*"))
        low = fixed if min_args is None else min_args
        high = (None if params.endswith("*") else fixed) if max_args == -1 else max_args
        for name in names:
            BUILTINS[name] = Builtin(name, fn, params, low, high, errors_ok, context)
        return fn

    return register


# --- helpers shared by the function modules -----------------------------------------------------


def values_of(arg: Any) -> list[Any]:
    """The values of an argument: an array's elements, or the single value."""
    if type(arg) is Arr:
        return arg.flat()
    return [arg]


def numbers(args: tuple[Any, ...], direct_text: bool = True) -> list[float]:
    """Numbers as SUM sees them: in ranges and arrays only numbers count (text, logicals and
    blanks are skipped); a value typed as an argument is converted (``"3"``, TRUE). The first
    error propagates."""
    out: list[float] = []
    for arg in args:
        if type(arg) is Arr:
            for v in arg.flat():
                kind = type(v)
                if kind is float:
                    out.append(v)
                elif kind is ExcelError:
                    raise XlError(v)
        elif arg is None:
            continue
        elif type(arg) is ExcelError:
            raise XlError(arg)
        elif type(arg) is str and not direct_text:
            continue
        else:
            out.append(num(arg))
    return out


def integer(value: Any) -> int:
    """A value truncated to a whole number, as Excel's integer parameters take it."""
    return int(num(value))


def optional(value: Any, default: float) -> float:
    return default if value is None else num(value)


def vector(arg: Any) -> list[Any]:
    """A one-row or one-column argument as a list; a 2-D block is #N/A (as MATCH says)."""
    if type(arg) is Arr:
        if arg.rows > 1 and arg.cols > 1:
            raise XlError(ExcelError("#N/A", "the lookup range must be one row or one column"))
        return arg.flat()
    return [arg]


# The modules register their functions on import.
from pyfuncs.formulas.builtins import (  # noqa: E402
    financial,  # noqa: F401
    logic_lookup,  # noqa: F401
    math_trig,  # noqa: F401
    text_date,  # noqa: F401
)
