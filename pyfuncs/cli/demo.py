"""The numbers behind the thesis, on sample deals built from DOMAIN.md's defaults.

"As usually modelled" (flat rents, 6-year straight-line book value, book LTV) side by side with
"deflation-aware" (rents falling 28% a year, market value falling 30% a year and stepping down at
each NVIDIA generation, fire-sale value), then a joint BTC/rent stress of a neocloud beside a
miner pivoting to AI hosting. Every number comes from the deal engine and the catalogue functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import deal_opex_hour, path_losses, run_deal
from pyfuncs.deal.examples import MINER as SAMPLE_MINER
from pyfuncs.deal.examples import NEOCLOUD_CONTRACTED as SAMPLE_CONTRACTED_NEOCLOUD
from pyfuncs.deal.examples import NEOCLOUD_THESIS as SAMPLE_NEOCLOUD
from pyfuncs.deal.stress import joint_stress
from pyfuncs.recovery import firesale_discount
from pyfuncs.spreads import cumulative_pd, hazard_rate, repriced_spread


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
    stress: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _scenario(name: str, note: str, a: DealAssumptions) -> Scenario:
    ratios = run_deal(a).dscr[0]
    below = {level: np.flatnonzero(ratios < level) for level in (a.lockup_dscr, a.default_dscr)}
    return Scenario(
        name=name,
        rent_note=note,
        min_dscr=float(np.nanmin(ratios)),
        average_dscr=float(np.nanmean(ratios)),
        dscr_by_year={
            y: float(ratios[y * a.per_year - 1])
            for y in range(1, a.horizon_periods // a.per_year + 1)
        },
        lockup_breach_period=int(below[a.lockup_dscr][0]) + 1
        if below[a.lockup_dscr].size
        else None,
        default_breach_period=int(below[a.default_dscr][0]) + 1
        if below[a.default_dscr].size
        else None,
    )


def run_demo(paths: int = 10_000, seed: int = 1) -> DemoResult:
    """Compute the side-by-side numbers and the joint stress of the sample deals."""
    deflating = parse_assumptions(SAMPLE_NEOCLOUD)
    flat = parse_assumptions(SAMPLE_NEOCLOUD, annual_decline=0.0)
    scenarios = [
        _scenario("As usually modelled", "flat rent", flat),
        _scenario("Deflation-aware", f"rent -{deflating.annual_decline:.0%}/yr", deflating),
    ]

    schedule = run_deal(deflating)
    py = deflating.per_year
    ltvs: dict[int, dict[str, float | None]] = {}
    for year in range(1, deflating.tenor_periods // py):
        t = year * py - 1
        firesale_ltv = float(schedule.firesale_ltv[0, t])
        ltvs[year] = {
            "book": float(schedule.book_ltv[0, t]),
            "market": float(schedule.market_ltv[0, t]),
            "firesale": firesale_ltv if np.isfinite(firesale_ltv) else None,
        }

    losses = path_losses(deflating, schedule)
    default_at = int(losses.default_period[0]) or deflating.horizon_periods
    t = default_at - 1
    fleet_market = float(schedule.market_value[0, t])
    loss_rate = float(losses.lgd[0]) if losses.default_period[0] else 0.0
    firesale = {
        "period": float(default_at),
        "exposure": float(schedule.opening[0, t]),
        "market_value": fleet_market,
        "discount": float(firesale_discount(deflating.gpus, deflating.monthly_volume)),
        "recovery": float(schedule.firesale_value[0, t]),
        "lgd": loss_rate,
    }

    market_lgd = 1.0 - deflating.market_recovery
    hazard = float(hazard_rate(deflating.market_spread, deflating.market_recovery))
    annual_pd = float(cumulative_pd(hazard, 1.0))
    spreads = {
        "market_spread": deflating.market_spread,
        "market_hazard": hazard,
        "market_annual_pd": annual_pd,
        "market_5y_pd": float(cumulative_pd(hazard, 5.0)),
        "market_lgd": market_lgd,
        "firesale_lgd": loss_rate,
        "repriced_spread": float(
            repriced_spread(deflating.market_spread, annual_pd, market_lgd, annual_pd, loss_rate)
        ),
    }

    stress = {
        "Contracted neocloud": joint_stress(SAMPLE_CONTRACTED_NEOCLOUD, paths, seed).as_dict(),
        "Miner, correlation 0.5": joint_stress(SAMPLE_MINER, paths, seed).as_dict(),
        "Miner, correlation 0.8": joint_stress(
            parse_assumptions(SAMPLE_MINER, correlation=0.8), paths, seed
        ).as_dict(),
    }
    notes = [
        "Flat rents keep DSCR level; at -28%/yr the same loan breaches its lock-up.",
        "Book LTV falls as the loan amortises; market and fire-sale LTV rise as GPUs deflate.",
        "The repriced spread holds the market's PD and swaps in the fire-sale LGD.",
        "The miner's mining and hosting cash both fall when BTC and rents fall together: a "
        "higher correlation raises its default probability.",
        "Unsourced inputs (market depth, de-install cost, hash cost, rent volatility) are "
        "placeholders to calibrate; see docs/functions.md for every assumption.",
    ]
    return DemoResult(
        deal={
            **deflating.model_dump(),
            "principal": deflating.principal,
            "periods": deflating.horizon_periods,
        },
        opex_hour=deal_opex_hour(deflating),
        monthly_debt_service=float(schedule.debt_service[0, 0]),
        scenarios=scenarios,
        ltv_by_year=ltvs,
        firesale=firesale,
        spreads=spreads,
        stress=stress,
        notes=notes,
    )


@dataclass
class DemoWorkbook:
    """A workbook the demo wrote."""

    path: Path
    description: str
    min_dscr: float


def _dashboard_min_dscr(path: Path) -> float:
    """The dashboard's "Minimum DSCR" (the deflation-aware one where two views stand side by side)."""
    from openpyxl import load_workbook

    sheet = load_workbook(path, data_only=True, read_only=True)["Dashboard"]
    for row in sheet.iter_rows(min_row=5, max_row=30, values_only=True):
        if row and row[0] == "Minimum DSCR":
            return min(float(v) for v in row[1:] if isinstance(v, int | float))
    raise LookupError(f"{path.name}: no minimum DSCR on the dashboard")


def build_demo_workbooks(out_dir: Path) -> list[DemoWorkbook]:
    """Build the three templates into ``out_dir`` and refresh the neocloud at a 35% decline.

    Files already there are replaced: the folder is the demo's own output.
    """
    from pyfuncs.fileio import write_bytes_atomic
    from pyfuncs.refresh.core import refresh
    from pyfuncs.templates import TEMPLATES, build_template

    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for name, template in TEMPLATES.items():
        path = out_dir / f"{name}.xlsx"
        write_bytes_atomic(path, build_template(name))
        made.append(DemoWorkbook(path, template.title, _dashboard_min_dscr(path)))
    steeper = out_dir / "neocloud.decline-35.xlsx"
    refresh(out_dir / "neocloud.xlsx", steeper, assignments=[("annual_decline", 0.35)], force=True)
    made.append(
        DemoWorkbook(
            steeper,
            "the neocloud refreshed with gpucredit refresh --set annual_decline=0.35",
            _dashboard_min_dscr(steeper),
        )
    )
    return made
