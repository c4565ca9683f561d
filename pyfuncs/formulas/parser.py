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

from pyfuncs.errors import GpuCreditError

MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_FORMULA_CHARS = 8_192  # Excel's limit on a formula's length
MAX_NESTING = 64  # Excel's limit on nested levels of functions


class FormulaSyntaxError(GpuCreditError):
    """The formula cannot be read, or uses a construct the engine does not evaluate."""


_ERRORS = r"\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|GETTING_DATA)"
# Characters of names, unquoted sheet names and table names: ASCII letters and "_" (then also
# digits and "."), and every character from U+00A1 on. Spelled as negated ASCII/Latin-1 classes:
# the equivalent ranges ``[A-Za-z_\u00a1-\uffff]`` take the regular expression compiler about
# 10 ms of every process's start (tests/formulas/test_parser_charsets.py checks they agree).
NAME_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\xa0]"
NAME_CHAR = r"[^\x00-\x2d\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xa0]"
NAME_START_BACKSLASH = r"[^\x00-\x40\x5b\x5d\x5e\x60\x7b-\xa0]"  # also "\"
NAME_CHAR_BACKSLASH = r"[^\x00-\x2d\x2f\x3a-\x40\x5b\x5d\x5e\x60\x7b-\xa0]"  # also "\"
NAME_CHAR_DEFINED = r"[^\x00-\x2d\x2f\x3a-\x3e\x40\x5b\x5d\x5e\x60\x7b-\xa0]"  # also "\", "?"
_SHEET = rf"(?:\[\d+\])?(?:'(?:[^']|'')+'|{NAME_START}{NAME_CHAR}*(?::[A-Za-z_][\w.]*)?)!"
# A structured reference: an optional table name, then [...] nesting one level ("'" escapes).
_STRUCT = (
    rf"(?:{NAME_START_BACKSLASH}{NAME_CHAR_BACKSLASH}*)?\[(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*\]"
)
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<err>{_ERRORS})
  | (?P<xfunc>\[\d+\]!(?=[A-Za-z_]))
  | (?P<sheet>{_SHEET})
  | (?P<struct>{_STRUCT})
  | (?P<func>[A-Za-z_\\][\w.\\]*\()
  | (?P<cols>\$?[A-Za-z]{{1,3}}:\$?[A-Za-z]{{1,3}}(?![\w(.!]))
  | (?P<rows>\$?\d+:\$?\d+(?![\w(.!]))
  | (?P<cell>\$?[A-Za-z]{{1,3}}\$?\d+(?![\w(.!\[]))
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>{NAME_START_BACKSLASH}{NAME_CHAR_DEFINED}*)
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
_ISECT_POWER = 75  # the intersection operator (a space) binds below ':' and above negation
_RANGE_POWER = 80


def tokenize(formula: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of a formula (without its leading ``=``). Whitespace is dropped,
    except between two references, where it is the intersection operator (``("op", " ")``)."""
    tokens: list[tuple[str, str]] = []
    spaced = False
    for match in _TOKEN.finditer(formula):
        kind = match.lastgroup or "other"
        if kind == "ws":
            spaced = True
            continue
        if kind == "other":
            char = match.group()
            if char == "[":
                raise FormulaSyntaxError("unreadable structured or external reference")
            raise FormulaSyntaxError(f"unexpected character {char!r}")
        text = match.group()
        if spaced and tokens and (kind in _OPERAND_START or text == "("):
            last_kind, last_text = tokens[-1]
            if last_kind in _OPERAND_END or last_text == ")":
                tokens.append(("op", " "))
        spaced = False
        tokens.append((kind, text))
    return tokens


def _col_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _sheet_name(token: str) -> str | tuple[str, str]:
    """The sheet of a ``Sheet!`` prefix, or (first, last) of a 3-D ``Sheet1:Sheet3!``."""
    text = token[:-1]
    if text.startswith("["):
        raise FormulaSyntaxError(f"external workbook reference {token!r} is not supported")
    if text.startswith("'"):
        text = text[1:-1].replace("''", "'")
    if ":" in text:
        first, last = text.split(":", 1)
        return (first, last)
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


_OPERAND_END = {"cell", "cols", "rows", "name", "struct"}
_OPERAND_START = {"cell", "cols", "rows", "name", "sheet", "func", "struct"}
_PREFIX_KIND = {"-": "neg", "+": "pos", "@": "single"}


class _Parser:
    """Operator-precedence parsing with explicit stacks (no recursion, so no depth limit but
    the formula's length): ``out`` holds operands, ``ops`` pending operators and open
    parentheses or calls."""

    def __init__(self, tokens: list[tuple[str, str]], host: tuple[int, int]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.host = host
        self.out: list[Any] = []
        self.ops: list[tuple[Any, ...]] = []  # ("bin", op, power) | ("pre", kind) | ("open", ...)
        self.calls = 0  # open function calls (Excel allows 64 levels)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaSyntaxError("formula ends too early")
        self.pos += 1
        return token

    def _next_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == text

    def parse(self) -> Any:
        expect = True  # an operand comes next
        while self.pos < len(self.tokens):
            kind, text = self.take()
            if expect:
                if kind == "op" and text in _PREFIX_KIND:
                    self.ops.append(("pre", _PREFIX_KIND[text]))
                    continue
                if kind == "punct" and text in (",", ")") and self._in_call():
                    self.out.append(("missing",))  # an empty argument: f(1,,2), f(1,)
                else:
                    expect = self.operand(kind, text)
                    continue
            if kind == "op" and text == "%":
                self._reduce(_PERCENT_POWER)
                self.out.append(("pct", self.out.pop()))
            elif kind == "op" and (text in _BINARY_POWER or text in (":", " ")):
                power = _RANGE_POWER if text == ":" else _BINARY_POWER.get(text, _ISECT_POWER)
                self._reduce(power)
                self.ops.append(("bin", text, power))
                expect = True
            elif text == ",":
                self._reduce(0)
                if not self.ops:
                    raise FormulaSyntaxError("unexpected ','")
                self.ops[-1][3].append(self.out.pop())
                expect = True
            elif text == ")":
                self._reduce(0)
                if not self.ops:
                    raise FormulaSyntaxError("unexpected ')'")
                self.out.append(self._close(self.out.pop()))
                expect = False
            else:
                raise FormulaSyntaxError(f"unexpected {text!r}")
        if expect:
            raise FormulaSyntaxError("formula ends too early")
        self._reduce(0)
        if self.ops:
            raise FormulaSyntaxError("formula ends too early (a parenthesis is not closed)")
        return self.out.pop()

    def _in_call(self) -> bool:
        return bool(self.ops) and self.ops[-1][0] == "open" and self.ops[-1][1] != "paren"

    def _reduce(self, power: int) -> None:
        """Complete the pending operators that bind at least as tightly as ``power``."""
        ops, out = self.ops, self.out
        while ops:
            top = ops[-1]
            if top[0] == "pre":
                if power > _PREFIX_POWER:
                    return
                ops.pop()
                out.append((top[1], out.pop()))
            elif top[0] == "bin":
                if top[2] < power:
                    return
                ops.pop()
                right, left = out.pop(), out.pop()
                if top[1] == ":":
                    out.append(_range(left, right))
                elif top[1] == " ":
                    out.append(("isect", left, right))
                else:
                    out.append(("bin", top[1], left, right))
            else:
                return

    def _open(self, kind: str, name: str) -> bool:
        """Open a call; ``f()`` closes at once. Returns whether an operand comes next."""
        if kind != "paren":
            self.calls += 1
            if self.calls > MAX_NESTING:
                raise FormulaSyntaxError(
                    f"more than {MAX_NESTING} nested levels of functions (Excel's limit)"
                )
            if self._next_is(")"):
                self.pos += 1
                self.calls -= 1
                self.out.append(("gpu", name, ()) if kind == "gpu" else ("call", name, ()))
                return False
        self.ops.append(("open", kind, name, []))
        return True

    def _close(self, last: Any) -> Any:
        _, kind, name, items = self.ops.pop()
        items.append(last)
        if kind == "paren":
            return items[0] if len(items) == 1 else ("union", tuple(items))
        self.calls -= 1
        return (kind, name, tuple(items))

    def operand(self, kind: str, text: str) -> bool:
        """Push one operand (or open a call or parenthesis); returns whether an operand
        still comes next."""
        out = self.out
        if kind == "num":
            out.append(("num", float(text)))
        elif kind == "str":
            out.append(("str", text[1:-1].replace('""', '"')))
        elif kind == "err":
            out.append(("err", text))
        elif kind == "name":
            upper = text.upper()
            out.append(
                ("bool", upper == "TRUE") if upper in ("TRUE", "FALSE") else ("name", None, text)
            )
        elif kind == "cell":
            out.append(self.cell_ref(None, text))
        elif kind == "cols":
            out.append(self.cols_ref(None, text))
        elif kind == "rows":
            out.append(self.rows_ref(None, text))
        elif kind == "sheet":
            out.append(self.sheet_operand(text))
        elif kind == "struct":
            table, _, spec = text.partition("[")
            out.append(("struct", table or None, "[" + spec))
        elif kind == "xfunc":
            kind2, text2 = self.take()
            if kind2 != "func" or not gpu_spelling(text2[:-1]):
                raise FormulaSyntaxError(f"external add-in function {text}{text2} is not supported")
            return self._open("gpu", text2[:-1])
        elif kind == "func":
            if gpu_spelling(text[:-1]):
                return self._open("gpu", text[:-1])
            return self._open("call", function_name(text))
        elif text == "(":
            return self._open("paren", "")
        elif text == "{":
            out.append(self.array())
        else:
            raise FormulaSyntaxError(f"unexpected {text!r}")
        return False

    def sheet_operand(self, text: str) -> Any:
        sheet = _sheet_name(text)
        if isinstance(sheet, tuple):
            kind2, text2 = self.take()
            if kind2 == "cell":
                ref = self.cell_ref(None, text2)
            elif kind2 == "cols":
                ref = self.cols_ref(None, text2)
            elif kind2 == "rows":
                ref = self.rows_ref(None, text2)
            else:
                raise FormulaSyntaxError(f"unexpected {text2!r} after {text!r}")
            following = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
            if self._next_is(":") and following is not None and following[0] == "cell":
                self.pos += 1  # Sheet1:Sheet3!A1:B2
                end = self.cell_ref(None, self.take()[1])
                ref = ("ref", None, *ref[2:6], *end[6:10])
            return ("ref3d", sheet[0], sheet[1], *ref[2:])
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
    if left[0] == "ref" and right[0] == "ref" and right[1] is None and left[2:6] == left[6:10]:
        # Sheet1!A1:B2 typed with a sheet only on the left: one reference on that sheet.
        return ("ref", left[1], *left[2:6], *right[6:10])
    return ("range", left, right)


def parse_formula(text: str, host: tuple[int, int] = (1, 1)) -> Any:
    """The tree of ``text`` (an Excel formula without ``=``) written in cell ``host``.

    Excel's limits ("Excel specifications and limits", Microsoft Support) are enforced before
    anything is built: 8,192 characters a formula, 64 nested levels of functions.
    """
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    if not text:
        raise FormulaSyntaxError("empty formula")
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaSyntaxError(
            f"formula of {len(text):,} characters is longer than Excel's limit of "
            f"{MAX_FORMULA_CHARS:,}"
        )
    return _Parser(tokenize(text), host).parse()
