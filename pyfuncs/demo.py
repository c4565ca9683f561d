"""The numbers behind the thesis, for a sample neocloud deal on DOMAIN.md's defaults.

"As usually modelled" (flat rents, 6-year straight-line book value, book LTV) side by side with
"deflation-aware" (rents falling 28% a year, market value falling 30% a year and stepping down at
each NVIDIA generation, fire-sale value). Every number is computed by the catalogue functions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pyfuncs.collateral import book_value, ltv, market_value
from pyfuncs.coverage import dscr, first_breach
from pyfuncs.debt import debt_schedule
from pyfuncs.defaults import (
    ANNUAL_RENT_DECLINE,
    BOOK_LIFE_YEARS,
    CAPEX_PER_GPU_H100,
    CDS_RECOVERY,
    COLO_KW_MONTH_TYPICAL,
    DDTL_RATE,
    DEFAULT_DSCR,
    LOCKUP_DSCR,
    MARKET_VALUE_DECAY,
    UTILIZATION_CONTRACTED,
)
from pyfuncs.recovery import firesale_discount, firesale_recovery, lgd
from pyfuncs.rent import opex_hour, rent_curve, revenue
from pyfuncs.spreads import cumulative_pd, fair_spread, hazard_rate, repriced_spread


@dataclass(frozen=True)
class SampleDeal:
    """A neocloud GPU-backed term loan on documented defaults (sources in DOMAIN.md)."""

    gpus: int = 10_000
    capex_per_gpu: float = CAPEX_PER_GPU_H100  # ~$50k all-in H100 [25]
    loan_to_cost: float = 0.70  # data-centre ABS max LTV 70% [75]
    annual_rate: float = DDTL_RATE  # CoreWeave DDTL 2.0 effective 11% [39]
    years: float = 5.0  # DDTL 2.0 draws mature 5 years after draw [41]
    per_year: int = 12
    rent0: float = 2.35  # 1-yr H100 contract, Mar 2026 [3][5]
    annual_decline: float = ANNUAL_RENT_DECLINE  # -28%/yr [10][11]
    utilization: float = UTILIZATION_CONTRACTED  # 95% contracted [14]
    colo_kw_month: float = COLO_KW_MONTH_TYPICAL  # $200/kW-month [24]
    book_life_years: float = BOOK_LIFE_YEARS  # 6-yr straight line [31]
    market_decay: float = MARKET_VALUE_DECAY  # -30%/yr [37][38]
    gen_periods: tuple[int, ...] = (13, 25)  # Rubin Ultra 2027, Feynman 2028 [34]
    monthly_volume: float = 5_000.0  # used H100s the market absorbs a month (unsourced)
    site_factor: float = 1.0  # air-cooled HGX H100; 0.7 for liquid-cooled NVL72 [18]
    cost_per_unit: float = 1_500.0  # de-install, transport, refurbish per GPU (unsourced)
    market_spread: float = 0.0675  # CoreWeave 5-yr CDS ~675 bp [44][45]
    market_recovery: float = CDS_RECOVERY  # CDS convention 35% [45]
    checkpoints_years: tuple[int, ...] = (1, 2, 3, 4, 5)

    @property
    def principal(self) -> float:
        return self.gpus * self.capex_per_gpu * self.loan_to_cost

    @property
    def periods(self) -> int:
        return round(self.years * self.per_year)


@dataclass
class Scenario:
    """One view of the deal: its DSCR path and covenant breaches."""

    name: str
    rent_note: str
    min_dscr: float
    average_dscr: float
    dscr_by_year: dict[int, float]
    lockup_breach_period: int | None
    default_breach_period: int | None


@dataclass
class DemoResult:
    """Everything ``gpucredit demo`` shows."""

    deal: dict[str, Any]
    opex_hour: float
    monthly_debt_service: float
    scenarios: list[Scenario]
    ltv_by_year: dict[int, dict[str, float | None]]
    firesale: dict[str, float]
    spreads: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _scenario(name: str, note: str, rents: np.ndarray, deal: SampleDeal, opex: float, service):
    cash = revenue(rents, deal.gpus, deal.utilization, deal.per_year) - revenue(
        opex, deal.gpus, 1.0, deal.per_year
    )
    ratios = dscr(cash, service)
    lockup = int(first_breach(ratios, LOCKUP_DSCR))
    default = int(first_breach(ratios, DEFAULT_DSCR))
    by_year = {y: float(ratios[y * deal.per_year - 1]) for y in deal.checkpoints_years}
    return Scenario(
        name,
        note,
        float(ratios.min()),
        float(ratios.mean()),
        by_year,
        lockup or None,
        default or None,
    )


def run_demo(deal: SampleDeal | None = None) -> DemoResult:
    """Compute the side-by-side numbers for ``deal`` (default: :class:`SampleDeal`)."""
    deal = deal or SampleDeal()
    n = deal.periods
    opex = float(opex_hour(colo_kw_month=deal.colo_kw_month))
    schedule = debt_schedule(deal.principal, deal.annual_rate, deal.years, deal.per_year)
    service = schedule.debt_service

    flat = _scenario(
        "As usually modelled",
        "flat rent",
        rent_curve(deal.rent0, n, 0.0, deal.per_year),
        deal,
        opex,
        service,
    )
    deflating = _scenario(
        "Deflation-aware",
        f"rent -{deal.annual_decline:.0%}/yr",
        rent_curve(deal.rent0, n, deal.annual_decline, deal.per_year),
        deal,
        opex,
        service,
    )

    cost = deal.gpus * deal.capex_per_gpu
    book = book_value(cost, deal.book_life_years, n, 0.0, "SLN", deal.per_year)
    unit_market = market_value(
        deal.capex_per_gpu, n + 1, deal.market_decay, deal.per_year, list(deal.gen_periods)
    )[1:]  # value at the end of period t is the curve at period t+1
    fleet_market = unit_market * deal.gpus
    fleet_firesale = firesale_recovery(
        unit_market,
        deal.gpus,
        deal.monthly_volume,
        site_factor=deal.site_factor,
        cost_per_unit=deal.cost_per_unit,
    )
    balance = schedule.closing
    ltvs: dict[int, dict[str, float | None]] = {}
    for year in deal.checkpoints_years[:-1]:
        t = year * deal.per_year - 1
        ltvs[year] = {
            "book": float(ltv(balance[t], book[t])),
            "market": float(ltv(balance[t], fleet_market[t])),
            "firesale": float(ltv(balance[t], fleet_firesale[t]))
            if fleet_firesale[t] > 0
            else None,
        }

    default_at = deflating.default_breach_period or deflating.lockup_breach_period or n
    t = default_at - 1
    exposure = float(schedule.opening[..., t])
    recovery = float(fleet_firesale[t])
    loss = float(lgd(exposure, recovery))
    discount = float(firesale_discount(deal.gpus, deal.monthly_volume))
    firesale = {
        "period": float(default_at),
        "exposure": exposure,
        "market_value": float(fleet_market[t]),
        "discount": discount,
        "recovery": recovery,
        "lgd": loss,
    }

    market_lgd = 1.0 - deal.market_recovery
    hazard = float(hazard_rate(deal.market_spread, deal.market_recovery))
    annual_pd = float(cumulative_pd(hazard, 1.0))
    spreads = {
        "market_spread": deal.market_spread,
        "market_hazard": hazard,
        "market_annual_pd": annual_pd,
        "market_5y_pd": float(cumulative_pd(hazard, 5.0)),
        "market_lgd": market_lgd,
        "firesale_lgd": loss,
        "expected_loss_spread_market": float(fair_spread(annual_pd, market_lgd)),
        "repriced_spread": float(
            repriced_spread(deal.market_spread, annual_pd, market_lgd, annual_pd, loss)
        ),
    }
    notes = [
        "Flat rents keep DSCR level; at -28%/yr the same loan breaches its lock-up.",
        "Book LTV falls as the loan amortises; market and fire-sale LTV rise as GPUs deflate.",
        "The repriced spread holds the market's PD and swaps in the fire-sale LGD.",
        "Unsourced inputs (market depth, de-install cost) are placeholders to calibrate.",
    ]
    return DemoResult(
        deal={**asdict(deal), "principal": deal.principal, "periods": n},
        opex_hour=opex,
        monthly_debt_service=float(service[0]),
        scenarios=[flat, deflating],
        ltv_by_year=ltvs,
        firesale=firesale,
        spreads=spreads,
        notes=notes,
    )
