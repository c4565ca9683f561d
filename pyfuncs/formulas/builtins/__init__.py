"""Excel's built-in functions, as the general engine evaluates them.

The registry and the shared helpers live in :mod:`.registry`; each category module registers its
functions there when this package imports it. See :mod:`.registry` for the argument kinds.
"""

from __future__ import annotations

from pyfuncs.formulas.builtins import (
    dates,
    distributions,
    engineering,
    financial,
    information,
    logic_lookup,
    lookup_arrays,
    math_trig,
    stat_arrays,
    stat_tests,
    statistical,
    text,
    text_format,
)
from pyfuncs.formulas.builtins.registry import (
    BUILTINS,
    OMITTED,
    Builtin,
    builtin,
    integer,
    numbers,
    omitted,
    optional,
    values_of,
    vector,
)

__all__ = [
    "BUILTINS",
    "OMITTED",
    "Builtin",
    "builtin",
    "dates",
    "distributions",
    "engineering",
    "financial",
    "information",
    "integer",
    "logic_lookup",
    "lookup_arrays",
    "math_trig",
    "numbers",
    "omitted",
    "optional",
    "stat_arrays",
    "stat_tests",
    "statistical",
    "text",
    "text_format",
    "values_of",
    "vector",
]
