"""Spreads, Vasicek and miners against cited figures, the standard library and LibreOffice."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

import pyfuncs
from pyfuncs import call


def test_coreweave_cds_figures():
    # DOMAIN.md section 8 [45]: 675 bp, R = 35% -> lambda 10.4%/yr, 5-yr PD ~40%.
    hazard = float(pyfuncs.hazard_rate(0.0675, 0.35))
    assert hazard == pytest.approx(0.0675 / 0.65)
    assert round(hazard, 3) == 0.104
    assert float(pyfuncs.cumulative_pd(hazard, 5)) == pytest.approx(1 - math.exp(-5 * hazard))
    assert float(pyfuncs.cumulative_pd(hazard, 5)) == pytest.approx(0.40, abs=0.01)  # "~40%"
    # Oracle 108 bp -> 1.7% [45]
    assert round(float(pyfuncs.hazard_rate(0.0108, 0.35)), 3) == 0.017


def test_fair_and_repriced_spread():
    assert float(pyfuncs.fair_spread(0.05, 0.6, 2)) == pytest.approx(-math.log(0.95) * 0.6 * 2)
    # Doubling the LGD at the same PD doubles the spread.
    assert float(pyfuncs.repriced_spread(0.0675, 0.1, 0.3, 0.1, 0.6)) == pytest.approx(0.135)
    assert call("REPRICED_SPREAD", 0.05, 0, 0.5, 0.1, 0.5).code == "#DIV/0!"
    assert call("FAIR_SPREAD", 1.0, 0.5).code == "#NUM!"


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


def test_hashprice_cited_low():
    # DOMAIN.md section 7 [96]: $38.2/PH/day at BTC $91k and difficulty 152T. Network hashrate
    # = difficulty * 2^32 / 600 s; with fees of ~0.05 BTC a block the formula gives ~$38.2.
    network_ehs = 152e12 * 2**32 / 600 / 1e18
    assert float(pyfuncs.hashprice(91_000, network_ehs, 3.125, 0.05)) == pytest.approx(
        38.2, rel=0.01
    )
    assert float(pyfuncs.hashprice(100_000, 1000)) == pytest.approx(3.125 * 144 * 100_000 / 1e6)


def test_miner_dscr_by_hand():
    # ((45 - 30) * 20,000 PH/s * 365 + $40M hosting) / $100M
    got = float(pyfuncs.miner_dscr(45, 20_000, 30, 40e6, 100e6))
    assert got == pytest.approx((15 * 20_000 * 365 + 40e6) / 100e6)
    assert call("MINER_DSCR", 45, 1, 30, 0, 0).code == "#DIV/0!"
