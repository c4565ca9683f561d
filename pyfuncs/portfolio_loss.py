"""Portfolio credit: default correlation (Vasicek) and the granular portfolio loss quantile.

docs/domain.md section 7: conditional on a systematic factor F, a loan with PD p defaults with
probability ``Phi((Phi^-1(p) - sqrt(rho)*F)/sqrt(1-rho))``; Basel rho 0.12-0.24 [102].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import as_array, broadcast, check_fraction, check_ge, check_gt, check_lt
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.errors import InvalidInputError

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


@excel_function(
    "LOSS_QUANTILE",
    category=CATEGORY,
    help="Portfolio loss at confidence q, one-factor Vasicek (ASRF): sum(ead*lgd*NORM.S.DIST("
    "(NORM.S.INV(pd)+sqrt(rho)*NORM.S.INV(q))/sqrt(1-rho))) over the loans.",
    args=[
        Arg("ead", "Exposure at default of each loan, $ (a range, one cell per loan).", "range"),
        Arg("pd", "PD of each loan over the horizon, decimal (a range or one cell).", "range"),
        Arg("lgd", "Loss given default of each loan, decimal (a range or one cell).", "range"),
        Arg("rho", "Asset correlation, decimal (Basel 0.12-0.24; a range or one cell).", "range"),
        Arg("q", "Confidence level, decimal (0.999 is Basel's).", "number"),
    ],
    result=Result("scalar", help="Loss at the q quantile, $."),
)
def loss_quantile(ead: Any, pd: Any, lgd: Any, rho: Any, q: Any = 0.999) -> float:
    """Loss of a granular loan portfolio at confidence ``q`` under the one-factor model.

    Parameters
    ----------
    ead : array_like
        Exposure at default per loan, $ (>= 0).
    pd : array_like
        Probability of default per loan over the horizon, in [0, 1].
    lgd : array_like
        Loss given default per loan, in [0, 1].
    rho : array_like
        Asset correlation with the common factor, in [0, 1).
    q : float, default 0.999
        Confidence level, in (0, 1).

    Returns
    -------
    float
        ``sum_i ead_i*lgd_i*Phi((Phi^-1(pd_i) + sqrt(rho_i)*Phi^-1(q))/sqrt(1-rho_i))``: the
        asymptotic single-risk-factor loss quantile (Vasicek; Gordy 2003; the Basel IRB formula,
        https://www.bis.org/bcbs/irbriskweight.pdf). Exact as the portfolio becomes granular
        (many small loans); a concentrated portfolio loses more at the same ``q``.
    """
    from scipy.special import ndtr, ndtri

    exposure, p, loss, r = broadcast(
        ead=as_array("ead", ead),
        pd=as_array("pd", pd),
        lgd=as_array("lgd", lgd),
        rho=as_array("rho", rho),
    )
    check_ge("ead", exposure, 0.0)
    check_fraction("pd", p)
    check_fraction("lgd", loss)
    check_fraction("rho", r)
    check_lt("rho", r, 1.0, "rho = 1 makes every loan the factor itself")
    level = as_array("q", q)
    if level.ndim:
        raise InvalidInputError("q must be a single number")
    check_gt("q", level, 0.0)
    check_lt("q", level, 1.0, "the 100% quantile is unbounded")
    with np.errstate(invalid="ignore", divide="ignore"):
        stressed = ndtr((ndtri(p) + np.sqrt(r) * ndtri(float(level))) / np.sqrt(1.0 - r))
    return float(np.sum(exposure * loss * stressed))
