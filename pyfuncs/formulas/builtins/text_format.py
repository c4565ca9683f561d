"""TEXT(value, format_text) with Excel's number format codes (Microsoft, "TEXT function" and
"Review guidelines for customizing a number format").

Supported: up to four sections ``positive;negative;zero;text`` and conditions (``[>=100]``);
digit placeholders ``0 # ?``, the decimal point, ``,`` as thousands separator and as a scale
of 1,000 after the digits, ``%``, scientific ``E+00``, literal text in quotes or after ``\\``,
``_x`` (a space) and ``*x`` (ignored: no cell width), colours (ignored); dates and times
``yyyy yy mmmm mmm mm m dddd ddd dd d hh h mm ss AM/PM A/P``, elapsed ``[h] [m] [s]`` and
fractions of a second ``ss.00``; ``General`` and ``@``; fractions ``# ?/?``, ``# ??/??``,
``?/?`` and fixed denominators ``# ?/8`` (the nearest fraction with at most as many denominator
digits; Microsoft's TEXT page: ``TEXT(4.34,"# ?/?")`` is ``4 1/3``). English month and day
names.
"""

from __future__ import annotations

import calendar
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import builtin
from pyfuncs.formulas.values import XlError, decimal15, general_text, text, text_to_number

_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)(-?\d+(?:\.\d+)?)\]")
_DATE_CODES = re.compile(
    r"yyyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\[h+\]|\[m+\]|\[s+\]", re.I
)


class FormatError(ValueError):
    """A format code this implementation does not read."""


def _split_sections(fmt: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


def _tokens(section: str) -> list[tuple[str, str]]:
    """(kind, text): 'lit' literal text, 'code' a format character or code."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < len(section):
            out.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < len(section):
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            end = len(section) - 1 if end < 0 else end
            inner = section[i + 1 : end]
            if re.fullmatch(r"h+|m+|s+", inner, re.I):
                out.append(("code", f"[{inner.lower()}]"))
            i = end + 1  # colours, conditions and locales are not shown
        else:
            m = _DATE_CODES.match(section, i)
            if m and ch.lower() in "ymdhsa":
                out.append(("code", m.group(0)))
                i = m.end()
            elif section[i : i + 7].lower() == "general":
                out.append(("code", "General"))
                i += 7
            elif ch in "eE" and i + 1 < len(section) and section[i + 1] in "+-":
                out.append(("code", "E" + section[i + 1]))
                i += 2
            elif ch in "0#?.,%@/":
                out.append(("code", ch))
                i += 1
            else:
                out.append(("lit", ch))
                i += 1
    return out


def _is_date(tokens: list[tuple[str, str]]) -> bool:
    return any(k == "code" and t[0].lower() in "ymdhs[a" and t != "General" for k, t in tokens)


def _has_text_code(section: str) -> bool:
    return ("code", "@") in _tokens(section)


def _numeric_sections(sections: list[str]) -> list[str]:
    """The sections a number can use: a last section with ``@`` is the text section (``w;x@``
    is positive/zero ``w`` and text ``x@``; pycel's text.xlsx, saved by Excel: TEXT(-1,"w;x@")
    is "-w" and TEXT(0,"w;x;z@") is "w"); ``@`` in any other section is ``#VALUE!``."""
    if any(_has_text_code(s) for s in sections[:-1]):
        raise FormatError("@ is allowed only in the last section")
    if len(sections) > 1 and len(sections) < 4 and _has_text_code(sections[-1]):
        return sections[:-1]
    return sections[:3]


def _check_section(tokens: list[tuple[str, str]]) -> None:
    """``#VALUE!`` for a number section mixing digit placeholders with ``@`` or a year code
    (pycel's text.xlsx, saved by Excel: ``#,#"ZZ"#.0Y00`` is #VALUE!)."""
    codes = [t for k, t in tokens if k == "code"]
    if any(c == "#" for c in codes) and ("@" in codes or any(c[0] in "yY" for c in codes)):
        raise FormatError("digit placeholders mixed with @ or a year code")


def _pick_section(value: float, sections: list[str]) -> tuple[str, bool]:
    """The section for ``value`` and whether the minus sign is left to the section."""
    conditions = [_CONDITION.search(s) for s in sections]
    if any(conditions):
        for section, cond in zip(sections, conditions, strict=False):
            if cond is None:
                return section, value < 0 and len(sections) > 1
            op, limit = cond.group(1), float(cond.group(2))
            ok = {
                "<": value < limit,
                ">": value > limit,
                "<=": value <= limit,
                ">=": value >= limit,
                "=": value == limit,
                "<>": value != limit,
            }[op]
            if ok:
                return section, False
        return sections[-1], False
    numeric = [s for s in sections[:3]]
    if value > 0 or len(numeric) == 1:
        return numeric[0], False
    if value < 0:
        return numeric[1], True
    return (numeric[2] if len(numeric) > 2 else numeric[0]), False


def format_value(value: Any, fmt: str, date1904: bool = False) -> str:
    """``value`` shown with the format code ``fmt`` as Excel's TEXT function shows it."""
    sections = _split_sections(fmt)
    numeric_sections = _numeric_sections(sections)
    if type(value) is str:
        number = text_to_number(value)
        if number is None:
            from pyfuncs.formulas.builtins.dates import parse_date_text

            number = parse_date_text(value, date1904)
        if number is None:
            section = (
                sections[3] if len(sections) > 3 else (sections[0] if "@" in sections[0] else None)
            )
            if section is None:
                return value
            return "".join(
                value if (k, t) == ("code", "@") else (t if k == "lit" else "")
                for k, t in _tokens(section)
            )
        value = number
    if type(value) is bool:
        return "TRUE" if value else "FALSE"
    if value is None:
        value = 0.0
    if fmt == "":
        return "-" if value < 0 else ""  # pycel's text.xlsx (saved by Excel): TEXT(-1,"") is "-"
    section, signless = _pick_section(value, numeric_sections)
    tokens = _tokens(section)
    _check_section(tokens)
    if not tokens or tokens == [("code", "General")]:
        shown = general_text(abs(value) if signless else value)
        return shown
    if _is_date(tokens):
        return _format_date(abs(value) if signless else value, tokens, date1904)
    if any(t == "General" for k, t in tokens if k == "code"):
        return "".join(
            general_text(abs(value)) if t == "General" else (t if k == "lit" else "")
            for k, t in tokens
        )
    negative = value < 0 and not signless
    # One number section shows the minus sign even without digits (TEXT(-1,"w;x@") is "-w").
    sign = negative and (_has_digits(tokens) or len(numeric_sections) == 1)
    return ("-" if sign else "") + _format_number(abs(value), tokens)


def _has_digits(tokens: list[tuple[str, str]]) -> bool:
    return any(k == "code" and t in "0#?" for k, t in tokens)


def _format_fraction(number: float, tokens: list[tuple[str, str]]) -> str:
    """``number`` (not negative) as ``whole numerator/denominator``.

    The numerator is the run of placeholders just before ``/``; placeholders before it (and the
    literal text between) show the whole part, if any. The denominator is either placeholders
    (the nearest fraction whose denominator has at most that many digits) or literal digits (a
    fixed denominator). ``?`` pads with spaces (the numerator on the left, the denominator on the
    right) so fractions line up; a whole number shows blanks in place of the fraction.
    """
    slash = next(i for i, (k, t) in enumerate(tokens) if k == "code" and t == "/")
    before, after = tokens[:slash], tokens[slash + 1 :]
    start = slash
    while start > 0 and before[start - 1][0] == "code" and before[start - 1][1] in "0#?":
        start -= 1
    num_codes = [t for _, t in before[start:]]
    whole_tokens = before[:start]
    whole_codes = [t for k, t in whole_tokens if k == "code" and t in "0#?"]
    den_codes: list[str] = []
    fixed = ""
    rest = after
    for n, (k, t) in enumerate(after):
        if k == "code" and t in "0#?" and not fixed:
            den_codes.append(t)
        elif k == "lit" and t.isdigit() and not den_codes:
            fixed += t
        else:
            rest = after[n:]
            break
    else:
        rest = []
    if not num_codes or not (den_codes or fixed):
        raise FormatError("unreadable fraction format")
    whole, part = (math.floor(number), number - math.floor(number)) if whole_codes else (0, number)
    if fixed:
        denominator = int(fixed)
        numerator = round(part * denominator) if denominator else 0
    else:
        best = Fraction(part).limit_denominator(10 ** len(den_codes) - 1)
        numerator, denominator = best.numerator, best.denominator
    if whole_codes and denominator and numerator >= denominator:
        whole, numerator = whole + numerator // denominator, numerator % denominator
    if whole_codes:
        shown_whole = (
            _fill_integer(str(whole) if whole else "", whole_tokens, False)
            if whole or numerator == 0
            else _fill_integer("", whole_tokens, False)
        )
        if whole == 0 and numerator == 0:
            shown_whole = _fill_integer("0", whole_tokens, False)
    else:
        shown_whole = "".join(t for k, t in whole_tokens if k == "lit")
    num_text = str(numerator).rjust(len(num_codes), " " if "?" in num_codes else "0")
    if "#" in num_codes and "?" not in num_codes and "0" not in num_codes:
        num_text = str(numerator)
    den_text = fixed or str(denominator).ljust(len(den_codes), " " if "?" in den_codes else "0")
    fraction = f"{num_text}/{den_text}"
    if whole_codes and numerator == 0:
        fraction = " " * len(fraction)  # a whole number: the fraction's place stays blank
    tail = "".join(t for k, t in rest if k == "lit")
    return shown_whole + fraction + tail


def _format_number(number: float, tokens: list[tuple[str, str]]) -> str:
    if any(k == "code" and t == "/" for k, t in tokens):
        return _format_fraction(number, tokens)
    codes = [t for k, t in tokens if k == "code"]
    percent = codes.count("%")
    number *= 100.0**percent
    exp_at = next((i for i, (k, t) in enumerate(tokens) if k == "code" and t in ("E+", "E-")), None)
    mantissa_tokens = tokens if exp_at is None else tokens[:exp_at]
    # scaling commas: commas right after the last digit placeholder of the number part
    digit_positions = [i for i, (k, t) in enumerate(mantissa_tokens) if k == "code" and t in "0#?"]
    scale = 0
    if digit_positions:
        j = digit_positions[-1] + 1
        while j < len(mantissa_tokens) and mantissa_tokens[j] == ("code", ","):
            scale += 1
            j += 1
    number /= 1000.0**scale
    point = next((i for i, (k, t) in enumerate(mantissa_tokens) if k == "code" and t == "."), None)
    int_part = mantissa_tokens if point is None else mantissa_tokens[:point]
    frac_part = [] if point is None else mantissa_tokens[point + 1 :]
    frac_places = sum(1 for k, t in frac_part if k == "code" and t in "0#?")
    int_places = [t for k, t in int_part if k == "code" and t in "0#?"]

    # Commas (pycel's text.xlsx, saved by Excel): one right between two digit placeholders of
    # the integer part groups thousands; one after literal text is literal ("#x,0" shows
    # "x,"); any other is dropped ("0,x#" of 890123 is "89012x3"), except the scaling commas.
    def placeholder(tok: tuple[str, str]) -> bool:
        return tok[0] == "code" and tok[1] in "0#?"

    scale_at = set()
    if digit_positions and scale:
        scale_at = set(range(digit_positions[-1] + 1, digit_positions[-1] + 1 + scale))

    def recast(part: list[tuple[str, str]], offset: int, integer: bool) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for i, tok in enumerate(part):
            if tok == ("code", ",") and offset + i not in scale_at:
                before = part[i - 1] if i else None
                after = part[i + 1] if i + 1 < len(part) else None
                if before is None or before[0] == "lit":
                    tok = ("lit", ",")
                elif not (
                    integer and before and after and placeholder(before) and placeholder(after)
                ):
                    tok = ("lit", "")
            elif tok == ("code", ".") and not integer:
                tok = ("lit", ".")  # a second decimal point is literal; the digits run on past it
            out.append(tok)
        return out

    int_part = recast(int_part, 0, True)
    if point is not None:
        frac_part = recast(frac_part, point + 1, False)
    grouping = ("code", ",") in int_part
    exponent_text = ""
    if exp_at is not None:
        exp_digits = [t for k, t in tokens[exp_at + 1 :] if k == "code" and t in "0#?"]
        width = max(len(int_places), 1)
        if number == 0:
            exponent = 0
        else:
            exponent = math.floor(math.log10(number))
            if "#" in int_places and width > 1:
                exponent = exponent - exponent % width
            else:
                exponent -= width - 1
        mantissa = number / 10.0**exponent
        rounded = Decimal(repr(mantissa)).quantize(
            Decimal(1).scaleb(-frac_places), rounding=ROUND_HALF_UP
        )
        if rounded >= Decimal(10) ** width:
            exponent += 1
            rounded = Decimal(repr(number / 10.0**exponent)).quantize(
                Decimal(1).scaleb(-frac_places), rounding=ROUND_HALF_UP
            )
        sign = "-" if exponent < 0 else ("+" if tokens[exp_at][1] == "E+" else "")
        exponent_text = "E" + sign + str(abs(exponent)).rjust(len(exp_digits), "0")
        digits = f"{rounded:f}"
    else:
        rounded = (
            decimal15(number).quantize(Decimal(1).scaleb(-frac_places), rounding=ROUND_HALF_UP)
            if number
            else Decimal(0)
        )
        digits = f"{rounded:f}"
    whole, _, frac = digits.partition(".")
    frac = frac.ljust(frac_places, "0")
    whole = whole.lstrip("0")
    int_text = _fill_integer(whole, int_part, grouping, point is not None)
    frac_text = _fill_fraction(frac, frac_part)
    out = int_text + ("." if point is not None else "") + frac_text
    if exp_at is not None:
        trailing = [t for k, t in tokens[exp_at + 1 :] if k == "lit"]
        out += exponent_text + "".join(trailing)
    return out


def _fill_integer(
    whole: str, part: list[tuple[str, str]], grouping: bool, point: bool = False
) -> str:
    slots = [i for i, (k, t) in enumerate(part) if k == "code" and t in "0#?"]
    if grouping and whole:
        whole = f"{int(whole):,}"
    if not slots:
        # No integer placeholder: the whole part still shows, before the decimal point
        # (".#" of 1234.56 is "1234.6": pycel's text.xlsx, saved by Excel).
        return "".join(t if k == "lit" else ("%" if t == "%" else "") for k, t in part) + (
            whole if point else ""
        )
    digits = list(whole)
    pieces = [t if k == "lit" else ("%" if t == "%" else "") for k, t in part]
    # right to left: each placeholder takes a digit (or pads), the leftmost takes the rest
    for n, i in enumerate(reversed(slots)):
        t = part[i][1]
        if n == len(slots) - 1:
            pieces[i] = (
                "".join(digits) if digits else ("0" if t == "0" else " " if t == "?" else "")
            )
            digits = []
        elif digits:
            d = digits.pop()
            # a thousands separator travels with the digit to its left
            pieces[i] = (digits.pop() + "," if digits else "") if d == "," else d
        else:
            pieces[i] = "0" if t == "0" else (" " if t == "?" else "")
    return "".join(pieces)


def _fill_fraction(frac: str, part: list[tuple[str, str]]) -> str:
    slots = [i for i, (k, t) in enumerate(part) if k == "code" and t in "0#?"]
    pieces = [t if k == "lit" else ("%" if t == "%" else "") for k, t in part]
    digits = list(frac[: len(slots)])
    # A "0" always shows its digit; a "#" or "?" only a significant one (a nonzero digit at or
    # after it), else nothing or a space, even before a later "0": #.#####00#0 of
    # 890123.456789 is 890123.45678900 (Excel's cached value in pycel's text.xlsx).
    last_nonzero = max((n for n, d in enumerate(digits) if d != "0"), default=-1)
    for n, i in enumerate(slots):
        t = part[i][1]
        d = digits[n] if n < len(digits) else "0"
        if t == "0" or n <= last_nonzero:
            pieces[i] = d
        else:
            pieces[i] = " " if t == "?" else ""
    return "".join(pieces)


def _format_date(serial: float, tokens: list[tuple[str, str]], date1904: bool) -> str:
    from pyfuncs.formulas.builtins.dates import ymd

    codes = [t.lower() for k, t in tokens if k == "code"]
    elapsed_only = all(c.startswith("[") or c in (":", ".", "0") for c in codes)
    if serial < 0:
        # A negative duration formats only under one elapsed code alone: [h] of -1 is -24,
        # while [h]:m and [s].000 are #VALUE! (Excel's cached values in pycel's text.xlsx).
        if len(codes) == 1 and codes[0].startswith("["):
            return "-" + _format_date(-serial, tokens, date1904)
        raise XlError(ExcelError("#VALUE!", "negative dates cannot be formatted"))
    sub_places = 0
    for i, (k, t) in enumerate(tokens):
        if (
            k == "code"
            and t.lower().startswith("s")
            and i + 1 < len(tokens)
            and tokens[i + 1] == ("code", ".")
        ):
            j = i + 2
            while j < len(tokens) and tokens[j] == ("code", "0"):
                sub_places += 1
                j += 1
    unit = 86400 * 10**sub_places
    ticks = round(serial * unit)
    day_number, tick = divmod(ticks, unit)
    seconds, sub = divmod(tick, 10**sub_places)
    hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
    if elapsed_only:
        y, mo, d, weekday = 1900, 1, 0, 0
    else:
        y, mo, d = ymd(float(day_number), date1904)
        weekday = (day_number + (4 if date1904 else 5)) % 7  # Monday 0, from Excel's serials
    twelve = any(c in ("am/pm", "a/p") for c in codes)
    out: list[str] = []
    prev_time = False
    for idx, (k, t) in enumerate(tokens):
        if k == "lit":
            out.append(t)
            continue
        low = t.lower()
        if low in ("m", "mm") and (prev_time or _next_is_seconds(tokens, idx)):
            out.append(f"{minute:02d}" if low == "mm" else str(minute))
            continue
        prev_time = low.startswith("h") or low.startswith("[h")
        if low == "yyyy":
            out.append(f"{y:04d}")
        elif low in ("yy", "y"):
            out.append(f"{y % 100:02d}")
        elif low == "mmmmm":
            out.append(calendar.month_name[mo][0])
        elif low == "mmmm":
            out.append(calendar.month_name[mo])
        elif low == "mmm":
            out.append(calendar.month_abbr[mo])
        elif low == "mm":
            out.append(f"{mo:02d}")
        elif low == "m":
            out.append(str(mo))
        elif low == "dddd":
            out.append(calendar.day_name[weekday])
        elif low == "ddd":
            out.append(calendar.day_abbr[weekday])
        elif low == "dd":
            out.append(f"{d:02d}")
        elif low == "d":
            out.append(str(d))
        elif low in ("hh", "h"):
            h = hour % 12 or 12 if twelve else hour
            out.append(f"{h:02d}" if low == "hh" else str(h))
        elif low in ("ss", "s"):
            out.append(f"{second:02d}" if low == "ss" else str(second))
        elif low == "am/pm":
            out.append(
                ("AM" if hour < 12 else "PM") if t[0].isupper() else ("am" if hour < 12 else "pm")
            )
        elif low == "a/p":
            out.append(
                ("A" if hour < 12 else "P") if t[0].isupper() else ("a" if hour < 12 else "p")
            )
        elif low.startswith("[h"):
            out.append(str(day_number * 24 + hour).rjust(len(low) - 2, "0"))
        elif low.startswith("[m"):
            out.append(str((day_number * 24 + hour) * 60 + minute).rjust(len(low) - 2, "0"))
        elif low.startswith("[s"):
            out.append(
                str(((day_number * 24 + hour) * 60 + minute) * 60 + second).rjust(len(low) - 2, "0")
            )
        elif low == "." and sub_places:
            out.append("." + str(sub).rjust(sub_places, "0"))
        elif low == "0" and sub_places:
            continue
        else:
            out.append(t if t not in ("General",) else "")
    return "".join(out)


def _next_is_seconds(tokens: list[tuple[str, str]], idx: int) -> bool:
    for k, t in tokens[idx + 1 :]:
        if k == "code":
            return t.lower().startswith("s")
    return False


@builtin("TEXT", params="vv", context=True)
def text_(ev: Any, value: Any, format_text: Any) -> Any:
    try:
        return format_value(value, text(format_text), bool(ev.book.date1904))
    except FormatError as exc:
        return ExcelError("#VALUE!", str(exc))
    except (ValueError, OverflowError):
        return ExcelError("#VALUE!", "the value cannot be shown in that format")
