"""The numbers behind the thesis, on sample deals built from the documented defaults.

"As usually modelled" (flat rents, 6-year straight-line book value, book LTV) side by side with
"deflation-aware" (the H100 curves of docs/gpu-curves.md: rent whose margin over cash cost falls
28% a year, resale value on the published H100 bands, all-in with no generation steps, fire-sale
value), both through the deal's real structural protections
(a 6-month DSRA, quarterly tests of the trailing twelve-month DSCR, a lock-up cash trap, payment
default) and once more with a 100% cash sweep; then the miner's maturity wall and a joint
BTC/rent stress of a contracted neocloud beside the miner. Every headline number comes from
:mod:`pyfuncs.deal.metrics`, the one deal summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import deal_opex_hour, run_deal
from pyfuncs.deal.examples import MINER as SAMPLE_MINER
from pyfuncs.deal.examples import NEOCLOUD_CONTRACTED as SAMPLE_CONTRACTED_NEOCLOUD
from pyfuncs.deal.examples import NEOCLOUD_THESIS as SAMPLE_NEOCLOUD
from pyfuncs.deal.metrics import deal_summary, shown_spread
from pyfuncs.deal.stress import joint_stress
from pyfuncs.errors import ExcelError
from pyfuncs.recovery import firesale_discount
from pyfuncs.spreads import cumulative_pd, hazard_rate, repriced_spread


@dataclass
class Scenario:
    """One view of the deal: its DSCR path, covenant breaches and what the waterfall did."""

    name: str
    rent_note: str
    min_dscr: float
    average_dscr: float
    min_tested_dscr: float
    dscr_by_year: dict[int, float]
    lockup_breach_period: int | None
    default_breach_period: int | None
    default_kind: str
    dsra_first_draw: int | None
    repaid_period: int | None


@dataclass
class DemoResult:
    """Everything ``gpucredit demo`` shows."""

    deal: dict[str, Any]
    opex_hour: float
    monthly_debt_service: float
    scenarios: list[Scenario]
    ltv_by_year: dict[int, dict[str, float | None]]
    firesale: dict[str, float]
    spreads: dict[str, Any]
    wall: dict[str, Any] = field(default_factory=dict)
    stress: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: stress columns of deals with no BTC (their BTC-rent correlation means nothing)
    no_btc: set[str] = field(default_factory=set)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) + 1 if hits.size else None


def _scenario(name: str, note: str, a: DealAssumptions) -> Scenario:
    schedule = run_deal(a)
    summary = deal_summary(a, schedule)
    ratios = schedule.dscr[0]
    return Scenario(
        name=name,
        rent_note=note,
        min_dscr=summary.min_dscr,
        average_dscr=summary.average_dscr,
        min_tested_dscr=summary.min_tested_dscr,
        dscr_by_year={
            y: float(ratios[y * a.per_year - 1])
            for y in range(1, a.horizon_periods // a.per_year + 1)
        },
        lockup_breach_period=summary.first_lockup,
        default_breach_period=summary.first_default,
        default_kind=summary.default_kind,
        dsra_first_draw=_first(schedule.dsra_draw[0] > 0),
        repaid_period=summary.repaid_period,
    )


def _sweep_note(base: Scenario, swept: Scenario, decline: str) -> str:
    """What the 100% cash sweep did to this deal, read off the two scenarios."""
    if swept.repaid_period is not None:
        return (
            f"A 100% cash sweep repays the loan in month {swept.repaid_period}, while rents are "
            "still high: it is gone before the decline bites."
        )
    if swept.default_breach_period is not None and base.default_breach_period is not None:
        return (
            f"A 100% cash sweep prepays while rents are high but cannot outrun {decline}: "
            f"the default moves from month {base.default_breach_period} to month "
            f"{swept.default_breach_period}."
        )
    return "A 100% cash sweep prepays principal from every month's excess cash."


def _rent_note(a: DealAssumptions) -> str:
    """How the deal's market rent moves: a GPU model's curve, or a constant decline."""
    if a.gpu_model is not None and not a.model_fields_set & {"rent0", "annual_decline"}:
        return f"{a.gpu_model} rent curve"
    return f"rent -{a.annual_decline:.0%}/yr"


def _value_note(a: DealAssumptions) -> str:
    """How the deal's GPU value moves: a GPU model's resale curve, or a constant decay."""
    if a.gpu_model is not None and "market_decay" not in a.model_fields_set:
        return f"{a.gpu_model} resale curve"
    return f"-{a.market_decay:.0%}/yr all-in"


def _decline_words(a: DealAssumptions) -> str:
    if a.gpu_model is not None and not a.model_fields_set & {"rent0", "annual_decline"}:
        return f"the {a.gpu_model} curve's decline"
    return f"a {a.annual_decline:.0%} decline"


def run_demo(paths: int = 10_000, seed: int = 1) -> DemoResult:
    """Compute the side-by-side numbers and the joint stress of the sample deals."""
    deflating = parse_assumptions(SAMPLE_NEOCLOUD)
    flat = parse_assumptions(SAMPLE_NEOCLOUD, annual_decline=0.0)
    swept = parse_assumptions(SAMPLE_NEOCLOUD, cash_sweep=1.0)
    scenarios = [
        _scenario("As usually modelled", "flat rent", flat),
        _scenario("Deflation-aware", _rent_note(deflating), deflating),
        _scenario("Deflation-aware", "100% cash sweep", swept),
    ]

    schedule = run_deal(deflating)
    summary = deal_summary(deflating, schedule)
    py = deflating.per_year
    ltvs: dict[int, dict[str, float | None]] = {}
    for year in range(1, deflating.horizon_periods // py + 1):
        t = year * py - 1  # a year-end test date
        if summary.first_default is not None and t + 1 > summary.first_default:
            break
        firesale_ltv = float(schedule.firesale_ltv[0, t])
        ltvs[year] = {
            "book": float(schedule.book_ltv[0, t]),
            "market": float(schedule.market_ltv[0, t]),
            "firesale": firesale_ltv if np.isfinite(firesale_ltv) else None,
        }

    default_at = summary.first_default or deflating.horizon_periods
    t = default_at - 1
    firesale = {
        "period": float(default_at),
        "kind": summary.default_kind,
        "exposure": summary.ead,
        "market_value": float(schedule.market_value[0, t]),
        "discount": float(firesale_discount(deflating.gpus, deflating.monthly_volume)),
        "recovery": float(schedule.outcome.firesale_at_default[0]),
        "cash": float(schedule.outcome.cash_at_default[0]),
        "net_recovery": summary.net_recovery,
        "shortfall": summary.shortfall,
        "lgd": summary.lgd or 0.0,
    }

    market_lgd = 1.0 - deflating.market_recovery
    hazard = float(hazard_rate(deflating.market_spread, deflating.market_recovery))
    annual_pd = float(cumulative_pd(hazard, 1.0))
    loss_rate = summary.lgd or 0.0
    spreads = {
        "market_spread": deflating.market_spread,
        "market_hazard": hazard,
        "market_annual_pd": annual_pd,
        "market_5y_pd": float(cumulative_pd(hazard, 5.0)),
        "market_lgd": market_lgd,
        "firesale_lgd": loss_rate,
        "repriced_spread": shown_spread(
            float(
                repriced_spread(
                    deflating.market_spread, annual_pd, market_lgd, annual_pd, loss_rate
                )
            )
        ),
    }

    miner = parse_assumptions(SAMPLE_MINER)
    miner_summary = deal_summary(miner, run_deal(miner))
    wall = asdict(miner_summary.wall) if miner_summary.wall else {}
    wall.update(
        min_dscr=miner_summary.min_dscr,
        first_default=miner_summary.first_default,
        lender_default=miner_summary.lender_default,
        default_kind=miner_summary.default_kind,
        periods=miner_summary.periods,
    )

    stress = {
        "Contracted neocloud": joint_stress(SAMPLE_CONTRACTED_NEOCLOUD, paths, seed).as_dict(),
        "Miner, correlation 0.5": joint_stress(miner, paths, seed).as_dict(),
        "Miner, correlation 0.8": joint_stress(
            parse_assumptions(miner, correlation=0.8), paths, seed
        ).as_dict(),
    }
    notes = [
        f"Flat rents keep DSCR level; on the {_rent_note(deflating)} the same loan locks up, "
        "drains its DSRA and defaults when the reserve runs out.",
        _sweep_note(scenarios[1], scenarios[2], _decline_words(deflating)),
        "Book LTV falls as the loan amortises; market and fire-sale LTV rise as GPUs deflate. The "
        "lender's measure is the shortfall: exposure less the reserves and the net fire sale.",
        "The miner's schedule runs to its convertible's maturity: the wall is what it owes then, "
        "shown on its own; a minimum DSCR is over operating months with scheduled debt service "
        "(a wall month's DSCR, its principal over a month's cash, measures no coverage).",
        "PD, annual PD and spreads are the senior lender's: a default after its loan is repaid "
        "(a convertible's wall) costs it nothing and shows as borrower distress, not as PD.",
        "Spreads above 2,000 bp show as 'distressed'; an annual PD where every path defaults is "
        "#NUM! and the first default period is shown instead.",
        "Rent volatility (15%/yr) is calibrated to the documented decline band; unsourced inputs "
        "(market depth, de-install cost, hash cost, hashrate response) are placeholders to "
        "calibrate; see docs/functions.md for every assumption.",
    ]
    return DemoResult(
        deal={
            **deflating.model_dump(),
            "principal": deflating.principal,
            "periods": deflating.horizon_periods,
            "rent_month1": float(schedule.rent[0, 0]),
            "value_note": _value_note(deflating),
        },
        opex_hour=deal_opex_hour(deflating),
        monthly_debt_service=float(schedule.debt_service[0, 0]),
        scenarios=scenarios,
        ltv_by_year=ltvs,
        firesale=firesale,
        spreads=spreads,
        wall=wall,
        stress=stress,
        notes=notes,
        no_btc={
            name
            for name, deal in (("Contracted neocloud", SAMPLE_CONTRACTED_NEOCLOUD),)
            if not deal.get("btc_held") and not deal.get("hashrate_ph")
        },
    )


# --- printing ----------------------------------------------------------------------------------


def _correlation_text(x: float) -> str:
    return f"{x:.1f}"


def _pct(x: float) -> str:
    return f"{x:.1%}"


def ratio_text(x: float) -> str:
    """A ratio at two decimals, ``1.24x``; a value that rounds to zero reads ``0.00x``, not ``-0.00x``."""
    return f"{round(x, 2) + 0.0:.2f}x"


def _money(x: float) -> str:
    return f"${x / 1e6:,.1f}M"


def _bp(x: Any) -> str:
    return x if isinstance(x, str) else f"{x * 1e4:,.0f} bp"


def _cell(value: Any, fmt) -> str:
    """A stress value as text: errors with their reason, text as is, numbers formatted."""
    if isinstance(value, ExcelError):
        return value.code
    if isinstance(value, str):
        return value
    if value is None or value != value or abs(value) == float("inf"):
        return "n/a"
    return fmt(value)


def _when(period: int | None) -> str:
    return "never" if period is None else str(period)


def _label_table(title: str, rows: list[tuple[str, str]]) -> Any:
    """A two-column rich table of labelled values (label left, value right)."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    return table


def print_demo(result: DemoResult, console: Any) -> None:
    """Print the demo's tables."""
    from rich.table import Table

    deal = result.deal
    console.print(
        f"[bold]Sample neocloud deal[/bold]: {deal['gpus']:,} H100s at "
        f"${deal['capex_per_gpu']:,.0f}, loan {_money(deal['principal'])} "
        f"({deal['loan_to_cost']:.0%} of cost) at {deal['annual_rate']:.0%} over "
        f"{deal['tenor_years']:g} years, monthly annuity; rent ${deal['rent_month1']:.2f}/GPU-hr, "
        f"utilisation {deal['utilization']:.0%}, opex ${result.opex_hour:.3f}/GPU-hr. "
        f"Protections: DSRA {deal['dsra_months']:g} months of debt service, "
        f"{deal['test_frequency']} tests a year of the trailing {deal['dscr_lookback']:g}-month "
        f"DSCR, lock-up below {deal['lockup_dscr']:.2f}x ({deal['lockup_action']}), "
        f"{deal['default_trigger']} default."
    )

    table = Table(title="Debt service coverage (DSCR) through the cash waterfall")
    table.add_column("")
    for scenario in result.scenarios:
        table.add_column(f"{scenario.name}\n({scenario.rent_note})", justify="right")
    longest = max(result.scenarios, key=lambda s: len(s.dscr_by_year))
    table.add_row(
        "Minimum DSCR (a month with debt service)",
        *(ratio_text(s.min_dscr) for s in result.scenarios),
    )
    table.add_row(
        "Minimum tested DSCR (LTM)",
        *(_cell(s.min_tested_dscr, ratio_text) for s in result.scenarios),
    )
    for year in longest.dscr_by_year:
        table.add_row(
            f"DSCR, month {year * deal['per_year']}",
            *(_cell(s.dscr_by_year.get(year, float("nan")), ratio_text) for s in result.scenarios),
        )
    table.add_row(
        f"Lock-up (test < {deal['lockup_dscr']:.2f}x) from month",
        *(_when(s.lockup_breach_period) for s in result.scenarios),
    )
    table.add_row(
        "DSRA first drawn in month", *(_when(s.dsra_first_draw) for s in result.scenarios)
    )
    table.add_row(
        "Default from month",
        *(
            _when(s.default_breach_period)
            + (f" ({s.default_kind})" if s.default_breach_period else "")
            for s in result.scenarios
        ),
    )
    table.add_row("Repaid in month", *(_when(s.repaid_period) for s in result.scenarios))
    console.print(table)

    table = Table(title="Loan-to-value at year-end test dates (deflation-aware, to the default)")
    table.add_column("Year end")
    table.add_column("Book LTV\n6-yr SLN", justify="right")
    table.add_column(f"Market LTV\n{deal['value_note']}", justify="right")
    table.add_column("Fire-sale LTV\nforced sale, net", justify="right")
    for year, row in result.ltv_by_year.items():
        firesale = "no recovery" if row["firesale"] is None else _pct(row["firesale"])
        table.add_row(str(year), _pct(row["book"]), _pct(row["market"]), firesale)
    console.print(table)

    fs = result.firesale
    console.print(
        _label_table(
            f"What the lender loses at the first default (month {fs['period']:.0f}, {fs['kind']})",
            [
                ("Lender's exposure (EAD, senior loan)", _money(fs["exposure"])),
                ("Market value of the fleet", _money(fs["market_value"])),
                ("Fire-sale discount", _pct(fs["discount"])),
                ("Net fire-sale recovery", _money(fs["recovery"])),
                ("Cash in the DSRA and lock-up account", _money(fs["cash"])),
                ("Net recovery (fire sale discounted + cash)", _money(fs["net_recovery"])),
                ("Shortfall (EAD - net recovery)", _money(fs["shortfall"])),
                ("Loss given default", _pct(fs["lgd"])),
            ],
        )
    )

    sp = result.spreads
    console.print(
        _label_table(
            "Spreads: what the market prices vs what the collateral implies",
            [
                ("Market spread (CoreWeave 5-yr CDS)", _bp(sp["market_spread"])),
                ("Implied hazard rate (35% recovery)", _pct(sp["market_hazard"])),
                ("Implied 5-year PD", _pct(sp["market_5y_pd"])),
                ("LGD the market assumes", _pct(sp["market_lgd"])),
                ("LGD from the fire sale", _pct(sp["firesale_lgd"])),
                ("Repriced spread (same PD, fire-sale LGD)", _bp(sp["repriced_spread"])),
            ],
        )
    )

    wall = result.wall
    if wall:
        rows = [
            ("Schedule length", f"{wall['periods']} months"),
            ("Maturity in month", str(wall.get("period", "none"))),
        ]
        if "due" in wall:
            rows += [
                ("Amount due at maturity", _money(wall["due"])),
                ("Cash available then", _money(wall["cash_available"])),
                ("Refinancing DSCR", _cell(wall["refi_dscr"], ratio_text)),
            ]
        rows += [
            ("Minimum DSCR, operating months (wall excluded)", ratio_text(wall["min_dscr"])),
            (
                "Borrower default",
                _when(wall["first_default"])
                + (f" ({wall['default_kind']})" if wall["first_default"] else ""),
            ),
            ("Senior lender in default from month", _when(wall.get("lender_default"))),
        ]
        console.print(
            _label_table("The miner's maturity wall (schedule to the last maturity)", rows)
        )

    table = Table(
        title="Joint stress through the waterfall: BTC and GPU rents shocked together "
        "(10,000 paths, seed 1)"
    )
    table.add_column("")
    for name in result.stress:
        table.add_column(name, justify="right")
    rows = (
        ("Correlation of BTC and rent shocks", "correlation", _correlation_text),
        ("P(a month's DSCR < 1)", "prob_dscr_below_1", _pct),
        ("P(lock-up)", "prob_lockup", _pct),
        ("P(lender default), whole horizon", "prob_default", _pct),
        ("of which at a maturity wall", "prob_maturity_default", _pct),
        ("Borrower distress: P(default on any debt)", "prob_borrower_default", _pct),
        ("Median first default, month", "first_default_p50", lambda x: f"{x:.0f}"),
        ("Lender's annual PD", "annual_pd", _pct),
        ("Expected LGD (shortfall / EAD)", "expected_lgd", _pct),
        ("Expected loss / lender's loan", "expected_loss", _pct),
        ("Minimum DSCR, 5th percentile", "min_dscr_p5", ratio_text),
        ("Minimum DSCR, median", "min_dscr_p50", ratio_text),
        ("Fair spread", "fair_spread", _bp),
    )
    for label, key, fmt in rows:
        table.add_row(
            label,
            *(
                "no BTC" if key == "correlation" and name in result.no_btc else _cell(s[key], fmt)
                for name, s in result.stress.items()
            ),
        )
    console.print(table)
    for note in result.notes:
        console.print(f"- {note}")


# --- workbooks ---------------------------------------------------------------------------------


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
    """Build the four templates into ``out_dir`` and refresh the neocloud at a 35% decline.

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
