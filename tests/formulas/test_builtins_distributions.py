"""Distributions, FREQUENCY, MODE.MULT, LOGEST and GROWTH against the worked examples of
Microsoft's "<NAME> function" pages (support.microsoft.com; their results are shown to the
digits given there) and closed forms written out here."""

from __future__ import annotations

import math

import pytest
from formula_engine import Err, evaluate, evaluate_array


def approx(value: float, digits: int) -> object:
    """Equal to a value Microsoft's page shows rounded to ``digits`` decimals."""
    return pytest.approx(value, abs=0.5 * 10.0**-digits)


@pytest.mark.parametrize(
    ("formula", "expected", "digits"),
    [
        ("=T.DIST(60,1,TRUE)", 0.99469533, 8),
        ("=T.DIST(8,3,FALSE)", 0.00073691, 8),
        ("=T.DIST.2T(1.959999998,60)", 0.054645, 6),
        ("=T.DIST.RT(1.959999998,60)", 0.027322, 6),
        ("=TDIST(1.959999998,60,2)", 0.054644930, 9),
        ("=TDIST(1.959999998,60,1)", 0.027322465, 9),
        ("=T.INV(0.75,2)", 0.8164966, 7),
        ("=T.INV.2T(0.546449,60)", 0.606533, 6),
        ("=TINV(0.05464,60)", 1.96, 3),
        ("=CHISQ.DIST(0.5,1,TRUE)", 0.52049988, 8),
        ("=CHISQ.DIST(2,3,FALSE)", 0.20755375, 8),
        ("=CHISQ.DIST.RT(18.307,10)", 0.0500006, 7),
        ("=CHIDIST(18.307,10)", 0.050001, 6),
        ("=CHISQ.INV(0.6,2)", 1.8325815, 7),
        ("=CHISQ.INV.RT(0.050001,10)", 18.306973, 6),
        ("=CHIINV(0.050001,10)", 18.30697, 5),
        ("=F.DIST(15.2069,6,4,TRUE)", 0.99, 6),
        ("=F.DIST(15.2069,6,4,FALSE)", 0.0012238, 7),
        ("=F.DIST.RT(15.2068649,6,4)", 0.01, 6),
        ("=FDIST(15.2068649,6,4)", 0.01, 6),
        ("=F.INV(0.01,6,4)", 0.10930991, 8),
        ("=F.INV.RT(0.01,6,4)", 15.206865, 6),
        ("=FINV(0.01,6,4)", 15.206865, 6),
        ("=LOGNORM.DIST(4,3.5,1.2,TRUE)", 0.0390836, 7),
        ("=LOGNORM.DIST(4,3.5,1.2,FALSE)", 0.0176176, 7),
        ("=LOGNORMDIST(4,3.5,1.2)", 0.0390836, 7),
        ("=LOGNORM.INV(0.039084,3.5,1.2)", 4.0000252, 7),
        ("=LOGINV(0.039084,3.5,1.2)", 4.000025, 6),
        ("=WEIBULL.DIST(105,20,100,TRUE)", 0.929581, 6),
        ("=WEIBULL.DIST(105,20,100,FALSE)", 0.035589, 6),
        ("=EXPON.DIST(0.2,10,TRUE)", 0.86466472, 8),
        ("=EXPON.DIST(0.2,10,FALSE)", 1.35335283, 8),
        ("=GAMMA.DIST(10.00001131,9,2,FALSE)", 0.032639, 6),
        ("=GAMMA.DIST(10.00001131,9,2,TRUE)", 0.068094, 6),
        ("=GAMMA.INV(0.068094,9,2)", 10.0000112, 7),
        ("=GAMMALN(4)", 1.791759, 6),
        ("=GAMMALN.PRECISE(4)", 1.7917595, 7),
        ("=BETA.DIST(2,8,10,TRUE,1,3)", 0.6854706, 7),
        ("=BETA.DIST(2,8,10,FALSE,1,3)", 1.4837646, 7),
        ("=BETADIST(2,8,10,1,3)", 0.6854706, 7),
        ("=BETA.INV(0.685470581,8,10,1,3)", 2, 7),
        ("=BETAINV(0.685470581,8,10,1,3)", 2, 7),
        ("=POISSON.DIST(2,5,TRUE)", 0.124652, 6),
        ("=POISSON.DIST(2,5,FALSE)", 0.084224, 6),
        ("=BINOM.DIST(6,10,0.5,FALSE)", 0.2050781, 7),
        ("=BINOMDIST(6,10,0.5,FALSE)", 0.2050781, 7),
        ("=BINOM.INV(6,0.5,0.75)", 4, 0),
        ("=CRITBINOM(6,0.5,0.75)", 4, 0),
        ("=NEGBINOM.DIST(10,5,0.25,TRUE)", 0.3135141, 7),
        ("=NEGBINOM.DIST(10,5,0.25,FALSE)", 0.0550487, 7),
        ("=NEGBINOMDIST(10,5,0.25)", 0.05504866, 8),
        ("=HYPGEOM.DIST(1,4,8,20,TRUE)", 0.4654, 4),
        ("=HYPGEOM.DIST(1,4,8,20,FALSE)", 0.3633, 4),
        ("=HYPGEOMDIST(1,4,8,20)", 0.3633, 4),
        ("=BINOM.DIST.RANGE(60,0.75,48)", 0.084, 3),
        ("=BINOM.DIST.RANGE(60,0.75,45,50)", 0.524, 3),
        ("=GAMMA(2.5)", 1.329, 3),
    ],
)
def test_microsoft_examples(formula, expected, digits):
    assert evaluate(formula) == approx(expected, digits)


def test_closed_forms():
    # Student's t with 1 degree of freedom is Cauchy: F(x) = 1/2 + atan(x)/pi.
    assert evaluate("=T.DIST(2,1,TRUE)") == pytest.approx(0.5 + math.atan(2) / math.pi, rel=1e-14)
    # ... and with 2: F(x) = 1/2 + x/(2 sqrt(2 + x^2)), so T.INV(0.75, 2) = sqrt(2/3).
    assert evaluate("=T.INV(0.75,2)") == pytest.approx(math.sqrt(2 / 3), rel=1e-14)
    assert evaluate("=T.INV.2T(0.5,1)") == pytest.approx(1.0, rel=1e-14)  # tan(pi/4)
    # Chi-squared with 2 degrees of freedom is exponential with mean 2.
    assert evaluate("=CHISQ.DIST(3,2,TRUE)") == pytest.approx(1 - math.exp(-1.5), rel=1e-14)
    assert evaluate("=CHISQ.INV(0.6,2)") == pytest.approx(-2 * math.log(0.4), rel=1e-14)
    # With 1 degree of freedom the inverse is the square of the normal quantile. Microsoft's
    # CHISQ.INV page shows 5.318520074 for CHISQ.INV(0.93,1): that is the inverse of 0.979.
    z = 1.8119106729525978  # NORM.S.INV(0.965)
    assert evaluate("=CHISQ.INV(0.93,1)") == pytest.approx(z * z, rel=1e-12)
    # F(2, 2): P(F <= x) = x / (1 + x).
    assert evaluate("=F.DIST(3,2,2,TRUE)") == pytest.approx(0.75, rel=1e-14)
    assert evaluate("=F.INV.RT(0.25,2,2)") == pytest.approx(3.0, rel=1e-13)
    assert evaluate("=GAMMA.DIST(2,1,0.5,TRUE)") == pytest.approx(1 - math.exp(-4), rel=1e-14)
    assert evaluate("=POISSON.DIST(3,2,TRUE)") == pytest.approx(
        math.exp(-2) * (1 + 2 + 2 + 4 / 3), rel=1e-14
    )
    assert evaluate("=BINOM.DIST(2,4,0.5,TRUE)") == pytest.approx(11 / 16, rel=1e-14)
    assert evaluate("=BINOM.INV(125,0.4,1)") == 125  # alpha = 1: every trial
    assert evaluate("=GAMMA(2.5)") == pytest.approx(0.75 * math.sqrt(math.pi), rel=1e-14)
    assert evaluate("=GAMMALN(0.5)") == pytest.approx(0.5 * math.log(math.pi), rel=1e-14)


def test_integer_arguments_are_truncated():
    assert evaluate("=T.DIST(1,2.9,TRUE)") == evaluate("=T.DIST(1,2,TRUE)")
    assert evaluate("=BINOM.DIST(6.9,10.2,0.5,FALSE)") == evaluate("=BINOM.DIST(6,10,0.5,FALSE)")
    assert evaluate("=POISSON.DIST(2.7,5,FALSE)") == evaluate("=POISSON.DIST(2,5,FALSE)")
    assert evaluate("=CHISQ.DIST.RT(3,4.5)") == evaluate("=CHISQ.DIST.RT(3,4)")


@pytest.mark.parametrize(
    "formula",
    [
        "=T.DIST(1,0,TRUE)",  # deg_freedom < 1
        "=T.DIST.2T(-1,3)",  # x < 0
        "=TDIST(1,3,3)",  # tails not 1 or 2
        "=T.INV(0,3)",
        "=T.INV.2T(1.5,3)",
        "=CHISQ.DIST(-1,2,TRUE)",
        "=CHISQ.INV(1,2)",
        "=F.DIST(1,0,3,TRUE)",
        "=F.INV.RT(0,2,3)",
        "=LOGNORM.DIST(0,1,1,TRUE)",
        "=LOGNORM.INV(0.5,1,0)",
        "=WEIBULL.DIST(-1,1,1,TRUE)",
        "=EXPON.DIST(1,0,TRUE)",
        "=GAMMA.DIST(-1,1,1,TRUE)",
        "=GAMMALN(0)",
        "=GAMMA(-2)",
        "=BETA.DIST(0.5,0,1,TRUE)",
        "=BETA.DIST(4,2,2,TRUE,1,3)",  # x > B
        "=BETA.INV(0,2,2)",
        "=BETAINV(1,2,2)",  # MS-OI29500: Office refuses probability >= 1 for BETAINV
        "=POISSON.DIST(-1,2,TRUE)",
        "=POISSON.DIST(1,0,TRUE)",
        "=BINOM.DIST(11,10,0.5,TRUE)",
        "=BINOM.DIST(1,10,1.5,TRUE)",
        "=BINOM.INV(10,0.5,1.5)",
        "=NEGBINOM.DIST(1,0,0.5,TRUE)",
        "=HYPGEOM.DIST(5,4,8,20,TRUE)",  # more successes than draws
        "=HYPGEOM.DIST(0,15,8,20,FALSE)",  # below n - N + M
        "=BINOM.DIST.RANGE(10,0.5,6,5)",
    ],
)
def test_documented_argument_checks_are_num(formula):
    assert evaluate(formula) == Err("#NUM!")


def test_text_argument_is_value():
    assert evaluate('=T.DIST("a",2,TRUE)') == Err("#VALUE!")
    assert evaluate('=GAMMA.DIST(1,"b",1,TRUE)') == Err("#VALUE!")


def test_frequency_microsoft_example_and_bins():
    scores = "{79,85,78,85,50,81,95,88,97}"
    assert evaluate_array(f"=FREQUENCY({scores},{{70,79,89}})", "4x1") == [[1], [2], [4], [2]]
    # Bins out of order count in their own positions; a repeated bin counts nothing again.
    assert evaluate_array(f"=FREQUENCY({scores},{{89,70,79}})", "4x1") == [[4], [1], [2], [2]]
    assert evaluate_array(f"=FREQUENCY({scores},{{79,79}})", "3x1") == [[3], [0], [6]]
    cells = {"A1": 1, "A2": "x", "A3": 3, "A4": None, "B1": 2}
    assert evaluate_array("=FREQUENCY(A1:A4,B1)", "2x1", cells) == [[1], [1]]
    # Both arguments are evaluated as arrays in a normal formula.
    rows = {f"K{r}": r for r in range(1, 6)}
    assert evaluate("=MAX(FREQUENCY(ROW(K1:K5),(K1:K5<3)*ROW(K1:K5)))", rows) == 3


def test_mode_mult():
    data = "{1,2,3,4,3,2,1,2,3,5,6,1}"
    assert evaluate_array(f"=MODE.MULT({data})", "3x1") == [[1], [2], [3]]
    assert evaluate("=MODE.MULT({1,2,3})") == Err("#N/A")


MONTHS = {f"A{i}": 10 + i for i in range(1, 7)}
UNITS = [33100, 47300, 69000, 102000, 150000, 220000]
BOOK = {**MONTHS, **{f"B{i}": u for i, u in enumerate(UNITS, start=1)}}


def test_logest_and_growth_microsoft_examples():
    m, b = evaluate_array("=LOGEST(B1:B6,A1:A6,TRUE,FALSE)", "1x2", BOOK)[0]
    assert m == approx(1.463275628, 9)
    assert b == approx(495.3047702, 7)
    fitted = [v for (v,) in evaluate_array("=GROWTH(B1:B6,A1:A6)", "6x1", BOOK)]
    shown = [32618.20377, 47729.42261, 69841.30086, 102197.0734, 149542.4867, 218821.8762]
    assert fitted == [approx(v, 4) for v in shown]
    # GROWTH at new x is b * m^x with LOGEST's m and b.
    ahead = evaluate_array("=GROWTH(B1:B6,A1:A6,{17;18})", "2x1", BOOK)
    assert ahead == [[pytest.approx(b * m**17, rel=1e-12)], [pytest.approx(b * m**18, rel=1e-12)]]


def test_logest_exact_exponential_and_errors():
    # y = 3 * 2^x exactly: m = 2, b = 3, and const FALSE fits y = m^x.
    assert evaluate_array("=LOGEST({6,12,24,48},{1,2,3,4})", "1x2") == [
        [pytest.approx(2.0, rel=1e-13), pytest.approx(3.0, rel=1e-13)]
    ]
    assert evaluate_array("=LOGEST({2,4,8},{1,2,3},FALSE)", "1x2") == [
        [pytest.approx(2.0, rel=1e-13), 1.0]
    ]
    assert evaluate("=LOGEST({1,0,3})") == Err("#NUM!")
    assert evaluate("=GROWTH({1,-2,3})") == Err("#NUM!")
