"""The Vasicek conditional PD against Python's NormalDist and LibreOffice's NORMSDIST/NORMSINV."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

import pyfuncs


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
