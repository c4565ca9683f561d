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
        # Fractions: Microsoft's TEXT page (4.34 as "# ?/?" is "4 1/3"); LibreOffice text.fods
        # rows 16-17 (TRIM(TEXT(0.34;"# ?/?")) is "1/3"). By hand: 1.25 = 1 1/4; 3.5 in
        # eighths is 3 4/8; 23/4 = 5.75 with no whole part; 2.999's nearest ninth is 3, so the
        # fraction's place is blank; 0.123's nearest fraction with a denominator below 100 is
        # 8/65 (0.12308, off 7.7E-5; 7/57 is off 1.9E-4), padded to the "??" widths.
        ('=TEXT(4.34,"# ?/?")', "4 1/3"),
        ('=TEXT(0.34,"# ?/?")', " 1/3"),
        ('=TEXT(1.25,"# ?/?")', "1 1/4"),
        ('=TEXT(-1.5,"# ?/?")', "-1 1/2"),
        ('=TEXT(3.5,"# ?/8")', "3 4/8"),
        ('=TEXT(5.75,"?/?")', "23/4"),
        ('=TEXT(2.999,"# ?/?")', "3    "),
        ('=TEXT(0.123,"# ??/??")', "  8/65"),
        # Sections, conditions and colours: [Red] is ignored, the condition picks the section.
        ('=TEXT(-5,"[Red]0;[Blue](0)")', "(5)"),
        ('=TEXT(5,"[>10]""big"";[<=10]""small""")', "small"),
        ('=TEXT(0,"0;(0);\\z\\e\\r\\o")', "zero"),
        ('=TEXT(1234567,"#,##0.0,,\\M")', "1.2M"),
        ('=TEXT(-1234.5,"#,##0.00_);(#,##0.00)")', "(1,234.50)"),
        ('=TEXT(12,"""Total: ""0")', "Total: 12"),
        ('=TEXT(0.00001234,"0.00E-00")', "1.23E-05"),
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


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        # Excel's cached values in pycel's tests/fixtures/text.xlsx (saved by Excel; the
        # workbook's licence keeps it out of this repository).
        (0.0, "w;x;z@", "w"),  # a last section with @ is the text section
        (-1.0, "w;x@", "-w"),  # one number section: the minus sign shows
        (-1.0, "", "-"),
        (1.0, "", ""),
        (0.0, '#,#"ZZ"#.0Y00', Err("#VALUE!")),  # digit placeholders with a year code
        ("X", ';-  ##.0;"ZERO"@;"X"', Err("#VALUE!")),  # @ in a section before the last
        (890123.456789, "#.###.#.#.#", "890123.456.7.8.9"),  # later points are literal
        (890123.456789, "#,###.##.#", "890,123.45.7"),
        (890123.456789, "#,#.##.##,#", "890,123.45.679"),  # a comma after a digit: dropped
        (890123.456789, "#.###x,##", "890123.456x,79"),  # a comma after text: literal
        (890123.456789, "0,x#.00.0", "89012x3.45.7"),  # no digit right of it: no grouping
        (890123.456789, "#x,0,#.00.0", "890,1x,23.45.7"),
        (890123.456789, ",#.00.0", ",890123.45.7"),
        (1234.56, ".#", "1234.6"),  # no integer placeholder: the whole part still shows
        (1234.56, ".##0", "1234.560"),
        # Time text read as Excel reads it, then shown as a number.
        ("23:9999", "#.#####", "7.90208"),  # 23 h + 9999 min
        ("24:99", "#.#####", "24:99"),  # not a time: the text comes back
        ("0:0:9999", "#.#####", ".11573"),  # 9999 s
        ("23:60:9999", "#.#####", "23:60:9999"),
        ("59:9999.0", "#.#####", ".1567"),  # minutes:seconds.fraction
        ("60:9999.012345", "#.########", "60:9999.012345"),
        ("23:59.", "#.###########", ".99930555556"),
        ("23.:59", "#.###########", "23.:59"),
    ],
)
def test_text_format_rules_seen_in_excel_saved_workbooks(value, fmt, expected):
    assert evaluate("=TEXT(A1,B1)", {"A1": value, "B1": fmt}) == expected
