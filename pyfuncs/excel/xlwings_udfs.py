"""Every catalogue function as an xlwings UDF: ``=GPU_DSCR(...)`` in Windows desktop Excel.

Point xlwings' *UDF Modules* setting at ``pyfuncs.excel.xlwings_udfs`` and click *Import
Functions*: xlwings reads the ``xw.func``/``xw.arg``/``xw.ret`` metadata below and writes one VBA
wrapper per function. Nothing here is a hand-kept list: one UDF is built for each registry entry,
so a function added to the registry appears in Excel at the next import.

Conventions of this face (see ``addin/XLWINGS.md``):

- Every argument arrives as a 2-D list of rows (``ndim=2``), a single cell as ``[[x]]``, with
  blanks as ``None`` and error cells as their text (``err_to_str``). Lists, not float arrays, so
  that a blank, a text cell or an error cell reaches :func:`pyfuncs.call` as it is and gives
  its own one-line reason instead of a NaN.
- Every call goes through :func:`pyfuncs.call`: one conversion path for all faces.
- Columns and tables come back as 2-D lists, which Excel 365 spills natively (xlwings: "you
  shouldn't use the expand decorator" with native dynamic arrays). For Excel 2016/2019 set
  ``GPUCREDIT_XLWINGS_LEGACY_EXPAND=1`` before Excel starts the UDF server to get xlwings'
  legacy ``expand="table"`` resizing.
- An error is shown as text in the cell: the code, a space and the reason
  (``#DIV/0! debt_service is zero``). A VBA function cannot attach a reason to an Excel error
  value, and the reason is the point. Such a text passed into another ``GPU_`` function is read
  back as the error it stands for, so errors propagate along a chain of gpucredit formulas.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import xlwings as xw

from pyfuncs.catalogue import FunctionSpec, catalogue
from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError
from pyfuncs.excel.dispatch import call

#: Module name to enter in xlwings' *UDF Modules* setting (and in addin/xlwings.conf).
UDF_MODULE = __name__

#: Words VBA reserves (MS-VBAL 3.3.5.2 "Reserved Identifiers", lower-cased): a parameter of a
#: generated VBA wrapper must not be one of them or the module does not compile. ``caller`` is
#: xlwings' own reserved argument (it injects the calling range).
_VBA_RESERVED_TEXT = """
    abs addressof alias and any append array as attribute binary boolean byref byte byval call
    case cbool cbyte ccur cdate cdbl cdec cdecl cint circle clng clnglng clngptr close compare
    const csng cstr currency cvar cverr date debug decimal declare defbool defbyte defcur
    defdate defdbl defdec defint deflng deflnglng deflngptr defobj defsng defstr defvar dim do
    doevents double each else elseif empty end endif enum eqv erase error event exit explicit
    false fix for friend function get global gosub goto if imp implements in input inputb int
    integer is lbound len lenb let lib like lineinput lock long longlong longptr loop lset me
    mod new next not nothing null object on open option optional or output paramarray preserve
    print private property pset ptrsafe public put raiseevent random read redim rem resume
    return rset scale seek select set sgn shared single spc static step stop string sub tab
    then to true type typeof ubound unlock until variant wend while with withevents write xor
    caller
"""
VBA_RESERVED = frozenset(_VBA_RESERVED_TEXT.split())

_ERROR_PREFIXES = tuple(sorted(EXCEL_ERROR_CODES, key=len, reverse=True))


def vba_parameter_name(name: str) -> str:
    """``name`` as a VBA parameter: unchanged unless VBA or xlwings reserves it (then ``name_``)."""
    return f"{name}_" if name.lower() in VBA_RESERVED else name


def legacy_expand() -> bool:
    """True when legacy (pre-dynamic-array) Excel asked for xlwings' ``expand`` resizing."""
    return os.environ.get("GPUCREDIT_XLWINGS_LEGACY_EXPAND", "").strip() in ("1", "true", "yes")


def error_text(error: ExcelError) -> str:
    """How this face shows an error in a cell: ``"#NUM! rate must be above -100%"``."""
    return str(error)


def from_cell(value: Any) -> Any:
    """A cell as xlwings delivers it, with our error text read back as the error it stands for."""
    if isinstance(value, str) and value.startswith("#"):
        for code in _ERROR_PREFIXES:
            if value == code or value.startswith(code + " "):
                return {"error": code, "reason": value[len(code) :].strip() or "error in the input"}
    return value


def _argument_in(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [
            [from_cell(c) for c in row] if isinstance(row, list | tuple) else from_cell(row)
            for row in value
        ]
    return from_cell(value)


def to_cells(result: Any) -> Any:
    """A :func:`pyfuncs.call` result as cell values: errors become their text."""
    if type(result) is ExcelError:
        return error_text(result)
    if isinstance(result, list):
        return [[error_text(c) if type(c) is ExcelError else c for c in row] for row in result]
    return result


def _make_udf(spec: FunctionSpec) -> Callable[..., Any]:
    """A plain Python function named ``GPU_<NAME>`` whose signature mirrors the registry.

    xlwings reads the argument list with :func:`inspect.signature`, so the function carries a
    ``__signature__``. From the first optional argument on, every parameter defaults to
    ``None``: VBA requires optional parameters to come last, and :func:`pyfuncs.call` fills the
    registry defaults (and reports a required argument left blank).
    """
    name = spec.name

    def udf(*args: Any) -> Any:
        return to_cells(call(name, *[_argument_in(a) for a in args]))

    params = []
    seen_optional = False
    for arg in spec.args:
        seen_optional = seen_optional or arg.optional
        params.append(
            inspect.Parameter(
                vba_parameter_name(arg.name),
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None if seen_optional else inspect.Parameter.empty,
            )
        )
    udf.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    # xlwings turns type hints into converters; the cells must reach call() unconverted.
    udf.__annotations__ = {}
    udf.__name__ = udf.__qualname__ = spec.xlwings_name
    udf.__module__ = __name__
    # xlwings shows the docstring as the function's description in the Insert Function dialog.
    udf.__doc__ = spec.help
    return udf


def _decorate(spec: FunctionSpec, udf: Callable[..., Any]) -> Callable[..., Any]:
    """Apply xlwings' decorators: arguments (innermost first), the return value, the function."""
    for arg, param in zip(spec.args, inspect.signature(udf).parameters, strict=True):
        udf = xw.arg(param, doc=arg.description, ndim=2, err_to_str=True)(udf)
    returns_array = spec.result.kind != "scalar"
    udf = xw.ret(**({"expand": "table"} if returns_array and legacy_expand() else {}))(udf)
    return xw.func(category=f"gpucredit: {spec.category}", volatile=spec.volatile)(udf)


def build_udfs() -> dict[str, Callable[..., Any]]:
    """One decorated UDF per registry function, by its xlwings name (``GPU_DSCR``)."""
    return {spec.xlwings_name: _decorate(spec, _make_udf(spec)) for spec in catalogue()}


UDFS = build_udfs()
globals().update(UDFS)  # xlwings finds the UDFs as attributes of this module

__all__ = ["UDFS", "UDF_MODULE", "build_udfs", "from_cell", "to_cells", "vba_parameter_name"]
