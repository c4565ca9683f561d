"""A deal's named assumptions: validated, documented, loaded from Excel, YAML, JSON or Python.

Every input of a deal has a name, a unit, a default and (where one exists) a source in docs/domain.md.
Unknown names are an error, never ignored: a mistyped ``gpu_count`` would otherwise silently leave
``gpus`` at its default.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pyfuncs import defaults as d
from pyfuncs.errors import DomainError, InvalidInputError

#: Network hashrate at the 5-year hashprice low: difficulty 152T * 2^32 / 600 s, in EH/s [96].
NETWORK_EHS_AT_LOW = 152e12 * 2**32 / 600 / 1e18


def _field(default: Any, unit: str, help: str, **limits: Any) -> Any:
    return Field(default, description=help, json_schema_extra={"unit": unit}, **limits)


class DealAssumptions(BaseModel):
    """Everything that describes a GPU-backed deal: fleet, rents, costs, debt, collateral, stress.

    Three kinds of deal share these names: a neocloud (GPUs on contract or on market rent), a
    data-centre project (set ``profile="sculpted"``), and a bitcoin miner pivoting to AI hosting
    (set ``hashrate_ph``, ``btc_held`` and the convertible notes).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # --- identity -----------------------------------------------------------------------------
    name: str = _field("deal", "text", "Name of the deal, shown in reports.")

    # --- fleet and rent (docs/domain.md section 1) ------------------------------------------------
    gpus: float = _field(d.DEAL_GPUS, "GPUs", "Number of GPUs financed.", ge=0)
    capex_per_gpu: float = _field(
        d.CAPEX_PER_GPU_H100, "$ per GPU", "All-in capex per GPU; H100 ~$50k [25].", ge=0
    )
    rent0: float = _field(
        d.RENT0_H100,
        "$ per GPU-hour",
        "Market rent in period 1; 1-yr H100 $2.35 (Mar 2026) [3][5].",
        ge=0,
    )
    annual_decline: float = _field(
        d.ANNUAL_RENT_DECLINE,
        "decimal a year",
        "Market rent decline; -28%/yr [10][11], range 0.20-0.46; -0.40 is a rebound.",
        le=1,
    )
    rent_floor: float = _field(0.0, "$ per GPU-hour", "Lowest market rent.", ge=0)
    gen_periods: tuple[int, ...] = _field(
        (),
        "period numbers",
        "Periods at which a new NVIDIA generation ships (e.g. 13;25); rents and values step down.",
    )
    gen_step: float = _field(
        d.GEN_STEP, "decimal", "Step-down at each generation release; 20-30% [37].", ge=0, le=1
    )
    rent_gen_step: float | None = _field(
        None,
        "decimal",
        "Rent step-down at each release; blank = gen_step; 0 when annual_decline already prices it.",
        ge=0,
        le=1,
    )
    utilization: float = _field(
        d.UTILIZATION_CONTRACTED,
        "decimal",
        "Billed share of hours for GPUs on market rent (0.95 contracted [14]; 0.65 merchant [13]).",
        ge=0,
        le=1,
    )
    contracted_share: float = _field(
        0.0, "decimal", "Share of GPUs on take-or-pay contracts at contract_rent.", ge=0, le=1
    )
    contract_rent: float | None = _field(
        None, "$ per GPU-hour", "Contract rent, flat; blank = rent0.", ge=0
    )
    contract_periods: int | None = _field(
        None,
        "periods",
        "Contract term; blank = the loan tenor. After it the GPUs re-lease at market rent.",
        ge=0,
    )
    contract_utilization: float = _field(
        d.UTILIZATION_CONTRACTED,
        "decimal",
        "Billed share of hours under contract (~95% SLA [14]).",
        ge=0,
        le=1,
    )

    # --- operating cost (docs/domain.md section 1) ------------------------------------------------
    opex_hour: float | None = _field(
        None,
        "$ per GPU-hour",
        "Operating cost over all hours; blank = OPEX_HOUR(it_kw, pue, power_price, colo_kw_month).",
        ge=0,
    )
    it_kw: float = _field(
        d.IT_KW_PER_GPU, "kW per GPU", "IT load; DGX H100 10.2 kW / 8 [18].", ge=0
    )
    pue: float = _field(d.PUE, "ratio", "Power usage effectiveness; new sites <= 1.3 [22].", ge=1)
    power_price: float = _field(d.POWER_PRICE, "$ per kWh", "Power price; $0.06-0.12 [24].", ge=0)
    colo_kw_month: float = _field(
        0.0, "$ per kW-month", "Colocation on IT kW; $150-250 [24] (weak).", ge=0
    )
    fixed_opex_period: float = _field(
        0.0, "$ per period", "Fixed costs of the borrower each period (SG&A, insurance).", ge=0
    )

    # --- debt (docs/domain.md sections 3-4) -------------------------------------------------------
    debt_principal: float | None = _field(
        None, "$", "Amount borrowed; blank = loan_to_cost x gpus x capex_per_gpu.", ge=0
    )
    loan_to_cost: float = _field(
        d.LOAN_TO_COST, "decimal", "Loan as a share of capex; max LTV 70% [75].", ge=0
    )
    annual_rate: float = _field(
        d.DDTL_RATE, "decimal a year", "Fixed debt rate; CoreWeave DDTL 2.0 11% [39].", gt=-1
    )
    base_rate_path: tuple[float, ...] = _field(
        (),
        "decimal a year",
        "Floating base rate per period (e.g. 3M SOFR), or one value; blank = fixed annual_rate.",
    )
    margin: float | None = _field(
        None,
        "decimal a year",
        "Margin over the base; blank = by counterparty_grade (DDTL 2.0 grid [41]: IG 6.25%, the "
        "midpoint of 6.00-6.50%; non-IG 13.00%), 6.25% without a grade.",
    )
    rate_floor: float = _field(0.0, "decimal a year", "Floor on the base rate; DDTL 2.0 0% [41].")
    tenor_years: float = _field(
        d.TENOR_YEARS, "years", "Loan tenor; DDTL 2.0 draws mature in 5 years [41].", gt=0
    )
    per_year: int = _field(
        d.PER_YEAR, "periods a year", "12 monthly, 4 quarterly, 1 annual.", ge=1, le=365
    )
    profile: Literal["annuity", "linear", "bullet", "sculpted"] = _field(
        "annuity", "text", "Repayment: annuity, linear, bullet, or sculpted to base-case CFADS."
    )
    balloon: float = _field(0.0, "$", "Principal left for the last period (annuity, linear).", ge=0)
    target_dscr: float = _field(
        d.TARGET_DSCR, "x", "Sculpting target DSCR (profile sculpted); 1.30x (unsourced).", gt=0
    )
    horizon_years: float | None = _field(
        None,
        "years",
        "Length of the schedule; blank = the last maturity (senior tenor, convertible maturity, "
        "contract end), so a later maturity never drops out.",
        gt=0,
    )
    lockup_dscr: float = _field(d.LOCKUP_DSCR, "x", "Lock-up (cash trap) DSCR; ~1.10x [72].", gt=0)
    default_dscr: float = _field(d.DEFAULT_DSCR, "x", "Event-of-default DSCR; 1.00x [72].", gt=0)

    # --- cash waterfall (docs/domain.md section 10) -------------------------------------------
    dsra_months: float = _field(
        d.DSRA_MONTHS,
        "months",
        "Debt service reserve: the next dsra_months of scheduled senior debt service, funded at "
        "close, drawn when CFADS falls short, topped up before distributions; 6-12 months usual.",
        ge=0,
    )
    cash_sweep: float = _field(
        d.CASH_SWEEP,
        "decimal",
        "Share of excess cash (after debt service and DSRA top-up) that prepays the senior loan.",
        ge=0,
        le=1,
    )
    lockup_action: Literal["trap", "sweep"] = _field(
        "trap",
        "text",
        "Below the lock-up test: trap holds excess cash in a lock-up account (released when a "
        "later test passes); sweep prepays the senior loan with it.",
    )
    test_frequency: int = _field(
        d.TEST_FREQUENCY, "tests a year", "Covenant tests a year (4 = quarter ends).", ge=1
    )
    dscr_lookback: float = _field(
        d.DSCR_LOOKBACK_MONTHS,
        "months",
        "Months of the trailing DSCR tested at a test date (12 = LTM).",
        gt=0,
    )
    default_trigger: Literal["payment", "covenant"] = _field(
        "payment",
        "text",
        "payment: default when debt service cannot be paid from CFADS, the lock-up account and "
        "the DSRA; covenant: also when a tested DSCR is below default_dscr.",
    )
    refi_rate: float | None = _field(
        None,
        "decimal a year",
        "Rate at which a bullet, balloon or convertible due inside the horizon is refinanced; "
        "blank = no refinancing (the amount is due from cash).",
        gt=-1,
    )
    refi_years: float | None = _field(
        None, "years", "Amortisation of a refinancing; blank = tenor_years.", gt=0
    )

    # --- collateral (docs/domain.md section 2) ----------------------------------------------------
    book_life_years: float = _field(
        d.BOOK_LIFE_YEARS, "years", "Accounting life; CoreWeave 6-yr straight line [31].", gt=0
    )
    book_method: Literal["SLN", "DDB", "VDB"] = _field("SLN", "text", "Depreciation method.")
    salvage: float = _field(0.0, "$ per GPU", "Book salvage value per GPU.", ge=0)
    market_decay: float = _field(
        d.MARKET_VALUE_DECAY, "decimal a year", "Used-GPU value decay; -30%/yr [37][38].", lt=1
    )

    # --- fire sale (docs/domain.md section 6) -----------------------------------------------------
    monthly_volume: float = _field(
        d.MONTHLY_VOLUME,
        "GPUs a month",
        "Used GPUs of this kind the market absorbs a month (unsourced).",
        gt=0,
    )
    volatility: float = _field(
        d.FIRESALE_VOLATILITY,
        "decimal",
        "Used-GPU price volatility in the impact law (unsourced).",
        ge=0,
    )
    impact: float = _field(
        d.FIRESALE_IMPACT, "coefficient", "Square-root impact Y; 0.5-1 [91].", ge=0
    )
    base_discount: float = _field(
        d.FIRESALE_BASE_DISCOUNT, "decimal", "Liquidity discount; ~9% [89].", ge=0, le=1
    )
    site_factor: float = _field(
        d.FIRESALE_SITE_FACTOR,
        "decimal",
        "Value kept off-site; 0.7 liquid-cooled NVL72 [18] (unsourced), ~1 air-cooled.",
        ge=0,
        le=1,
    )
    cost_per_unit: float = _field(
        0.0, "$ per GPU", "De-install, transport, refurbish (unsourced).", ge=0
    )
    months_to_sell: float = _field(
        d.MONTHS_TO_SELL, "months", "Time to sell; 60 days-6 months [80].", ge=0
    )
    carry_per_unit_month: float = _field(0.0, "$ per GPU-month", "Carry while selling.", ge=0)
    lgd_discount_rate: float = _field(
        d.LGD_DISCOUNT_RATE,
        "decimal a year",
        "Discount rate for the time to recover (unsourced).",
        gt=-1,
    )

    # --- miners (docs/domain.md section 7) --------------------------------------------------------
    btc_price: float = _field(
        d.BTC_PRICE_AT_LOW,
        "$ per BTC",
        "BTC price in period 1 ($91k at the hashprice low [96]).",
        gt=0,
    )
    btc_held: float = _field(0.0, "BTC", "BTC on the balance sheet, pledged as collateral.", ge=0)
    hashrate_ph: float = _field(0.0, "PH/s", "The miner's fleet.", ge=0)
    network_ehs: float = _field(
        NETWORK_EHS_AT_LOW, "EH/s", "Network hashrate in period 1 (difficulty 152T [96]).", gt=0
    )
    network_growth: float = _field(
        d.NETWORK_GROWTH,
        "decimal a year",
        "Growth of network hashrate (difficulty); +34.5% in 2025, ~2x in 2024 (docs/domain.md "
        "section 10); 0 is not neutral.",
        gt=-1,
    )
    subsidy: float = _field(
        d.BTC_SUBSIDY, "BTC per block", "Block subsidy after the 2024 halving.", ge=0
    )
    halving_periods: tuple[int, ...] = _field(
        (), "period numbers", "Periods from which the subsidy halves (next halving ~Apr 2028)."
    )
    fees_per_block: float = _field(0.0, "BTC per block", "Transaction fees per block.", ge=0)
    hash_cost_ph_day: float = _field(
        d.HASH_COST_PH_DAY,
        "$ per PH/s per day",
        "Cash cost of mining (power, hosting); unsourced, calibrate.",
        ge=0,
    )
    curtail_mining: bool = _field(
        True, "TRUE/FALSE", "Switch mining off in periods when hashprice is below hash cost."
    )
    convert_principal: float = _field(0.0, "$", "Convertible notes outstanding (bullet).", ge=0)
    convert_coupon: float = _field(
        0.0, "decimal a year", "Convertible coupon; 0-3.5% [54]-[61].", ge=0
    )
    convert_years: float = _field(
        d.CONVERT_YEARS, "years", "Years to convertible maturity; 2029-2033 issues [54]-[61].", gt=0
    )
    hashrate_lag_months: float = _field(
        d.HASHRATE_LAG_MONTHS,
        "months",
        "Months for network hashrate to follow the BTC price in the stress (unsourced).",
        ge=0,
    )
    hashrate_elasticity: float = _field(
        d.HASHRATE_ELASTICITY,
        "ratio",
        "Network hashrate moves with the lagged BTC price shock to this power (unsourced).",
        ge=0,
    )
    btc_loan: float = _field(
        0.0, "$", "Loan against the BTC held (not the senior lender's); its LTV is watched.", ge=0
    )
    btc_loan_rate: float = _field(0.0, "decimal a year", "Interest on the BTC-backed loan.", ge=0)
    btc_margin_call_ltv: float = _field(
        d.BTC_MARGIN_CALL_LTV,
        "decimal",
        "BTC loan LTV that triggers a margin call; ~70% (help.unchained.com).",
        gt=0,
    )
    btc_liquidation_ltv: float = _field(
        d.BTC_LIQUIDATION_LTV,
        "decimal",
        "BTC loan LTV at which the BTC is sold to repay it; 80-85% (help.unchained.com).",
        gt=0,
    )
    btc_cure_ltv: float = _field(
        d.BTC_CURE_LTV,
        "decimal",
        "LTV a margin call restores by paying the BTC loan down from cash (unsourced).",
        gt=0,
    )

    # --- stress (docs/domain.md section 7) --------------------------------------------------------
    btc_vol: float = _field(
        d.BTC_VOL, "decimal a year", "BTC volatility; 46-54%/yr [100][101].", ge=0
    )
    rent_vol: float = _field(
        d.RENT_VOL,
        "decimal a year",
        "GPU rent volatility; 0.15 tracks the documented 20-46%/yr decline band [10][11].",
        ge=0,
    )
    correlation: float = _field(
        d.BTC_RENT_CORRELATION,
        "decimal",
        "Correlation of ln BTC and ln rent shocks; 0.5 default, 0.8 stress [98].",
        ge=-1,
        le=1,
    )
    copula: Literal["gaussian", "t"] = _field("gaussian", "text", "Shock copula: gaussian or t.")
    t_dof: float = _field(
        d.T_COPULA_DOF, "degrees of freedom", "Student-t degrees of freedom (copula t).", gt=2
    )
    market_spread: float = _field(
        d.MARKET_SPREAD,
        "decimal a year",
        "Market spread to reprice; CoreWeave 5-yr CDS ~675 bp [44][45].",
        ge=0,
    )
    market_pd: float | None = _field(
        None,
        "decimal a year",
        "Annual PD the market assumes (e.g. a rating's default rate); blank = implied by "
        "market_spread and market_recovery, which makes the repriced spread the fair spread.",
        ge=0,
        lt=1,
    )
    market_recovery: float = _field(
        d.CDS_RECOVERY,
        "decimal",
        "Recovery the market prices; CDS convention 35% [45].",
        ge=0,
        lt=1,
    )

    # --- GPU curves by model (docs/gpu-curves.md) ---------------------------------------------
    gpu_model: Literal["A100", "H100", "H200", "B200", "GB200", "B300"] | None = _field(
        None,
        "text",
        "GPU model whose documented curves (GPU_CURVE) give market rent and value; an explicit "
        "rent0 or annual_decline (rent) or market_decay (value) still overrides.",
    )
    gpu_scenario: Literal["low", "base", "high"] = _field(
        "base", "text", "GPU_CURVE scenario of gpu_model: low, base or high."
    )
    gpu_age_years: float = _field(
        0.0, "years", "Age of the fleet at period 1, for the value curve of gpu_model.", ge=0
    )
    decline_basis: Literal["all_in", "within_generation"] = _field(
        "all_in",
        "text",
        "all_in: annual_decline and market_decay are observed declines that already price new "
        "generations, so gen_periods steps are not applied (the deal warns); within_generation: "
        "they are applied.",
    )

    # --- portfolio names (concentration; docs/domain.md section 10) ------------------------------
    contract_counterparty: str | None = _field(
        None,
        "name",
        "The contracts' counterparty (offtaker): portfolio concentration, and in a portfolio "
        "the deals naming the same counterparty share its default draw.",
    )
    site: str | None = _field(None, "name", "Data-centre site, for portfolio concentration.")

    # --- offtakers and re-leasing (docs/domain.md section 10; KBRA re-leasing risk [84]) ------
    contract_pd: float = _field(
        0.0,
        "decimal a year",
        "Annual PD of the contract counterparty; JOINT_STRESS draws its default (constant hazard), "
        "which stops the contract cash and sends the GPUs to market rent; 0 = no offtaker risk.",
        ge=0,
        le=1,
    )
    backstop_pd: float | None = _field(
        None,
        "decimal a year",
        "Annual PD of a backstop guarantor of the contracts; blank = none. The contract cash "
        "stops only when the counterparty and the guarantor have both defaulted.",
        ge=0,
        le=1,
    )
    releasing_months: float = _field(
        0.0,
        "months",
        "Downtime when GPUs come off contract (contract end or default) before they earn market "
        "rent; KBRA rates re-leasing risk [84] but no figure was found: 0 = re-leased at once; "
        "3-6 for a downside (unsourced).",
        ge=0,
    )
    release_haircut: float = _field(
        0.0,
        "decimal",
        "Discount to market rent of GPUs re-leased after their contract (unsourced; 0 = none).",
        ge=0,
        le=1,
    )
    offtaker_correlation: float = _field(
        d.OFFTAKER_CORRELATION,
        "decimal",
        "Asset correlation (Vasicek rho, as in LOSS_QUANTILE) of the counterparty with the "
        "path's GPU-rent shock; 0.24 = Basel's corporate asset correlation at low PD, range "
        "0.12-0.24 [102]; above 0 concentrates defaults on low-rent paths.",
        ge=0,
        le=1,
    )
    backstop_correlation: float = _field(
        d.BACKSTOP_CORRELATION,
        "decimal",
        "Gaussian-copula correlation of the backstop guarantor's default with the "
        "counterparty's (joint default = bivariate normal); 0.5 unsourced.",
        ge=-1,
        le=1,
    )
    counterparty_grade: Literal["IG", "non-IG"] | None = _field(
        None,
        "text",
        "IG or non-IG contract counterparty: sets a blank margin from the DDTL 2.0 grid, SOFR + "
        "6.00-6.50% IG (6.25% used), + 13.00% non-IG [41].",
    )

    # --- delayed-draw facility and borrowing base (docs/domain.md sections 3 and 10) -----------
    draw_periods: tuple[int, ...] = _field(
        (),
        "period numbers",
        "Delayed-draw term loan: the periods at whose end each draw is made (0 = at close), "
        "e.g. 0;6;12; blank = one loan at close. Each draw is a loan of its own: profile, "
        "draw_tenor_years, margin (draw_grades).",
    )
    draw_amounts: tuple[float, ...] = _field(
        (),
        "$",
        "Amount of each draw, in draw_periods order; blank = the principal in equal parts.",
    )
    draw_tenor_years: float | None = _field(
        None,
        "years",
        "Each draw matures this long after it is drawn; DDTL 2.0: 5 years [41]; blank = "
        "tenor_years.",
        gt=0,
    )
    draw_grades: tuple[str, ...] = _field(
        (),
        "text",
        "IG or non-IG counterparty of the contract behind each draw (e.g. IG;non-IG), one or one "
        "per draw: sets each draw's margin over base_rate_path from the DDTL 2.0 grid [41]; "
        "blank = counterparty_grade.",
    )
    contract_advance: float | None = _field(
        None,
        "decimal",
        "Borrowing base, contract leg: advance on the PV of the contracted cash flows still to "
        "come (contract revenue less the contracted GPUs' opex); blank = no contract leg.",
        ge=0,
        le=1,
    )
    collateral_advance: float | None = _field(
        None,
        "decimal",
        "Borrowing base, collateral leg: advance on the GPUs' market value; blank = no "
        "collateral leg. With either leg set, senior debt above the borrowing base at a period "
        "end is a mandatory prepayment.",
        ge=0,
        le=1,
    )
    contract_discount_rate: float | None = _field(
        None,
        "decimal a year",
        "Discount rate of the borrowing base's contract leg; blank = annual_rate.",
        gt=-1,
    )

    # --- colocation leases: powered shells leased to an AI tenant (docs/domain.md section 10) ---
    colo_mw: tuple[float, ...] = _field(
        (),
        "MW",
        "Critical IT MW of each tranche of shells leased to the tenant (e.g. 100;50;50); blank = "
        "no colocation lease. The tenant is contract_counterparty, with contract_pd and "
        "backstop_pd; TeraWulf-Fluidstack 200+ MW [116].",
    )
    colo_delivery_periods: tuple[int, ...] = _field(
        (),
        "period numbers",
        "Scheduled period in which each colo_mw tranche enters service (e.g. 1;4;7); blank = all "
        "in period 1.",
    )
    colo_delay_months: float = _field(
        0.0, "months", "Delivery delay of every tranche (a stress: late shells earn no rent).", ge=0
    )
    colo_lease_rate: float = _field(
        0.0,
        "$ per kW-month",
        "Rent per kW of critical IT a month in lease year 1; ~$3.7B over 10 years on 200 MW is "
        "~$154 flat [116].",
        ge=0,
    )
    colo_escalator: float = _field(
        0.0,
        "decimal a year",
        "Annual rent escalator, stepping up on each lease anniversary (unsourced; 2-3% usual).",
        gt=-1,
    )
    colo_lease_years: float = _field(
        10.0, "years", "Lease term from period 1; 10-15 years, Fluidstack 10 [116].", gt=0
    )
    colo_opex_kw_month: float = _field(
        0.0,
        "$ per kW-month",
        "Landlord's operating cost per delivered kW a month (the tenant pays its power; "
        "unsourced).",
        ge=0,
    )
    colo_build_cost_per_mw: float = _field(
        0.0,
        "$ per MW",
        "Build cost per MW of critical IT: book value and loan_to_cost (unsourced; calibrate).",
        ge=0,
    )
    colo_cap_rate: float = _field(
        0.07,
        "decimal a year",
        "Cap rate of the shells: value = NOI a year / cap rate, and the residual at lease end "
        "(unsourced; calibrate to data-centre sales).",
        gt=0,
    )
    interest_only_years: float = _field(
        0.0,
        "years",
        "Years of interest only before the profile starts (notes amortising after completion, "
        "WULF 2030 [58]).",
        ge=0,
    )

    @field_validator("colo_mw", "colo_delivery_periods", mode="before")
    @classmethod
    def _colo_lists(cls, value: Any) -> Any:
        """``"100;50;50"`` in one Excel cell is three tranches."""
        return cls._list_from_text(value)

    @model_validator(mode="after")
    def _colo_consistent(self) -> DealAssumptions:
        if self.colo_delivery_periods and len(self.colo_delivery_periods) != len(self.colo_mw):
            raise ValueError(
                f"colo_delivery_periods needs one period per colo_mw tranche "
                f"({len(self.colo_mw)}), got {len(self.colo_delivery_periods)}"
            )
        if any(p < 1 for p in self.colo_delivery_periods):
            raise ValueError("period numbers start at 1")
        if any(mw < 0 for mw in self.colo_mw):
            raise ValueError("colo_mw must not be negative")
        if self.interest_only_years >= self.tenor_years and self.interest_only_years > 0:
            raise ValueError("interest_only_years must be shorter than tenor_years")
        periods = self.interest_only_years * self.per_year
        if abs(periods - round(periods)) > 1e-6:
            raise ValueError("interest_only_years x per_year must be a whole number of periods")
        return self

    @property
    def is_colo(self) -> bool:
        """Whether the deal leases powered shells (``colo_mw`` set)."""
        return sum(self.colo_mw) > 0

    @property
    def colo_build_cost(self) -> float:
        """Build cost of every tranche: ``colo_build_cost_per_mw * sum(colo_mw)``."""
        return self.colo_build_cost_per_mw * sum(self.colo_mw)

    # --- validators -----------------------------------------------------------------------------
    @field_validator(
        "gen_periods",
        "halving_periods",
        "base_rate_path",
        "draw_periods",
        "draw_amounts",
        mode="before",
    )
    @classmethod
    def _list_from_text(cls, value: Any) -> Any:
        """Excel cells hold one value: accept ``"13;25"`` or ``"13, 25"`` for a list."""
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]
            try:
                return tuple(float(p) for p in parts)
            except ValueError:
                raise PydanticCustomError(
                    "list_text", "expected numbers separated by ';', got '{text}'", {"text": value}
                ) from None
        if isinstance(value, int | float):
            return (value,)
        return value

    @field_validator("counterparty_grade", mode="before")
    @classmethod
    def _grade_spelling(cls, value: Any) -> Any:
        """``"ig"``, ``"Non-IG"``, ``"non ig"`` are the grid's two grades."""
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "-").replace("_", "-")
            return {"ig": "IG", "non-ig": "non-IG", "nonig": "non-IG"}.get(key, value)
        return value

    @field_validator("draw_grades", mode="before")
    @classmethod
    def _grades_from_text(cls, value: Any) -> Any:
        """``"IG;non-IG"`` (one cell) or a list: each draw's grade, spelt as the grid's."""
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            value = [p for p in value.replace(",", ";").split(";") if p.strip()]
        if isinstance(value, list | tuple):
            return tuple(cls._grade_spelling(v) for v in value)
        return value

    @field_validator("draw_grades", mode="after")
    @classmethod
    def _known_grades(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [g for g in value if g not in d.MARGIN_BY_GRADE]
        if unknown:
            raise ValueError(f"draw grades are IG or non-IG, got {unknown[0]!r}")
        return value

    @field_validator("draw_periods", mode="after")
    @classmethod
    def _draws_in_order(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(p < 0 for p in value):
            raise ValueError("draw periods start at 0 (at close)")
        if any(b < a for a, b in itertools.pairwise(value)):
            raise ValueError("draw periods must be in order")
        return value

    @model_validator(mode="after")
    def _facility_consistent(self) -> DealAssumptions:
        if not self.draw_periods:
            if self.draw_amounts or self.draw_grades or self.draw_tenor_years is not None:
                raise ValueError("draw_amounts, draw_grades and draw_tenor_years need draw_periods")
            return self
        draws = len(self.draw_periods)
        if self.draw_amounts and len(self.draw_amounts) != draws:
            raise ValueError(f"draw_amounts needs {draws} amounts (one per draw period)")
        if any(x < 0 for x in self.draw_amounts):
            raise ValueError("draw_amounts must not be negative")
        if self.draw_grades and len(self.draw_grades) not in (1, draws):
            raise ValueError(f"draw_grades needs 1 or {draws} grades (one per draw)")
        if self.draw_grades and not self.base_rate_path:
            raise ValueError("draw_grades price draws over base_rate_path: give base_rate_path")
        if self.draw_grades and self.margin is not None:
            raise ValueError(
                "margin overrides the grid: leave margin blank to price by draw_grades"
            )
        if self.profile == "sculpted":
            raise ValueError(
                "a delayed-draw facility amortises each draw: profile annuity, linear or bullet"
            )
        given = self.debt_principal
        if self.draw_amounts and given is not None and abs(sum(self.draw_amounts) - given) > 0.005:
            raise ValueError("debt_principal must equal the sum of draw_amounts (or be blank)")
        periods = self.draw_tenor_periods
        if abs(periods - self.draw_tenor_years_or_tenor * self.per_year) > 1e-6:
            raise ValueError("draw_tenor_years x per_year must be a whole number of periods")
        return self

    @field_validator("gen_periods", "halving_periods", mode="after")
    @classmethod
    def _positive_periods(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(p < 1 for p in value):
            raise ValueError("period numbers start at 1")
        return tuple(sorted(value))

    @field_validator("*", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DealAssumptions:
        if self.lockup_dscr < self.default_dscr:
            raise ValueError("lockup_dscr must be at least default_dscr")
        if self.profile == "bullet" and self.balloon:
            raise ValueError("a bullet loan repays everything at maturity; leave balloon at 0")
        for label, years in (
            ("tenor_years", self.tenor_years),
            ("book_life_years", self.book_life_years),
        ):
            periods = years * self.per_year
            if abs(periods - round(periods)) > 1e-6:
                raise ValueError(f"{label} x per_year must be a whole number of periods")
        if self.horizon_periods < self.tenor_periods:
            raise ValueError("horizon_years must be at least tenor_years")
        if self.base_rate_path and len(self.base_rate_path) not in (1, self.rate_periods):
            raise ValueError(
                f"base_rate_path needs 1 or {self.rate_periods} rates, got {len(self.base_rate_path)}"
            )
        if self.principal > 0 and self.principal < self.balloon:
            raise ValueError("balloon must not exceed the principal")
        return self

    # --- derived ------------------------------------------------------------------------------
    @property
    def curve_warnings(self) -> tuple[str, ...]:
        """What the deal's curves ignore to count obsolescence once (docs/gpu-curves.md)."""
        steps = bool(self.gen_periods) and (self.gen_step > 0 or (self.rent_gen_step or 0) > 0)
        if not steps:
            return ()
        if self.gpu_model is not None:
            return (
                f"gen_periods ignored: the {self.gpu_model} curve (GPU_CURVE) is an all-in "
                "decline that already prices new generations",
            )
        if self.decline_basis == "all_in":
            return (
                "gen_periods ignored: annual_decline and market_decay are all-in declines that "
                "already price new generations; set decline_basis to within_generation to apply "
                "the steps to a within-generation decline",
            )
        return ()

    @property
    def tenor_periods(self) -> int:
        return round(self.tenor_years * self.per_year)

    @property
    def horizon_periods(self) -> int:
        """Periods in the schedule: ``horizon_years``, or blank = the last maturity.

        The last maturity is the latest of the senior tenor, the convertible maturity (when notes
        are outstanding) and the end of the contracts, so a later maturity never drops out.
        """
        if self.horizon_years is not None:
            return round(self.horizon_years * self.per_year)
        ends = [self.tenor_periods]
        if self.convert_principal > 0:
            ends.append(self.convert_periods)
        if self.contract_periods is not None and self.contracted_share > 0:
            ends.append(self.contract_periods)
        if self.draw_periods:
            ends.append(self.facility_periods)

        if self.is_colo:
            ends.append(round(self.colo_lease_years * self.per_year))
        return max(ends)

    @property
    def draw_tenor_years_or_tenor(self) -> float:
        """``draw_tenor_years``, blank = ``tenor_years``."""
        return self.tenor_years if self.draw_tenor_years is None else self.draw_tenor_years

    @property
    def draw_tenor_periods(self) -> int:
        """Periods from a draw to its maturity."""
        return round(self.draw_tenor_years_or_tenor * self.per_year)

    @property
    def facility_periods(self) -> int:
        """The last maturity of a delayed-draw facility: the last draw plus ``draw_tenor_years``."""
        return max(self.draw_periods) + self.draw_tenor_periods

    @property
    def rate_periods(self) -> int:
        """Periods a ``base_rate_path`` covers: the tenor, or the facility's last maturity."""
        return self.facility_periods if self.draw_periods else self.tenor_periods

    @property
    def has_borrowing_base(self) -> bool:
        """True when either leg of the borrowing base is set (mandatory prepayments apply)."""
        return self.contract_advance is not None or self.collateral_advance is not None

    @property
    def convert_periods(self) -> int:
        """Period in which the convertible notes mature."""
        return round(self.convert_years * self.per_year)

    @property
    def test_step(self) -> int:
        """Periods between covenant tests (3 for quarterly tests of a monthly schedule)."""
        return max(1, round(self.per_year / self.test_frequency))

    @property
    def lookback_periods(self) -> int:
        """Periods in the trailing DSCR of a covenant test (12 monthly periods for an LTM test)."""
        return max(1, round(self.dscr_lookback * self.per_year / 12))

    @property
    def dsra_periods(self) -> int:
        """Periods of scheduled debt service the DSRA holds."""
        return round(self.dsra_months * self.per_year / 12)

    @property
    def refi_periods(self) -> int:
        """Periods over which a refinancing amortises."""
        years = self.refi_years if self.refi_years is not None else self.tenor_years
        return max(1, round(years * self.per_year))

    @property
    def floating_margin(self) -> float:
        """``margin``, or blank = the DDTL 2.0 grid by ``counterparty_grade`` [41] (IG without one)."""
        if self.margin is not None:
            return self.margin
        return d.MARGIN_BY_GRADE[self.counterparty_grade or "IG"]

    @property
    def principal(self) -> float:
        if self.draw_amounts:
            return float(sum(self.draw_amounts))
        if self.debt_principal is not None:
            return self.debt_principal
        return self.loan_to_cost * (self.gpus * self.capex_per_gpu + self.colo_build_cost)

    @property
    def is_miner(self) -> bool:
        return self.hashrate_ph > 0 or self.btc_held > 0 or self.convert_principal > 0


#: The assumption names, in documentation order.
ASSUMPTION_NAMES = tuple(DealAssumptions.model_fields)


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "assumptions"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(where, ASSUMPTION_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown assumption {where!r}{hint}")
        else:
            problems.append(f"{where}: {message}")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0] + more


def _normalise_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """Names are case- and space-insensitive (``"Annual decline"`` is ``annual_decline``)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = str(key).strip().lower().replace(" ", "_").replace("-", "_")
        if name in out:
            raise InvalidInputError(f"assumption {name!r} is given twice")
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue  # a blank value keeps the default
        out[name] = value
    return out


def parse_assumptions(
    values: DealAssumptions | Mapping[str, Any] | None = None, **overrides: Any
) -> DealAssumptions:
    """Validated assumptions from a mapping (an Excel key/value range, a parsed YAML/JSON file).

    Raises
    ------
    InvalidInputError
        Unknown names or values of the wrong type (``#VALUE!``), with a one-line reason.
    DomainError
        Values out of range (``#NUM!``).
    """
    if isinstance(values, DealAssumptions):
        if not overrides:
            return values
        values = values.model_dump(exclude_unset=True)
    merged = {**_normalise_keys(values or {}), **_normalise_keys(overrides)}
    try:
        return DealAssumptions.model_validate(merged)
    except ValidationError as error:
        kinds = {item["type"] for item in error.errors()}
        numeric = {
            "greater_than",
            "greater_than_equal",
            "less_than",
            "less_than_equal",
            "value_error",
        }
        cls = DomainError if kinds <= numeric else InvalidInputError
        raise cls(_one_line(error)) from None


def load_assumptions_file(path: str | Path) -> list[dict[str, Any]]:
    """Deal mappings from a YAML or JSON file: one mapping, a list, or ``{"deals": [...]}``.

    Read by the command line's one YAML/JSON reader (:func:`pyfuncs.fileio.read_data_file`):
    a missing or malformed file is an :class:`InvalidInputError` with a one-line reason.
    """
    from pyfuncs.fileio import read_data_file

    path = Path(path)
    data = read_data_file(path, "deals file")
    if isinstance(data, Mapping) and "deals" in data:
        data = data["deals"]
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(x, Mapping) for x in data):
        raise InvalidInputError(f"{path.name}: expected a mapping of assumptions or a list of them")
    return [dict(x) for x in data]


def assumption_reference() -> list[tuple[str, str, str, str]]:
    """(name, unit, default, description) for every assumption, for help text and the README."""
    rows = []
    for name, info in DealAssumptions.model_fields.items():
        extra = info.json_schema_extra or {}
        default = info.default
        shown = "blank" if default in (None, ()) else str(default)
        rows.append((name, str(extra.get("unit", "")), shown, info.description or ""))
    return rows
