"""gpucredit's credit math for lending against GPUs, and its Excel catalogue.

Import the functions directly (``pyfuncs.dscr``, ``pyfuncs.rent_curve``) for numpy work, or run
any catalogue function on Excel values with :func:`call`::

    >>> import pyfuncs
    >>> pyfuncs.call("GPU.DSCR", [[1.2], [0.9]], [[1.0], [1.0]])
    [[1.2], [0.9]]
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

#: Where each public name lives; imported on first use, so that ``import pyfuncs.errors`` (or a
#: refresh of a workbook that uses only Excel's built-ins) does not load the whole library.
_HOME = {
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
    "call": "pyfuncs.excel.dispatch",
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
    "vasicek_pd",
    "wal",
]


def __getattr__(name: str) -> Any:
    # ``pyfuncs.call`` lives in the Excel layer; importing it lazily keeps ``import pyfuncs`` (the
    # math) free of the faces, as the architecture asks (docs/architecture.md).
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'pyfuncs' has no attribute {name!r}")
    module = importlib.import_module(home)
    if name == "REGISTRY":  # filled as the catalogue's modules are imported
        module._load_catalogue()
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


class _Package(types.ModuleType):
    """The package's module type. ``pyfuncs.ltv``, ``pyfuncs.catalogue``... are functions that
    share their name with the module they live in; importing that module binds the name on the
    package, so those names are properties that always answer the function (the module stays
    in ``sys.modules``)."""


def _function_property(name: str, home: str) -> property:
    def get(module: types.ModuleType) -> Any:
        return getattr(importlib.import_module(home), name)

    def set_(module: types.ModuleType, value: Any) -> None:
        pass  # the submodule's import binding; the function keeps the name

    return property(get, set_)


for _name, _home in _HOME.items():
    if _home == f"pyfuncs.{_name}":
        setattr(_Package, _name, _function_property(_name, _home))

sys.modules[__name__].__class__ = _Package
