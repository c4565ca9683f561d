"""The Office.js custom-functions metadata (``addin/functions.json``), read off the registry.

Format: Microsoft's "Manually create JSON metadata for custom functions" (learn.microsoft.com,
office/dev/add-ins/excel/custom-functions-json). Rules taken from there and from "Custom
functions naming":

- ``id`` is what ``CustomFunctions.associate`` binds and what Excel stores in the file
  (``_xldudf_GPU_<ID>``); it must never change once published, so it is the registry name.
  Ids use A-Z, 0-9, ``_`` and ``.``, start with a letter and have at least three characters.
- ``name`` is what the analyst types after the namespace from the manifest (``GPU.DSCR``).
- A parameter is ``scalar`` or ``matrix`` (a 2-D array); the result likewise.
- Every type is ``any`` and ``allowErrorForDataTypeAny`` is true, so text, blanks and error
  values reach the function server and come back with gpucredit's own one-line reasons instead
  of a bare ``#VALUE!`` from Excel's type coercion.
- Every function has ``requiresAddress`` and ``requiresParameterAddresses`` (so ``functions.js``
  can name the cell in its error log and tell a blank cell from a 0: Excel on Windows passes a
  blank cell as 0, office-js issues #4702, #5262, #1951), and therefore a ``matrix`` result:
  Microsoft's metadata reference requires it with ``requiresParameterAddresses``. A one-value
  result is a 1x1 matrix, which Excel shows in the one cell without spilling.
- A ``description`` (of a function or a parameter) is at most 128 characters, the limit of
  versions 1.26 and older of Microsoft's app manifest schema (the full text is at ``helpUrl``).

The committed ``addin/functions.json`` is :func:`functions_metadata` with no ``helpUrl``; the
function server adds ``helpUrl`` for its own address when it serves the file.
"""

from __future__ import annotations

import json
from typing import Any

from pyfuncs.catalogue import Arg, FunctionSpec, catalogue

#: Argument kinds Excel passes as 2-D arrays (ranges, spilled arrays, array constants).
MATRIX_ARG_KINDS = frozenset({"range", "array", "keyvalue"})
#: Result kinds that spill (one row per period, a table, or the shape of the array arguments).
MATRIX_RESULT_KINDS = frozenset({"column", "table", "grid", "elementwise"})
#: The longest ``description`` every version of Microsoft's custom-functions schema accepts.
DESCRIPTION_LIMIT = 128


def short_description(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "\u2026"


def is_heavy(spec: FunctionSpec) -> bool:
    """A whole deal or a Monte Carlo run: skipped during Excel's formula value preview."""
    return any(a.kind == "keyvalue" or a.name == "paths" for a in spec.args)


def _parameter(arg: Arg) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": arg.name,
        "description": short_description(arg.description),
        "type": "any",
        "dimensionality": "matrix" if arg.kind in MATRIX_ARG_KINDS else "scalar",
    }
    if arg.optional:
        param["optional"] = True
    return param


def function_metadata(spec: FunctionSpec, help_url: str | None = None) -> dict[str, Any]:
    """One entry of ``functions``: id, name, description, parameters, result, options."""
    entry: dict[str, Any] = {
        "id": spec.name,
        "name": spec.name,
        "description": short_description(spec.help),
    }
    if help_url:
        entry["helpUrl"] = help_url
    entry["parameters"] = [_parameter(a) for a in spec.args]
    entry["result"] = {"type": "any", "dimensionality": "matrix"}
    entry["options"] = {"requiresAddress": True, "requiresParameterAddresses": True}
    if spec.volatile:
        entry["options"]["volatile"] = True
    return entry


def functions_metadata(help_base: str | None = None) -> dict[str, Any]:
    """The whole ``functions.json``; ``help_base`` (``https://host/reference``) adds helpUrls."""
    return {
        "allowErrorForDataTypeAny": True,
        "functions": [
            function_metadata(spec, f"{help_base}#{spec.name}" if help_base else None)
            for spec in catalogue()
        ],
    }


def functions_json(help_base: str | None = None) -> str:
    """``functions.json`` as text, as committed (stable key order, two-space indent)."""
    return json.dumps(functions_metadata(help_base), indent=2, ensure_ascii=False) + "\n"
