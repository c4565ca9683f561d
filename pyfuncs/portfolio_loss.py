"""Stress: portfolio default correlation (Vasicek); the joint BTC/rent Monte Carlo builds on it.

DOMAIN.md section 7: conditional on a systematic factor F, a loan with PD p defaults with
probability ``Phi((Phi^-1(p) - sqrt(rho)*F)/sqrt(1-rho))``; Basel rho 0.12-0.24 [102].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import as_array, broadcast, check_fraction, check_lt
from pyfuncs.catalogue import Arg, Result, excel_function

CATEGORY = "Portfolio credit"


@excel_function(
    "VASICEK_PD",
    category=CATEGORY,
    help="PD conditional on the systematic factor z: NORM.S.DIST((NORM.S.INV(pd)-sqrt(rho)*z)/"
    "sqrt(1-rho)); z < 0 is a bad state of the world.",
    args=[
        Arg("pd", "Unconditional PD, decimal.", "array"),
        Arg("rho", "Asset correlation, decimal (Basel 0.12-0.24).", "array"),
        Arg(
            "z",
            "Systematic factor in standard deviations (e.g. -2.33 for a 1-in-100 state).",
            "array",
        ),
    ],
    result=Result("elementwise", help="Conditional PD, decimal."),
)
def vasicek_pd(pd: Any, rho: Any, z: Any) -> np.ndarray:
    """Vasicek conditional probability of default.

    Parameters
    ----------
    pd : array_like
        Unconditional PD in [0, 1].
    rho : array_like
        Asset correlation in [0, 1).
    z : array_like
        Systematic factor value, standard normal.

    Returns
    -------
    ndarray
        ``Phi((Phi^-1(pd) - sqrt(rho)*z) / sqrt(1-rho))`` [102].
    """
    from scipy.special import ndtr, ndtri  # imported here: it adds ~0.15 s to every start-up

    p, r, f = broadcast(pd=as_array("pd", pd), rho=as_array("rho", rho), z=as_array("z", z))
    check_fraction("pd", p)
    check_fraction("rho", r)
    check_lt("rho", r, 1.0, "rho = 1 makes every loan the factor itself")
    with np.errstate(invalid="ignore"):
        return ndtr((ndtri(p) - np.sqrt(r) * f) / np.sqrt(1.0 - r))
