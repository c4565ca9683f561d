"""VASICEK_PD and LOSS_QUANTILE against NormalDist, LibreOffice and a Monte Carlo portfolio."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call


def test_vasicek_against_standard_library():
    phi = NormalDist()
    for pd_, rho, z in [(0.02, 0.12, -2.33), (0.1, 0.24, 0.0), (0.005, 0.2, 1.5)]:
        expected = phi.cdf((phi.inv_cdf(pd_) - math.sqrt(rho) * z) / math.sqrt(1 - rho))
        assert float(pyfuncs.vasicek_pd(pd_, rho, z)) == pytest.approx(expected, rel=1e-12)


def test_vasicek_against_libreoffice(libreoffice):
    cases = [(0.02, 0.12, -2.33), (0.3, 0.5, 1.0)]
    rows = [[f"=NORMSDIST((NORMSINV({p})-SQRT({r})*{z})/SQRT(1-{r}))"] for p, r, z in cases]
    lo = libreoffice.evaluate(rows)
    for (p, r, z), [value] in zip(cases, lo, strict=True):
        assert float(pyfuncs.vasicek_pd(p, r, z)) == pytest.approx(value, rel=1e-9)


N = NormalDist()


def vasicek_loss(ead, pd, lgd, rho, q):
    """The ASRF quantile written out with the standard library's normal distribution."""
    z = (N.inv_cdf(pd) + math.sqrt(rho) * N.inv_cdf(q)) / math.sqrt(1 - rho)
    return ead * lgd * N.cdf(z)


def test_loss_quantile_equals_the_vasicek_closed_form():
    ead = [10e6, 25e6, 5e6]
    pd = [0.02, 0.05, 0.10]
    lgd = [0.45, 0.60, 0.30]
    rho = [0.12, 0.24, 0.18]
    for q in (0.99, 0.999):
        expected = sum(vasicek_loss(*loan, q) for loan in zip(ead, pd, lgd, rho, strict=True))
        assert pyfuncs.loss_quantile(ead, pd, lgd, rho, q) == pytest.approx(expected, rel=1e-12)
    # one loan, numbers by hand: PD 1%, rho 0.2, q 99.9%:
    # (NORM.S.INV(0.01) + sqrt(0.2)*NORM.S.INV(0.999))/sqrt(0.8) = (-2.32635+1.38197)/0.89443
    # = -1.05585, NORM.S.DIST(-1.05585) = 0.14552
    assert pyfuncs.loss_quantile(1.0, 0.01, 1.0, 0.2) == pytest.approx(0.14552, abs=2e-5)
    assert call("GPU.LOSS_QUANTILE", [[1.0]], 0.01, 1.0, 0.2) == pytest.approx(0.14552, abs=2e-5)


def test_edge_cases():
    # no correlation: the loss is the expected loss; PD 0 and 1 bracket it
    assert pyfuncs.loss_quantile([2.0, 3.0], 0.1, 0.5, 0.0) == pytest.approx(0.25)
    assert pyfuncs.loss_quantile(5.0, 0.0, 0.5, 0.2) == 0.0
    assert pyfuncs.loss_quantile(5.0, 1.0, 0.5, 0.2) == pytest.approx(2.5)
    assert call("LOSS_QUANTILE", 1.0, 0.01, 0.5, 1.0).code == "#NUM!"
    assert call("LOSS_QUANTILE", 1.0, 0.01, 0.5, 0.2, 1.0).code == "#NUM!"
    assert call("LOSS_QUANTILE", [[1.0], [2.0]], [[0.1], [0.2], [0.3]], 0.5, 0.2).code == "#VALUE!"


def simulated_quantile(loans, pd, lgd, rho, q, scenarios, rng):
    """Monte Carlo of a homogeneous portfolio of ``loans`` loans of EAD 1/loans each.

    Given the common factor Z, each loan defaults independently with probability
    Phi((Phi^-1(pd) - sqrt(rho) Z)/sqrt(1-rho)), so the number of defaults is binomial.
    """
    from scipy.stats import norm

    z = rng.standard_normal(scenarios)
    p = norm.cdf((norm.ppf(pd) - math.sqrt(rho) * z) / math.sqrt(1 - rho))
    defaults = rng.binomial(loans, p)
    return float(np.quantile(defaults / loans * lgd, q))


def test_simulated_loss_of_a_large_homogeneous_portfolio_converges_to_it():
    pd, lgd, rho, q = 0.03, 0.5, 0.15, 0.999
    closed = pyfuncs.loss_quantile(1.0, pd, lgd, rho, q)
    rng = np.random.default_rng(7)
    errors = {}
    for loans in (20, 200, 20_000):
        simulated = simulated_quantile(loans, pd, lgd, rho, q, 400_000, rng)
        errors[loans] = abs(simulated - closed) / closed
    assert errors[20_000] < 0.03  # granular: within Monte Carlo error of the ASRF quantile
    assert errors[20] > errors[20_000]  # a concentrated portfolio is further from it
