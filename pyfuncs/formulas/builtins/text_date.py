"""Text and date built-ins. Dates are serial numbers: the 1900 system by default (serial 1 is
1900-01-01 and Excel's fictitious 1900-02-29 is serial 60), the 1904 system when the workbook
says so."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from pyfuncs.dates import date_to_serial, serial_to_date
from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import builtin, integer, optional
from pyfuncs.formulas.values import NUM, VALUE, XlError, num, text, text_to_number


def to_serial(day: dt.date, date1904: bool) -> float:
    return float(date_to_serial(day, date1904))


def from_serial(serial: float, date1904: bool) -> dt.date:
    return serial_to_date(serial, date1904)


def _date_of(ev: Any, value: Any) -> dt.date:
    try:
        return from_serial(num(value), ev.book.date1904)
    except (ValueError, OverflowError):
        raise XlError(ExcelError("#NUM!", "not a valid date")) from None


@builtin("DATE", params="vvv", context=True)
def date(ev: Any, year: Any, month: Any, day: Any) -> Any:
    y, m, d = integer(year), integer(month), integer(day)
    if 0 <= y < 1900:
        y += 1900
    if not 1900 <= y <= 9999:
        return NUM
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    try:
        first = dt.date(y, m, 1)
        return to_serial(first + dt.timedelta(days=d - 1), ev.book.date1904)
    except (ValueError, OverflowError):
        return NUM


@builtin("YEAR", params="v", context=True)
def year(ev: Any, serial: Any) -> Any:
    return float(_date_of(ev, serial).year)


@builtin("MONTH", params="v", context=True)
def month(ev: Any, serial: Any) -> Any:
    return float(_date_of(ev, serial).month)


@builtin("DAY", params="v", context=True)
def day(ev: Any, serial: Any) -> Any:
    return float(_date_of(ev, serial).day)


def _add_months(start: dt.date, months: int, end_of_month: bool) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    y, m = divmod(index, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, last if end_of_month else min(start.day, last))


@builtin("EDATE", params="vv", context=True)
def edate(ev: Any, start: Any, months: Any) -> Any:
    try:
        moved = _add_months(_date_of(ev, start), integer(months), False)
    except ValueError:
        return NUM
    return to_serial(moved, ev.book.date1904)


@builtin("EOMONTH", params="vv", context=True)
def eomonth(ev: Any, start: Any, months: Any) -> Any:
    try:
        moved = _add_months(_date_of(ev, start), integer(months), True)
    except ValueError:
        return NUM
    return to_serial(moved, ev.book.date1904)


@builtin("TODAY", params="", min_args=0, context=True)
def today(ev: Any) -> Any:
    return to_serial(dt.date.today(), ev.book.date1904)


@builtin("CONCATENATE", "CONCAT", params="v*", min_args=1)
def concatenate(*parts: Any) -> Any:
    return "".join(text(p) for p in parts)


@builtin("LEN", params="v")
def len_(value: Any) -> Any:
    return float(len(text(value)))


@builtin("LEFT", params="vv", min_args=1)
def left(value: Any, count: Any = None) -> Any:
    n = int(optional(count, 1.0))
    if n < 0:
        return VALUE
    return text(value)[:n]


@builtin("RIGHT", params="vv", min_args=1)
def right(value: Any, count: Any = None) -> Any:
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


@builtin("TRIM", params="v")
def trim(value: Any) -> Any:
    return " ".join(part for part in text(value).split(" ") if part)  # spaces only, as Excel


@builtin("VALUE", params="v")
def value(value: Any) -> Any:
    if type(value) is float:
        return value
    number = text_to_number(text(value))
    if number is None:
        return ExcelError("#VALUE!", "text is not a number")
    return number
