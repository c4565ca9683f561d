"""Lookups and criteria aggregates over long ranges (answered from per-range indexes) give
Excel's answers: expected values are hand calculations over a generated 200-row table."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from refresh_books import hand_workbook

from pyfuncs.refresh.core import refresh

ROWS = 200  # A: id r, B: segment "S{r % 4}" (row 8 in lower case), C: r, D: r or #DIV/0! at 7


def _table() -> str:
    out = []
    for r in range(1, ROWS + 1):
        segment = f"S{r % 4}" if r != 8 else "s0"
        d = f'<c r="D{r}" t="e"><v>#DIV/0!</v></c>' if r == 7 else f'<c r="D{r}"><v>{r}</v></c>'
        out.append(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>{segment}</t></is></c>'
            f'<c r="C{r}"><v>{r}</v></c>{d}</row>'
        )
    return "".join(out)


FORMULAS = {
    "F1": ("MATCH(150,A1:A200,0)", 150),
    "F2": ("MATCH(150.00000000000003,A1:A200,0)", 150),  # equal within Excel's tolerance
    "F3": ('MATCH("S0",B1:B200,0)', 4),
    "F4": ('MATCH("s2",B1:B200,0)', 2),  # text matches ignore case
    "F5": ("MATCH(999,A1:A200,0)", "#N/A"),
    "F6": ('MATCH("150",A1:A200,0)', "#N/A"),  # text never equals a number
    "F7": ("VLOOKUP(37,A1:C200,3,FALSE)", 37),
    "F8": ("VLOOKUP(1000,A1:C200,3,FALSE)", "#N/A"),
    # r % 4 == 1 for r = 1, 5, ..., 197: 50 rows summing to 50 * 99 = 4,950
    "F9": ('SUMIFS(C1:C200,B1:B200,"S1")', 4950),
    # of those, r > 100: 101, 105, ..., 197 = 25 rows
    "F10": ('COUNTIFS(B1:B200,"S1",C1:C200,">100")', 25),
    "F11": ('SUMIF(A1:A200,">=190")', 2145),  # 190 + ... + 200 = 11 * 195
    "F12": ('COUNTIF(B1:B200,"s*")', 200),  # a wildcard, any case
    "F13": ('COUNTIF(B1:B200,"S0")', 50),  # r = 4, 8 ("s0"), ..., 200
    "F14": ('SUMIFS(D1:D200,B1:B200,"S3")', "#DIV/0!"),  # row 7 (S3) holds an error
    "F15": ('SUMIFS(D1:D200,B1:B200,"S2")', 5000),  # 2, 6, ..., 198: 50 * 100
    "F16": ('COUNTIF(A:A,"")', 1_048_576 - ROWS),  # blanks past the used area count
    "F17": ('SUMIFS(C:C,A:A,">195",B:B,"<>S0")', 197 + 198 + 199),  # 196, 200 are S0
    "F18": ('COUNTIFS(C1:C200,">=50",C1:C200,"<=59.99999")', 10),
}


def test_indexed_lookups_and_criteria_give_excels_answers(tmp_path: Path):
    # The formulas sit in column F below the table, in the order listed (labels F1, F2...).
    rows = []
    for i, (text, _) in enumerate(FORMULAS.values(), start=1):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        rows.append(f'<row r="{ROWS + i}"><c r="F{ROWS + i}"><f>{escaped}</f><v>0</v></c></row>')
    source = hand_workbook(tmp_path / "lookups.xlsx", _table() + "".join(rows))
    report = refresh(source, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(report.target, data_only=True).active
    got = {name: sheet[f"F{ROWS + i}"].value for i, name in enumerate(FORMULAS, start=1)}
    assert got == {name: expected for name, (_, expected) in FORMULAS.items()}


OPS = {
    "<": lambda v, t: v < t,
    "<=": lambda v, t: v <= t,
    ">": lambda v, t: v > t,
    ">=": lambda v, t: v >= t,
}


@pytest.mark.parametrize("seed", range(4))
def test_a_segment_then_a_comparison_counts_and_sums_as_by_hand(tmp_path: Path, seed: int):
    """COUNTIFS/SUMIFS with a segment's equality and then a comparison (the loan book's form,
    answered from the segment's numbers sorted once): counted and summed here by hand, over
    ties, text and blanks in the compared column (which only "<>" counts)."""
    rng = random.Random(seed)
    n = 80
    segments = [rng.choice(["S0", "S1", "s1", "S2"]) for _ in range(n)]
    compared = [rng.choice([*range(10), "x", None]) for _ in range(n)]
    cells = []
    for r in range(1, n + 1):
        b = compared[r - 1]
        value = (
            ""
            if b is None
            else f'<c r="B{r}" t="inlineStr"><is><t>x</t></is></c>'
            if b == "x"
            else f'<c r="B{r}"><v>{b}</v></c>'
        )
        cells.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{segments[r - 1]}</t></is></c>'
            f'{value}<c r="C{r}"><v>{r}</v></c></row>'
        )
    wanted = {}
    formulas = []
    for op in [*OPS, "<>"]:
        for target in (0, 4, 9):
            for segment in ("S1", "S2"):
                rows = [
                    r
                    for r in range(1, n + 1)
                    if segments[r - 1].casefold() == segment.casefold()
                    and (
                        compared[r - 1] != target  # text and blanks differ from any number
                        if op == "<>"
                        else isinstance(compared[r - 1], int) and OPS[op](compared[r - 1], target)
                    )
                ]
                criteria = f'A1:A{n},"{segment}",B1:B{n},"{op}{target}"'
                formulas.append((f"COUNTIFS({criteria})", float(len(rows))))
                formulas.append((f"SUMIFS(C1:C{n},{criteria})", float(sum(rows))))
    for i, (text, expected) in enumerate(formulas, start=1):
        escaped = text.replace("<", "&lt;").replace(">", "&gt;")
        cells.append(f'<row r="{n + i}"><c r="E{n + i}"><f>{escaped}</f><v>0</v></c></row>')
        wanted[f"E{n + i}"] = (text, expected)
    source = hand_workbook(tmp_path / "segments.xlsx", "".join(cells))
    sheet = openpyxl.load_workbook(refresh(source, tmp_path / "o.xlsx").target, data_only=True)
    got = {ref: (text, sheet.active[ref].value) for ref, (text, _) in wanted.items()}
    assert got == wanted


def test_a_sorted_view_is_kept_only_for_the_equality_criteria_alone(tmp_path: Path):
    """Two COUNTIFS share a segment but filter it by different wildcards before the comparison:
    the second must not reuse numbers sorted for the first one's rows."""
    n = 60
    cells = []
    for r in range(1, n + 1):
        name = "apple" if r % 2 else "berry"
        cells.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>S{r % 3}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>{name}</t></is></c><c r="C{r}"><v>{r}</v></c></row>'
        )
    # S1 rows: r = 1, 4, 7, ..., 58 (r % 3 == 1). Odd ones are apples: 1, 7, 13, ..., 55
    # (10 rows); even ones berries: 4, 10, ..., 58 (10 rows). Above 30: apples 31, 37, 43, 49,
    # 55 (5); berries 34, 40, 46, 52, 58 (5). Below 30 among berries: 4, 10, 16, 22, 28 (5).
    formulas = [
        (f'COUNTIFS(A1:A{n},"S1",B1:B{n},"a*",C1:C{n},">30")', 5),
        (f'COUNTIFS(A1:A{n},"S1",B1:B{n},"b*",C1:C{n},">30")', 5),
        (f'COUNTIFS(A1:A{n},"S1",B1:B{n},"b*",C1:C{n},"<30")', 5),
        (f'SUMIFS(C1:C{n},A1:A{n},"S1",B1:B{n},"b*",C1:C{n},">30")', 34 + 40 + 46 + 52 + 58),
    ]
    for i, (text, _) in enumerate(formulas, start=1):
        escaped = text.replace("<", "&lt;").replace(">", "&gt;")
        cells.append(f'<row r="{n + i}"><c r="E{n + i}"><f>{escaped}</f><v>0</v></c></row>')
    source = hand_workbook(tmp_path / "views.xlsx", "".join(cells))
    sheet = openpyxl.load_workbook(refresh(source, tmp_path / "o.xlsx").target, data_only=True)
    got = [sheet.active[f"E{n + i}"].value for i in range(1, len(formulas) + 1)]
    assert got == [expected for _, expected in formulas]


def test_the_same_segment_asked_again_answers_per_function_and_range(tmp_path: Path):
    """SUMIFS and AVERAGEIFS of one segment, over two target ranges, each asked twice (the
    answers are kept per function and target range): by hand, r % 4 == 1 for r = 1, 5, ...,
    197 (50 rows); column C holds r (sum 4,950, mean 99), column D holds 2r (sum 9,900)."""
    cells = []
    for r in range(1, ROWS + 1):
        cells.append(
            f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>S{r % 4}</t></is></c>'
            f'<c r="C{r}"><v>{r}</v></c><c r="D{r}"><v>{2 * r}</v></c></row>'
        )
    formulas = [
        ('SUMIFS(C1:C200,B1:B200,"S1")', 4950),
        ('AVERAGEIFS(C1:C200,B1:B200,"S1")', 99),
        ('SUMIFS(D1:D200,B1:B200,"S1")', 9900),
        ('SUMIFS(C1:C200,B1:B200,"S1")', 4950),
        ('AVERAGEIFS(D1:D200,B1:B200,"S1")', 198),
        ('SUMIFS(C1:C200,B1:B200,"S2")', 50 * 100),  # 2, 6, ..., 198
    ]
    for i, (text, _) in enumerate(formulas, start=1):
        cells.append(f'<row r="{ROWS + i}"><c r="F{ROWS + i}"><f>{text}</f><v>0</v></c></row>')
    source = hand_workbook(tmp_path / "again.xlsx", "".join(cells))
    sheet = openpyxl.load_workbook(refresh(source, tmp_path / "o.xlsx").target, data_only=True)
    got = [sheet.active[f"F{ROWS + i}"].value for i in range(1, len(formulas) + 1)]
    assert got == [expected for _, expected in formulas]
