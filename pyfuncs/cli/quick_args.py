"""Plain command lines of a typer command, read without typer's parser.

typer (0.29) checks every option value through a pydantic ``TypeAdapter``; importing pydantic
and building the adapters costs about 50 ms of each ``gpucredit refresh`` process, a twentieth of
a 100,000-formula refresh (``benchmarks/bench_refresh.py``). A command line that only uses the
simple forms below is read here, from the same ``Annotated[..., typer.Option(...)]`` declarations
typer reads, so the command's options are declared once. Anything else (``--help``, a short
option, an unknown option, a missing value or argument, a value that looks like an option, a
parameter type other than those below) returns ``None`` and typer reads the line as usual,
with its own messages. ``tests/cli/test_quick_args.py`` checks both readers agree.

Forms read: ``--name VALUE``, ``--name=VALUE``, a flag ``--flag`` (and ``--no-flag`` when
declared as ``--flag/--no-flag``), repeatable options of ``list[str]``, positional arguments in
order, and ``--`` ending the options. Types: ``str``, ``Path``, ``bool``, ``list[str]``, each
optionally ``| None``.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SIMPLE = (str, Path)


def _declared(command: Callable[..., Any]) -> list[tuple[str, Any, Any]] | None:
    """(parameter name, annotation without ``None``, typer info) of each parameter, or None
    when one of them is not of a form this reader knows."""
    from typer.models import ArgumentInfo, OptionInfo

    hints = typing.get_type_hints(command, include_extras=True)
    out = []
    for name in inspect.signature(command).parameters:
        hint = hints.get(name)
        if typing.get_origin(hint) is not typing.Annotated:
            return None
        base, *extras = typing.get_args(hint)
        infos = [e for e in extras if isinstance(e, (ArgumentInfo, OptionInfo))]
        if len(infos) != 1:
            return None
        options = [a for a in typing.get_args(base) if a is not type(None)]
        if typing.get_origin(base) in (typing.Union, types.UnionType) and len(options) == 1:
            base = options[0]
        if not (base in (*_SIMPLE, bool) or base == list[str]):
            return None
        out.append((name, base, infos[0]))
    return out


def _option_names(name: str, info: Any, base: Any) -> tuple[list[str], list[str]] | None:
    """(names setting the option, names setting a flag to False) as typer derives them."""
    decls = list(info.param_decls or ())
    if isinstance(info.default, str) and info.default.startswith("-"):
        decls.insert(0, info.default)  # Annotated style: typer.Option("--set", ...)
    if not decls:
        decls = [f"--{name.replace('_', '-')}"]
    on: list[str] = []
    off: list[str] = []
    for decl in decls:
        first, _, second = decl.partition("/")
        if not first.startswith("--") or (second and base is not bool):
            return None  # short options and other forms: typer's
        on.append(first)
        if second:
            off.append(second)
    return on, off


def quick_parse(command: Callable[..., Any], args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments ``command`` would be called with for ``args``, or None when the
    line is not one of the plain forms (then typer must read it)."""
    from typer.models import ArgumentInfo

    declared = _declared(command)
    if declared is None:
        return None
    signature = inspect.signature(command)
    values: dict[str, Any] = {}
    by_option: dict[str, tuple[str, Any, bool]] = {}  # --name -> parameter, type, flag value
    positional: list[tuple[str, Any]] = []
    for name, base, info in declared:
        default = signature.parameters[name].default  # Annotated style: defaults live here
        if default is not inspect.Parameter.empty:
            values[name] = default
        if isinstance(info, ArgumentInfo):
            positional.append((name, base))
            continue
        names = _option_names(name, info, base)
        if names is None:
            return None
        on, off = names
        for option in on:
            by_option[option] = (name, base, True)
        for option in off:
            by_option[option] = (name, base, False)
    given: list[str] = []
    tokens = list(args)
    lists: dict[str, list[str]] = {}
    while tokens:
        token = tokens.pop(0)
        if token == "--":
            given.extend(tokens)
            break
        if not token.startswith("-") or token == "-":
            given.append(token)
            continue
        option, eq, inline = token.partition("=")
        spec = by_option.get(option)
        if spec is None:
            return None  # unknown, short, --help: typer's message
        name, base, flag_value = spec
        if base is bool:
            if eq:
                return None
            values[name] = flag_value
            continue
        if eq:
            value = inline
        elif tokens and not tokens[0].startswith("-"):
            value = tokens.pop(0)
        else:
            return None
        if base == list[str]:
            lists.setdefault(name, []).append(value)
        else:
            values[name] = _typed(base, value)
    for name, items in lists.items():
        values[name] = items
    if len(given) > len(positional):
        return None
    for (name, base), text in zip(positional, given, strict=False):
        values[name] = _typed(base, text)
    if any(name not in values for name, _base in positional):
        return None  # a required argument is missing: typer's message
    return values


def _typed(base: Any, text: str) -> Any:
    """An option's or argument's text as its declared type (``Path`` or ``str``)."""
    return Path(text) if base is Path else text
