"""gpucredit's credit math for lending against GPUs, and its Excel catalogue.

Import the functions directly (``pyfuncs.dscr``, ``pyfuncs.rent_curve``) for numpy work, or run
any catalogue function on Excel values with :func:`call`::

    >>> import pyfuncs
    >>> pyfuncs.call("GPU.DSCR", [[1.2], [0.9]], [[1.0], [1.0]])
    [[1.2], [0.9]]
"""

from pyfuncs.borrowing_base import borrowing_base
from pyfuncs.catalogue import REGISTRY, catalogue, lookup
from pyfuncs.collateral import book_value, income_value, market_value
from pyfuncs.coverage import (
    breach_period,
    covenant_status,
    decline_to_breach,
    dscr,
    duration_gap,
    llcr,
    plcr,
)
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import DealSchedule, run_deal
from pyfuncs.deal.schedule import deal_schedule
from pyfuncs.deal.sensitivity import headroom, sensitivity
from pyfuncs.deal.stress import StressResult, joint_stress
from pyfuncs.debt import (
    DebtSchedule,
    debt_capacity,
    debt_schedule,
    floating_rate,
    level_payment,
    sculpted_debt,
    wal,
)
from pyfuncs.errors import (
    DomainError,
    ExcelError,
    GpuCreditError,
    InvalidInputError,
    NotFoundError,
    ZeroDenominatorError,
)
from pyfuncs.gpu_curves import gpu_curve, residual_value
from pyfuncs.ltv import adj_ltv, ltv
from pyfuncs.miners import hashprice, miner_dscr
from pyfuncs.portfolio_loss import loss_quantile, vasicek_pd
from pyfuncs.recovery import firesale_discount, firesale_recovery, lgd, recovery_waterfall
from pyfuncs.rent import (
    breakeven_rent,
    cash_yield,
    implied_decline,
    opex_hour,
    rent_curve,
    revenue,
)
from pyfuncs.spreads import cumulative_pd, fair_spread, hazard_rate, repriced_spread

__version__ = "0.1.0"

__all__ = [
    "REGISTRY",
    "DealAssumptions",
    "DealSchedule",
    "DebtSchedule",
    "DomainError",
    "ExcelError",
    "GpuCreditError",
    "InvalidInputError",
    "NotFoundError",
    "StressResult",
    "ZeroDenominatorError",
    "adj_ltv",
    "book_value",
    "borrowing_base",
    "breach_period",
    "breakeven_rent",
    "call",
    "cash_yield",
    "catalogue",
    "covenant_status",
    "cumulative_pd",
    "deal_schedule",
    "debt_capacity",
    "debt_schedule",
    "decline_to_breach",
    "dscr",
    "duration_gap",
    "fair_spread",
    "firesale_discount",
    "firesale_recovery",
    "floating_rate",
    "gpu_curve",
    "hashprice",
    "hazard_rate",
    "headroom",
    "implied_decline",
    "income_value",
    "joint_stress",
    "level_payment",
    "lgd",
    "llcr",
    "lookup",
    "loss_quantile",
    "ltv",
    "market_value",
    "miner_dscr",
    "opex_hour",
    "parse_assumptions",
    "plcr",
    "recovery_waterfall",
    "rent_curve",
    "repriced_spread",
    "residual_value",
    "revenue",
    "run_deal",
    "sculpted_debt",
    "sensitivity",
    "vasicek_pd",
    "wal",
]


def __getattr__(name: str) -> object:
    # ``pyfuncs.call`` lives in the Excel layer; importing it lazily keeps ``import pyfuncs`` (the
    # math) free of the faces, as the architecture asks (docs/architecture.md).
    if name == "call":
        from pyfuncs.excel.dispatch import call

        return call
    raise AttributeError(f"module 'pyfuncs' has no attribute {name!r}")
