"""Excel 365's text and array-shaping functions and the engineering functions, against the worked
examples of Microsoft's "<NAME> function" pages (support.microsoft.com), and refreshed from a
workbook that stores them under Excel's ``_xlfn.`` names."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest
from formula_engine import Err, evaluate, evaluate_array
from refresh_books import hand_workbook

from pyfuncs.refresh.core import refresh

NA = Err("#N/A")
# Microsoft's TEXTBEFORE and TEXTAFTER pages, example 1 (A2, A3) and example 2 (A4-A6).
HOOD = {
    "A2": "Little Red Riding Hood's red hood",
    "A3": "Little red Riding Hood's red hood",
    "A4": "Marcus Aurelius",
    "A5": "Socrates",
    "A6": "Immanuel Kant",
}
# The 3x3 data of Microsoft's TAKE, DROP, CHOOSECOLS, CHOOSEROWS, TOCOL, EXPAND pages (A2:C4).
NINE = {f"{c}{r}": float(3 * (r - 2) + i + 1) for r in (2, 3, 4) for i, c in enumerate("ABC")}


def test_textbefore_microsoft_examples():
    assert evaluate('=TEXTBEFORE(A2,"Red")', HOOD) == "Little "
    assert evaluate('=TEXTBEFORE(A3,"Red")', HOOD) == NA
    assert evaluate('=TEXTBEFORE(A3,"red",2)', HOOD) == "Little red Riding Hood's "
    assert evaluate('=TEXTBEFORE(A3,"red",-2)', HOOD) == "Little "
    assert evaluate('=TEXTBEFORE(A3,"Red",,FALSE)', HOOD) == NA
    assert evaluate('=TEXTBEFORE(A3,"red",3)', HOOD) == NA
    assert evaluate('=TEXTBEFORE(A4," ",,,1)', HOOD) == "Marcus"
    assert evaluate('=TEXTBEFORE(A5," ",,,0)', HOOD) == NA
    assert evaluate('=TEXTBEFORE(A5," ",,,1)', HOOD) == "Socrates"
    assert evaluate('=TEXTBEFORE(A6," ",,,1)', HOOD) == "Immanuel"
    # The remarks: an empty delimiter matches at once; instance_num 0 is #VALUE!.
    assert evaluate('=TEXTBEFORE("Red riding hood\'s, red hood","hood")') == "Red riding "
    assert evaluate('=TEXTBEFORE("Red riding hood\'s, red hood","")') == ""
    text = "Red riding hood's, red hood"
    assert evaluate(f'=TEXTBEFORE("{text}","",-1)') == text
    assert evaluate('=TEXTBEFORE(A2,"Red",0)', HOOD) == Err("#VALUE!")
    # match_mode 1 ignores case; if_not_found replaces #N/A.
    assert evaluate('=TEXTBEFORE(A3,"RED",,1)', HOOD) == "Little "
    assert evaluate('=TEXTBEFORE(A3,"basket",,,,"none")', HOOD) == "none"


def test_textafter_microsoft_examples():
    assert evaluate('=TEXTAFTER(A2,"Red")', HOOD) == " Riding Hood's red hood"
    assert evaluate('=TEXTAFTER(A2,"basket")', HOOD) == NA
    assert evaluate('=TEXTAFTER(A3,"red",2)', HOOD) == " hood"
    assert evaluate('=TEXTAFTER(A3,"red",-2)', HOOD) == " Riding Hood's red hood"
    assert evaluate('=TEXTAFTER(A3,"Red",,FALSE)', HOOD) == NA
    assert evaluate('=TEXTAFTER(A2,"red",3)', HOOD) == NA
    assert evaluate('=TEXTAFTER(A4," ",,,1)', HOOD) == "Aurelius"
    assert evaluate('=TEXTAFTER(A5," ",,,0)', HOOD) == NA
    assert evaluate('=TEXTAFTER(A5," ",,,1)', HOOD) == ""
    assert evaluate('=IF(TEXTAFTER(A5," ",,,1)="",A5)', HOOD) == "Socrates"
    text = "Red riding hood's, red hood"
    assert evaluate(f'=TEXTAFTER("{text}","hood")') == "'s, red hood"
    assert evaluate(f'=TEXTAFTER("{text}","")') == text
    assert evaluate(f'=TEXTAFTER("{text}","",-1)') == ""


def test_textsplit_microsoft_examples():
    assert evaluate_array('=TEXTSPLIT("Dakota Lennon Sanchez"," ")', "1x3") == [
        ["Dakota", "Lennon", "Sanchez"]
    ]
    assert evaluate_array('=TEXTSPLIT("1,2,3;4,5,6",",",";")', "2x3") == [
        ["1", "2", "3"],
        ["4", "5", "6"],
    ]
    quote = {"A2": "Do. Or do not. There is no try. -Anonymous"}
    assert evaluate_array('=TEXTSPLIT(A2,".")', "1x4", quote) == [
        ["Do", " Or do not", " There is no try", " -Anonymous"]
    ]
    assert evaluate_array('=TEXTSPLIT(A2,{".","-"})', "1x5", quote) == [
        ["Do", " Or do not", " There is no try", " ", "Anonymous"]
    ]
    assert evaluate_array('=TEXTSPLIT(A2,,".")', "4x1", quote) == [
        ["Do"],
        [" Or do not"],
        [" There is no try"],
        [" -Anonymous"],
    ]
    # Example 7: words across, sentences down, ignoring the empty piece after the last ".";
    # the short rows are padded with #N/A.
    assert evaluate_array('=TEXTSPLIT(A2," ",".",TRUE)', "4x4", quote) == [
        ["Do", NA, NA, NA],
        ["Or", "do", "not", NA],
        ["There", "is", "no", "try"],
        ["-Anonymous", NA, NA, NA],
    ]
    assert evaluate_array('=TEXTSPLIT("a,,b",",")', "1x3") == [["a", "", "b"]]
    assert evaluate_array('=TEXTSPLIT("a,,b",",",,TRUE)', "1x2") == [["a", "b"]]
    assert evaluate_array('=TEXTSPLIT("aXbxc","x",,,1)', "1x3") == [["a", "b", "c"]]
    assert evaluate_array('=TEXTSPLIT("1,2;3",",",";",,,"-")', "2x2") == [
        ["1", "2"],
        ["3", "-"],
    ]


def test_vstack_and_hstack_pad_with_na():
    # Microsoft's VSTACK/HSTACK pages: two 2x3 arrays stack to 4x3 and 2x6; a narrower
    # array is padded with #N/A.
    cells = {"A1": "A", "B1": "B", "C1": "C", "A2": "AA", "B2": "BB", "C2": "CC"}
    cells |= {"E1": 1.0, "F1": 2.0, "G1": 3.0, "E2": 4.0, "F2": 5.0, "G2": 6.0}
    assert evaluate_array("=VSTACK(A1:C2,E1:G2)", "4x3", cells) == [
        ["A", "B", "C"],
        ["AA", "BB", "CC"],
        [1, 2, 3],
        [4, 5, 6],
    ]
    assert evaluate_array("=HSTACK(A1:C2,E1:G2)", "2x6", cells) == [
        ["A", "B", "C", 1, 2, 3],
        ["AA", "BB", "CC", 4, 5, 6],
    ]
    assert evaluate_array("=VSTACK(A1:C2,E1:F1)", "3x3", cells) == [
        ["A", "B", "C"],
        ["AA", "BB", "CC"],
        [1, 2, NA],
    ]
    assert evaluate_array("=HSTACK(A1:B2,E1:E1)", "2x3", cells) == [["A", "B", 1], ["AA", "BB", NA]]


def test_take_and_drop_microsoft_examples():
    assert evaluate_array("=TAKE(A2:C4,2)", "2x3", NINE) == [[1, 2, 3], [4, 5, 6]]
    assert evaluate_array("=TAKE(A2:C4,,2)", "3x2", NINE) == [[1, 2], [4, 5], [7, 8]]
    assert evaluate_array("=TAKE(A2:C4,-2)", "2x3", NINE) == [[4, 5, 6], [7, 8, 9]]
    assert evaluate_array("=TAKE(A2:C4,2,2)", "2x2", NINE) == [[1, 2], [4, 5]]
    assert evaluate("=TAKE(A2:C4,0)", NINE) == Err("#CALC!")
    assert evaluate_array("=DROP(A2:C4,2)", "1x3", NINE) == [[7, 8, 9]]
    assert evaluate_array("=DROP(A2:C4,,2)", "3x1", NINE) == [[3], [6], [9]]
    assert evaluate_array("=DROP(A2:C4,-2)", "1x3", NINE) == [[1, 2, 3]]
    assert evaluate_array("=DROP(A2:C4,2,2)", "1x1", NINE) == [[9]]
    assert evaluate("=DROP(A2:C4,3)", NINE) == Err("#CALC!")


def test_choosecols_and_chooserows():
    # Microsoft's CHOOSECOLS/CHOOSEROWS pages: chosen columns (rows) in the order given, a
    # negative number counts from the end, 0 or a number past the array is #VALUE!.
    assert evaluate_array("=CHOOSECOLS(A2:C4,1,3)", "3x2", NINE) == [[1, 3], [4, 6], [7, 9]]
    assert evaluate_array("=CHOOSECOLS(A2:C4,-1,-2)", "3x2", NINE) == [[3, 2], [6, 5], [9, 8]]
    assert evaluate_array("=CHOOSECOLS(A2:C4,{1,3})", "3x2", NINE) == [[1, 3], [4, 6], [7, 9]]
    assert evaluate("=CHOOSECOLS(A2:C4,4)", NINE) == Err("#VALUE!")
    assert evaluate("=CHOOSECOLS(A2:C4,0)", NINE) == Err("#VALUE!")
    assert evaluate_array("=CHOOSEROWS(A2:C4,1,3,1)", "3x3", NINE) == [
        [1, 2, 3],
        [7, 8, 9],
        [1, 2, 3],
    ]
    assert evaluate_array("=CHOOSEROWS(A2:C4,-1)", "1x3", NINE) == [[7, 8, 9]]


def test_tocol_torow_ignore_and_scan_order():
    assert evaluate_array("=TOCOL(A2:C3)", "6x1", NINE) == [[1], [2], [3], [4], [5], [6]]
    assert evaluate_array("=TOCOL(A2:C3,,TRUE)", "6x1", NINE) == [[1], [4], [2], [5], [3], [6]]
    assert evaluate_array("=TOROW(A2:B3)", "1x4", NINE) == [[1, 2, 4, 5]]
    gaps = {"A1": 1.0, "B1": None, "A2": "=1/0", "B2": "x"}
    assert evaluate_array("=TOROW(A1:B2)", "1x4", gaps) == [[1, 0, Err("#DIV/0!"), "x"]]
    assert evaluate_array("=TOROW(A1:B2,1)", "1x3", gaps) == [[1, Err("#DIV/0!"), "x"]]
    assert evaluate_array("=TOROW(A1:B2,2)", "1x3", gaps) == [[1, 0, "x"]]
    assert evaluate_array("=TOROW(A1:B2,3)", "1x2", gaps) == [[1, "x"]]
    assert evaluate("=TOCOL(A1:B2,4)", gaps) == Err("#VALUE!")


def test_expand_wraprows_wrapcols():
    # Microsoft's EXPAND page: a 2x2 array expanded to 3x3, padded with #N/A or a given value.
    assert evaluate_array("=EXPAND(A2:B3,3,3)", "3x3", NINE) == [
        [1, 2, NA],
        [4, 5, NA],
        [NA, NA, NA],
    ]
    assert evaluate_array('=EXPAND(A2:B3,3,3,"-")', "3x3", NINE) == [
        [1, 2, "-"],
        [4, 5, "-"],
        ["-", "-", "-"],
    ]
    assert evaluate_array("=EXPAND(A2:B3,,3)", "2x3", NINE) == [[1, 2, NA], [4, 5, NA]]
    assert evaluate("=EXPAND(A2:C4,2)", NINE) == Err("#VALUE!")
    # Microsoft's WRAPROWS and WRAPCOLS pages: A..G wrapped by 3, padded.
    letters = {f"{c}1": c for c in "ABCDEFG"}
    assert evaluate_array("=WRAPROWS(A1:G1,3)", "3x3", letters) == [
        ["A", "B", "C"],
        ["D", "E", "F"],
        ["G", NA, NA],
    ]
    assert evaluate_array('=WRAPROWS(A1:G1,3,"x")', "3x3", letters)[2] == ["G", "x", "x"]
    assert evaluate_array("=WRAPCOLS(A1:G1,3)", "3x3", letters) == [
        ["A", "D", "G"],
        ["B", "E", NA],
        ["C", "F", NA],
    ]
    assert evaluate("=WRAPROWS(A2:C4,2)", NINE) == Err("#VALUE!")
    assert evaluate("=WRAPROWS(A1:G1,0)", letters) == Err("#NUM!")


def test_arraytotext_and_valuetotext_microsoft_examples():
    # Microsoft's ARRAYTOTEXT page (its first two data rows): TRUE, #VALUE!; 1234.01234, Seattle.
    cells = {"A2": True, "B2": '="a"+1', "A3": 1234.01234, "B3": "Seattle"}
    assert evaluate("=ARRAYTOTEXT(A2:B3,0)", cells) == "TRUE, #VALUE!, 1234.01234, Seattle"
    assert evaluate("=ARRAYTOTEXT(A2:B3,1)", cells) == '{TRUE,#VALUE!;1234.01234,"Seattle"}'
    assert evaluate("=ARRAYTOTEXT(A2:B3,2)", cells) == Err("#VALUE!")
    # Microsoft's VALUETOTEXT page: strict puts text in quotes, numbers and errors as they are.
    assert evaluate('=VALUETOTEXT("Hello")') == "Hello"
    assert evaluate('=VALUETOTEXT("Hello",1)') == '"Hello"'
    assert evaluate("=VALUETOTEXT(1234.01234,1)") == "1234.01234"
    assert evaluate("=VALUETOTEXT(TRUE)") == "TRUE"
    assert evaluate("=VALUETOTEXT(A1)", {"A1": '="a"+1'}) == "#VALUE!"


def test_delta_gestep_and_bits_microsoft_examples():
    assert evaluate("=DELTA(5,4)") == 0
    assert evaluate("=DELTA(5,5)") == 1
    assert evaluate("=DELTA(0.5,0)") == 0
    assert evaluate("=GESTEP(5,4)") == 1
    assert evaluate("=GESTEP(5,5)") == 1
    assert evaluate("=GESTEP(-4,-5)") == 1
    assert evaluate("=GESTEP(-1)") == 0
    assert evaluate('=DELTA("a")') == Err("#VALUE!")
    assert evaluate("=BITAND(1,5)") == 1
    assert evaluate("=BITAND(13,25)") == 9  # 1101 & 11001 = 1001
    assert evaluate("=BITOR(23,10)") == 31
    assert evaluate("=BITXOR(5,3)") == 6
    assert evaluate("=BITLSHIFT(4,2)") == 16
    assert evaluate("=BITRSHIFT(13,2)") == 3
    assert evaluate("=BITLSHIFT(13,-2)") == 3  # a negative shift is BITRSHIFT's
    assert evaluate("=BITAND(-1,5)") == Err("#NUM!")
    assert evaluate("=BITAND(1.5,5)") == Err("#NUM!")
    assert evaluate("=BITOR(2^48,1)") == Err("#NUM!")
    assert evaluate("=BITLSHIFT(1,54)") == Err("#NUM!")
    assert evaluate('=BITXOR("a",1)') == Err("#VALUE!")


def test_erf_erfc_gamma_munit_microsoft_examples():
    assert evaluate("=ERF(0.745)") == pytest.approx(0.70792892, abs=5e-9)
    assert evaluate("=ERF(1)") == pytest.approx(0.84270079, abs=5e-9)
    assert evaluate("=ERF(0,1)") == pytest.approx(0.84270079, abs=5e-9)
    assert evaluate("=ERF.PRECISE(0.745)") == pytest.approx(0.70792892, abs=5e-9)
    assert evaluate("=ERF.PRECISE(1)") == pytest.approx(0.84270079, abs=5e-9)
    assert evaluate("=ERFC(1)") == pytest.approx(0.15729921, abs=5e-9)
    assert evaluate("=ERFC.PRECISE(1)") == pytest.approx(0.15729921, abs=5e-9)
    assert evaluate("=GAMMA(2.5)") == pytest.approx(1.329, abs=5e-4)
    assert evaluate("=GAMMA(-3.75)") == pytest.approx(0.268, abs=5e-4)
    assert evaluate("=GAMMA(0)") == Err("#NUM!")
    assert evaluate("=GAMMA(-2)") == Err("#NUM!")
    assert evaluate("=GAMMA(5)") == pytest.approx(math.factorial(4))  # Gamma(n) = (n-1)!
    assert evaluate_array("=MUNIT(3)", "3x3") == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert evaluate("=MUNIT(0)") == Err("#VALUE!")


def test_a_workbook_storing_the_xlfn_names_refreshes(tmp_path: Path):
    """Excel stores these functions as ``_xlfn.NAME`` (``_xlfn._xlws.`` for some); a refresh
    finds them under those names and spills their arrays."""
    xml = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>GPU,H100;CPU,EPYC</t></is></c>'
        '<c r="B1" t="str"><f>_xlfn.TEXTBEFORE(A1,",")</f><v></v></c>'
        '<c r="C1" t="str"><f>_xlfn.TEXTAFTER(A1,";")</f><v></v></c>'
        '<c r="D1"><f>_xlfn.BITAND(13,25)</f><v>0</v></c>'
        '<c r="E1"><f>_xlfn.ERF.PRECISE(1)</f><v>0</v></c></row>'
        '<row r="3"><c r="A3" cm="1" t="str"><f t="array" ref="A3:B4">'
        '_xlfn.TEXTSPLIT(A1,",",";")</f><v></v></c></row>'
        '<row r="6"><c r="A6" cm="1"><f t="array" ref="A6:A6">'
        "_xlfn.TAKE(_xlfn.VSTACK({1,2},{3,4}),-1)</f><v>0</v></c></row>"
    )
    report = refresh(hand_workbook(tmp_path / "modern.xlsx", xml), tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(report.target, data_only=True).active
    assert [sheet[c].value for c in ("B1", "C1", "D1")] == ["GPU", "CPU,EPYC", 9]
    assert sheet["E1"].value == pytest.approx(0.84270079, abs=5e-9)
    assert [[sheet[f"{c}{r}"].value for c in "AB"] for r in (3, 4)] == [
        ["GPU", "H100"],
        ["CPU", "EPYC"],
    ]
    assert [sheet["A6"].value, sheet["B6"].value] == [3, 4]


def test_base_and_decimal_microsoft_examples():
    assert evaluate("=BASE(7,2)") == "111"
    assert evaluate("=BASE(100,16)") == "64"
    assert evaluate("=BASE(15,2,10)") == "0000001111"
    assert evaluate("=BASE(-1,2)") == Err("#NUM!")
    assert evaluate("=BASE(2^53,2)") == Err("#NUM!")
    assert evaluate("=BASE(7,1)") == Err("#NUM!")
    assert evaluate("=BASE(7,37)") == Err("#NUM!")
    assert evaluate("=BASE(7,2,256)") == Err("#NUM!")
    assert evaluate('=DECIMAL("FF",16)') == 255
    assert evaluate("=DECIMAL(111,2)") == 7
    assert evaluate('=DECIMAL("zap",36)') == 45745  # z=35, a=10, p=25: 35*36^2+10*36+25
    assert evaluate('=DECIMAL("12",2)') == Err("#NUM!")
    assert evaluate('=DECIMAL("FF",37)') == Err("#NUM!")


def test_arabic_combina_factdouble_multinomial_microsoft_examples():
    assert evaluate('=ARABIC("LVII")') == 57
    assert evaluate('=ARABIC("mcmxii")') == 1912
    assert evaluate('=ARABIC("")') == 0
    assert evaluate('=ARABIC("-MMXI")') == -2011
    assert evaluate('=ARABIC("ABC")') == Err("#VALUE!")
    assert evaluate("=COMBINA(4,3)") == 20
    assert evaluate("=COMBINA(10,3)") == 220
    assert evaluate("=COMBINA(3,4)") == Err("#NUM!")  # number must be >= number_chosen
    assert evaluate("=COMBINA(-1,0)") == Err("#NUM!")
    assert evaluate("=FACTDOUBLE(6)") == 48  # 6*4*2
    assert evaluate("=FACTDOUBLE(7)") == 105  # 7*5*3*1
    assert evaluate("=FACTDOUBLE(-1)") == Err("#NUM!")
    assert evaluate("=MULTINOMIAL(2,3,4)") == 1260  # 9!/(2! 3! 4!)
    assert evaluate("=MULTINOMIAL(2,-1)") == Err("#NUM!")


def test_seriessum_microsoft_example():
    # Microsoft's SERIESSUM page: the first four terms of cos(pi/4)'s series, 0.707103.
    cells = {"A2": 1.0, "A3": "=-1/FACT(2)", "A4": "=1/FACT(4)", "A5": "=-1/FACT(6)"}
    got = evaluate("=SERIESSUM(PI()/4,0,2,A2:A5)", cells)
    x = math.pi / 4
    assert got == pytest.approx(1 - x**2 / 2 + x**4 / 24 - x**6 / 720)
    assert round(got, 6) == 0.707103
    assert evaluate('=SERIESSUM(1,0,1,{1,"a"})') == Err("#VALUE!")


def test_minverse_inverts_and_refuses_singular_and_non_square():
    # Microsoft's MINVERSE page gives the 2x2 inverse {d,-b;-c,a}/(ad-bc).
    a, b, c, d = 4.0, -1.0, 2.0, 0.0
    det = a * d - b * c
    assert evaluate_array("=MINVERSE({4,-1;2,0})", "2x2") == [
        [pytest.approx(d / det), pytest.approx(-b / det)],
        [pytest.approx(-c / det), pytest.approx(a / det)],
    ]
    inverse = evaluate_array("=MINVERSE({1,2,1;3,4,-1;0,2,0})", "3x3")
    product = evaluate_array("=MMULT({1,2,1;3,4,-1;0,2,0},MINVERSE({1,2,1;3,4,-1;0,2,0}))", "3x3")
    assert inverse[0] == [pytest.approx(0.25), pytest.approx(0.25), pytest.approx(-0.75)]
    assert product == [
        [pytest.approx(float(i == j), abs=1e-12) for j in range(3)] for i in range(3)
    ]
    assert evaluate("=MINVERSE({1,2;2,4})") == Err("#NUM!")  # determinant 0
    assert evaluate("=MINVERSE({1,2,3;4,5,6})") == Err("#VALUE!")
