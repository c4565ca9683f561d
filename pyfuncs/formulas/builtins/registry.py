"""The registry of Excel's built-in functions and the helpers the category modules share.

Each function is a Python function of Excel values, registered with the kinds of its parameters:

``v`` a single value. A reference is read (one cell, or the implicit intersection in a normal
formula); an array argument makes the function run element by element ("lifting"), as Excel
does for a scalar parameter given an array. Errors in ``v`` arguments propagate (left first)
unless the function is declared ``errors_ok`` (``ISERROR``...).
``r`` a range or value, as ``SUM`` takes it: references arrive as :class:`Arr` of cell values.
``a`` like ``r``, and expressions inside are evaluated as arrays (``SUMPRODUCT(A1:A3*B1:B3)``).
``u`` like ``r``, and a union of areas (``(B1,B2:B3)``) arrives as one row of their values, in
order (``RANK``'s list).

A trailing ``*`` repeats the last kind; ``**`` repeats the last two in turn (``SUMIFS``).

Omitted and empty arguments differ, as in Excel: an argument left out (``DDB(c,s,l,p)``) is not
passed, so the Python default :data:`OMITTED` stands and :func:`optional` gives the documented
default; an empty argument (``DDB(c,s,l,p,)``) arrives as ``None`` like a blank cell and counts
as 0 (``FALSE``, ``""``). The category modules import this module; the package imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.values import Arr, XlError, boolean, num


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
    volatile: bool = False  # changes without its inputs changing (NOW, TODAY, RAND)

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
    volatile: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` under ``names`` (``max_args=None`` for any number)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fixed = len(params.rstrip("*"))
        low = fixed if min_args is None else min_args
        high = (None if params.endswith("*") else fixed) if max_args == -1 else max_args
        for name in names:
            if name in BUILTINS and BUILTINS[name].fn is not fn:
                # two modules defining one name would leave the winner to the import order
                raise ValueError(f"built-in {name} is registered twice")
            BUILTINS[name] = Builtin(name, fn, params, low, high, errors_ok, context, volatile)
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


class _Omitted:
    """The default of a parameter that was left out of the call (not an empty argument)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()


def omitted(value: Any) -> bool:
    """True when an optional argument was left out of the call."""
    return value is OMITTED


def optional(value: Any, default: float) -> float:
    """An optional number: ``default`` when left out; an empty argument or blank cell is 0."""
    return default if value is OMITTED else num(value)


def optional_bool(value: Any, default: bool) -> bool:
    """An optional logical: ``default`` when left out; an empty argument is FALSE."""
    return default if value is OMITTED else boolean(value)


def vector(arg: Any) -> list[Any]:
    """A one-row or one-column argument as a list; a 2-D block is #N/A (as MATCH says)."""
    if type(arg) is Arr:
        if arg.rows > 1 and arg.cols > 1:
            raise XlError(ExcelError("#N/A", "the lookup range must be one row or one column"))
        return arg.flat()
    return [arg]


def numeric_matrix(arg: Any, who: str) -> list[list[float]]:
    """A numeric matrix argument (MMULT, MDETERM, LINEST, TREND): a blank or text element is
    #VALUE! naming ``who``; an error element is itself."""
    rows = arg.values if type(arg) is Arr else [[arg]]
    out = []
    for row in rows:
        line = []
        for v in row:
            if type(v) is ExcelError:
                raise XlError(v)
            if type(v) is not float:
                raise XlError(ExcelError("#VALUE!", f"{who} needs numbers only"))
            line.append(v)
        out.append(line)
    return out
