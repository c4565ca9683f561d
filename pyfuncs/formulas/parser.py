"""Excel formulas as stored in a file, parsed into a tree that does not depend on the host cell.

A relative reference is kept as an offset from the cell the formula was written for, an
absolute one as its row or column; so a filled-down column (or a shared formula, stored once
for a whole range) parses to one tree, compiled once. Nodes are plain tuples:

``("num", x)``, ``("str", s)``, ``("bool", b)``, ``("err", code)``, ``("arr", rows)``,
``("missing",)``, ``("ref", sheet, r1, r1_abs, c1, c1_abs, r2, r2_abs, c2, c2_abs)``,
``("name", sheet, name)``, ``("neg", x)``, ``("pos", x)``, ``("pct", x)``,
``("single", x)`` (the ``@`` operator), ``("bin", op, a, b)``, ``("range", a, b)``,
``("call", NAME, args)`` (``_xlfn.``/``_xlws.`` prefixes removed), ``("gpu", spelling, args)``.

Operator precedence follows Excel ("Calculation operators and precedence", Microsoft Support):
``:`` then negation, ``%``, ``^``, ``* /``, ``+ -``, ``&``, comparisons; negation binds tighter
than ``^`` (``=-2^2`` is 4) and ``^`` is left-associative (``=2^3^2`` is 64).
"""

from __future__ import annotations

import re
from typing import Any

MAX_ROW = 1_048_576
MAX_COL = 16_384


class FormulaSyntaxError(ValueError):
    """The formula cannot be read, or uses a construct the engine does not evaluate."""


_ERRORS = r"\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|GETTING_DATA)"
_SHEET = r"(?:\[\d+\])?(?:'(?:[^']|'')+'|[A-Za-z_\u00a1-\uffff][\w.\u00a1-\uffff]*(?::[A-Za-z_][\w.]*)?)!"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<err>{_ERRORS})
  | (?P<xfunc>\[\d+\]!(?=[A-Za-z_]))
  | (?P<sheet>{_SHEET})
  | (?P<func>[A-Za-z_\\][\w.\\]*\()
  | (?P<cols>\$?[A-Za-z]{{1,3}}:\$?[A-Za-z]{{1,3}}(?![\w(.!]))
  | (?P<rows>\$?\d+:\$?\d+(?![\w(.!]))
  | (?P<cell>\$?[A-Za-z]{{1,3}}\$?\d+(?![\w(.!\[]))
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_\\\u00a1-\uffff][\w.?\\\u00a1-\uffff]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>%:@])
  | (?P<punct>[{{}}(),;])
  | (?P<other>.)
    """,
    re.X | re.S,
)

_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_GPU_PREFIXES = ("_XLDUDF_GPU_", "_XLUDF.GPU_", "GPU.", "GPU_")

_BINARY_POWER = {
    "=": 10,
    "<>": 10,
    "<": 10,
    ">": 10,
    "<=": 10,
    ">=": 10,
    "&": 20,
    "+": 30,
    "-": 30,
    "*": 40,
    "/": 40,
    "^": 50,
}
_PERCENT_POWER = 60
_PREFIX_POWER = 70
_RANGE_POWER = 80


def tokenize(formula: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of a formula (without its leading ``=``), whitespace dropped."""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(formula):
        kind = match.lastgroup or "other"
        if kind == "ws":
            continue
        if kind == "other":
            char = match.group()
            if char == "[":
                raise FormulaSyntaxError("structured or external references are not supported")
            raise FormulaSyntaxError(f"unexpected character {char!r}")
        tokens.append((kind, match.group()))
    return tokens


def _col_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _sheet_name(token: str) -> str:
    text = token[:-1]
    if text.startswith("["):
        raise FormulaSyntaxError(f"external workbook reference {token!r} is not supported")
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if ":" in text:
        raise FormulaSyntaxError(f"3-D reference {token!r} is not supported")
    return text


def function_name(token: str) -> str:
    """``_xlfn.NORM.S.DIST(`` -> ``NORM.S.DIST``; other spellings upper-cased."""
    name = token[:-1].upper()
    for prefix in ("_XLFN.", "_XLWS."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.removeprefix("_XLWS.")


def gpu_spelling(name: str) -> bool:
    """True for a gpucredit function in any stored spelling (``GPU.X``, ``_xldudf_GPU_X``...)."""
    return name.upper().startswith(_GPU_PREFIXES)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], host: tuple[int, int]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.host = host

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaSyntaxError("formula ends too early")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token[1] != text:
            raise FormulaSyntaxError(f"expected {text!r}, found {token[1]!r}")

    def expression(self, power: int = 0) -> Any:
        left = self.prefix()
        while True:
            token = self.peek()
            if token is None:
                return left
            kind, text = token
            if kind != "op":
                return left
            if text == "%":
                if power >= _PERCENT_POWER:
                    return left
                self.pos += 1
                left = ("pct", left)
            elif text == ":":
                if power >= _RANGE_POWER:
                    return left
                self.pos += 1
                left = _range(left, self.expression(_RANGE_POWER))
            elif text in _BINARY_POWER:
                bp = _BINARY_POWER[text]
                if bp <= power:
                    return left
                self.pos += 1
                left = ("bin", text, left, self.expression(bp))
            else:
                raise FormulaSyntaxError(f"unexpected {text!r}")

    def prefix(self) -> Any:
        kind, text = self.take()
        if kind == "op" and text in ("-", "+"):
            operand = self.expression(_PREFIX_POWER)
            return ("neg", operand) if text == "-" else ("pos", operand)
        if kind == "op" and text == "@":
            return ("single", self.expression(_PREFIX_POWER))
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "err":
            return ("err", text)
        if kind == "name":
            upper = text.upper()
            if upper in ("TRUE", "FALSE") and not self._next_is("("):
                return ("bool", upper == "TRUE")
            return ("name", None, text)
        if kind == "cell":
            return self.cell_ref(None, text)
        if kind == "cols":
            return self.cols_ref(None, text)
        if kind == "rows":
            return self.rows_ref(None, text)
        if kind == "sheet":
            sheet = _sheet_name(text)
            kind2, text2 = self.take()
            if kind2 == "cell":
                return self.cell_ref(sheet, text2)
            if kind2 == "cols":
                return self.cols_ref(sheet, text2)
            if kind2 == "rows":
                return self.rows_ref(sheet, text2)
            if kind2 == "name":
                return ("name", sheet, text2)
            if kind2 == "err":
                return ("err", text2)
            raise FormulaSyntaxError(f"unexpected {text2!r} after {text!r}")
        if kind == "xfunc":
            kind2, text2 = self.take()
            if kind2 != "func" or not gpu_spelling(text2[:-1]):
                raise FormulaSyntaxError(f"external add-in function {text}{text2} is not supported")
            return ("gpu", text2[:-1], self.arguments())
        if kind == "func":
            if gpu_spelling(text[:-1]):
                return ("gpu", text[:-1], self.arguments())
            return ("call", function_name(text), self.arguments())
        if text == "(":
            inner = self.expression()
            token = self.take()
            if token[1] == ",":
                raise FormulaSyntaxError("the union operator (A1,B1) is not supported")
            if token[1] != ")":
                raise FormulaSyntaxError(f"expected ')', found {token[1]!r}")
            return inner
        if text == "{":
            return self.array()
        raise FormulaSyntaxError(f"unexpected {text!r}")

    def _next_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == text

    def arguments(self) -> tuple[Any, ...]:
        args: list[Any] = []
        if self._next_is(")"):
            self.pos += 1
            return ()
        while True:
            token = self.peek()
            if token is not None and token[1] in (",", ")"):
                args.append(("missing",))
            else:
                args.append(self.expression())
            _kind, text = self.take()
            if text == ")":
                return tuple(args)
            if text != ",":
                raise FormulaSyntaxError(f"expected ',' or ')', found {text!r}")

    def array(self) -> Any:
        rows: list[list[Any]] = [[]]
        while True:
            sign = 1.0
            kind, text = self.take()
            if kind == "op" and text in ("-", "+"):
                sign = -1.0 if text == "-" else 1.0
                kind, text = self.take()
            if kind == "num":
                rows[-1].append(sign * float(text))
            elif kind == "str":
                rows[-1].append(text[1:-1].replace('""', '"'))
            elif kind == "name" and text.upper() in ("TRUE", "FALSE"):
                rows[-1].append(text.upper() == "TRUE")
            elif kind == "err":
                rows[-1].append(("err", text))
            else:
                raise FormulaSyntaxError(f"unexpected {text!r} in an array constant")
            kind, text = self.take()
            if text == "}":
                break
            if text == ";":
                rows.append([])
            elif text != ",":
                raise FormulaSyntaxError(f"unexpected {text!r} in an array constant")
        if len({len(r) for r in rows}) != 1:
            raise FormulaSyntaxError("array constant rows differ in length")
        return ("arr", tuple(tuple(r) for r in rows))

    # references: relative parts are stored as offsets from the host cell
    def _row(self, absolute: bool, row: int) -> tuple[int, bool]:
        return (row, True) if absolute else (row - self.host[0], False)

    def _col(self, absolute: bool, col: int) -> tuple[int, bool]:
        return (col, True) if absolute else (col - self.host[1], False)

    def cell_ref(self, sheet: str | None, text: str) -> Any:
        m = _CELL.fullmatch(text)
        assert m is not None
        r, ra = self._row(bool(m.group(3)), int(m.group(4)))
        c, ca = self._col(bool(m.group(1)), _col_number(m.group(2)))
        # A1:B2 written in one go folds into one reference (the common case).
        if self._next_is(":") and self.pos + 1 < len(self.tokens):
            kind2, text2 = self.tokens[self.pos + 1]
            if kind2 == "cell":
                self.pos += 2
                m2 = _CELL.fullmatch(text2)
                assert m2 is not None
                r2, ra2 = self._row(bool(m2.group(3)), int(m2.group(4)))
                c2, ca2 = self._col(bool(m2.group(1)), _col_number(m2.group(2)))
                return ("ref", sheet, r, ra, c, ca, r2, ra2, c2, ca2)
        return ("ref", sheet, r, ra, c, ca, r, ra, c, ca)

    def cols_ref(self, sheet: str | None, text: str) -> Any:
        first, last = text.split(":")
        c1, ca1 = self._col(first.startswith("$"), _col_number(first.lstrip("$")))
        c2, ca2 = self._col(last.startswith("$"), _col_number(last.lstrip("$")))
        return ("ref", sheet, 1, True, c1, ca1, MAX_ROW, True, c2, ca2)

    def rows_ref(self, sheet: str | None, text: str) -> Any:
        first, last = text.split(":")
        r1, ra1 = self._row(first.startswith("$"), int(first.lstrip("$")))
        r2, ra2 = self._row(last.startswith("$"), int(last.lstrip("$")))
        return ("ref", sheet, r1, ra1, 1, True, r2, ra2, MAX_COL, True)


def _range(left: Any, right: Any) -> Any:
    if left[0] == "ref" and right[0] == "ref" and right[1] is None:
        # Sheet1!A1:B2 typed with a sheet only on the left: one reference on that sheet.
        return ("ref", left[1], *left[2:6], *right[6:10])
    return ("range", left, right)


def parse_formula(text: str, host: tuple[int, int] = (1, 1)) -> Any:
    """The tree of ``text`` (an Excel formula without ``=``) written in cell ``host``."""
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    if not text:
        raise FormulaSyntaxError("empty formula")
    parser = _Parser(tokenize(text), host)
    tree = parser.expression()
    if parser.peek() is not None:
        found = parser.peek()[1]  # type: ignore[index]
        if found == "[":
            raise FormulaSyntaxError("structured references are not supported")
        raise FormulaSyntaxError(
            f"unexpected {found!r} (the intersection operator is not supported)"
        )
    return tree
