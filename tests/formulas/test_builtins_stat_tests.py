"""Shape statistics, confidence intervals, ERF/GAUSS/PHI and the hypothesis tests against the
worked examples of Microsoft's "<NAME> function" pages (support.microsoft.com; results to the
digits shown there) and closed forms written out here."""

from __future__ import annotations

import math

import pytest
from formula_engine import Err, evaluate

DATA = "{3,4,5,2,3,4,5,6,4,7}"


@pytest.mark.parametrize(
    ("formula", "expected", "digits"),
    [
        ("=CONFIDENCE.NORM(0.05,2.5,50)", 0.692952, 6),
        ("=CONFIDENCE(0.05,2.5,50)", 0.692951912, 9),
        ("=CONFIDENCE.T(0.05,1,50)", 0.284196855, 9),
        ("=FISHER(0.75)", 0.9729551, 7),
        ("=FISHERINV(0.972955)", 0.75, 6),
        ("=GAUSS(2)", 0.47725, 5),
        ("=PHI(0.75)", 0.301137432, 9),
        ("=ERF(0.745)", 0.70792892, 8),
        ("=ERF(1)", 0.84270079, 8),
        ("=ERF.PRECISE(0.745)", 0.70792892, 8),
        ("=ERFC(1)", 0.15729921, 8),
        (f"=KURT({DATA})", -0.151799637, 9),
        (f"=SKEW({DATA})", 0.359543071, 9),
        (f"=SKEW.P({DATA})", 0.303193339, 9),
        ("=STEYX({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 3.305719, 6),
        ("=TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", 3.777778, 6),
        ("=PERMUTATIONA(3,2)", 9, 0),
        ("=Z.TEST({3,6,7,8,6,5,4,2,1,9},4)", 0.090574, 6),
        ("=Z.TEST({3,6,7,8,6,5,4,2,1,9},6)", 0.863043, 6),
        ("=T.TEST({3,4,5,8,9,1,2,4,5},{6,19,3,2,14,4,5,17,1},2,1)", 0.196016, 6),
        ("=CHISQ.TEST({58,35;11,25;10,23},{45.35,47.65;17.56,18.44;16.09,16.91})", 0.0003082, 7),
        ("=F.TEST({6,7,9,15,21},{20,28,31,38,40})", 0.64831785, 8),
    ],
)
def test_microsoft_examples(formula, expected, digits):
    assert evaluate(formula) == pytest.approx(expected, abs=0.5 * 10.0**-digits)


def test_closed_forms():
    assert evaluate("=FISHER(0.5)") == pytest.approx(0.5 * math.log(3), rel=1e-15)
    assert evaluate("=ERF(0,1)") == pytest.approx(math.erf(1), rel=1e-15)
    assert evaluate("=ERF(1,0)") == pytest.approx(-math.erf(1), rel=1e-15)
    # A symmetric sample has no skew; TRIMMEAN(0) is the mean.
    assert evaluate("=SKEW({1,2,3,4,5})") == 0
    assert evaluate("=TRIMMEAN({1,2,3,10},0)") == 4
    # Two-sample t-test with equal variance on {1,2,3} and {4,5,6}: t = -3/sqrt(2/3), df 4,
    # and the t distribution with 4 df has the closed-form two-tailed tail below.
    t = 3 / math.sqrt(2 / 3)
    theta = math.atan(t / 2)
    two_tailed = 1 - (math.sin(theta) * (1 + 0.5 * math.cos(theta) ** 2))
    assert evaluate("=T.TEST({1,2,3},{4,5,6},2,2)") == pytest.approx(two_tailed, rel=1e-12)
    assert evaluate("=T.TEST({1,2,3},{4,5,6},1,2)") == pytest.approx(two_tailed / 2, rel=1e-12)
    # Chi-squared test of one row with 2 cells: df 1, statistic 2 -> erfc(1).
    assert evaluate("=CHISQ.TEST({6,4},{4,6})") == pytest.approx(
        math.erfc(math.sqrt((4 / 4 + 4 / 6) / 2)), rel=1e-12
    )


@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("=FISHER(1)", "#NUM!"),
        ("=CONFIDENCE.NORM(0,1,10)", "#NUM!"),
        ("=CONFIDENCE.NORM(0.05,0,10)", "#NUM!"),
        ("=CONFIDENCE.T(0.05,1,1)", "#DIV/0!"),
        ("=KURT(1,2,3)", "#DIV/0!"),
        ("=SKEW(1,1,1)", "#DIV/0!"),
        ("=STEYX({1,2},{3,4})", "#DIV/0!"),
        ("=STEYX({1,2,3},{3,4})", "#N/A"),
        ("=TRIMMEAN({1,2},1)", "#NUM!"),
        ("=PERMUTATIONA(-1,2)", "#NUM!"),
        ("=T.TEST({1,2},{3,4},3,1)", "#NUM!"),
        ("=T.TEST({1,2},{3,4,5},2,1)", "#N/A"),
        ("=CHISQ.TEST({1,2},{1,2,3})", "#N/A"),
        ("=CHISQ.TEST({1,2},{0,2})", "#DIV/0!"),
        ("=F.TEST({1},{2,3})", "#DIV/0!"),
    ],
)
def test_documented_errors(formula, code):
    assert evaluate(formula) == Err(code)
