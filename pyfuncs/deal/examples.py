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
    "rent0": 2.35,  # 1-yr H100 contract, Mar 2026 [3][5]
    "annual_decline": 0.28,  # -28%/yr [10][11]
    "rent_gen_step": 0.0,  # the -28%/yr already prices new generations into rents
    "gen_periods": (13, 25),  # Rubin Ultra 2027, Feynman 2028 [34]: value steps down
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
    "rent0": 2.30,
    "annual_decline": 0.28,
    "rent_gen_step": 0.0,
    "gen_periods": (13, 25),
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
}

#: A neocloud delayed-draw term loan: 10,000 H100s, 85% on 4-year contracts, DDTL 2.0-like debt.
NEOCLOUD_DDTL: dict[str, Any] = {
    "name": "Neocloud DDTL (example)",
    "gpus": 10_000,
    "capex_per_gpu": 50_000,  # [25]
    "rent0": 2.35,  # 1-yr H100, Mar 2026 [3][5]
    "annual_decline": 0.28,  # [10][11]
    "rent_gen_step": 0.0,
    "gen_periods": (13, 25),  # Rubin Ultra 2027, Feynman 2028 [34]
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

#: A GB200 NVL72 data-centre project with sculpted debt.
DATACENTER: dict[str, Any] = {
    "name": "GB200 data-centre project (example)",
    "gpus": 8_000,
    "capex_per_gpu": 65_000,
    "rent0": 5.30,  # SDB200RT ~$5.30 [7]
    "annual_decline": 0.30,
    "gen_periods": (13, 25, 37),
    "gen_step": 0.25,
    "utilization": 0.90,
    "it_kw": 1.7,  # GB200 NVL72 ~120 kW / 72 GPUs [18][19]
    "pue": 1.25,
    "power_price": 0.07,
    "colo_kw_month": 0,
    "target_dscr": 1.30,
    "loan_to_cost": 0.70,  # max LTV 70% [75]
    "annual_rate": 0.0925,
    "tenor_years": 5,
    "site_factor": 0.7,  # liquid-cooled NVL72 [18]
    "monthly_volume": 1_500,
    "cost_per_unit": 2_500,
}
