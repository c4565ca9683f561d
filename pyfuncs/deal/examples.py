"""Example deals on documented defaults, shared by the demo and the template workbooks.

Bracketed numbers are docs/domain.md's references; "unsourced" inputs are placeholders to calibrate.
"""

from __future__ import annotations

from typing import Any

from pyfuncs.defaults import COLO_KW_MONTH_TYPICAL

#: The thesis deal: a neocloud term loan on H100s at market rent.
NEOCLOUD_THESIS: dict[str, Any] = {
    "name": "Sample neocloud",
    "gpus": 10_000,
    "capex_per_gpu": 50_000,  # ~$50k all-in H100 [25]
    "loan_to_cost": 0.70,  # data-centre ABS max LTV 70% [75]
    "annual_rate": 0.11,  # CoreWeave DDTL 2.0 effective 11% [39]
    "tenor_years": 5,  # DDTL 2.0 draws mature 5 years after draw [41]
    # Rent and resale value from the H100 curves (GPU_CURVE, docs/gpu-curves.md): rent from the
    # Mar 2026 1-yr contract price $2.35 [3][5], its margin over cash cost falling 28%/yr
    # [10][11]; value on the published H100 resale bands [37]. All-in: no generation steps.
    "gpu_model": "H100",
    "utilization": 0.95,  # contracted [14]
    "colo_kw_month": COLO_KW_MONTH_TYPICAL,  # $200/kW-month [24]
    "site_factor": 1.0,  # air-cooled HGX H100; 0.7 for liquid-cooled NVL72 [18]
    "monthly_volume": 5_000,  # used H100s the market absorbs a month (unsourced)
    "cost_per_unit": 1_500,  # de-install, transport, refurbish per GPU (unsourced)
}

#: The same fleet financed the way CoreWeave-style deals are: mostly on contracts that cover the
#: loan, at a lower leverage and a 3-year tenor; its stress shows what the merchant share risks.
NEOCLOUD_CONTRACTED: dict[str, Any] = {
    **NEOCLOUD_THESIS,
    "name": "Contracted neocloud",
    "contracted_share": 0.6,  # CoreWeave ~96% committed revenue [15]; here 60%
    "contract_rent": 2.60,
    "contract_periods": 36,
    "tenor_years": 3,
    "loan_to_cost": 0.5,
}

#: A bitcoin miner pivoting to AI hosting (capital structure after docs/domain.md section 3's table).
MINER: dict[str, Any] = {
    "name": "Miner to AI hosting (example)",
    "gpus": 6_000,
    # Resale value on the H100 curve [37]; market rent explicit (the Scenarios sheet's drivers),
    # -28%/yr all-in [10][11], no generation steps.
    "gpu_model": "H100",
    "rent0": 2.30,
    "annual_decline": 0.28,
    "contracted_share": 0.6,
    "contract_rent": 2.60,
    "contract_periods": 36,
    "colo_kw_month": COLO_KW_MONTH_TYPICAL,
    "site_factor": 1.0,
    "hashrate_ph": 20_000,  # a 20 EH/s fleet
    "btc_price": 91_000,  # at the 5-year hashprice low [96]
    "fees_per_block": 0.03,
    "hash_cost_ph_day": 18.0,  # cash cost of an efficient fleet (unsourced; calibrate)
    "halving_periods": (17,),  # next halving ~April 2028
    "btc_held": 300,
    "debt_principal": 170e6,  # senior secured, 7.75% like WULF 2030 [58]
    "annual_rate": 0.0775,
    "tenor_years": 3,
    "convert_principal": 500e6,  # 0% convertible like IREN 2031 [55]
    "convert_coupon": 0.0,
    "convert_years": 5,
    # The convertible's maturity wall is refinanced, if its DSCR allows, at the 7.75% of
    # TeraWulf's senior secured notes due 2030 [58] over their ~5-year term (docs/domain.md
    # section 3, "Refinancing a miner's maturity wall").
    "refi_rate": 0.0775,
    "refi_years": 5,
}

#: A neocloud delayed-draw term loan: 10,000 H100s, 85% on 4-year contracts, DDTL 2.0-like debt.
NEOCLOUD_DDTL: dict[str, Any] = {
    "name": "Neocloud DDTL (example)",
    "gpus": 10_000,
    "capex_per_gpu": 50_000,  # [25]
    # Resale value on the H100 curve (GPU_CURVE "value", the published bands [37]); market rent
    # set explicitly, as the Scenarios sheet's drivers: $2.35 (1-yr H100, Mar 2026 [3][5])
    # falling 28%/yr [10][11], an all-in decline (no generation steps).
    "gpu_model": "H100",
    "rent0": 2.35,
    "annual_decline": 0.28,
    "utilization": 0.65,  # merchant [13]
    "contracted_share": 0.85,
    "contract_rent": 2.90,
    "contract_periods": 48,  # ~4-year contracts [14]
    "colo_kw_month": 200,  # [24]
    "loan_to_cost": 0.65,
    "annual_rate": 0.11,  # DDTL 2.0 effective [39]
    "tenor_years": 5,  # [41]
    "site_factor": 1.0,  # air-cooled HGX
    "monthly_volume": 5_000,
    "cost_per_unit": 1_500,
}

#: A GB200 NVL72 data-centre project at 70% of cost, sized and repaid as such loans usually are
#: (the datacenter template's example, workbooks/examples/datacenter.yaml).
DATACENTER: dict[str, Any] = {
    "name": "GB200 data-centre project (example)",
    "gpus": 8_000,
    "capex_per_gpu": 65_000,
    # Rent and resale value from the GB200 curves (GPU_CURVE, docs/gpu-curves.md): all-in
    # declines that slow towards cash cost, no generation steps on top.
    "gpu_model": "GB200",
    "gpu_scenario": "base",
    "utilization": 0.90,
    "it_kw": 1.7,  # GB200 NVL72 ~120 kW / 72 GPUs [18][19]
    "pue": 1.25,
    "power_price": 0.07,
    "colo_kw_month": 0,  # the project owns its site
    "target_dscr": 1.30,
    "loan_to_cost": 0.70,  # max LTV 70% [75]
    "annual_rate": 0.0925,
    "tenor_years": 5,
    "profile": "annuity",  # debt sculpted to flat CFADS is level
    "site_factor": 0.7,  # liquid-cooled NVL72 [18]
    "monthly_volume": 1_500,
    "cost_per_unit": 2_500,
    # Rent shocks around the curve: 15%/yr puts the stress's 5th-percentile rent on the GB200
    # low curve (the fastest observed decline, -46%/yr [10][11]) over years 1-5 (docs/domain.md
    # section 10, "Calibrating the rent stress"); the 25% default put it below cash cost.
    "rent_vol": 0.15,
}

#: The same neocloud as a DDTL 2.0-style delayed-draw facility (docs/domain.md section 10,
#: "Sizing a DDTL"): three draws, each tied to a customer contract and maturing 5 years after it
#: is drawn [41], priced on the IG / non-IG grid over 3-month SOFR [41], and a borrowing base on
#: the contracts first and the GPUs second [40]; debt above it is prepaid.
NEOCLOUD_DDTL_DRAWS: dict[str, Any] = {
    **NEOCLOUD_DDTL,
    "name": "Neocloud DDTL, three draws (example)",
    "draw_periods": (0, 6, 12),  # at close, then after months 6 and 12
    "draw_amounts": (150e6, 60e6, 40e6),  # 50% of the $500M fleet cost
    "draw_tenor_years": 5,  # each draw matures 5 years after it is drawn [41]
    "draw_grades": ("IG", "IG", "non-IG"),  # SOFR + 6.25% (6.00-6.50%), SOFR + 13.00% [41]
    # flat 4.75%: the DDTL 2.0 effective 11% [39] less the 6.25% IG margin (unsourced; use the
    # 3-month term SOFR forward curve)
    "base_rate_path": 0.0475,
    "rate_floor": 0.0,  # 0% SOFR floor [41]
    "contract_advance": 0.9,  # unsourced; calibrate to the facility's terms
    "collateral_advance": 0.7,  # at the 70% maximum LTV of data-centre ABS [75]
    "dsra_months": 6,
}


#: A miner leasing powered shells to an AI tenant: the TeraWulf-Fluidstack terms (docs/domain.md
#: section 10, "Colocation leases", [116] [118]-[120]); period 1 is the first phase's delivery.
COLO: dict[str, Any] = {
    "name": "TeraWulf-Fluidstack colocation (example)",
    "gpus": 0,  # the tenant owns the GPUs; the lender's collateral is the shells and the lease
    "colo_mw": (40, 160),  # 200+ MW of critical IT: ~40 MW first, the rest by year-end [116]
    "colo_delivery_periods": (1, 7),  # phase one H1 2026, full 200 MW by year-end 2026 [116]
    "colo_lease_rate": 134.5,  # $/kW-month: $3.7B over 10 years on 200 MW at +3% a year [116]
    "colo_escalator": 0.03,  # "annual escalators" [116]; 3% is this example's assumption
    "colo_lease_years": 10,  # two 10-year leases [116] [118]
    "colo_opex_kw_month": 20.0,  # ~85% site NOI margin [116]: 15% of $134.5
    "colo_build_cost_per_mw": 9e6,  # $8-10M per MW of critical IT [116]
    "colo_cap_rate": 0.075,  # powered shell 7-8% (JLL Q1 2026) [120]
    "contract_counterparty": "Fluidstack",
    "contract_pd": 0.05,  # a private, unrated neocloud (unsourced)
    "backstop_pd": 0.0003,  # Google backstops the lease [116]; AA-grade default rate (unsourced)
    "releasing_months": 12,  # a dark shell until a new tenant fits out (unsourced)
    "release_haircut": 0.2,  # re-let below the contract rate (unsourced)
    "debt_principal": 1.8e9,  # 200 MW x $9M, the $1.8B the backstop supports [116]
    "annual_rate": 0.0775,  # WULF 7.75% senior secured notes [58]
    "tenor_years": 4,  # the notes mature in 2030 [58]
    "interest_only_years": 0.5,  # amortise after completion [58]
    "balloon": 1.55e9,  # due in 2030 and refinanced (unsourced)
    "refi_rate": 0.0775,
    "refi_years": 10,  # beyond the lease: the extension options [116] and the residual
    "book_life_years": 20,  # shells, not GPUs (unsourced)
    "market_decay": 0.0,  # the shells' value follows their NOI, not GPU prices
    "gen_step": 0.0,
    "monthly_volume": 1,  # one campus sold at a time (unsourced)
    "volatility": 0.2,  # of data-centre values (unsourced)
    "site_factor": 1.0,
    "rent_vol": 0.35,  # shocks to the re-let rent (unsourced; wider than the GPU default 0.15)
}
