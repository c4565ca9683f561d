"""Statistical distributions: Student's t, chi-squared, F, lognormal, Weibull, exponential,
gamma, beta, Poisson, binomial, negative binomial and hypergeometric, in Excel's current names
(``T.DIST``...) and its compatibility names (``TDIST``...).

Argument checks and the truncation of integer arguments follow Microsoft's page of each
function (support.microsoft.com, "<NAME> function"): a parameter outside its documented range
is ``#NUM!``, text that is not a number ``#VALUE!``. The special functions come from
``scipy.special`` (BSD), imported inside each function so that a refresh of a workbook that
calls none of them does not load scipy. Densities are the closed forms written in each
function, evaluated through ``gammaln`` (``lgamma``) to stay finite for large parameters.
"""

from __future__ import annotations

import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import OMITTED, builtin
from pyfuncs.formulas.values import XlError, boolean, num

_LIMIT = 1e10  # the degrees of freedom Microsoft's CHISQ and F pages accept (below 10^10)


def _out_of_range(reason: str) -> XlError:
    return XlError(ExcelError("#NUM!", reason))


def _result(value: Any) -> Any:
    """A scipy number as the engine's float; not finite is #NUM!."""
    out = float(value)
    if math.isfinite(out):
        return out
    return ExcelError("#NUM!", "the distribution has no finite value there")


def _degrees(value: Any, who: str, limit: float = math.inf) -> int:
    """Degrees of freedom truncated to an integer, at least 1 (below ``limit``)."""
    df = math.trunc(num(value))
    if df < 1 or df >= limit:
        raise _out_of_range(f"{who}: degrees of freedom must be at least 1")
    return df


def _probability(value: Any, who: str, open_low: bool = True, open_high: bool = False) -> float:
    p = num(value)
    low_bad = p <= 0 if open_low else p < 0
    high_bad = p >= 1 if open_high else p > 1
    if low_bad or high_bad:
        raise _out_of_range(f"{who}: probability outside its range")
    return p


# --- Student's t -----------------------------------------------------------------------------


def _t_pdf(x: float, df: int) -> float:
    """``Gamma((n+1)/2) / (sqrt(n pi) Gamma(n/2)) (1 + x^2/n)^(-(n+1)/2)``."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def _t_left(x: float, df: int) -> float:
    from scipy.special import stdtr

    return float(stdtr(df, x))


def _t_right(x: float, df: int) -> float:
    from scipy.special import stdtr

    return float(stdtr(df, -x))


@builtin("T.DIST", params="vvv")
def t_dist(x: Any, deg_freedom: Any, cumulative: Any) -> Any:
    """Student's left-tailed t distribution: the CDF, or the density ``_t_pdf``."""
    t, df = num(x), _degrees(deg_freedom, "T.DIST")
    return _result(_t_left(t, df) if boolean(cumulative) else _t_pdf(t, df))


@builtin("T.DIST.RT", params="vv")
def t_dist_rt(x: Any, deg_freedom: Any) -> Any:
    """The right tail ``P(T > x)``."""
    return _result(_t_right(num(x), _degrees(deg_freedom, "T.DIST.RT")))


@builtin("T.DIST.2T", params="vv")
def t_dist_2t(x: Any, deg_freedom: Any) -> Any:
    """Both tails ``P(|T| > x)``; ``x < 0`` is #NUM!."""
    t, df = num(x), _degrees(deg_freedom, "T.DIST.2T")
    if t < 0:
        raise _out_of_range("T.DIST.2T: x must not be negative")
    return _result(min(1.0, 2.0 * _t_right(t, df)))


@builtin("TDIST", params="vvv")
def tdist(x: Any, deg_freedom: Any, tails: Any) -> Any:
    """The compatibility form: ``tails`` 1 is T.DIST.RT, 2 is T.DIST.2T (truncated)."""
    t, df, n = num(x), _degrees(deg_freedom, "TDIST"), math.trunc(num(tails))
    if n not in (1, 2):
        raise _out_of_range("TDIST: tails must be 1 or 2")
    if t < 0:
        raise _out_of_range("TDIST: x must not be negative")
    return _result(min(1.0, n * _t_right(t, df)))


def _t_two_tail_inverse(df: int, p: float) -> float:
    """``t >= 0`` with ``P(|T| > t) = p``, through the inverse regularised incomplete beta:
    ``P(|T| > t) = I(df/(df+t^2); df/2, 1/2)`` and ``P(|T| < t) = I(t^2/(df+t^2); 1/2,
    df/2)`` (Abramowitz and Stegun 26.7.1, 26.5.2), the second for p >= 1/2 where it keeps
    the digits of a small t."""
    from scipy.special import betaincinv

    if p < 0.5:
        x = float(betaincinv(df / 2.0, 0.5, p))
        return math.sqrt(df * (1.0 - x) / x) if x > 0 else math.inf
    y = float(betaincinv(0.5, df / 2.0, 1.0 - p))
    return math.sqrt(df * y / (1.0 - y)) if y < 1 else math.inf


@builtin("T.INV", params="vv")
def t_inv(probability: Any, deg_freedom: Any) -> Any:
    """The left-tailed inverse: ``t`` with ``T.DIST(t, df, TRUE) = p``, 0 < p < 1."""
    p = _probability(probability, "T.INV", open_high=True)
    df = _degrees(deg_freedom, "T.INV")
    if p < 0.5:
        return _result(-_t_two_tail_inverse(df, 2.0 * p))
    return _result(_t_two_tail_inverse(df, 2.0 * (1.0 - p)))


@builtin("T.INV.2T", "TINV", params="vv")
def t_inv_2t(probability: Any, deg_freedom: Any) -> Any:
    """The two-tailed inverse: ``t >= 0`` with ``T.DIST.2T(t, df) = p``, 0 < p <= 1."""
    p = _probability(probability, "T.INV.2T")
    return _result(_t_two_tail_inverse(_degrees(deg_freedom, "T.INV.2T"), p))


# --- chi-squared -------------------------------------------------------------------------------


def _chi_args(x: Any, deg_freedom: Any, who: str) -> tuple[float, int]:
    value = num(x)
    df = _degrees(deg_freedom, who, _LIMIT)
    if value < 0:
        raise _out_of_range(f"{who}: x must not be negative")
    return value, df


def _gamma_pdf(x: float, shape: float, scale: float) -> float:
    """``x^(a-1) e^(-x/b) / (b^a Gamma(a))`` (Microsoft's GAMMA.DIST page)."""
    if x == 0:
        if shape < 1:
            return math.inf
        return 1.0 / scale if shape == 1 else 0.0
    log = (shape - 1) * math.log(x) - x / scale - shape * math.log(scale) - math.lgamma(shape)
    return math.exp(log)


@builtin("CHISQ.DIST", params="vvv")
def chisq_dist(x: Any, deg_freedom: Any, cumulative: Any) -> Any:
    """The chi-squared CDF (the regularised ``P(k/2, x/2)``) or its density."""
    from scipy.special import gammainc

    value, df = _chi_args(x, deg_freedom, "CHISQ.DIST")
    if boolean(cumulative):
        return _result(gammainc(df / 2.0, value / 2.0))
    return _result(_gamma_pdf(value, df / 2.0, 2.0))


@builtin("CHISQ.DIST.RT", "CHIDIST", params="vv")
def chisq_dist_rt(x: Any, deg_freedom: Any) -> Any:
    """The right tail ``Q(k/2, x/2)``."""
    from scipy.special import gammaincc

    value, df = _chi_args(x, deg_freedom, "CHISQ.DIST.RT")
    return _result(gammaincc(df / 2.0, value / 2.0))


@builtin("CHISQ.INV", params="vv")
def chisq_inv(probability: Any, deg_freedom: Any) -> Any:
    """The inverse of the left tail, 0 <= p < 1."""
    from scipy.special import gammaincinv

    p = _probability(probability, "CHISQ.INV", open_low=False, open_high=True)
    return _result(2.0 * gammaincinv(_degrees(deg_freedom, "CHISQ.INV", _LIMIT) / 2.0, p))


@builtin("CHISQ.INV.RT", "CHIINV", params="vv")
def chisq_inv_rt(probability: Any, deg_freedom: Any) -> Any:
    """The inverse of the right tail, 0 < p <= 1."""
    from scipy.special import gammainccinv

    p = _probability(probability, "CHISQ.INV.RT")
    return _result(2.0 * gammainccinv(_degrees(deg_freedom, "CHISQ.INV.RT", _LIMIT) / 2.0, p))


# --- F -------------------------------------------------------------------------------------------


def _f_args(x: Any, d1: Any, d2: Any, who: str) -> tuple[float, int, int]:
    value = num(x)
    n1, n2 = _degrees(d1, who, _LIMIT), _degrees(d2, who, _LIMIT)
    if value < 0:
        raise _out_of_range(f"{who}: x must not be negative")
    return value, n1, n2


def _f_pdf(x: float, n1: int, n2: int) -> float:
    """``sqrt((n1 x)^n1 n2^n2 / (n1 x + n2)^(n1+n2)) / (x B(n1/2, n2/2))``."""
    if x == 0:
        return math.inf if n1 < 2 else (1.0 if n1 == 2 else 0.0)
    a, b = n1 / 2.0, n2 / 2.0
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    log = (
        a * math.log(n1 * x)
        + b * math.log(n2)
        - (a + b) * math.log(n1 * x + n2)
        - math.log(x)
        - log_beta
    )
    return math.exp(log)


@builtin("F.DIST", params="vvvv")
def f_dist(x: Any, deg_freedom1: Any, deg_freedom2: Any, cumulative: Any) -> Any:
    """The F distribution's CDF ``I(n1 x/(n1 x + n2); n1/2, n2/2)`` or its density."""
    from scipy.special import fdtr

    value, n1, n2 = _f_args(x, deg_freedom1, deg_freedom2, "F.DIST")
    if boolean(cumulative):
        return _result(fdtr(n1, n2, value))
    return _result(_f_pdf(value, n1, n2))


@builtin("F.DIST.RT", "FDIST", params="vvv")
def f_dist_rt(x: Any, deg_freedom1: Any, deg_freedom2: Any) -> Any:
    """The right tail of the F distribution."""
    from scipy.special import fdtrc

    value, n1, n2 = _f_args(x, deg_freedom1, deg_freedom2, "F.DIST.RT")
    return _result(fdtrc(n1, n2, value))


@builtin("F.INV", params="vvv")
def f_inv(probability: Any, deg_freedom1: Any, deg_freedom2: Any) -> Any:
    """The inverse of the left tail, 0 <= p < 1."""
    from scipy.special import fdtri

    p = _probability(probability, "F.INV", open_low=False, open_high=True)
    n1, n2 = _degrees(deg_freedom1, "F.INV", _LIMIT), _degrees(deg_freedom2, "F.INV", _LIMIT)
    return _result(fdtri(n1, n2, p))


@builtin("F.INV.RT", "FINV", params="vvv")
def f_inv_rt(probability: Any, deg_freedom1: Any, deg_freedom2: Any) -> Any:
    """The inverse of the right tail, 0 < p <= 1."""
    from scipy.special import fdtri

    p = _probability(probability, "F.INV.RT")
    n1 = _degrees(deg_freedom1, "F.INV.RT", _LIMIT)
    n2 = _degrees(deg_freedom2, "F.INV.RT", _LIMIT)
    return _result(fdtri(n1, n2, 1.0 - p)) if p < 0.5 else _f_inv_upper(n1, n2, p)


def _f_inv_upper(n1: int, n2: int, p: float) -> Any:
    """``x`` with right tail ``p`` through the beta inverse of ``p`` itself (no ``1 - p``)."""
    from scipy.special import betaincinv

    # P(F > x) = I(n2/(n2 + n1 x); n2/2, n1/2), so n2/(n2 + n1 x) = w below.
    w = float(betaincinv(n2 / 2.0, n1 / 2.0, p))
    if w <= 0:
        return ExcelError("#NUM!", "F.INV.RT: no finite value")
    return _result(n2 * (1.0 - w) / (n1 * w))


# --- lognormal, Weibull, exponential -----------------------------------------------------------


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


@builtin("LOGNORM.DIST", params="vvvv")
def lognorm_dist(x: Any, mean: Any, standard_dev: Any, cumulative: Any) -> Any:
    """``NORM.S.DIST((ln x - mean)/sd)``, or the density ``exp(-z^2/2)/(x sd sqrt(2 pi))``."""
    value, mu, sd = num(x), num(mean), num(standard_dev)
    if value <= 0 or sd <= 0:
        raise _out_of_range("LOGNORM.DIST: x and standard_dev must be positive")
    z = (math.log(value) - mu) / sd
    if boolean(cumulative):
        return _result(_normal_cdf(z))
    return _result(math.exp(-z * z / 2.0) / (value * sd * math.sqrt(2.0 * math.pi)))


@builtin("LOGNORMDIST", params="vvv")
def lognormdist(x: Any, mean: Any, standard_dev: Any) -> Any:
    """The compatibility form: the cumulative lognormal distribution."""
    return lognorm_dist(x, mean, standard_dev, True)


@builtin("LOGNORM.INV", "LOGINV", params="vvv")
def lognorm_inv(probability: Any, mean: Any, standard_dev: Any) -> Any:
    """``exp(mean + sd NORM.S.INV(p))``, 0 < p < 1."""
    from statistics import NormalDist

    p = _probability(probability, "LOGNORM.INV", open_high=True)
    sd = num(standard_dev)
    if sd <= 0:
        raise _out_of_range("LOGNORM.INV: standard_dev must be positive")
    return _result(math.exp(num(mean) + sd * NormalDist().inv_cdf(p)))


@builtin("WEIBULL.DIST", "WEIBULL", params="vvvv")
def weibull_dist(x: Any, alpha: Any, beta: Any, cumulative: Any) -> Any:
    """``1 - exp(-(x/beta)^alpha)``, or the density ``alpha/beta^alpha x^(alpha-1) e^...``."""
    value, a, b = num(x), num(alpha), num(beta)
    if value < 0 or a <= 0 or b <= 0:
        raise _out_of_range("WEIBULL.DIST: x >= 0, alpha > 0 and beta > 0")
    power = (value / b) ** a
    if boolean(cumulative):
        return _result(-math.expm1(-power))
    if value == 0:
        return _result(math.inf if a < 1 else (1.0 / b if a == 1 else 0.0))
    return _result(a / b * (value / b) ** (a - 1) * math.exp(-power))


@builtin("EXPON.DIST", "EXPONDIST", params="vvv")
def expon_dist(x: Any, lambda_: Any, cumulative: Any) -> Any:
    """``1 - exp(-lambda x)``, or the density ``lambda exp(-lambda x)``."""
    value, rate = num(x), num(lambda_)
    if value < 0 or rate <= 0:
        raise _out_of_range("EXPON.DIST: x >= 0 and lambda > 0")
    if boolean(cumulative):
        return _result(-math.expm1(-rate * value))
    return _result(rate * math.exp(-rate * value))


# --- gamma and beta -----------------------------------------------------------------------------


@builtin("GAMMA.DIST", "GAMMADIST", params="vvvv")
def gamma_dist(x: Any, alpha: Any, beta: Any, cumulative: Any) -> Any:
    """The regularised lower incomplete gamma ``P(alpha, x/beta)``, or ``_gamma_pdf``."""
    from scipy.special import gammainc

    value, a, b = num(x), num(alpha), num(beta)
    if value < 0 or a <= 0 or b <= 0:
        raise _out_of_range("GAMMA.DIST: x >= 0, alpha > 0 and beta > 0")
    if boolean(cumulative):
        return _result(gammainc(a, value / b))
    return _result(_gamma_pdf(value, a, b))


@builtin("GAMMA.INV", "GAMMAINV", params="vvv")
def gamma_inv(probability: Any, alpha: Any, beta: Any) -> Any:
    """``x`` with ``GAMMA.DIST(x, alpha, beta, TRUE) = p``, 0 <= p < 1."""
    from scipy.special import gammaincinv

    p = _probability(probability, "GAMMA.INV", open_low=False, open_high=True)
    a, b = num(alpha), num(beta)
    if a <= 0 or b <= 0:
        raise _out_of_range("GAMMA.INV: alpha and beta must be positive")
    return _result(b * gammaincinv(a, p))


@builtin("GAMMALN", "GAMMALN.PRECISE", params="v")
def gammaln(x: Any) -> Any:
    """``ln(Gamma(x))`` for x > 0."""
    value = num(x)
    if value <= 0:
        raise _out_of_range("GAMMALN: x must be positive")
    return _result(math.lgamma(value))


def _beta_bounds(x: float, low: Any, high: Any, who: str) -> tuple[float, float]:
    a = 0.0 if low is OMITTED else num(low)
    b = 1.0 if high is OMITTED else num(high)
    if x < a or x > b or a == b:
        raise _out_of_range(f"{who}: x must lie between A and B, and A differ from B")
    return a, b


def _beta_shape(alpha: Any, beta: Any, who: str) -> tuple[float, float]:
    a, b = num(alpha), num(beta)
    if a <= 0 or b <= 0:
        raise _out_of_range(f"{who}: alpha and beta must be positive")
    return a, b


@builtin("BETA.DIST", params="vvvvvv", min_args=4)
def beta_dist(
    x: Any, alpha: Any, beta: Any, cumulative: Any, low: Any = OMITTED, high: Any = OMITTED
) -> Any:
    """The regularised incomplete beta ``I(z; alpha, beta)`` at ``z = (x-A)/(B-A)``, or the
    density ``z^(alpha-1) (1-z)^(beta-1) / (B(alpha, beta) (B-A))``."""
    from scipy.special import betainc

    a, b = _beta_shape(alpha, beta, "BETA.DIST")
    value = num(x)
    lo, hi = _beta_bounds(value, low, high, "BETA.DIST")
    z = (value - lo) / (hi - lo)
    if boolean(cumulative):
        return _result(betainc(a, b, z))
    if z in (0.0, 1.0):
        edge = a if z == 0 else b
        if edge < 1:
            return ExcelError("#NUM!", "BETA.DIST: the density is infinite there")
        if edge > 1:
            return 0.0
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    log = -log_beta - math.log(hi - lo)
    if a != 1:
        log += (a - 1) * math.log(z)
    if b != 1:
        log += (b - 1) * math.log1p(-z)
    return _result(math.exp(log))


@builtin("BETADIST", params="vvvvv", min_args=3)
def betadist(x: Any, alpha: Any, beta: Any, low: Any = OMITTED, high: Any = OMITTED) -> Any:
    """The compatibility form: the cumulative beta distribution."""
    return beta_dist(x, alpha, beta, True, low, high)


@builtin("BETA.INV", params="vvvvv", min_args=3)
def beta_inv(
    probability: Any,
    alpha: Any,
    beta: Any,
    low: Any = OMITTED,
    high: Any = OMITTED,
    open_high: bool = False,
) -> Any:
    """``A + (B-A) z`` with ``I(z; alpha, beta) = p``, 0 < p <= 1."""
    from scipy.special import betaincinv

    p = _probability(probability, "BETA.INV", open_high=open_high)
    a, b = _beta_shape(alpha, beta, "BETA.INV")
    lo = 0.0 if low is OMITTED else num(low)
    hi = 1.0 if high is OMITTED else num(high)
    if lo >= hi:
        raise _out_of_range("BETA.INV: A must be below B")
    return _result(lo + (hi - lo) * float(betaincinv(a, b, p)))


@builtin("BETAINV", params="vvvvv", min_args=3)
def betainv(
    probability: Any, alpha: Any, beta: Any, low: Any = OMITTED, high: Any = OMITTED
) -> Any:
    """The compatibility form: as BETA.INV, but p = 1 is #NUM! too ("Office returns #NUM! if
    probability <= 0 or probability >= 1", Microsoft's MS-OI29500 2.1.893, BETAINV)."""
    return beta_inv(probability, alpha, beta, low, high, open_high=True)


# --- discrete distributions ----------------------------------------------------------------


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@builtin("POISSON.DIST", "POISSON", params="vvv")
def poisson_dist(x: Any, mean: Any, cumulative: Any) -> Any:
    """``e^-m m^x / x!``, or its sum over 0..x (the regularised ``Q(x+1, m)``). A mean of 0
    is #NUM! as well as a negative one: "If mean <= 0" in Microsoft's POISSON.DIST reference
    for Excel 2010 (learn.microsoft.com, WorksheetFunction.Poisson_Dist) and ECMA-376 Part 1
    18.17.7 POISSON, as LibreOffice's poisson.dist.fods expects."""
    from scipy.special import gammaincc

    k, m = math.trunc(num(x)), num(mean)
    if k < 0 or m <= 0:
        raise _out_of_range("POISSON.DIST: x must not be negative and the mean must be positive")
    if boolean(cumulative):
        return _result(gammaincc(k + 1, m))
    return _result(math.exp(k * math.log(m) - m - math.lgamma(k + 1)))


def _binomial_pmf(k: int, n: int, p: float) -> float:
    """``COMBIN(n, k) p^k (1-p)^(n-k)``."""
    if p in (0.0, 1.0):
        return 1.0 if k == (0 if p == 0 else n) else 0.0
    return math.exp(_log_choose(n, k) + k * math.log(p) + (n - k) * math.log1p(-p))


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """``sum_{j<=k} COMBIN(n, j) p^j (1-p)^(n-j)`` = ``I(1-p; n-k, k+1)``."""
    from scipy.special import betainc

    if k >= n:
        return 1.0
    if p in (0.0, 1.0):
        return 1.0 if p == 0 else 0.0
    return float(betainc(n - k, k + 1, 1.0 - p))


@builtin("BINOM.DIST", "BINOMDIST", params="vvvv")
def binom_dist(number_s: Any, trials: Any, probability_s: Any, cumulative: Any) -> Any:
    """The binomial mass or cumulative distribution; number_s and trials truncated."""
    k, n, p = math.trunc(num(number_s)), math.trunc(num(trials)), num(probability_s)
    if k < 0 or k > n or not 0 <= p <= 1:
        raise _out_of_range("BINOM.DIST: 0 <= number_s <= trials and 0 <= p <= 1")
    if boolean(cumulative):
        return _result(_binomial_cdf(k, n, p))
    return _result(_binomial_pmf(k, n, p))


@builtin("BINOM.INV", "CRITBINOM", params="vvv")
def binom_inv(trials: Any, probability_s: Any, alpha: Any) -> Any:
    """The smallest ``k`` whose cumulative binomial probability is at least ``alpha``."""
    n, p, target = math.trunc(num(trials)), num(probability_s), num(alpha)
    if n < 0 or not 0 <= p <= 1 or not 0 <= target <= 1:
        raise _out_of_range("BINOM.INV: trials >= 0, 0 <= p <= 1 and 0 <= alpha <= 1")
    low, high = 0, n  # the CDF rises with k: bisect for the first k reaching alpha
    while low < high:
        mid = (low + high) // 2
        if _binomial_reaches(mid, n, p, target):
            high = mid
        else:
            low = mid + 1
    return float(low)


def _binomial_reaches(k: int, n: int, p: float, target: float) -> bool:
    """``BINOM.DIST(k, n, p, TRUE) >= target``; above 1/2 compared as the upper tail
    ``I(p; k+1, n-k) <= 1 - target``, which stays above 0 below ``k = n`` (so alpha = 1 gives
    ``n``, where the rounded CDF reaches 1.0 earlier)."""
    from scipy.special import betainc

    if target <= 0.5 or k >= n or p in (0.0, 1.0):
        return _binomial_cdf(k, n, p) >= target
    return float(betainc(k + 1, n - k, p)) <= 1.0 - target


@builtin("NEGBINOM.DIST", params="vvvv")
def negbinom_dist(number_f: Any, number_s: Any, probability_s: Any, cumulative: Any) -> Any:
    """``COMBIN(f+s-1, s-1) p^s (1-p)^f``, or its sum over 0..f (``I(p; s, f+1)``)."""
    from scipy.special import betainc

    f, s, p = math.trunc(num(number_f)), math.trunc(num(number_s)), num(probability_s)
    if f < 0 or s < 1 or not 0 <= p <= 1:
        raise _out_of_range("NEGBINOM.DIST: number_f >= 0, number_s >= 1 and 0 <= p <= 1")
    if boolean(cumulative):
        return _result(betainc(s, f + 1, p))
    return _negbinom_pmf(f, s, p)


def _negbinom_pmf(f: int, s: int, p: float) -> Any:
    if p in (0.0, 1.0):
        return 1.0 if (p == 1 and f == 0) else 0.0
    return _result(math.exp(_log_choose(f + s - 1, s - 1) + s * math.log(p) + f * math.log1p(-p)))


@builtin("NEGBINOMDIST", params="vvv")
def negbinomdist(number_f: Any, number_s: Any, probability_s: Any) -> Any:
    """The compatibility form: the negative binomial mass."""
    return negbinom_dist(number_f, number_s, probability_s, False)


def _hypgeom_args(
    sample_s: Any, number_sample: Any, population_s: Any, number_pop: Any
) -> tuple[int, int, int, int]:
    k, n = math.trunc(num(sample_s)), math.trunc(num(number_sample))
    big_k, big_n = math.trunc(num(population_s)), math.trunc(num(number_pop))
    if (
        big_n <= 0
        or not 0 < n <= big_n
        or not 0 < big_k <= big_n
        or k < 0
        or k > min(n, big_k)
        or k < max(0, n - big_n + big_k)
    ):
        raise _out_of_range("HYPGEOM.DIST: the counts are not a possible draw")
    return k, n, big_k, big_n


def _hypgeom_pmf(k: int, n: int, big_k: int, big_n: int) -> float:
    """``COMBIN(M, x) COMBIN(N-M, n-x) / COMBIN(N, n)``."""
    log = _log_choose(big_k, k) + _log_choose(big_n - big_k, n - k) - _log_choose(big_n, n)
    return math.exp(log)


@builtin("HYPGEOM.DIST", params="vvvvv")
def hypgeom_dist(
    sample_s: Any, number_sample: Any, population_s: Any, number_pop: Any, cumulative: Any
) -> Any:
    """The hypergeometric mass, or its sum from the smallest possible count to ``sample_s``."""
    k, n, big_k, big_n = _hypgeom_args(sample_s, number_sample, population_s, number_pop)
    if not boolean(cumulative):
        return _result(_hypgeom_pmf(k, n, big_k, big_n))
    first = max(0, n - big_n + big_k)
    terms = [_hypgeom_pmf(j, n, big_k, big_n) for j in range(first, k + 1)]
    return _result(min(1.0, math.fsum(terms)))


@builtin("HYPGEOMDIST", params="vvvv")
def hypgeomdist(sample_s: Any, number_sample: Any, population_s: Any, number_pop: Any) -> Any:
    """The compatibility form: the hypergeometric mass."""
    return hypgeom_dist(sample_s, number_sample, population_s, number_pop, False)


@builtin("BINOM.DIST.RANGE", params="vvvv", min_args=3)
def binom_dist_range(
    trials: Any, probability_s: Any, number_s: Any, number_s2: Any = OMITTED
) -> Any:
    """``sum_{k=s}^{s2} COMBIN(n, k) p^k (1-p)^(n-k)`` (``s2`` defaults to ``s``): trials and
    the counts truncated; ``0 <= s <= s2 <= n`` and ``0 <= p <= 1`` or #NUM!."""
    n, p = math.trunc(num(trials)), num(probability_s)
    low = math.trunc(num(number_s))
    high = low if number_s2 is OMITTED else math.trunc(num(number_s2))
    if n < 0 or not 0 <= p <= 1 or low < 0 or low > n or high < low or high > n:
        raise _out_of_range("BINOM.DIST.RANGE: 0 <= s <= s2 <= trials and 0 <= p <= 1")
    if high - low < 64:
        return _result(math.fsum(_binomial_pmf(k, n, p) for k in range(low, high + 1)))
    below = _binomial_cdf(low - 1, n, p) if low > 0 else 0.0
    return _result(_binomial_cdf(high, n, p) - below)
