"""Portfolios: every deal through the engine, locally and on a Dask cluster; bad deals reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import pyfuncs
from pyfuncs.deal.portfolio import evaluate_deal, portfolio_workbook, read_deals, run_portfolio

EXAMPLE = Path(__file__).parents[2] / "examples" / "portfolio.csv"
DEALS = [
    {"name": "ok 1", "gpus": 500, "tenor_years": 2, "annual_decline": 0.1},
    {"name": "typo", "gpu_count": 5},
    {"name": "ok 2", "gpus": 800, "rent0": 3.0, "tenor_years": 3, "contracted_share": 0.5},
    {"name": "out of range", "utilization": 1.5},
]


def test_bad_deals_are_reported_and_the_others_complete():
    results = run_portfolio(DEALS, paths=300, seed=5, workers=1)
    assert [r.values["deal"] for r in results] == ["ok 1", "typo", "ok 2", "out of range"]
    assert [r.ok for r in results] == [True, False, True, False]
    assert "unknown assumption 'gpu_count'" in results[1].values["status"]
    assert results[3].values["status"].startswith("#NUM!")


def test_deal_rows_agree_with_the_engine():
    [row] = run_portfolio(DEALS[:1], paths=300, seed=5, workers=1)
    stress = pyfuncs.joint_stress(DEALS[0], paths=300, seed=5)
    base = pyfuncs.deal_schedule(DEALS[0])
    assert row.values["annual_pd"] == stress["annual_pd"]
    assert row.values["min_dscr"] == pytest.approx(float(base.dscr.min()))
    assert row.values["principal"] == pytest.approx(0.7 * 500 * 50_000)


def test_local_processes_and_one_process_agree():
    one = run_portfolio(DEALS, paths=300, seed=5, workers=1)
    two = run_portfolio(DEALS, paths=300, seed=5, workers=2)
    assert [r.values for r in one] == [r.values for r in two]


def test_dask_cluster_gives_the_same_results():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = run_portfolio(DEALS, paths=300, seed=5, scheduler=cluster.scheduler_address)
    local = [evaluate_deal(i, d, 300, 5) for i, d in enumerate(DEALS)]
    assert [r.values for r in on_dask] == [r.values for r in local]


def test_workbook_has_a_row_per_deal_and_totals(tmp_path):
    results = run_portfolio(DEALS, paths=300, seed=5, workers=1)
    path = tmp_path / "out.xlsx"
    path.write_bytes(portfolio_workbook(results))
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert len(body) == 4 and totals[0] == "Portfolio"
    col = header.index("principal")
    assert totals[col] == pytest.approx(sum(r[col] for r in body if r[col] is not None))
    loss = header.index("expected_loss_usd")
    assert totals[loss] == pytest.approx(sum(r[loss] for r in body if r[loss] is not None))


def test_example_csv_reads_every_deal():
    deals = read_deals(EXAMPLE)
    assert len(deals) == 6 and deals[0]["gen_periods"] == "13;25"


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_writes_results_and_refuses_bad_requests(tmp_path):
    deals = tmp_path / "deals.yaml"
    deals.write_text(
        "deals:\n  - {name: one, gpus: 100, tenor_years: 2}\n  - {name: two, gpus: -1}\n"
    )
    out = tmp_path / "results.xlsx"
    done = _cli("portfolio", str(deals), "--out", str(out), "--paths", "200", "--workers", "1")
    # computed, with a problem: exit 1, results written, the failed deal named on stderr
    assert done.returncode == 1, done.stderr
    assert out.exists() and "1 of 2 deal(s) could not be computed" in done.stderr
    missing = _cli("portfolio", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    same = _cli("portfolio", str(deals), "--out", str(deals))
    assert same.returncode == 2 and "overwrite the input" in same.stderr
    assert "Traceback" not in missing.stderr + same.stderr


#: $600 senior at 0%, linear over 12 months ($50 a month) against $100 a month of cash, then $600
#: of 0% notes due in month 24 against one month's $100: the senior lender is repaid in month 12,
#: the borrower fails on the notes in month 24 (tests/deal/test_metrics.py's hand-built deal).
REPAID_THEN_WALL = {
    "name": "repaid, then the wall",
    "gpus": 100,
    "capex_per_gpu": 0,
    "rent0": 1 / 730,  # 100 GPUs x 730 hours x 1/730 = $100 a month
    "annual_decline": 0.0,
    "utilization": 1.0,
    "opex_hour": 0.0,
    "debt_principal": 600,
    "annual_rate": 0.0,
    "tenor_years": 1,
    "profile": "linear",
    "dsra_months": 2,
    "convert_principal": 600,
    "convert_coupon": 0.0,
    "convert_years": 2,
    "rent_vol": 0.0001,  # a stress that cannot move $100 to $600 or below $50
}


def test_default_and_exposure_columns_are_the_lenders():
    row = evaluate_deal(0, REPAID_THEN_WALL, 200, 3).values
    # the lender is repaid in month 12: no default of the lender, no exposure, no shortfall
    assert row["default_period"] is None and row["default_kind"] == "none"
    assert row["ead_at_default"] is None and row["shortfall_at_default"] is None
    assert row["prob_default"] == 0.0
    # the borrower's own default, labelled as such: the notes' wall in month 24, on every path
    assert row["borrower_default_period"] == 24
    assert row["borrower_default_kind"] == "maturity"
    assert row["prob_borrower_default"] == 1.0
    assert row["maturity_wall"] == pytest.approx(600)


def test_a_lender_default_fills_the_exposure_columns():
    # no cash at all: the two-month DSRA ($100) pays months 1-2, the loan defaults in month 3
    # with 600 - 2 x 50 = $500 outstanding, and a worthless fleet recovers nothing
    deal = {**REPAID_THEN_WALL, "rent0": 0.0}
    row = evaluate_deal(0, deal, 200, 3).values
    assert row["default_period"] == row["borrower_default_period"] == 3
    assert row["default_kind"] == "payment"
    assert row["ead_at_default"] == pytest.approx(500)
    assert row["shortfall_at_default"] == pytest.approx(500)
