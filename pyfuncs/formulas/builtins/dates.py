"""Date and time built-ins. Dates are serial numbers in the workbook's date system.

The 1900 system (Microsoft, "DATE function" and "Date systems in Excel"): serial 1 is
1900-01-01; serial 0 is the day before, which Excel shows as 1900-01-00 (``YEAR(0)`` is 1900,
``MONTH(0)`` 1, ``DAY(0)`` 0, so ``DATE(YEAR(0),MONTH(0),1)`` is 1); Excel keeps Lotus 1-2-3's
fictitious 1900-02-29 as serial 60, so ``DATE(1900,2,29)`` is 60 and ``DATE(1900,3,1)`` 61. A
date before serial 0 (``DATE(1900,1,-1)``) or after 9999-12-31 (2,958,465) is ``#NUM!``. In
the 1904 system serial 0 is 1904-01-01. The time of day is the fraction of the serial.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from typing import Any

from pyfuncs.dates import MAX_SERIAL_1900, date_to_serial, serial_to_date
from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    omitted,
    optional,
    optional_bool,
)
from pyfuncs.formulas.values import NUM, VALUE, Arr, XlError, num, round15, text, text_to_number

MAX_SERIAL = MAX_SERIAL_1900  # 9999-12-31
_BAD_DATE = ExcelError("#NUM!", "not a valid date")


def to_serial(day: dt.date, date1904: bool) -> float:
    """The serial number of a real calendar date (see :mod:`pyfuncs.dates`)."""
    return float(date_to_serial(day, date1904))


def from_serial(serial: float, date1904: bool) -> dt.date:
    """The calendar date of a serial taken at 15 digits (60, Excel's 1900-02-29, reads as
    1900-02-28; 0 as 1899-12-31, so date arithmetic from it agrees with Excel's)."""
    return serial_to_date(math.floor(round15(serial)), date1904)


def ymd(serial: float, date1904: bool) -> tuple[int, int, int]:
    """Year, month and day as Excel shows a serial (0 is 1900-01-00, 60 is 1900-02-29)."""
    whole = math.floor(round15(serial))
    if not date1904 and whole in (0, 60):
        return (1900, 1, 0) if whole == 0 else (1900, 2, 29)
    day = from_serial(serial, date1904)
    return day.year, day.month, day.day


def _date1904(ev: Any) -> bool:
    return bool(ev.book.date1904)


def serial_arg(value: Any) -> float:
    """A date argument as a serial: a number, or text Excel reads as a number or a date (a
    date before 1900 in text is #VALUE!)."""
    if type(value) is str:
        parsed = text_to_number(value)
        if parsed is None:
            parsed = parse_date_text(value)
        if parsed is None or parsed < 0:
            raise XlError(ExcelError("#VALUE!", f"text {value[:30]!r} is not a date"))
        return parsed
    number = num(value)
    if number < 0 or number > MAX_SERIAL + 1:
        raise XlError(_BAD_DATE)
    return number


def _date_of(ev: Any, value: Any) -> dt.date:
    try:
        return from_serial(serial_arg(value), _date1904(ev))
    except (ValueError, OverflowError):
        raise XlError(_BAD_DATE) from None


def _checked_serial(serial: float) -> Any:
    if serial < 0 or serial > MAX_SERIAL:
        return _BAD_DATE
    return serial


@builtin("DATE", params="vvv", context=True)
def date(ev: Any, year: Any, month: Any, day: Any) -> Any:
    """DATE(year, month, day): years 0-1899 add 1900; months and days outside their range roll
    over (DATE(2008,14,2) is 2009-02-02, DATE(2008,1,-15) is 2007-12-16)."""
    y, m, d = integer(year), integer(month), integer(day)
    if 0 <= y < 1900:
        y += 1900
    if not 1900 <= y <= 9999:
        return ExcelError("#NUM!", "DATE: year must be 0 to 9999")
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    if not 1 <= y <= 9999:
        return _BAD_DATE
    first = to_serial(dt.date(y, m, 1), _date1904(ev))
    return _checked_serial(first + d - 1)


@builtin("YEAR", params="v", context=True)
def year(ev: Any, serial: Any) -> Any:
    return float(_ymd_arg(ev, serial)[0])


@builtin("MONTH", params="v", context=True)
def month(ev: Any, serial: Any) -> Any:
    return float(_ymd_arg(ev, serial)[1])


@builtin("DAY", params="v", context=True)
def day(ev: Any, serial: Any) -> Any:
    return float(_ymd_arg(ev, serial)[2])


def _ymd_arg(ev: Any, serial: Any) -> tuple[int, int, int]:
    try:
        return ymd(serial_arg(serial), _date1904(ev))
    except (ValueError, OverflowError):
        raise XlError(_BAD_DATE) from None


def _time_parts(value: Any) -> tuple[int, int, int]:
    """Hour, minute and second of a serial's fraction, to the nearest second."""
    serial = serial_arg(value)
    seconds = round(round15((serial - math.floor(serial)) * 86400.0))
    seconds %= 86400
    return seconds // 3600, seconds // 60 % 60, seconds % 60


@builtin("HOUR", params="v")
def hour(serial: Any) -> Any:
    return float(_time_parts(serial)[0])


@builtin("MINUTE", params="v")
def minute(serial: Any) -> Any:
    return float(_time_parts(serial)[1])


@builtin("SECOND", params="v")
def second(serial: Any) -> Any:
    return float(_time_parts(serial)[2])


@builtin("TIME", params="vvv")
def time(hours: Any, minutes: Any, seconds: Any) -> Any:
    """TIME(h, m, s): the fraction of a day; values past 24 hours wrap; a negative total is #NUM!."""
    h, m, s = integer(hours), integer(minutes), integer(seconds)
    if h > 32767 or m > 32767 or s > 32767:
        return NUM
    total = h * 3600 + m * 60 + s
    if total < 0:
        return ExcelError("#NUM!", "TIME of a negative duration")
    return (total % 86400) / 86400.0


def _add_months(start: dt.date, months: int, end_of_month: bool) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    y, m = divmod(index, 12)
    if not 1 <= y <= 9999:
        raise ValueError("date out of range")
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, last if end_of_month else min(start.day, last))


def _no_logicals(*values: Any) -> None:
    """The Analysis ToolPak date functions (EDATE, EOMONTH, YEARFRAC, NETWORKDAYS, WORKDAY)
    take no TRUE/FALSE (#VALUE!), as Excel's cached results in pycel's date-time.xlsx and
    yearfrac.xlsx fixtures show."""
    if any(type(v) is bool for v in values):
        raise XlError(ExcelError("#VALUE!", "a logical value is not a date or a number of months"))


@builtin("EDATE", params="vv", context=True)
def edate(ev: Any, start: Any, months: Any) -> Any:
    _no_logicals(start, months)
    try:
        moved = _add_months(_date_of(ev, start), integer(months), False)
    except ValueError:
        return NUM
    return _checked_serial(to_serial(moved, _date1904(ev)))


@builtin("EOMONTH", params="vv", context=True)
def eomonth(ev: Any, start: Any, months: Any) -> Any:
    _no_logicals(start, months)
    try:
        moved = _add_months(_date_of(ev, start), integer(months), True)
    except ValueError:
        return NUM
    return _checked_serial(to_serial(moved, _date1904(ev)))


@builtin("TODAY", params="", min_args=0, context=True, volatile=True)
def today(ev: Any) -> Any:
    return to_serial(dt.date.today(), _date1904(ev))


@builtin("NOW", params="", min_args=0, context=True, volatile=True)
def now(ev: Any) -> Any:
    moment = dt.datetime.now()
    fraction = (moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    return to_serial(moment.date(), _date1904(ev)) + fraction / 86400.0


def _weekday_monday0(serial: float, date1904: bool) -> int:
    """0 for Monday .. 6 for Sunday, as Excel's serials give it (serial 1 is a Sunday)."""
    whole = math.floor(serial)
    return (whole + (4 if date1904 else 5)) % 7


@builtin("WEEKDAY", params="vv", min_args=1, context=True)
def weekday(ev: Any, serial: Any, kind: Any = OMITTED) -> Any:
    """WEEKDAY(serial, type): type 1 Sunday=1..Saturday=7; 2 Monday=1..Sunday=7; 3
    Monday=0..Sunday=6; 11-17 Monday..Sunday as day 1."""
    k = integer(optional(kind, 1.0))
    mon0 = _weekday_monday0(serial_arg(serial), _date1904(ev))
    if k == 1:
        return float((mon0 + 1) % 7 + 1)
    if k == 2:
        return float(mon0 + 1)
    if k == 3:
        return float(mon0)
    if 11 <= k <= 17:
        return float((mon0 - (k - 11)) % 7 + 1)
    return ExcelError("#NUM!", "WEEKDAY return type must be 1, 2, 3 or 11-17")


@builtin("WEEKNUM", params="vv", min_args=1, context=True)
def weeknum(ev: Any, serial: Any, kind: Any = OMITTED) -> Any:
    """WEEKNUM: the week containing January 1 is week 1; weeks start on Sunday (type 1, 17),
    Monday (2, 11), ... (12-16); type 21 is the ISO week."""
    k = integer(optional(kind, 1.0))
    starts = {1: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}
    day_ = _date_of(ev, serial)
    if k == 21:
        return _iso_week(serial_arg(serial), _date1904(ev))
    if k not in starts:
        return ExcelError("#NUM!", "WEEKNUM return type is not valid")
    jan1 = dt.date(day_.year, 1, 1)
    offset = (jan1.weekday() - starts[k]) % 7
    return float((day_.timetuple().tm_yday - 1 + offset) // 7 + 1)


def _iso_week(serial: float, date1904: bool) -> float:
    """The ISO 8601 week of a serial, counted on Excel's weekdays: a week is the year's of its
    Thursday. Excel's 1900-01-01 (serial 1) is a Sunday (the calendar's was a Monday), so
    ``ISOWEEKNUM(1)`` is 52, a week of 1899 (Excel's cached value in rust_xlsxwriter's
    bootstrap39.xlsx, tests/data/conformance/excel/rust_xlsxwriter/)."""
    whole = math.floor(serial)
    thursday = whole - _weekday_monday0(whole, date1904) + 3
    first = 0 if date1904 else 1  # serial of 1904-01-01 or 1900-01-01
    if thursday < first:  # a week of the year before the first: 365 days (1899, 1903)
        jan1 = first - 365
    else:
        jan1 = to_serial(dt.date(ymd(thursday, date1904)[0], 1, 1), date1904)
    return float((thursday - jan1) // 7 + 1)


@builtin("ISOWEEKNUM", params="v", context=True)
def isoweeknum(ev: Any, serial: Any) -> Any:
    _date_of(ev, serial)  # #NUM! outside the date range
    return _iso_week(serial_arg(serial), _date1904(ev))


@builtin("DAYS", params="vv")
def days(end: Any, start: Any) -> Any:
    """``end - start``: "If both date arguments are numbers, DAYS uses EndDate-StartDate"; a
    text argument is DATEVALUE of it, "an integer date instead of a time component"
    (Microsoft's DAYS page), so a date-time number keeps its fraction (LibreOffice days.fods
    row 4: -0.0486...)."""

    def serial(v: Any) -> float:
        value = serial_arg(v)
        return float(math.floor(value)) if type(v) is str else value

    return serial(end) - serial(start)


def _last_of_feb(day_: dt.date) -> bool:
    return day_.month == 2 and day_.day == calendar.monthrange(day_.year, 2)[1]


def days360(start: dt.date, end: dt.date, european: bool, feb_end_both: bool = False) -> int:
    """Days between two dates on a 360-day year (Microsoft, "DAYS360 function"). US (NASD): a
    start on the 31st or the last day of February becomes the 30th; an end on the 31st becomes
    the 30th when the start is the 30th or 31st. European: every 31st becomes the 30th.
    ``feb_end_both``: YEARFRAC basis 0 also moves an end on the last day of February to the 30th
    when the start is one too."""
    d1, d2 = start.day, end.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        if feb_end_both and _last_of_feb(start) and _last_of_feb(end):
            d2 = 30
        if _last_of_feb(start):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        d1 = min(d1, 30)
    return (end.year - start.year) * 360 + (end.month - start.month) * 30 + d2 - d1


@builtin("DAYS360", params="vvv", min_args=2, context=True)
def days360_(ev: Any, start: Any, end: Any, method: Any = OMITTED) -> Any:
    return float(days360(_date_of(ev, start), _date_of(ev, end), optional_bool(method, False)))


def _leap(y: int) -> bool:
    return calendar.isleap(y)


def yearfrac(start: dt.date, end: dt.date, basis: int) -> float:
    """The fraction of a year between two dates on a day-count basis (Microsoft, "YEARFRAC
    function"): 0 US 30/360, 1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360.
    Basis 1 follows Excel's rule (as reverse-engineered by D. A. Wheeler, "YEARFRAC"): within
    one year, divide by 366 when the period is in one leap year or contains a February 29, else
    365; over longer periods, by the average length of the calendar years touched."""
    if start > end:
        start, end = end, start
    actual = (end - start).days
    if basis == 0:
        return days360(start, end, False, feb_end_both=True) / 360.0
    if basis == 4:
        return days360(start, end, True) / 360.0
    if basis == 2:
        return actual / 360.0
    if basis == 3:
        return actual / 365.0
    y1, y2 = start.year, end.year
    within_year = y1 == y2 or (y2 == y1 + 1 and (start.month, start.day) >= (end.month, end.day))
    if within_year:
        if (y1 == y2 and _leap(y1)) or any(
            _leap(y) and start <= dt.date(y, 2, 29) <= end for y in range(y1, y2 + 1)
        ):
            length = 366
        else:
            length = 365
        return actual / length
    years = y2 - y1 + 1
    total = sum(366 if _leap(y) else 365 for y in range(y1, y2 + 1))
    return actual / (total / years)


@builtin("YEARFRAC", params="vvv", min_args=2, context=True, errors_ok=True)
def yearfrac_(ev: Any, start: Any, end: Any, basis: Any = OMITTED) -> Any:
    """The basis is checked before the dates: ``YEARFRAC(#DIV/0!,200,5)`` is #NUM! and
    ``YEARFRAC(#DIV/0!,200,"x")`` #VALUE! (Excel's cached values in pycel's yearfrac.xlsx)."""
    if type(basis) is ExcelError:
        return basis
    _no_logicals(basis)
    b = integer(optional(basis, 0.0))
    if not 0 <= b <= 4:
        return ExcelError("#NUM!", "YEARFRAC basis must be 0 to 4")
    for value in (start, end):
        if type(value) is ExcelError:
            return value
    _no_logicals(start, end)
    return yearfrac(_date_of(ev, start), _date_of(ev, end), b)


@builtin("DATEDIF", params="vvv", context=True)
def datedif(ev: Any, start: Any, end: Any, unit: Any) -> Any:
    """DATEDIF(start, end, unit): "Y" whole years, "M" whole months, "D" days, "MD" days
    ignoring months and years, "YM" months ignoring years, "YD" days ignoring years. A start
    after the end is #NUM!. "MD" keeps Excel's known result for a start day past the end of the
    previous month (it can be negative; Microsoft's page warns against "MD")."""
    a, b = _date_of(ev, start), _date_of(ev, end)
    s, e = serial_arg(start), serial_arg(end)
    if s > e:
        return ExcelError("#NUM!", "DATEDIF: the start date is after the end date")
    u = text(unit).upper()
    months = (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)
    if u == "D":
        return float(math.floor(e) - math.floor(s))
    if u == "M":
        return float(months)
    if u == "Y":
        return float(months // 12)
    if u == "YM":
        return float(months % 12)
    if u == "MD":
        if b.day >= a.day:
            return float(b.day - a.day)
        prev_year, prev_month = (b.year, b.month - 1) if b.month > 1 else (b.year - 1, 12)
        return float(calendar.monthrange(prev_year, prev_month)[1] - a.day + b.day)
    if u == "YD":
        year_ = b.year if (b.month, b.day) >= (a.month, a.day) else b.year - 1
        moved = dt.date(year_, a.month, min(a.day, calendar.monthrange(year_, a.month)[1]))
        return float((b - moved).days)
    return ExcelError("#NUM!", "DATEDIF unit must be Y, M, D, MD, YM or YD")


# --- working days ----------------------------------------------------------------------------


def _weekend_mask(weekend: Any, all_days: bool = False) -> tuple[bool, ...]:
    """Monday..Sunday flags of weekend days: 1 Sat-Sun (default), 2 Sun-Mon, ... 7 Fri-Sat,
    11 Sunday only ... 17 Saturday only, or a 7-character text of 0/1 from Monday.
    "1111111" is #VALUE! unless ``all_days`` (NETWORKDAYS.INTL: "Using 1111111 will always
    return 0", Microsoft's NETWORKDAYS.INTL page)."""
    if omitted(weekend) or weekend is None:
        code: Any = 1
    elif type(weekend) is str:
        if not re.fullmatch(r"[01]{7}", weekend) or (weekend == "1111111" and not all_days):
            raise XlError(ExcelError("#VALUE!", "weekend text must be 7 digits 0/1"))
        return tuple(ch == "1" for ch in weekend)
    else:
        code = integer(weekend)
    if 1 <= code <= 7:
        first = (code + 4) % 7  # 1 -> Saturday (5), 2 -> Sunday (6), 3 -> Monday (0)...
        days_off = {first, (first + 1) % 7}
    elif 11 <= code <= 17:
        days_off = {(code - 11 + 6) % 7}
    else:
        raise XlError(ExcelError("#NUM!", "weekend number is not valid"))
    return tuple(i in days_off for i in range(7))


def _holidays(value: Any) -> set[int]:
    if omitted(value) or value is None:
        return set()
    items = value.flat() if type(value) is Arr else [value]
    out = set()
    for v in items:
        if v is None:
            continue
        out.add(math.floor(serial_arg(v)))
    return out


def networkdays(
    start: float, end: float, mask: tuple[bool, ...], holidays: set[int], date1904: bool
) -> float:
    a, b = math.floor(start), math.floor(end)
    sign = 1.0
    if a > b:
        a, b, sign = b, a, -1.0
    weeks, extra = divmod(b - a + 1, 7)
    working_per_week = 7 - sum(mask)
    count = weeks * working_per_week
    first = _weekday_monday0(a, date1904)
    count += sum(1 for i in range(extra) if not mask[(first + i) % 7])
    for h in holidays:
        if a <= h <= b and not mask[_weekday_monday0(h, date1904)]:
            count -= 1
    return sign * count


def workday(
    start: float, days_: int, mask: tuple[bool, ...], holidays: set[int], date1904: bool
) -> float:
    serial = math.floor(start)
    step = 1 if days_ >= 0 else -1
    left = abs(days_)
    while left:
        serial += step
        if not mask[_weekday_monday0(serial, date1904)] and serial not in holidays:
            left -= 1
    return float(serial)


@builtin("NETWORKDAYS", params="vvr", min_args=2, context=True)
def networkdays_(ev: Any, start: Any, end: Any, holidays: Any = OMITTED) -> Any:
    _no_logicals(start, end)
    return networkdays(
        serial_arg(start), serial_arg(end), _weekend_mask(1), _holidays(holidays), _date1904(ev)
    )


@builtin("NETWORKDAYS.INTL", params="vvvr", min_args=2, context=True)
def networkdays_intl(
    ev: Any, start: Any, end: Any, weekend: Any = OMITTED, holidays: Any = OMITTED
) -> Any:
    mask = _weekend_mask(weekend, all_days=True)
    return networkdays(serial_arg(start), serial_arg(end), mask, _holidays(holidays), _date1904(ev))


@builtin("WORKDAY", params="vvr", min_args=2, context=True)
def workday_(ev: Any, start: Any, days_: Any, holidays: Any = OMITTED) -> Any:
    _no_logicals(start, days_)
    result = workday(
        serial_arg(start), integer(days_), _weekend_mask(1), _holidays(holidays), _date1904(ev)
    )
    return _checked_serial(result)


@builtin("WORKDAY.INTL", params="vvvr", min_args=2, context=True)
def workday_intl(
    ev: Any, start: Any, days_: Any, weekend: Any = OMITTED, holidays: Any = OMITTED
) -> Any:
    mask = _weekend_mask(weekend)
    result = workday(serial_arg(start), integer(days_), mask, _holidays(holidays), _date1904(ev))
    return _checked_serial(result)


# --- dates and times written as text ------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_TIME = re.compile(r"\s*(\d{1,2}):(\d{1,4})(?::(\d{2,4}(?:\.\d+)?))?(\.\d*)?\s*([AaPp][Mm])?\s*$")


_HOUR_MERIDIEM = re.compile(r"\s*(\d{1,2})\s*([AaPp][Mm])\s*$")


def _time_text(value: str) -> float | None:
    """A fraction of a day from time text, as Excel reads it (Excel's cached values in pycel's
    text.xlsx): ``h:mm`` (minutes may run to 9999 when the hour is below 24: "23:99" is 24:39,
    "24:99" is text), ``h:mm:ss`` (seconds to 9999, minutes below 60), ``mm:ss.0`` (a decimal
    fraction after two parts: minutes below 60 and seconds: "59:9999.0" is 0.1567), a bare
    trailing point (``23:59.``), and AM/PM."""
    hour_only = _HOUR_MERIDIEM.match(value)
    if hour_only:  # "4PM", "12 am" (LibreOffice timevalue.fods: "4PM" is 16:00)
        h = int(hour_only.group(1))
        if not 1 <= h <= 12:
            return None
        return (h % 12 + (12 if hour_only.group(2).upper() == "PM" else 0)) / 24.0
    m = _TIME.match(value)
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    seconds_text, tail, meridiem = m.group(3), m.group(4), m.group(5)
    if seconds_text is not None:
        if tail is not None or second > 59:
            return None
        h, mi, s = first, second, float(seconds_text)
    elif tail not in (None, "."):
        if first > 59:
            return None
        h, mi, s = 0, first, second + float(tail)  # minutes:seconds.fraction
    else:
        if second > 59 and first > 23:
            return None
        h, mi, s = first, second, 0.0
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.upper() == "PM" else 0)
    return (h * 3600 + mi * 60 + s) / 86400.0


def parse_date_text(value: str, date1904: bool = False) -> float | None:
    """A serial from text Excel reads as a date (en-US): ``2008-01-30``, ``1/30/2008``,
    ``30-Jan-2008``, ``January 30, 2008``, optionally followed by a time."""
    s = value.strip()
    time_part = 0.0
    m = re.match(r"(.*?)\s+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)$", s)
    if m and re.search(r"\d", m.group(1)):
        t = _time_text(m.group(2))
        if t is None:
            return None
        s, time_part = m.group(1), t
    patterns = (
        (r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", "ymd"),
        (r"(\d{1,2})/(\d{1,2})/(\d{2,4})", "mdy"),
        (r"(\d{1,2})[- ]([A-Za-z]+)[- ,]+(\d{2,4})", "dMy"),
        (r"([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{2,4})", "Mdy"),
        (r"(\d{1,2})[- ]([A-Za-z]+)", "dM"),
        (r"([A-Za-z]+)[- ](\d{4})", "My"),
    )
    for pattern, order in patterns:
        m = re.fullmatch(pattern, s)
        if not m:
            continue
        g = m.groups()
        try:
            if order == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif order == "mdy":
                mo, d, y = int(g[0]), int(g[1]), int(g[2])
            elif order == "dMy":
                d, mo, y = int(g[0]), _MONTHS[g[1].lower()], int(g[2])
            elif order == "Mdy":
                mo, d, y = _MONTHS[g[0].lower()], int(g[1]), int(g[2])
            elif order == "dM":
                d, mo, y = int(g[0]), _MONTHS[g[1].lower()], dt.date.today().year
            else:
                mo, d, y = _MONTHS[g[0].lower()], 1, int(g[1])
        except KeyError:
            continue  # not a month name: "12 am" may still be a time
        if y < 100:
            y += 2000 if y < 30 else 1900
        if (y, mo, d) == (1900, 2, 29) and not date1904:
            return 60.0 + time_part
        try:
            return to_serial(dt.date(y, mo, d), date1904) + time_part
        except ValueError:
            return None
    return _time_text(value)


@builtin("DATEVALUE", params="v", context=True)
def datevalue(ev: Any, value: Any) -> Any:
    if type(value) is not str:
        return VALUE
    serial = parse_date_text(value, _date1904(ev))
    if serial is None:
        return ExcelError("#VALUE!", "DATEVALUE: text is not a date")
    return float(math.floor(serial))


@builtin("TIMEVALUE", params="v")
def timevalue(value: Any) -> Any:
    if type(value) is not str:
        return VALUE
    serial = parse_date_text(value)
    if serial is None:
        return ExcelError("#VALUE!", "TIMEVALUE: text is not a time")
    return serial - math.floor(serial)
