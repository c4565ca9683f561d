"""Text built-ins (Microsoft's page of each function): joining, cutting, finding, replacing.

Positions are 1-based; a start position below 1 or past the text, or a negative length, is
``#VALUE!``; so is a result longer than Excel's 32,767 characters a cell can hold.
"""

from __future__ import annotations

import re
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    omitted,
    optional,
    optional_bool,
)
from pyfuncs.formulas.values import VALUE, Arr, XlError, num, text, text_to_number

MAX_TEXT = 32_767
_TOO_LONG = ExcelError("#VALUE!", "text longer than 32,767 characters")


def _limited(value: str) -> Any:
    return value if len(value) <= MAX_TEXT else _TOO_LONG


def _texts(args: tuple[Any, ...], skip_empty: bool = False) -> list[str]:
    """Every value of the arguments as text, ranges in row order (CONCAT, TEXTJOIN)."""
    out: list[str] = []
    for arg in args:
        items = arg.flat() if type(arg) is Arr else [arg]
        for v in items:
            if type(v) is ExcelError:
                raise XlError(v)
            piece = text(v)
            if skip_empty and piece == "":
                continue
            out.append(piece)
    return out


@builtin("CONCATENATE", params="v*", min_args=1)
def concatenate(*parts: Any) -> Any:
    return _limited("".join(text(p) for p in parts))


@builtin("CONCAT", params="r*", min_args=1)
def concat(*parts: Any) -> Any:
    """CONCAT joins ranges too: ``CONCAT(B1:D1)`` is B1&C1&D1."""
    return _limited("".join(_texts(parts)))


@builtin("TEXTJOIN", params="rvr*", min_args=3)
def textjoin(delimiter: Any, ignore_empty: Any, *parts: Any) -> Any:
    """TEXTJOIN(delimiter, ignore_empty, text1, ...); a range of delimiters is used in turn."""
    delimiters = _texts((delimiter,)) or [""]
    pieces = _texts(parts, skip_empty=optional_bool(ignore_empty, True))
    out = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(delimiters[(i - 1) % len(delimiters)])
        out.append(piece)
    return _limited("".join(out))


@builtin("LEN", params="v")
def len_(value: Any) -> Any:
    return float(len(text(value)))


@builtin("LEFT", params="vv", min_args=1)
def left(value: Any, count: Any = OMITTED) -> Any:
    n = int(optional(count, 1.0))
    if n < 0:
        return VALUE
    return text(value)[:n]


@builtin("RIGHT", params="vv", min_args=1)
def right(value: Any, count: Any = OMITTED) -> Any:
    n = int(optional(count, 1.0))
    if n < 0:
        return VALUE
    return text(value)[-n:] if n else ""


@builtin("MID", params="vvv")
def mid(value: Any, start: Any, count: Any) -> Any:
    s, n = integer(start), integer(count)
    if s < 1 or n < 0:
        return VALUE
    return text(value)[s - 1 : s - 1 + n]


@builtin("UPPER", params="v")
def upper(value: Any) -> Any:
    return text(value).upper()


@builtin("LOWER", params="v")
def lower(value: Any) -> Any:
    return text(value).lower()


@builtin("PROPER", params="v")
def proper(value: Any) -> Any:
    """The first letter of each word (after any non-letter) upper case, the rest lower."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), text(value).lower())


@builtin("TRIM", params="v")
def trim(value: Any) -> Any:
    return " ".join(part for part in text(value).split(" ") if part)  # spaces only, as Excel


@builtin("CLEAN", params="v")
def clean(value: Any) -> Any:
    return "".join(ch for ch in text(value) if ord(ch) >= 32)


@builtin("VALUE", params="v")
def value(value: Any) -> Any:
    if type(value) is float:
        return value
    if value is None:
        return 0.0  # VALUE of a blank cell
    number = text_to_number(text(value))
    if number is None:
        from pyfuncs.formulas.builtins.dates import parse_date_text

        number = parse_date_text(text(value))
    if number is None:
        return ExcelError("#VALUE!", "text is not a number")
    return number


@builtin("NUMBERVALUE", params="vvv", min_args=1)
def numbervalue(value: Any, decimal: Any = OMITTED, group: Any = OMITTED) -> Any:
    raw = re.sub(r"\s", "", text(value))
    dec = "." if omitted(decimal) else text(decimal)[:1]
    grp = "," if omitted(group) else text(group)[:1]
    if not raw:
        return 0.0
    if dec and grp and dec == grp:
        return VALUE
    if grp:
        raw = raw.replace(grp, "")
    if dec and dec != ".":
        raw = raw.replace(dec, ".")
    percent = len(raw) - len(raw.rstrip("%"))
    try:
        return float(raw.rstrip("%")) / 100.0**percent
    except ValueError:
        return ExcelError("#VALUE!", "text is not a number")


@builtin("EXACT", params="vv")
def exact(a: Any, b: Any) -> Any:
    return text(a) == text(b)


@builtin("REPT", params="vv")
def rept(value: Any, times: Any) -> Any:
    n = integer(times)
    if n < 0:
        return VALUE
    piece = text(value)
    if len(piece) * n > MAX_TEXT:
        return _TOO_LONG
    return piece * n


def _start(start: Any, within: str) -> int:
    s = integer(optional(start, 1.0))
    if s < 1 or s > len(within) + 1:
        raise XlError(ExcelError("#VALUE!", "start position outside the text"))
    return s


@builtin("FIND", params="vvv", min_args=2)
def find(needle: Any, haystack: Any, start: Any = OMITTED) -> Any:
    """FIND(find_text, within_text, start): case-sensitive, no wildcards; not found is #VALUE!."""
    within = text(haystack)
    s = _start(start, within)
    i = within.find(text(needle), s - 1)
    if i < 0:
        return ExcelError("#VALUE!", "FIND: text not found")
    return float(i + 1)


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Excel's wildcards: ``?`` one character, ``*`` any run, ``~`` escapes the next one."""
    parts = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.I | re.S)


@builtin("SEARCH", params="vvv", min_args=2)
def search(needle: Any, haystack: Any, start: Any = OMITTED) -> Any:
    """SEARCH(find_text, within_text, start): ignores case, takes wildcards."""
    within = text(haystack)
    s = _start(start, within)
    m = wildcard_regex(text(needle)).search(within, s - 1)
    if m is None:
        return ExcelError("#VALUE!", "SEARCH: text not found")
    return float(m.start() + 1)


@builtin("SUBSTITUTE", params="vvvv", min_args=3)
def substitute(value: Any, old: Any, new: Any, instance: Any = OMITTED) -> Any:
    """Every occurrence of ``old`` replaced, or only the ``instance``-th one."""
    source, before, after = text(value), text(old), text(new)
    if before == "":
        return source
    if omitted(instance):
        return _limited(source.replace(before, after))
    n = integer(instance)
    if n < 1:
        return ExcelError("#VALUE!", "SUBSTITUTE instance must be 1 or more")
    at = -1
    for _ in range(n):
        at = source.find(before, at + 1)
        if at < 0:
            return source
    return _limited(source[:at] + after + source[at + len(before) :])


@builtin("REPLACE", params="vvvv")
def replace(value: Any, start: Any, count: Any, new: Any) -> Any:
    source = text(value)
    s, n = integer(start), integer(count)
    if s < 1 or n < 0:
        return ExcelError("#VALUE!", "REPLACE start must be 1 or more and length 0 or more")
    return _limited(source[: s - 1] + text(new) + source[s - 1 + n :])


def _cp1252(ch: str) -> int | None:
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return None


@builtin("CODE", params="v")
def code(value: Any) -> Any:
    """The code of the first character in Windows-1252, Excel's character set on Windows."""
    s = text(value)
    if not s:
        return ExcelError("#VALUE!", "CODE of empty text")
    c = _cp1252(s[0])
    return float(c if c is not None else 63)  # Excel shows '?' (63) for others


@builtin("CHAR", params="v")
def char(value: Any) -> Any:
    n = integer(value)
    if not 1 <= n <= 255:
        return ExcelError("#VALUE!", "CHAR needs 1 to 255")
    return bytes([n]).decode("cp1252", errors="replace")


@builtin("UNICODE", params="v")
def unicode_(value: Any) -> Any:
    s = text(value)
    if not s:
        return VALUE
    return float(ord(s[0]))


@builtin("UNICHAR", params="v")
def unichar(value: Any) -> Any:
    n = integer(value)
    if not 1 <= n <= 0x10FFFF or 0xD800 <= n <= 0xDFFF:
        return ExcelError("#VALUE!", "UNICHAR needs a valid code point")
    return chr(n)


@builtin("T", params="v", errors_ok=True)
def t(value: Any) -> Any:
    if type(value) is ExcelError:
        return value
    return value if type(value) is str else ""


@builtin("FIXED", params="vvv", min_args=1)
def fixed(number: Any, decimals: Any = OMITTED, no_commas: Any = OMITTED) -> Any:
    from pyfuncs.formulas.builtins.math_trig import round_decimal

    places = integer(optional(decimals, 2.0))
    rounded = round_decimal(num(number), places, "ROUND_HALF_UP")
    grouping = "" if optional_bool(no_commas, False) else ","
    return f"{rounded:{grouping}.{max(places, 0)}f}"
