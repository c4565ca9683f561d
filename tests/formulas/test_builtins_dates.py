"""Date and time built-ins against Microsoft's examples (support.microsoft.com,
"<NAME> function" pages) and hand counts written out here."""

from __future__ import annotations

import pytest
from formula_engine import Err, evaluate


def test_yearfrac_bases():
    # Microsoft, "YEARFRAC function": 2012-01-01 to 2012-07-30.
    start, end = "DATE(2012,1,1)", "DATE(2012,7,30)"
    assert evaluate(f"=YEARFRAC({start},{end})") == pytest.approx(0.58055556, abs=1e-8)
    assert evaluate(f"=YEARFRAC({start},{end},1)") == pytest.approx(0.57650273, abs=1e-8)
    assert evaluate(f"=YEARFRAC({start},{end},3)") == pytest.approx(0.57808219, abs=1e-8)
    # Hand counts: 211 days; 30/360 US and European: 6*30 + 29 = 209 days.
    assert evaluate(f"=YEARFRAC({start},{end},2)") == pytest.approx(211 / 360, rel=1e-15)
    assert evaluate(f"=YEARFRAC({start},{end},4)") == pytest.approx(209 / 360, rel=1e-15)
    # Over several years basis 1 divides by the average year: 2010-01-01..2012-01-01 is 730
    # days over years 2010-2012 (365+365+366)/3.
    assert evaluate("=YEARFRAC(DATE(2010,1,1),DATE(2012,1,1),1)") == pytest.approx(
        730 / (1096 / 3), rel=1e-15
    )
    assert evaluate("=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),5)") == Err("#NUM!")


def test_datedif_units():
    assert evaluate('=DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")') == 2
    assert evaluate('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")') == 440
    assert evaluate('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")') == 75
    assert evaluate('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"M")') == 14
    assert evaluate('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YM")') == 2
    assert evaluate('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"MD")') == 14
    assert evaluate('=DATEDIF(DATE(2003,1,1),DATE(2001,1,1),"Y")') == Err("#NUM!")


HOLIDAYS = {"A1": "=DATE(2012,11,22)", "A2": "=DATE(2012,12,4)", "A3": "=DATE(2013,1,21)"}


def test_working_days():
    span = "DATE(2012,10,1),DATE(2013,3,1)"
    assert evaluate(f"=NETWORKDAYS({span})", HOLIDAYS) == 110
    assert evaluate(f"=NETWORKDAYS({span},A1)", HOLIDAYS) == 109
    assert evaluate(f"=NETWORKDAYS({span},A1:A3)", HOLIDAYS) == 107
    holidays = {"A1": "=DATE(2008,11,26)", "A2": "=DATE(2008,12,4)", "A3": "=DATE(2009,1,21)"}
    assert evaluate("=WORKDAY(DATE(2008,10,1),151)", holidays) == evaluate("=DATE(2009,4,30)")
    assert evaluate("=WORKDAY(DATE(2008,10,1),151,A1:A3)", holidays) == evaluate("=DATE(2009,5,5)")
    # NETWORKDAYS.INTL: a Friday-Saturday weekend (7) over one week Mon..Sun has 5 working days.
    assert evaluate("=NETWORKDAYS.INTL(DATE(2024,1,1),DATE(2024,1,7),7)") == 5
    assert evaluate('=NETWORKDAYS.INTL(DATE(2024,1,1),DATE(2024,1,7),"0000011")') == 5
    assert evaluate("=NETWORKDAYS.INTL(DATE(2024,1,1),DATE(2024,1,7),11)") == 6


def test_days_and_days360():
    assert evaluate('=DAYS("2021-03-15","2021-02-01")') == 42
    assert evaluate("=DAYS(DATE(2021,12,31),DATE(2021,1,1))") == 364
    # Hand counts of the 30/360 rules (Microsoft, "DAYS360 function").
    assert evaluate("=DAYS360(DATE(2011,1,30),DATE(2011,12,31))") == 330  # end 31 -> 30
    assert evaluate("=DAYS360(DATE(2011,1,1),DATE(2011,12,31))") == 360  # start 1: end stays 31
    assert evaluate("=DAYS360(DATE(2011,2,28),DATE(2011,3,31))") == 30  # last of Feb -> 30
    assert evaluate("=DAYS360(DATE(2011,1,31),DATE(2011,3,31),TRUE)") == 60


def test_time_parts():
    assert evaluate("=HOUR(0.75)") == 18
    assert evaluate('=HOUR("2011-07-18 7:45")') == 7
    assert evaluate('=MINUTE("12:45:00 PM")') == 45
    assert evaluate('=SECOND("4:48:18 PM")') == 18
    assert evaluate("=TIME(12,0,0)") == 0.5
    assert evaluate("=TIME(16,48,10)") == pytest.approx(0.700115741, abs=1e-9)
    assert evaluate('=TIMEVALUE("2:24 AM")') == pytest.approx(0.1, abs=1e-12)
    assert evaluate('=DATEVALUE("8/22/2011")') == 40777


def test_weekdays_and_months():
    assert evaluate("=WEEKDAY(DATE(2008,2,14))") == 5
    assert evaluate("=WEEKDAY(DATE(2008,2,14),2)") == 4
    assert evaluate("=WEEKDAY(DATE(2008,2,14),3)") == 3
    assert evaluate("=WEEKNUM(DATE(2012,3,9))") == 10
    assert evaluate("=WEEKNUM(DATE(2012,3,9),2)") == 11
    assert evaluate("=ISOWEEKNUM(DATE(2012,3,9))") == 10
    assert evaluate("=WEEKNUM(DATE(2012,3,9),21)") == 10


def test_iso_week_counts_on_excels_weekdays():
    # Excel's serial 1 (1900-01-01) is a Sunday (WEEKDAY(1) = 1), so its ISO week is the 52nd
    # of 1899: Excel's cached value in rust_xlsxwriter's bootstrap39.xlsx (saved by Excel).
    assert evaluate("=WEEKDAY(1)") == 1
    assert evaluate("=ISOWEEKNUM(1)") == 52
    assert evaluate("=WEEKNUM(1,21)") == 52
    # Hand counts on the ISO rule (a week belongs to the year of its Thursday): serial 2 is
    # Monday 1900-01-02 in Excel's weekdays, so week 1; 2021-01-03 (a Sunday) is week 53 of
    # 2020; 2015-12-31 (a Thursday) is week 53 of 2015; 2008-12-29 (a Monday) week 1 of 2009.
    assert evaluate("=ISOWEEKNUM(2)") == 1
    assert evaluate("=ISOWEEKNUM(DATE(2021,1,3))") == 53
    assert evaluate("=ISOWEEKNUM(DATE(2015,12,31))") == 53
    assert evaluate("=ISOWEEKNUM(DATE(2008,12,29))") == 1
    assert evaluate("=ISOWEEKNUM(-1)") == Err("#NUM!")
    assert evaluate("=EOMONTH(DATE(2011,1,1),1)") == 40602
    assert evaluate("=EOMONTH(DATE(2011,1,1),-3)") == 40482
    assert evaluate("=EDATE(DATE(2011,1,15),1)") == evaluate("=DATE(2011,2,15)")


def test_now_and_today_are_volatile_and_agree():
    from pyfuncs.formulas.builtins import BUILTINS

    assert BUILTINS["NOW"].volatile and BUILTINS["TODAY"].volatile
    assert int(evaluate("=NOW()")) in (evaluate("=TODAY()"), evaluate("=TODAY()") + 1)


def test_rules_seen_in_excel_saved_workbooks():
    # Excel's cached values in pycel's tests/fixtures/date-time.xlsx (saved by Excel).
    assert evaluate('=DAY("61")') == 1  # numeric text is a serial
    assert evaluate('=HOUR("1.25")') == 6
    assert evaluate("=EDATE(366,FALSE)") == Err("#VALUE!")  # ATP functions take no logicals
    assert evaluate("=YEARFRAC(36922,36981,TRUE)") == Err("#VALUE!")  # pycel's yearfrac.xlsx
    assert evaluate('=MINUTE("12:59:59 AM")') == 59
    assert evaluate('=YEAR("7/5/1800")') == Err("#VALUE!")  # xlcalculator YEAR.xlsx
    # pycel's text.xlsx: only the last part of a time may run past 59.
    assert evaluate('=TEXT("23:99","#.#####")') == "1.02708"
    # An hour with AM/PM and no minutes (LibreOffice timevalue.fods rows 3-4; 16/24 by hand).
    assert evaluate('=TIMEVALUE("4PM")') == 16 / 24
    assert evaluate('=TIMEVALUE("12PM")') == 0.5
    assert evaluate('=TIMEVALUE("12 am")') == 0.0
    assert evaluate('=TIMEVALUE("13PM")') == Err("#VALUE!")
    assert evaluate('=TEXT(-1,"[h]")') == "-24"
    assert evaluate('=TEXT(71003160,"[hh]")') == "1704075840"
