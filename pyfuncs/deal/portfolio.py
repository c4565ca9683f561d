"""Portfolios: every deal through the same engine, on local processes or a Dask cluster.

A portfolio run is a map over deals (docs/architecture.md): each deal gets its base-case schedule, a
joint stress, its fire-sale recovery and a repriced spread. A deal with bad inputs is reported
with its reason and the others still complete.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pyfuncs.deal.assumptions import load_assumptions_file, parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.metrics import deal_summary, lender_principal
from pyfuncs.deal.portfolio_credit import (
    RENT_INDEX_WEIGHT,
    Concentration,
    LossDistribution,
    concentration,
    deal_path_shortfalls,
    months_needed,
)
from pyfuncs.deal.stress import joint_stress
from pyfuncs.errors import GpuCreditError, InvalidInputError

#: Columns of the summary, in order, with their number formats in the workbook. The numbers
#: come from pyfuncs.deal.metrics (the one deal summary): base case, then the joint stress.
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("deal", "@"),
    ("status", "@"),
    ("principal", "#,##0"),
    ("tenor_years", "0.0"),
    ("horizon_years", "0.0"),
    ("min_dscr", "0.00"),
    ("avg_dscr", "0.00"),
    ("min_tested_dscr", "0.00"),
    ("lockup_period", "0"),
    ("default_period", "0"),
    ("default_kind", "@"),
    ("repaid_period", "0"),
    ("ead_at_default", "#,##0"),
    ("shortfall_at_default", "#,##0"),
    ("maturity_wall", "#,##0"),
    ("firesale_recovery_now", "0.0%"),
    ("prob_lockup", "0.0%"),
    ("prob_default", "0.0%"),
    ("annual_pd", "0.00%"),
    ("expected_lgd", "0.0%"),
    ("expected_loss", "0.00%"),
    ("expected_loss_usd", "#,##0"),
    ("min_dscr_p5", "0.00"),
    ("fair_spread", "0.00%"),
    ("market_spread", "0.00%"),
    ("repriced_spread", "0.00%"),
    # the borrower's own first default on any debt (a convertible's wall after the lender is
    # repaid included): equity distress beside the lender's measure, never its PD
    ("borrower_default_period", "0"),
    ("borrower_default_kind", "@"),
    ("prob_borrower_default", "0.0%"),
)


@dataclass
class DealResult:
    """One deal's summary row; ``status`` is ``"ok"`` or the reason it could not be computed."""

    index: int
    values: dict[str, Any] = field(default_factory=dict)
    #: Dollar shortfall on every path of the portfolio's shared factor draws (portfolio credit).
    shortfalls: np.ndarray | None = None
    #: (counterparty, GPU model, site) for the concentration report.
    names: tuple[str, str, str] = ("", "", "")

    @property
    def ok(self) -> bool:
        return self.values.get("status") == "ok"


def _finite_or_none(x: Any) -> float | str | None:
    """A number for the sheet; text ("distressed") as is; errors and non-finite numbers blank."""
    if isinstance(x, str):
        return x
    if not isinstance(x, int | float | np.floating):
        return None
    return float(x) if math.isfinite(x) else None


def evaluate_deal(
    index: int,
    values: dict[str, Any],
    paths: int,
    seed: int,
    months: int = 0,
    weight: float = RENT_INDEX_WEIGHT,
) -> DealResult:
    """Schedule, stress, recovery and spread of one deal; errors become the row's status.

    With ``months`` > 0 the deal also runs on the portfolio's shared factor draws
    (:mod:`pyfuncs.deal.portfolio_credit`) and keeps its shortfall on every path.
    """
    name = str(values.get("name") or f"deal {index + 1}")
    try:
        a = parse_assumptions(values)
        base = run_deal(a)
        summary = deal_summary(a, base)
        stress = joint_stress(a, paths=paths, seed=seed)
        market_now = base.market_value[0, 0]
        lender = summary.lender_default
        row = {
            "deal": a.name if a.name != "deal" else name,
            "status": "ok",
            "principal": lender_principal(base),
            "tenor_years": a.tenor_years,
            "horizon_years": a.horizon_periods / a.per_year,
            "min_dscr": _finite_or_none(summary.min_dscr),
            "avg_dscr": _finite_or_none(summary.average_dscr),
            "min_tested_dscr": _finite_or_none(summary.min_tested_dscr),
            "lockup_period": summary.first_lockup,
            # the lender's measure: a default counts only while its loan is outstanding
            "default_period": lender,
            "default_kind": summary.default_kind if lender else "none",
            "repaid_period": summary.repaid_period,
            "ead_at_default": summary.ead if lender else None,
            "shortfall_at_default": summary.shortfall if lender else None,
            "maturity_wall": summary.wall.due if summary.wall else None,
            "firesale_recovery_now": (
                float(base.firesale_value[0, 0] / market_now) if market_now > 0 else None
            ),
        }
        for key in (
            "prob_lockup",
            "prob_default",
            "annual_pd",
            "expected_lgd",
            "expected_loss",
            "expected_loss_usd",
            "min_dscr_p5",
            "fair_spread",
            "market_spread",
            "repriced_spread",
            "prob_borrower_default",
        ):
            row[key] = _finite_or_none(stress[key])
        row["borrower_default_period"] = summary.first_default
        row["borrower_default_kind"] = summary.default_kind
        shortfalls = (
            deal_path_shortfalls(values, index, paths, seed, months, weight) if months else None
        )
        names = (
            a.contract_counterparty or "(none)",
            a.gpu_model or "(none)",
            a.site or "(none)",
        )
        return DealResult(index, row, shortfalls, names)
    except GpuCreditError as exc:
        return DealResult(index, {"deal": name, "status": f"{exc.code} {exc.reason}"})
    except Exception as exc:  # one broken deal must not stop the portfolio
        return DealResult(index, {"deal": name, "status": f"error: {type(exc).__name__}: {exc}"})


def _evaluate_task(task: tuple[Any, ...]) -> DealResult:
    return evaluate_deal(*task)


def read_deals(path: str | Path) -> list[dict[str, Any]]:
    """Deals from a CSV (one row per deal, columns named as assumptions) or a YAML/JSON file."""
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file")
    csv_file = path.suffix.lower() == ".csv"
    deals = read_csv_deals(path) if csv_file else load_assumptions_file(path)
    if not deals:
        raise InvalidInputError(f"{path.name}: no deals found")
    return deals


def read_csv_deals(path: Path) -> list[dict[str, Any]]:
    """Deals from a CSV: a header of assumption names, then one row per deal (RFC 4180).

    Every row must have one field per header column (blank cells as ``,,``); a short or long
    row, or a quote that is never closed, is refused with its line number rather than filled
    in with defaults. Blank lines are skipped; blank cells keep the assumption's default.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _csv_rows(path, handle)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path.name} is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8"
        ) from None


def _csv_rows(path: Path, handle: io.TextIOBase) -> list[dict[str, Any]]:
    reader = csv.reader(handle, strict=True)
    header: list[str] | None = None
    deals = []
    line = 1  # where the next record starts
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                seen = [h for h in header if h]
                if len(set(seen)) < len(seen):
                    twice = next(h for h in seen if seen.count(h) > 1)
                    raise InvalidInputError(f"{path.name} line {start}: column {twice!r} twice")
                continue
            if len(row) != len(header):
                raise InvalidInputError(
                    f"{path.name} line {start}: {len(row)} of {len(header)} columns; every row "
                    "needs one field per header column (leave a cell blank as ,,)"
                )
            deal = {}
            for name, cell in zip(header, row, strict=True):
                if not cell.strip():
                    continue
                if not name:
                    raise InvalidInputError(
                        f"{path.name} line {start}: a value ({cell[:20]!r}) under a column "
                        "with no name in the header"
                    )
                deal[name] = cell
            deals.append(deal)
    except csv.Error as exc:
        why = str(exc)
        if "unexpected end of data" in why:
            why = "a quote opened in this row is never closed"
        raise InvalidInputError(f"{path.name} line {line}: not valid CSV: {why}") from None
    return deals


def run_portfolio(
    deals: list[dict[str, Any]],
    *,
    paths: int = 2_000,
    seed: int = 1,
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[DealResult], None] | None = None,
    correlated: bool = True,
    weight: float = RENT_INDEX_WEIGHT,
) -> list[DealResult]:
    """Evaluate every deal; results in the order of ``deals``.

    Parameters
    ----------
    deals : list of mappings
        Assumptions of each deal.
    paths, seed : int
        Monte Carlo paths and seed of each deal's joint stress (the same seed for every deal:
        common random numbers, so deals are compared on the same shocks).
    workers : int, optional
        Local processes (default: the machine's cores); 1 runs in this process.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); the deals then run on its workers.
    on_result : callable, optional
        Called with each result as it completes (a progress bar).
    correlated : bool, default True
        Also run every deal on one shared set of factor draws (common GPU rent index and BTC)
        for the portfolio loss distribution (:func:`portfolio_loss`).
    weight : float, optional
        Share of rent variance common to the GPU rent market
        (:data:`pyfuncs.deal.portfolio_credit.RENT_INDEX_WEIGHT`).
    """
    months = 0
    if correlated:
        for d in deals:
            with contextlib.suppress(GpuCreditError):  # that deal reports its own reason
                months = max(months, months_needed(parse_assumptions(d)))
    tasks = [(i, dict(d), paths, seed, months, weight) for i, d in enumerate(deals)]
    results: list[DealResult | None] = [None] * len(tasks)

    def done(result: DealResult) -> None:
        results[result.index] = result
        if on_result is not None:
            on_result(result)

    if scheduler:
        for result in _run_on_dask(tasks, scheduler):
            done(result)
    else:
        n_workers = workers or os.cpu_count() or 1
        if n_workers == 1 or len(tasks) == 1:
            for task in tasks:
                done(_evaluate_task(task))
        else:
            with ProcessPoolExecutor(max_workers=n_workers) as pool:
                futures = [pool.submit(_evaluate_task, task) for task in tasks]
                for future in as_completed(futures):
                    done(future.result())
    return [r for r in results if r is not None]


def _run_on_dask(
    tasks: list[tuple[int, dict[str, Any], int, int]], scheduler: str
) -> Iterable[DealResult]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(scheduler, timeout="20s") as client:
        futures = client.map(_evaluate_task, tasks, pure=False)
        for future in dask_completed(futures):
            yield future.result()


def portfolio_totals(results: list[DealResult]) -> dict[str, Any]:
    """Totals over the deals that computed: principal, expected loss, principal-weighted rates."""
    good = [r.values for r in results if r.ok]
    principal = sum(v["principal"] for v in good)
    loss = sum(v["expected_loss_usd"] or 0.0 for v in good)

    def weighted(key: str) -> float | None:
        pairs = [(v["principal"], v[key]) for v in good if isinstance(v.get(key), int | float)]
        weight = sum(p for p, _ in pairs)
        return sum(p * x for p, x in pairs) / weight if weight > 0 else None

    return {
        "deal": "Portfolio",
        "status": f"{len(good)} of {len(results)} deals computed",
        "principal": principal,
        "expected_loss_usd": loss,
        "expected_loss": loss / principal if principal > 0 else None,
        "annual_pd": weighted("annual_pd"),
        "prob_default": weighted("prob_default"),
        "expected_lgd": weighted("expected_lgd"),
        "fair_spread": weighted("fair_spread"),
        "market_spread": weighted("market_spread"),
        "repriced_spread": weighted("repriced_spread"),
    }


def portfolio_loss(results: list[DealResult]) -> LossDistribution | None:
    """The portfolio's loss on each shared path: the sum of the computed deals' shortfalls."""
    good = [r for r in results if r.ok and r.shortfalls is not None]
    if not good:
        return None
    losses = np.sum([r.shortfalls for r in good], axis=0)
    return LossDistribution(losses, float(sum(r.values["principal"] for r in good)))


def portfolio_concentration(results: list[DealResult]) -> list[Concentration]:
    """Exposure (the lender's principal) by counterparty, GPU model and site."""
    good = [r for r in results if r.ok]
    exposures = [float(r.values["principal"]) for r in good]
    return [
        concentration(kind, [r.names[k] for r in good], exposures)
        for k, kind in enumerate(("counterparty", "GPU model", "site"))
    ]


def portfolio_workbook(results: list[DealResult]) -> bytes:
    """The results as an .xlsx: one summary row per deal, then the portfolio's totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Portfolio"
    names = [name for name, _ in SUMMARY_COLUMNS]
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for result in results:
        sheet.append([result.values.get(name) for name in names])
    totals = portfolio_totals(results)
    sheet.append([totals.get(name) for name in names])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, (_, number_format) in enumerate(SUMMARY_COLUMNS, start=1):
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, column).number_format = number_format
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = 14
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "B2"
    _loss_sheets(book, results)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _loss_sheets(book: Any, results: list[DealResult]) -> None:
    """The loss distribution (measures, histogram and chart) and the concentration sheets."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    loss = portfolio_loss(results)
    if loss is not None:
        sheet = book.create_sheet("Loss distribution")
        sheet.append(["Portfolio loss over the horizon", "$", "share of exposure"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for name, dollars, share in loss.report():
            sheet.append([name, dollars, share])
        sheet.append(["exposure (lender's principal)", loss.exposure, 1.0])
        sheet.append(["paths", int(loss.losses.size), None])
        for row in sheet.iter_rows(min_row=2, max_col=3):
            row[1].number_format = '#,##0,,"M"' if row[0].value != "paths" else "#,##0"
            row[2].number_format = "0.00%"
        start = sheet.max_row + 2
        sheet.cell(start, 1, "loss from, $M").font = Font(bold=True)
        sheet.cell(start, 2, "share of paths").font = Font(bold=True)
        counts, edges = np.histogram(loss.losses / 1e6, bins=20)
        for k, count in enumerate(counts):
            sheet.cell(start + 1 + k, 1, round(float(edges[k]), 3))
            sheet.cell(start + 1 + k, 2, float(count) / loss.losses.size).number_format = "0.0%"
        chart = BarChart()
        chart.title = "Portfolio loss distribution"
        chart.y_axis.title = "share of paths"
        chart.x_axis.title = "loss, $M"
        chart.legend = None
        data = Reference(sheet, min_col=2, min_row=start, max_row=start + len(counts))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(
            Reference(sheet, min_col=1, min_row=start + 1, max_row=start + len(counts))
        )
        sheet.add_chart(chart, "E2")
        sheet.column_dimensions["A"].width = 32
        sheet.column_dimensions["B"].width = 16
        sheet.column_dimensions["C"].width = 18
    sheet = book.create_sheet("Concentration")
    sheet.append(["by", "name", "share of exposure", "HHI", "above limit"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in portfolio_concentration(results):
        for rank, (name, share) in enumerate(c.shares[:5]):
            sheet.append(
                [
                    c.kind,
                    name,
                    share,
                    c.hhi if rank == 0 else None,
                    "LIMIT" if share > c.limit else "",
                ]
            )
    for row in sheet.iter_rows(min_row=2, max_col=4):
        row[2].number_format = "0.0%"
        row[3].number_format = "0.000"
    sheet.column_dimensions["B"].width = 28
