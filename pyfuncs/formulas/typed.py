"""What a typed-in value means: the one reader of values given on the command line.

``gpucredit call NAME ARG...`` and ``gpucredit refresh --set NAME=VALUE`` both read their values
here, the way Excel reads what is typed into a cell:

- a number: ``0.05``, ``-1.5``, ``1,000``, ``1e-3``, a percentage ``6.5%`` (= 0.065);
- an ISO date ``2026-03-01``: the date's serial number in the workbook's date system
  (:func:`pyfuncs.dates.date_to_serial`);
- ``TRUE``/``FALSE`` in any case: a logical;
- an error literal (``#N/A``, ``#DIV/0!``, ...): that error value;
- empty: a blank cell;
- ``"quoted"``: the text inside the quotes (for text that would otherwise read as a number);
- with ``arrays=True``, a JSON array (``[[1],[2]]``, one inner list a row; ``[1,2]`` is one
  row): a range of values;
- anything else: the text as typed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pyfuncs.dates import date_to_serial
from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError
from pyfuncs.formulas.values import text_to_number

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})$")


class TypedValueError(ValueError):
    """A value that cannot be read (an array that is not valid JSON)."""


def parse_typed(
    text: str, *, arrays: bool = False, date1904: bool = False, keep_dates: bool = False
) -> Any:
    """The value ``text`` stands for (see the module's rules).

    Parameters
    ----------
    text : str
        What the user typed.
    arrays : bool
        Read ``[...]`` as a JSON array of rows (``gpucredit call``); a cell takes one value, so
        ``refresh --set`` leaves it text.
    date1904 : bool
        The target workbook uses the 1904 date system.
    keep_dates : bool
        Return an ISO date as a :class:`datetime.date` (the caller knows the date system).

    Returns
    -------
    float, bool, str, None, ExcelError, date, or list of rows of those
    """
    stripped = text.strip()
    if stripped == "":
        return None
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1]
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if upper in EXCEL_ERROR_CODES:
        return ExcelError(upper, "typed as a value")
    if arrays and stripped.startswith("["):
        return _array(stripped)
    date = _ISO_DATE.match(stripped)
    if date:
        try:
            day = dt.date(*map(int, date.groups()))
        except ValueError:
            raise TypedValueError(f"{stripped!r} is not a date") from None
        return day if keep_dates else date_to_serial(day, date1904=date1904)
    number = text_to_number(stripped)
    return text if number is None else number


def _array(text: str) -> list[list[Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TypedValueError(
            f"{text[:40]!r} is not a JSON array ({exc.msg} at character {exc.pos + 1})"
        ) from None
    if not isinstance(data, list) or not data:
        raise TypedValueError(f"{text[:40]!r}: an array needs at least one value")
    rows = data if all(isinstance(r, list) for r in data) else [data]
    out = []
    for row in rows:
        out.append([_element(v) for v in row])
    if len({len(r) for r in out}) > 1:
        raise TypedValueError(f"{text[:40]!r}: every row of an array needs the same length")
    return out


def _element(value: Any) -> Any:
    if isinstance(value, list | dict):
        raise TypedValueError("an array holds rows of numbers, text, true/false or null")
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return parse_typed(value) if value.upper() in EXCEL_ERROR_CODES else value
    return value
