"""Excel serial dates: the one home of the epochs and of serial conversion.

Excel's 1900 date system counts serial 1 as 1900-01-01 and keeps Lotus 1-2-3's fictitious
1900-02-29 as serial 60, so from 1900-03-01 on a serial is the day count from 1899-12-30; serial 0
shows as 1900-01-00. The 1904 system (old Mac workbooks, ``<workbookPr date1904="1"/>``) counts
from 1904-01-01 = 0. Source: Microsoft, "Date systems in Excel" (support.microsoft.com) and "Excel
incorrectly assumes that the year 1900 is a leap year" (learn.microsoft.com, office/troubleshoot).
"""

from __future__ import annotations

import datetime as dt

#: Day 0 of the 1900 system for serials from 61 (1900-03-01) on.
EPOCH_1900 = dt.datetime(1899, 12, 30)
#: Day 0 of the 1904 system.
EPOCH_1904 = dt.datetime(1904, 1, 1)
#: 9999-12-31, the last date Excel shows, in the 1900 system.
MAX_SERIAL_1900 = 2_958_465
#: The fictitious 1900-02-29.
LEAP_BUG_SERIAL = 60


def date_to_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """Excel serial number of a date or datetime (time of day as the fraction).

    Dates before 1900-03-01 in the 1900 system are one less than the plain day count, as Excel
    shows them (serial 1 = 1900-01-01).
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    serial = (value - epoch).total_seconds() / 86400.0
    if not date1904 and serial < LEAP_BUG_SERIAL + 1:
        serial -= 1.0
    return serial


def serial_to_date(serial: float, date1904: bool = False) -> dt.date:
    """The calendar date of a serial's whole part (1900-02-29, serial 60, reads as the 28th).

    Raises ``ValueError`` outside 0 ... 9999-12-31.
    """
    whole = int(serial // 1)
    limit = MAX_SERIAL_1900 - 1462 if date1904 else MAX_SERIAL_1900
    if whole < 0 or whole > limit:
        raise ValueError("date out of range")
    if date1904:
        return (EPOCH_1904 + dt.timedelta(days=whole)).date()
    if whole == LEAP_BUG_SERIAL:
        return dt.date(1900, 2, 28)
    if whole < LEAP_BUG_SERIAL:
        return (EPOCH_1900 + dt.timedelta(days=whole + 1)).date()
    return (EPOCH_1900 + dt.timedelta(days=whole)).date()
