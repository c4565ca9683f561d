"""The Excel catalogue: every Excel-facing function described once.

A credit function is an ordinary Python function; the :func:`excel_function` decorator records
beside it what Excel needs (name, category, help text, each argument's kind and help, the shape of
the result). The xlwings adapter, the Office.js metadata, the function server, the docs and the
headless workbook engine are all read off :data:`REGISTRY`. Defaults are read from the Python
signature, so they are written once.

Argument kinds
--------------
``number``   one number (a single cell).
``integer``  one whole number (counts of periods, periods a year).
``range``    a row or a column of numbers (a cell range, an array constant or a spilled array).
``array``    numbers of any shape, computed element by element (scalars broadcast).
``text``     one string from ``choices`` (case-insensitive).
``bool``     TRUE/FALSE.
``keyvalue`` a two-column range of names and values (an assumptions table).
``headers``  the presentation flag of table results; handled by the Excel layer, not the math.

Result kinds
------------
``scalar``, ``column`` (spills down, one row per period), ``table`` (named columns, optional
header row), ``grid`` (a block of rows by columns, e.g. a two-way sensitivity table),
``elementwise`` (the broadcast shape of the ``array`` arguments).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Excel's function wizard cuts help text at 255 characters.
EXCEL_HELP_LIMIT = 255
#: The namespace the Office.js add-in registers (``=GPU.DSCR``) and the xlwings prefix (``GPU_DSCR``).
NAMESPACE = "GPU"

ARG_KINDS = ("number", "integer", "range", "array", "text", "bool", "keyvalue", "headers")
RESULT_KINDS = ("scalar", "column", "table", "grid", "elementwise")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Marker for an argument without a default.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Arg:
    """One Excel argument.

    Parameters
    ----------
    name : str
        The argument's name, as in docs/functions.md and in the Python signature.
    help : str
        What it is, with units (shown in Excel's function wizard).
    kind : str
        One of :data:`ARG_KINDS`.
    choices : tuple of str
        Allowed values of a ``text`` argument.
    blanks : str
        For ``range``: ``"trim"`` drops blank cells at either end (so a generous selection works)
        and rejects blanks inside; ``"drop"`` ignores blanks anywhere (a list of period numbers).
    default : object
        Filled in from the Python signature; :data:`REQUIRED` when there is none.
    """

    name: str
    help: str
    kind: str = "number"
    choices: tuple[str, ...] = ()
    blanks: str = "trim"
    default: Any = REQUIRED

    @property
    def optional(self) -> bool:
        return self.default is not REQUIRED

    @property
    def accepts_range(self) -> bool:
        return self.kind in ("range", "array", "keyvalue")

    @property
    def description(self) -> str:
        """The help Excel shows: :attr:`help` and the default, read from the Python signature.

        Help texts never restate a default (the signature holds it, from
        :mod:`pyfuncs.defaults`); this is the one place that renders it.
        """
        if not self.optional or self.default is None or self.kind == "headers":
            return self.help
        return f"{self.help} Default {format_default(self.default)}."

    @property
    def blank(self) -> str:
        """What a blank cell means here; ``""`` and an omitted argument mean the same.

        Excel on Windows may pass a blank cell as 0 (office-js #4702, #5262, #1951); the Office
        add-in then asks Excel which 0s are blank cells (README, "Blank cells").
        """
        if self.kind == "headers":
            return "FALSE"
        if self.kind == "keyvalue":
            return "a blank value keeps that assumption's default; blank rows are skipped"
        if self.kind == "range":
            cells = "ignored" if self.blanks == "drop" else "ignored at either end, an error inside"
            whole = "none" if self.optional else "an error"
            return f"blank cells {cells}; all blank is {whole}"
        single = "the default" if self.optional else "an error (required)"
        if self.kind == "array":
            return f"{single}; a blank cell in a range gives a blank result cell"
        return single


@dataclass(frozen=True)
class Result:
    """The shape of a function's result; ``columns`` name a table's columns in order.

    ``ratio_columns`` are table columns that are ratios with a denominator that can run out: NaN
    there (nothing due, nothing owed) shows as a blank cell and an infinite ratio as ``#DIV/0!``,
    where any other non-finite number is ``#NUM!``.
    """

    kind: str
    columns: tuple[str, ...] = ()
    help: str = ""
    ratio_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    """Everything Excel needs to know about one function."""

    name: str
    func: Callable[..., Any]
    category: str
    help: str
    args: tuple[Arg, ...]
    result: Result
    volatile: bool = False

    @property
    def officejs_name(self) -> str:
        """As typed with the Office.js add-in: ``GPU.DSCR``."""
        return f"{NAMESPACE}.{self.name}"

    @property
    def xlwings_name(self) -> str:
        """As typed with the xlwings add-in on Windows: ``GPU_DSCR``."""
        return f"{NAMESPACE}_{self.name}"

    @property
    def stored_name(self) -> str:
        """How Excel stores an Office.js custom-function call in the file: ``_xldudf_GPU_DSCR``."""
        return f"_xldudf_{NAMESPACE}_{self.name}"

    @property
    def signature(self) -> str:
        """``DSCR(cfads, debt_service)`` with optional arguments as ``[name=default]``."""
        parts = []
        for arg in self.args:
            if arg.optional and arg.default is None:
                parts.append(f"[{arg.name}]")
            elif arg.optional:
                parts.append(f"[{arg.name}={format_default(arg.default)}]")
            else:
                parts.append(arg.name)
        return f"{self.name}({', '.join(parts)})"


def format_default(value: Any) -> str:
    """A default as an analyst would type it in Excel."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f'"{value}"'
    return f"{value:g}" if isinstance(value, float) else str(value)


#: Every Excel-facing function, by its bare upper-case name (``"DSCR"``).
REGISTRY: dict[str, FunctionSpec] = {}


def excel_function(
    name: str,
    *,
    category: str,
    help: str,
    args: list[Arg],
    result: Result,
    volatile: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Python function as the Excel function ``name``; the function is unchanged.

    The argument list must follow the Python signature in order (``headers`` arguments excepted,
    they belong to the Excel layer); defaults are read from that signature.
    """
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
        raise ValueError(f"Excel function names are upper-case identifiers: {name!r}")
    if result.kind not in RESULT_KINDS:
        raise ValueError(f"{name}: unknown result kind {result.kind!r}")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"{name} is registered twice")
        params = inspect.signature(func).parameters
        python_args = tuple(params)
        filled: list[Arg] = []
        math_args = [a for a in args if a.kind != "headers"]
        if [a.name for a in math_args] != list(python_args[: len(math_args)]):
            raise ValueError(
                f"{name}: registry arguments {[a.name for a in math_args]} do not follow "
                f"{func.__name__}{inspect.signature(func)}"
            )
        for arg in args:
            if arg.kind not in ARG_KINDS:
                raise ValueError(f"{name}.{arg.name}: unknown kind {arg.kind!r}")
            if len(arg.help) > EXCEL_HELP_LIMIT:
                raise ValueError(f"{name}.{arg.name}: help longer than {EXCEL_HELP_LIMIT}")
            if arg.kind == "headers":
                default: Any = False
            else:
                param_default = params[arg.name].default
                default = REQUIRED if param_default is inspect.Parameter.empty else param_default
            filled.append(Arg(arg.name, arg.help, arg.kind, arg.choices, arg.blanks, default))
            if len(filled[-1].description) > EXCEL_HELP_LIMIT:
                raise ValueError(f"{name}.{arg.name}: help longer than {EXCEL_HELP_LIMIT}")
        if len(help) > EXCEL_HELP_LIMIT:
            raise ValueError(f"{name}: help longer than {EXCEL_HELP_LIMIT} characters")
        REGISTRY[name] = FunctionSpec(
            name=name,
            func=func,
            category=category,
            help=help,
            args=tuple(filled),
            result=result,
            volatile=volatile,
        )
        func.__excel__ = REGISTRY[name]  # type: ignore[attr-defined]
        return func

    return register


_PREFIXES = ("_XLDUDF_GPU_", "_XLUDF.GPU_", "GPU.", "GPU_", "PYFUNCS.")


def canonical_name(name: str) -> str:
    """``"GPU.DSCR"``, ``"GPU_DSCR"``, ``"_xldudf_GPU_DSCR"``, ``"dscr"`` all become ``"DSCR"``."""
    text = str(name).strip().lstrip("=").strip()
    text = text.split("(", 1)[0].strip().upper()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.replace(".", "_")


def lookup(name: str) -> FunctionSpec | None:
    """The registered function called ``name`` in any spelling, or ``None``."""
    _load_catalogue()
    spec = REGISTRY.get(canonical_name(name))
    if spec is None:  # a bare name that starts like a prefix: "GPU_CURVE" is GPU_CURVE, not CURVE
        bare = str(name).strip().lstrip("=").strip().split("(", 1)[0].strip().upper()
        spec = REGISTRY.get(bare.replace(".", "_"))
    return spec


def catalogue() -> list[FunctionSpec]:
    """Every registered function, grouped by category in the catalogue's order (CATEGORY_ORDER)."""
    _load_catalogue()
    return sorted(REGISTRY.values(), key=_catalogue_order)


def _catalogue_order(spec: FunctionSpec) -> tuple[int, int]:
    """By category, then by module as listed in CATALOGUE_MODULES (then in registration order,
    which within a module is the order of definition): the same order whatever was imported
    first."""
    module = spec.func.__module__
    position = (
        CATALOGUE_MODULES.index(module) if module in CATALOGUE_MODULES else len(CATALOGUE_MODULES)
    )
    return CATEGORY_ORDER.index(spec.category), position


#: Categories in the order of the function reference; each is one module of the math.
CATEGORY_ORDER = (
    "Rent and cash flow",
    "Depreciation and collateral value",
    "Debt",
    "Coverage",
    "Loan-to-value",
    "Fire-sale recovery",
    "Miners",
    "Whole deals",
    "Portfolio credit",
    "Borrowing base",
    "Spreads",
    "GPU curves by model",
)

#: The modules that register catalogue functions, listed here so the catalogue never imports the
#: package above it (``import pyfuncs`` would pull in the Excel faces). A test checks that every
#: registered function lives in one of them.
CATALOGUE_MODULES = (
    "pyfuncs.rent",
    "pyfuncs.collateral",
    "pyfuncs.debt",
    "pyfuncs.coverage",
    "pyfuncs.ltv",
    "pyfuncs.recovery",
    "pyfuncs.miners",
    "pyfuncs.deal.schedule",
    "pyfuncs.deal.sensitivity",
    "pyfuncs.deal.stress",
    "pyfuncs.portfolio_loss",
    "pyfuncs.spreads",
    "pyfuncs.gpu_curves",
    "pyfuncs.borrowing_base",
)


def _load_catalogue() -> None:
    """Import the catalogue modules; each registers its functions on import."""
    for module in CATALOGUE_MODULES:
        importlib.import_module(module)
