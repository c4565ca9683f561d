"""gpucredit's credit math for lending against GPUs, and its Excel catalogue.

Import the functions directly (``pyfuncs.dscr``, ``pyfuncs.rent_curve``) for numpy work, or run
any catalogue function on Excel values with :func:`call`::

    >>> import pyfuncs
    >>> pyfuncs.call("GPU.DSCR", [[1.2], [0.9]], [[1.0], [1.0]])
    [[1.2], [0.9]]
"""

import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as the type checker sees them
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

#: Where each public name lives: imported on first use (PEP 562), so that ``import pyfuncs``
#: (and with it a built-in-only ``gpucredit refresh``) does not load the deal engine, scipy or
#: the math modules it does not use.
_LAZY = {
    "borrowing_base": "pyfuncs.borrowing_base",
    "REGISTRY": "pyfuncs.catalogue",
    "catalogue": "pyfuncs.catalogue",
    "lookup": "pyfuncs.catalogue",
    "book_value": "pyfuncs.collateral",
    "income_value": "pyfuncs.collateral",
    "market_value": "pyfuncs.collateral",
    "breach_period": "pyfuncs.coverage",
    "covenant_status": "pyfuncs.coverage",
    "decline_to_breach": "pyfuncs.coverage",
    "dscr": "pyfuncs.coverage",
    "duration_gap": "pyfuncs.coverage",
    "llcr": "pyfuncs.coverage",
    "plcr": "pyfuncs.coverage",
    "DealAssumptions": "pyfuncs.deal.assumptions",
    "parse_assumptions": "pyfuncs.deal.assumptions",
    "DealSchedule": "pyfuncs.deal.engine",
    "run_deal": "pyfuncs.deal.engine",
    "deal_schedule": "pyfuncs.deal.schedule",
    "headroom": "pyfuncs.deal.sensitivity",
    "sensitivity": "pyfuncs.deal.sensitivity",
    "StressResult": "pyfuncs.deal.stress",
    "joint_stress": "pyfuncs.deal.stress",
    "DebtSchedule": "pyfuncs.debt",
    "debt_capacity": "pyfuncs.debt",
    "debt_schedule": "pyfuncs.debt",
    "floating_rate": "pyfuncs.debt",
    "level_payment": "pyfuncs.debt",
    "sculpted_debt": "pyfuncs.debt",
    "wal": "pyfuncs.debt",
    "DomainError": "pyfuncs.errors",
    "ExcelError": "pyfuncs.errors",
    "GpuCreditError": "pyfuncs.errors",
    "InvalidInputError": "pyfuncs.errors",
    "NotFoundError": "pyfuncs.errors",
    "ZeroDenominatorError": "pyfuncs.errors",
    "gpu_curve": "pyfuncs.gpu_curves",
    "residual_value": "pyfuncs.gpu_curves",
    "adj_ltv": "pyfuncs.ltv",
    "ltv": "pyfuncs.ltv",
    "hashprice": "pyfuncs.miners",
    "miner_dscr": "pyfuncs.miners",
    "loss_quantile": "pyfuncs.portfolio_loss",
    "vasicek_pd": "pyfuncs.portfolio_loss",
    "firesale_discount": "pyfuncs.recovery",
    "firesale_recovery": "pyfuncs.recovery",
    "lgd": "pyfuncs.recovery",
    "recovery_waterfall": "pyfuncs.recovery",
    "breakeven_rent": "pyfuncs.rent",
    "cash_yield": "pyfuncs.rent",
    "implied_decline": "pyfuncs.rent",
    "opex_hour": "pyfuncs.rent",
    "rent_curve": "pyfuncs.rent",
    "revenue": "pyfuncs.rent",
    "cumulative_pd": "pyfuncs.spreads",
    "fair_spread": "pyfuncs.spreads",
    "hazard_rate": "pyfuncs.spreads",
    "repriced_spread": "pyfuncs.spreads",
}

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
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    # ``pyfuncs.call`` lives in the Excel layer; importing it lazily keeps ``import pyfuncs`` (the
    # math) free of the faces, as the architecture asks (docs/architecture.md).
    if name == "call":
        from pyfuncs.excel.dispatch import call

        return call
    # A submodule read as an attribute (``pyfuncs.rent`` after ``import pyfuncs``), as when this
    # package imported its modules eagerly.
    import importlib
    import importlib.util

    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'pyfuncs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """This package's module: a function named like its module (``borrowing_base``,
    ``catalogue``, ``ltv``) stays the package's attribute when that module is imported, as when
    the package imported its names eagerly (importing a submodule otherwise binds the module)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
