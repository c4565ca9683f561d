"""Text, format and base-conversion built-ins against Microsoft's examples
(support.microsoft.com, "<NAME> function" pages)."""

from __future__ import annotations

import pytest
from formula_engine import Err, evaluate


def test_find_and_search():
    assert evaluate('=FIND("M","Miriam McGovern")') == 1
    assert evaluate('=FIND("m","Miriam McGovern")') == 6
    assert evaluate('=FIND("M","Miriam McGovern",3)') == 8
    assert evaluate('=FIND("z","abc")') == Err("#VALUE!")
    assert evaluate('=SEARCH("e","Statements",6)') == 7
    assert evaluate('=SEARCH("margin","Profit Margin")') == 8
    assert evaluate('=SEARCH("p?o*t","The profit")') == 5


def test_substitute_and_replace():
    assert evaluate('=SUBSTITUTE("Sales Data","Sales","Cost")') == "Cost Data"
    assert evaluate('=SUBSTITUTE("Quarter 1, 2008","1","2",1)') == "Quarter 2, 2008"
    assert evaluate('=SUBSTITUTE("Quarter 1, 2011","1","2",3)') == "Quarter 1, 2012"
    assert evaluate('=REPLACE("abcdefghijk",6,5,"*")') == "abcde*k"
    assert evaluate('=REPLACE("2009",3,2,"10")') == "2010"
    assert evaluate('=REPLACE("123456",1,3,"@")') == "@456"


def test_joining_ranges():
    cells = {"B1": "a", "C1": 1, "D1": True}
    assert evaluate("=CONCAT(B1:D1)", cells) == "a1TRUE"
    parts = '"The","sun","will","come","up","tomorrow."'
    assert evaluate(f'=TEXTJOIN(", ",TRUE,{parts})') == "The, sun, will, come, up, tomorrow."
    assert evaluate('=TEXTJOIN("-",FALSE,B1:E1)', cells) == "a-1-TRUE-"
    assert evaluate('=TEXTJOIN("-",TRUE,B1:E1)', cells) == "a-1-TRUE"


def test_codes_and_characters():
    assert evaluate('=CODE("A")') == 65
    assert evaluate('=CODE("!")') == 33
    assert evaluate("=CHAR(65)") == "A"
    assert evaluate("=CHAR(128)") == "€"  # Windows-1252
    assert evaluate("=CHAR(0)") == Err("#VALUE!")
    assert evaluate('=PROPER("this is a TITLE")') == "This Is A Title"
    assert evaluate('=PROPER("76BudGet")') == "76Budget"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=TEXT(1234.567,"$#,##0.00")', "$1,234.57"),
        ('=TEXT(0.285,"0.0%")', "28.5%"),
        ('=TEXT(1234.567,"0.00E+00")', "1.23E+03"),
        ('=TEXT(1234567,"#,##0,")', "1,235"),
        ('=TEXT(-5,"0;(0)")', "(5)"),
        ('=TEXT(5551234,"000-0000")', "555-1234"),
        ('=TEXT(42,"00000")', "00042"),
        ('=TEXT(DATE(2008,1,1),"yyyy-mm-dd")', "2008-01-01"),
        ('=TEXT(39448.75,"dddd, mmmm d, yyyy h:mm AM/PM")', "Tuesday, January 1, 2008 6:00 PM"),
        ('=TEXT(1.5,"[h]:mm")', "36:00"),
        ('=TEXT(0.5,"hh:mm:ss")', "12:00:00"),
        ('=TEXT("12","0.00")', "12.00"),
        ('=TEXT(4.34,"# ?/?")', Err("#VALUE!")),
    ],
)
def test_text_format_codes(formula, expected):
    assert evaluate(formula) == expected


def test_base_conversions():
    assert evaluate('=HEX2DEC("A5")') == 165
    assert evaluate('=HEX2DEC("FFFFFFFF5B")') == -165
    assert evaluate('=HEX2DEC("3DA408B9")') == 1034160313
    assert evaluate("=DEC2HEX(100,4)") == "0064"
    assert evaluate("=DEC2HEX(-54)") == "FFFFFFFFCA"
    assert evaluate("=DEC2HEX(28)") == "1C"
    assert evaluate("=DEC2HEX(64,1)") == Err("#NUM!")
    assert evaluate('=BIN2DEC("1100100")') == 100
    assert evaluate('=BIN2DEC("1111111111")') == -1


def test_base_conversion_rules_seen_in_excel_saved_workbooks():
    # Excel's cached values in xlcalculator's tests/resources/BASES.xlsx (saved by Excel).
    assert evaluate("=DEC2BIN(-25,5)") == "1111100111"  # places ignored for negatives...
    assert evaluate("=DEC2HEX(-25,0)") == Err("#NUM!")  # ...but must still be 1 to 10
    assert evaluate("=DEC2HEX(10,0)") == Err("#NUM!")
    assert evaluate("=BIN2DEC(-1)") == Err("#NUM!")
    assert evaluate("=VALUE(A1)") == 0  # a blank cell (pycel's text.xlsx)
    assert evaluate('=SWITCH(A1,0,"match")') == "match"  # a blank matches 0 (logical.xlsx)
