"""Credit spreads from expected loss, and back: hazard rates, cumulative PD, fair spreads.

docs/domain.md section 8: ``lambda ~ s/(1-R)``; cumulative PD ``1 - exp(-lambda*T)``; a spread is
``-ln(1-PD)*LGD`` times a risk-premium multiple. CoreWeave 5-yr CDS 675 bp with R = 35% gives
lambda = 10.4%/yr and a 5-year PD of ~40% [45].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import as_array, broadcast, check_fraction, check_ge, check_lt, check_nonzero
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.defaults import CDS_RECOVERY

CATEGORY = "Spreads"


@excel_function(
    "HAZARD_RATE",
    category=CATEGORY,
    help="Default intensity implied by a credit spread: spread/(1-recovery), element by element.",
    args=[
        Arg("spread", "Credit spread or CDS premium, decimal a year (675 bp = 0.0675).", "array"),
        Arg("recovery", "Recovery rate, decimal (the CDS convention).", "array"),
    ],
    result=Result("elementwise", help="Hazard rate, decimal a year."),
)
def hazard_rate(spread: Any, recovery: Any = CDS_RECOVERY) -> np.ndarray:
    """Hazard rate from a spread (the credit triangle).

    Parameters
    ----------
    spread : array_like
        Decimal a year.
    recovery : array_like, optional
        CDS convention 30-40% [45].

    Returns
    -------
    ndarray
        ``lambda = spread / (1 - recovery)``.
    """
    s, r = broadcast(spread=as_array("spread", spread), recovery=as_array("recovery", recovery))
    check_ge("spread", s, 0.0)
    check_ge("recovery", r, 0.0)
    check_lt("recovery", r, 1.0, "a recovery of 100% has no loss to price")
    return s / (1.0 - r)


@excel_function(
    "CUMULATIVE_PD",
    category=CATEGORY,
    help="Probability of default within years at a constant hazard: 1-exp(-hazard*years).",
    args=[
        Arg("hazard", "Hazard rate, decimal a year (see HAZARD_RATE).", "array"),
        Arg("years", "Horizon, years.", "array"),
    ],
    result=Result("elementwise", help="Probability, decimal."),
)
def cumulative_pd(hazard: Any, years: Any) -> np.ndarray:
    """Cumulative default probability at a constant hazard rate.

    Parameters
    ----------
    hazard : array_like
        Decimal a year.
    years : array_like
        Horizon, years.

    Returns
    -------
    ndarray
        ``1 - exp(-hazard * years)``.
    """
    h, t = broadcast(hazard=as_array("hazard", hazard), years=as_array("years", years))
    check_ge("hazard", h, 0.0)
    check_ge("years", t, 0.0)
    return -np.expm1(-h * t)


@excel_function(
    "FAIR_SPREAD",
    category=CATEGORY,
    help="Spread that pays for expected loss: -ln(1-annual_pd)*lgd*risk_multiple.",
    args=[
        Arg("annual_pd", "Annual probability of default, decimal.", "array"),
        Arg("lgd", "Loss given default, decimal.", "array"),
        Arg("risk_multiple", "Risk-premium multiple over expected loss.", "array"),
    ],
    result=Result("elementwise", help="Spread, decimal a year."),
)
def fair_spread(annual_pd: Any, lgd: Any, risk_multiple: Any = 1.0) -> np.ndarray:
    """Spread implied by an annual PD and an LGD.

    Parameters
    ----------
    annual_pd : array_like
        Decimal, below 1.
    lgd : array_like
        Decimal.
    risk_multiple : array_like, optional
        Multiple of expected loss that investors demand.

    Returns
    -------
    ndarray
        ``-ln(1 - PD) * LGD * multiple`` (hazard ``-ln(1-PD)`` times loss severity).
    """
    pd_a, lgd_a, mult = broadcast(
        annual_pd=as_array("annual_pd", annual_pd),
        lgd=as_array("lgd", lgd),
        risk_multiple=as_array("risk_multiple", risk_multiple),
    )
    check_ge("annual_pd", pd_a, 0.0)
    check_lt("annual_pd", pd_a, 1.0, "a certain default has no finite spread")
    check_fraction("lgd", lgd_a)
    check_ge("risk_multiple", mult, 0.0)
    return -np.log1p(-pd_a) * lgd_a * mult


@excel_function(
    "REPRICED_SPREAD",
    category=CATEGORY,
    help="Market spread rescaled to a new expected loss: "
    "spread*(-ln(1-pd_new)*lgd_new)/(-ln(1-pd_old)*lgd_old).",
    args=[
        Arg("spread", "Market spread today, decimal a year.", "array"),
        Arg("pd_old", "Annual PD the market prices, decimal.", "array"),
        Arg("lgd_old", "LGD the market prices, decimal.", "array"),
        Arg("pd_new", "Annual PD from your analysis, decimal.", "array"),
        Arg("lgd_new", "LGD from your analysis, decimal.", "array"),
    ],
    result=Result("elementwise", help="Spread, decimal a year."),
)
def repriced_spread(
    spread: Any, pd_old: Any, lgd_old: Any, pd_new: Any, lgd_new: Any
) -> np.ndarray:
    """Spread scaled by the ratio of new to old expected loss (risk multiple held constant).

    Parameters
    ----------
    spread : array_like
        Today's spread, decimal a year.
    pd_old, lgd_old : array_like
        Annual PD and LGD the market prices.
    pd_new, lgd_new : array_like
        Annual PD and LGD from the deflation-aware analysis.

    Returns
    -------
    ndarray
        ``spread * (-ln(1-pd_new)*lgd_new) / (-ln(1-pd_old)*lgd_old)``.
    """
    s, po, lo, pn, ln_ = broadcast(
        spread=as_array("spread", spread),
        pd_old=as_array("pd_old", pd_old),
        lgd_old=as_array("lgd_old", lgd_old),
        pd_new=as_array("pd_new", pd_new),
        lgd_new=as_array("lgd_new", lgd_new),
    )
    check_ge("spread", s, 0.0)
    for name, value in (("pd_old", po), ("pd_new", pn)):
        check_ge(name, value, 0.0)
        check_lt(name, value, 1.0, "a certain default has no finite spread")
    check_fraction("lgd_old", lo)
    check_fraction("lgd_new", ln_)
    old_loss = -np.log1p(-po) * lo
    check_nonzero("old expected loss (pd_old x lgd_old)", old_loss)
    return s * (-np.log1p(-pn) * ln_) / old_loss
