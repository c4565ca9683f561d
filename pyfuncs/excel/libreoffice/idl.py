"""The UNO IDL interface that declares gpucredit's functions to LibreOffice Calc.

LibreOffice learns an add-in's functions from the methods of a UNO interface, read from a compiled
type library (``gpucredit.rdb``). This module writes that interface from the registry, so it never
drifts from the catalogue; ``python -m pyfuncs.excel.libreoffice build`` writes the text and
compiles it once (``unoidl-write`` from Debian's ``libreoffice-dev``), and both files are committed.

Choices, measured in LibreOffice 7.4 (docs/libreoffice.md):

- Every parameter is ``any``. Calc passes a number, a string, a range as rows of cells, or *void*
  for an omitted argument, and treats ``any`` parameters as optional, so ``GPU.RENT_CURVE(2,12)``
  and ``GPU.RENT_CURVE(2,12,,,,0.5)`` work; ``pyfuncs.call`` then applies the defaults.
- Scalar results return ``any`` (a number, text, or a coded error). Column, table and
  element-by-element results return ``sequence< sequence< any > >``: Python's UNO bridge turns a
  tuple of tuples into a matrix only when the declared type says so (an ``any`` return gives
  Calc a one-dimensional sequence, which it rejects with ``#VALUE!``).
- UNOIDL identifiers allow ``_`` only between upper-case words (``RENT_CURVE``), never in
  lower-case ones, so ``debt_service`` is declared ``debtService``; the names Calc shows in its
  function wizard come from the add-in, not from here.
"""

from __future__ import annotations

import re

from pyfuncs.catalogue import FunctionSpec, catalogue

#: The UNO module and interface of the add-in's functions.
MODULE = ("org", "gpucredit")
INTERFACE = "XGpuCredit"
QUALIFIED_INTERFACE = ".".join((*MODULE, INTERFACE))

#: UNO type names as Calc's reflection reports them.
SCALAR_TYPE = "any"
MATRIX_TYPE = "[][]any"

#: Words UNOIDL reserves (a parameter may not be called ``type`` or ``sequence``).
_KEYWORDS = frozenset(
    (
        "any",
        "attribute",
        "boolean",
        "bound",
        "byte",
        "char",
        "const",
        "constants",
        "constrained",
        "double",
        "enum",
        "exception",
        "float",
        "get",
        "hyper",
        "in",
        "inout",
        "interface",
        "long",
        "maybeambiguous",
        "maybedefault",
        "maybevoid",
        "module",
        "needs",
        "observes",
        "oneway",
        "optional",
        "out",
        "property",
        "published",
        "raises",
        "readonly",
        "removable",
        "sequence",
        "service",
        "set",
        "short",
        "singleton",
        "string",
        "struct",
        "transient",
        "typedef",
        "unsigned",
        "void",
        "type",
    )
)
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")


def returns_matrix(spec: FunctionSpec) -> bool:
    """True when Calc receives the function's result as a matrix (rows of cells)."""
    return spec.result.kind != "scalar"


def result_type(spec: FunctionSpec) -> str:
    """The UNO type of the function's result, as Calc's reflection names it."""
    return MATRIX_TYPE if returns_matrix(spec) else SCALAR_TYPE


def parameter_name(name: str) -> str:
    """A registry argument name as a UNOIDL parameter: ``debt_service`` -> ``debtService``."""
    head, *rest = name.split("_")
    camel = head.lower() + "".join(part[:1].upper() + part[1:].lower() for part in rest)
    if not re.fullmatch(r"[a-z][A-Za-z0-9]*", camel):
        raise ValueError(f"argument {name!r} cannot be written as a UNOIDL identifier")
    return f"{camel}Value" if camel in _KEYWORDS else camel


def method_name(spec: FunctionSpec) -> str:
    """The function's UNO method name, its registry name (``RENT_CURVE``)."""
    if not _UPPER_NAME.fullmatch(spec.name):
        raise ValueError(
            f"{spec.name!r} is not a UNOIDL identifier (no leading, trailing or double '_')"
        )
    return spec.name


def interface_idl(specs: list[FunctionSpec] | None = None) -> str:
    """The IDL text of the add-in interface, one method per registry function.

    Parameters
    ----------
    specs : list of FunctionSpec, optional
        The functions to declare; the whole catalogue by default.

    Returns
    -------
    str
        UNOIDL source; compile it with ``unoidl-write`` (see :mod:`pyfuncs.excel.libreoffice`).
    """
    specs = catalogue() if specs is None else specs
    lines = [
        "/* Generated from pyfuncs.catalogue by `python -m pyfuncs.excel.libreoffice build`;",
        "   do not edit. Compiled into gpucredit.rdb by the same command. */",
        "",
        "#include <com/sun/star/uno/XInterface.idl>",
        "",
        " ".join(f"module {part} {{" for part in MODULE),
        "",
        "/** gpucredit's spreadsheet functions, shown in Calc as GPU.<NAME>.",
        "    Every parameter is `any` so Calc passes omitted arguments as void. */",
        f"interface {INTERFACE} : com::sun::star::uno::XInterface",
        "{",
    ]
    for spec in specs:
        returns = "sequence< sequence< any > >" if returns_matrix(spec) else "any"
        params = ", ".join(f"[in] any {parameter_name(arg.name)}" for arg in spec.args)
        lines.append(f"    {returns} {method_name(spec)}({params});")
    lines += ["};", "", " ".join("};" for _ in MODULE), ""]
    return "\n".join(lines)


def expected_methods(specs: list[FunctionSpec] | None = None) -> dict[str, dict[str, object]]:
    """What Calc's reflection should report for each method of the compiled interface."""
    specs = catalogue() if specs is None else specs
    return {
        method_name(spec): {
            "params": [parameter_name(arg.name) for arg in spec.args],
            "types": [SCALAR_TYPE] * len(spec.args),
            "returns": result_type(spec),
        }
        for spec in specs
    }
