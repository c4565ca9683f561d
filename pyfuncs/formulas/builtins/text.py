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
from pyfuncs.formulas.values import NA, VALUE, Arr, XlError, num, text, text_to_number

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


# --- TEXTBEFORE, TEXTAFTER, TEXTSPLIT (Microsoft's page of each function) ---------------------


def _delimiters(arg: Any) -> list[str]:
    """One delimiter or an array of them (any one marks a split)."""
    items = arg.flat() if type(arg) is Arr else [arg]
    return [text(v) for v in items]


def _matches(value: str, delimiters: list[str], ignore_case: bool) -> list[tuple[int, int]]:
    """(start, end) of every delimiter in ``value``, left to right, not overlapping; the
    longest delimiter wins at one position."""
    haystack = value.casefold() if ignore_case else value
    needles = sorted(
        {d.casefold() if ignore_case else d for d in delimiters if d}, key=len, reverse=True
    )
    if not needles:
        return []
    pattern = re.compile("|".join(re.escape(d) for d in needles))
    return [(m.start(), m.end()) for m in pattern.finditer(haystack)]


def _cut_at(
    value: Any,
    delimiter: Any,
    instance_num: Any,
    match_mode: Any,
    match_end: Any,
    before: bool,
) -> Any:
    """TEXTBEFORE/TEXTAFTER: the text before (after) the instance-th delimiter, counted from the
    end when negative. An empty delimiter matches at once: TEXTBEFORE gives "" from the front
    and the whole text from the end, TEXTAFTER the reverse. ``match_end`` treats the end of the
    text (its start, searching from the end) as a delimiter. instance_num 0 or longer than the
    text is #VALUE!; too few delimiters #N/A."""
    s = text(value)
    delimiters = _delimiters(delimiter)
    n = integer(instance_num) if not (omitted(instance_num) or instance_num is None) else 1
    if n == 0 or abs(n) > max(len(s), 1):
        return ExcelError("#VALUE!", "instance_num is 0 or longer than the text")
    ignore_case = integer(match_mode) == 1 if not omitted(match_mode) and match_mode else False
    to_end = optional_bool(match_end, False) if match_end is not None else False
    if "" in delimiters:
        cut = 0 if n > 0 else len(s)
        spans = [(cut, cut)]
        n = 1 if n > 0 else -1
    else:
        spans = _matches(s, delimiters, ignore_case)
        if to_end:
            spans = [*spans, (len(s), len(s))] if n > 0 else [(0, 0), *spans]
    if abs(n) > len(spans):
        return None  # the caller's if_not_found
    start, end = spans[n - 1] if n > 0 else spans[n]
    return s[:start] if before else s[end:]


@builtin("TEXTBEFORE", params="vavvvv", min_args=2)
def textbefore(
    value: Any,
    delimiter: Any,
    instance_num: Any = OMITTED,
    match_mode: Any = OMITTED,
    match_end: Any = OMITTED,
    if_not_found: Any = OMITTED,
) -> Any:
    """``TEXTBEFORE("Marcus Aurelius"," ")`` is "Marcus" (Microsoft's TEXTBEFORE page)."""
    out = _cut_at(value, delimiter, instance_num, match_mode, match_end, before=True)
    return _found_or(out, if_not_found, "TEXTBEFORE")


@builtin("TEXTAFTER", params="vavvvv", min_args=2)
def textafter(
    value: Any,
    delimiter: Any,
    instance_num: Any = OMITTED,
    match_mode: Any = OMITTED,
    match_end: Any = OMITTED,
    if_not_found: Any = OMITTED,
) -> Any:
    """``TEXTAFTER("Marcus Aurelius"," ")`` is "Aurelius" (Microsoft's TEXTAFTER page)."""
    out = _cut_at(value, delimiter, instance_num, match_mode, match_end, before=False)
    return _found_or(out, if_not_found, "TEXTAFTER")


def _found_or(out: Any, if_not_found: Any, who: str) -> Any:
    if out is not None:
        return out
    if omitted(if_not_found) or if_not_found is None:
        return ExcelError("#N/A", f"{who}: the delimiter is not in the text")
    return if_not_found


def _split(value: str, delimiters: list[str], ignore_case: bool, skip_empty: bool) -> list[str]:
    pieces, last = [], 0
    for start, end in _matches(value, delimiters, ignore_case):
        pieces.append(value[last:start])
        last = end
    pieces.append(value[last:])
    return [p for p in pieces if p] if skip_empty else pieces


@builtin("TEXTSPLIT", params="vaavvv", min_args=2)
def textsplit(
    value: Any,
    col_delimiter: Any,
    row_delimiter: Any = OMITTED,
    ignore_empty: Any = OMITTED,
    match_mode: Any = OMITTED,
    pad_with: Any = OMITTED,
) -> Any:
    """The text split into columns at ``col_delimiter`` and rows at ``row_delimiter`` (either
    may be an array of delimiters); ``ignore_empty`` TRUE drops the empty pieces between
    consecutive delimiters; match_mode 1 ignores case; short rows are padded with
    ``pad_with`` (#N/A). Microsoft's TEXTSPLIT page:
    ``TEXTSPLIT("1,2,3;4,5,6",",",";")`` is {"1","2","3";"4","5","6"}."""
    s = text(value)
    ignore_case = False if omitted(match_mode) or match_mode is None else integer(match_mode) == 1
    skip_empty = optional_bool(ignore_empty, False) if ignore_empty is not None else False
    cols = [] if col_delimiter is None else _delimiters(col_delimiter)
    rows_by = [] if omitted(row_delimiter) or row_delimiter is None else _delimiters(row_delimiter)
    if not any(cols) and not any(rows_by):
        return ExcelError("#VALUE!", "TEXTSPLIT needs a delimiter")
    lines = _split(s, rows_by, ignore_case, skip_empty)
    table = [_split(line, cols, ignore_case, skip_empty) or [""] for line in lines] or [[""]]
    width = max(len(row) for row in table)
    pad = NA if omitted(pad_with) or pad_with is None else pad_with
    return Arr([row + [pad] * (width - len(row)) for row in table])


# --- ARRAYTOTEXT, VALUETOTEXT (Microsoft's page of each function) -----------------------------


def _as_text(value: Any, strict: bool) -> str:
    """A value as VALUETOTEXT shows it: text unchanged (quoted, quotes doubled, when strict),
    numbers in General format, TRUE/FALSE, an error's code."""
    if type(value) is ExcelError:
        return value.code
    if type(value) is str:
        return '"' + value.replace('"', '""') + '"' if strict else value
    return text(value)


def _strictness(format_: Any) -> bool:
    kind = 0 if omitted(format_) or format_ is None else integer(format_)
    if kind not in (0, 1):
        raise XlError(ExcelError("#VALUE!", "format must be 0 (concise) or 1 (strict)"))
    return kind == 1


@builtin("VALUETOTEXT", params="vv", min_args=1, errors_ok=True)
def valuetotext(value: Any, format_: Any = OMITTED) -> Any:
    """``VALUETOTEXT("Hello",1)`` is ``"Hello"`` in quotes; format 0 leaves text as it is."""
    if type(format_) is ExcelError:
        return format_
    return _as_text(value, _strictness(format_))


@builtin("ARRAYTOTEXT", params="av", min_args=1, errors_ok=True)
def arraytotext(array: Any, format_: Any = OMITTED) -> Any:
    """Concise (0): the values by rows, joined by ", "; strict (1): an array constant,
    ``{TRUE,#VALUE!;1234.01234,"Seattle"}`` (Microsoft's ARRAYTOTEXT page)."""
    if type(format_) is ExcelError:
        return format_
    strict = _strictness(format_)
    rows = array.values if type(array) is Arr else [[array]]
    if not strict:
        return _limited(", ".join(_as_text(v, False) for row in rows for v in row))
    body = ";".join(",".join(_as_text(v, True) for v in row) for row in rows)
    return _limited("{" + body + "}")
