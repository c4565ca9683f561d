"""The function reference (docs/functions.md), generated from the registry."""

from __future__ import annotations

from pyfuncs.catalogue import CATEGORY_ORDER, FunctionSpec, catalogue, format_default

KIND_WORDS = {
    "number": "number",
    "integer": "whole number",
    "range": "row or column",
    "array": "cell or range",
    "text": "text",
    "bool": "TRUE/FALSE",
    "keyvalue": "two-column range",
    "headers": "TRUE/FALSE",
}


def function_reference() -> str:
    """Markdown reference of every Excel function by category, each with its module and tests."""
    lines = [
        "# gpucredit function reference",
        "",
        "Generated from the registry by `gpucredit docs`; do not edit by hand.",
        "",
        "Type `=GPU.NAME(...)` with the Office.js add-in, `=GPU_NAME(...)` with xlwings on Windows.",
        "Rates are decimals a year; schedules have `per_year` periods a year (default 12). Bad input",
        "gives an Excel error with a one-line reason: `#VALUE!` wrong type or shape, `#NUM!` out of",
        "domain, `#DIV/0!` zero denominator, `#N/A` nothing found.",
        "",
    ]
    specs = catalogue()
    for category in CATEGORY_ORDER:
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        lines += [f"## {category}", ""]
        for spec in members:
            lines += [f"### `{spec.signature}`", "", spec.help, "", _where(spec), ""]
            if spec.args:
                lines += [
                    "| argument | kind | default | blank cell | meaning |",
                    "|---|---|---|---|---|",
                ]
                for arg in spec.args:
                    default = format_default(arg.default) if arg.optional else "required"
                    if arg.optional and arg.default is None:
                        default = "blank"
                    choices = f" ({', '.join(arg.choices)})" if arg.choices else ""
                    lines.append(
                        f"| `{arg.name}` | {KIND_WORDS[arg.kind]}{choices} | {default} "
                        f"| {arg.blank} | {arg.help} |"
                    )
                lines.append("")
            shape = spec.result.kind
            if spec.result.columns:
                shape += ": " + ", ".join(f"`{c}`" for c in spec.result.columns)
            lines += [f"Result: {shape}. {spec.result.help}".rstrip(), ""]
    lines += _assumption_reference()
    return "\n".join(lines).rstrip() + "\n"


def test_file(spec: FunctionSpec) -> str:
    """The test module of a function: tests mirror the package (``pyfuncs/deal/stress.py`` is
    tested in ``tests/deal/test_stress.py``, ``pyfuncs/rent.py`` in ``tests/math/test_rent.py``)."""
    parts = spec.func.__module__.split(".")[1:]
    room = parts[0] if len(parts) > 1 else "math"
    return f"tests/{room}/test_{parts[-1]}.py"


def _where(spec: FunctionSpec) -> str:
    module = spec.func.__module__
    source = module.replace(".", "/") + ".py"
    return f"Math: `{source}` (Python `{module}.{spec.func.__name__}`) · Tests: `{test_file(spec)}`"


def _assumption_reference() -> list[str]:
    from pyfuncs.deal.assumptions import assumption_reference

    lines = [
        "## Deal assumptions",
        "",
        "The `assumptions` of `DEAL_SCHEDULE` and `JOINT_STRESS`: a two-column range of names and",
        "values on the sheet (or a YAML/JSON mapping, or a Python dict). Names are case-insensitive;",
        "a blank value keeps the default; an unknown name is an error. Lists (period numbers, a rate",
        "path) are written in one cell separated by `;`. Sources in brackets are the references of docs/domain.md.",
        "",
        "| name | unit | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, unit, default, description in assumption_reference():
        lines.append(f"| `{name}` | {unit} | {default} | {description} |")
    return [*lines, ""]
