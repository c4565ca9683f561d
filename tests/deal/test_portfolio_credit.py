"""Portfolio credit: correlated losses on shared factor draws against the Vasicek closed form."""

from __future__ import annotations

import io
import math
from statistics import NormalDist

import numpy_financial as npf
import openpyxl
import pytest

from pyfuncs.deal.portfolio import portfolio_loss, portfolio_workbook, run_portfolio
from pyfuncs.deal.portfolio_credit import concentration

N = NormalDist()

# A one-period deal: year 1 is known, year 2's rent is shocked once. It defaults in year 2 when
# the rent factor falls below the level at which CFADS just pays the annuity; with no collateral
# value (site_factor 0) and no reserve, each default loses the whole year-2 balance.
ONE_PERIOD = dict(
    gpus=1,
    capex_per_gpu=50_000,
    loan_to_cost=0.8,
    annual_rate=0.11,
    per_year=1,
    tenor_years=2,
    profile="annuity",
    rent0=5.0,
    annual_decline=0.0,
    utilization=0.95,
    opex_hour=0.4,
    rent_vol=0.25,
    btc_vol=0.0,
    correlation=0.0,
    dsra_months=0,
    site_factor=0.0,
    test_frequency=1,
    dscr_lookback=12,
)


def _closed_form_pd() -> float:
    # Default when rent0*exp(sigma*Z - sigma^2/2)*util - opex < DS/8760 (DS the annual annuity).
    ds = -npf.pmt(0.11, 2, 40_000)
    threshold = (ds / 8760 + 0.4) / (0.95 * 5.0)
    sigma = 0.25
    return N.cdf((math.log(threshold) + sigma**2 / 2) / sigma)


def _vasicek(pd: float, rho: float, q: float) -> float:
    return N.cdf((N.inv_cdf(pd) + math.sqrt(rho) * N.inv_cdf(q)) / math.sqrt(1 - rho))


def test_large_homogeneous_portfolio_loss_converges_to_the_vasicek_quantile():
    deals, rho = 400, 0.3
    results = run_portfolio(
        [dict(ONE_PERIOD, name=f"d{i}") for i in range(deals)],
        paths=4_000,
        seed=3,
        workers=1,
        weight=rho,
    )
    assert all(r.ok for r in results)
    loss = portfolio_loss(results)
    ead = 40_000 - (-npf.ppmt(0.11, 1, 2, 40_000))  # the balance owed in year 2
    pd = _closed_form_pd()
    defaults = loss.losses / ead / deals  # share of deals in default on each path
    assert defaults.mean() == pytest.approx(pd, rel=0.05)
    assert loss.expected_loss == pytest.approx(deals * ead * pd, rel=0.05)
    assert loss.quantile(0.99) / ead / deals == pytest.approx(_vasicek(pd, rho, 0.99), rel=0.05)
    # Expected shortfall lies beyond the quantile it conditions on.
    assert loss.expected_shortfall(0.99) > loss.quantile(0.99)


def test_independent_deals_lose_less_in_the_tail_than_correlated_ones():
    deals = [dict(ONE_PERIOD, name=f"d{i}") for i in range(60)]
    tail = {
        w: portfolio_loss(run_portfolio(deals, paths=2_000, seed=5, workers=1, weight=w)).quantile(
            0.99
        )
        for w in (0.0, 0.6)
    }
    assert tail[0.6] > 1.5 * tail[0.0]


def test_concentration_hhi_by_hand_and_limit_flag():
    c = concentration("counterparty", ["MSFT", "OpenAI", "MSFT", "Meta"], [100, 100, 200, 100])
    # MSFT 300/500 = 0.6, OpenAI 0.2, Meta 0.2: HHI 0.36 + 0.04 + 0.04
    assert c.shares[0] == ("MSFT", pytest.approx(0.6))
    assert c.hhi == pytest.approx(0.44)
    assert c.breaches == ["MSFT"]


def test_workbook_has_the_loss_distribution_chart_and_concentration():
    deals = [
        dict(ONE_PERIOD, name="a", contract_counterparty="Microsoft", site="Abilene"),
        dict(ONE_PERIOD, name="b", contract_counterparty="Microsoft", site="Denton"),
        dict(ONE_PERIOD, name="c", contract_counterparty="OpenAI", site="Denton"),
    ]
    results = run_portfolio(deals, paths=500, seed=1, workers=1)
    book = openpyxl.load_workbook(io.BytesIO(portfolio_workbook(results)))
    assert book.sheetnames == ["Portfolio", "Loss distribution", "Concentration"]
    sheet = book["Loss distribution"]
    assert len(sheet._charts) == 1
    labels = [row[0].value for row in sheet.iter_rows(min_row=2, max_row=6)]
    assert labels[0] == "expected loss" and "99.9% loss (VaR)" in labels
    conc = [[c.value for c in row] for row in book["Concentration"].iter_rows(min_row=2)]
    assert [
        "counterparty",
        "Microsoft",
        pytest.approx(2 / 3),
        pytest.approx(5 / 9),
        "LIMIT",
    ] in conc
