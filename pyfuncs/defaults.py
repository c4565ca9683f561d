"""Documented defaults of GPU-backed credit, each with its source in ``docs/domain.md``.

Bracketed numbers ``[n]`` are docs/domain.md's reference list. "Unsourced" marks a parameter a user
should calibrate. Function signatures use these names, so a default is written once.
"""

# --- Time -------------------------------------------------------------------------------------
HOURS_PER_YEAR = 8760.0
#: 8760 / 12: colocation is priced per kW-month and converted to per hour with 730 h (docs/functions.md).
HOURS_PER_MONTH = 730.0
#: Periods per year of a schedule: monthly (docs/functions.md).
PER_YEAR = 12
#: Largest ``per_year`` accepted: hourly periods.
MAX_PER_YEAR = 8760

# --- Rents (docs/domain.md section 1) -------------------------------------------------------------
#: Annual H100 rent decline: 2024 reserved 1-yr $7.20 vs 3-yr $5.40 implies 0.72/yr [10];
#: Epoch FLOP/s-per-$ doubling 2.07 yr gives -28%/yr [11]. Range 20-46%.
ANNUAL_RENT_DECLINE = 0.28
#: Step down in rent and value when a new NVIDIA generation ships: 20-30% [37] (weak), midpoint.
GEN_STEP = 0.25
#: Utilisation of contracted capacity: CoreWeave ~95% SLA [14], ~96% committed revenue [15].
UTILIZATION_CONTRACTED = 0.95

# --- Power and opex (docs/domain.md section 1) ----------------------------------------------------
#: IT load per H100: DGX H100 10.2 kW / 8 GPUs [18].
IT_KW_PER_GPU = 1.275
#: Power usage effectiveness of a new site: <= 1.3 [22] (2024 average 1.56 [21]).
PUE = 1.3
#: Power price, $/kWh: $0.06-0.12 [24] (weak).
POWER_PRICE = 0.08
#: Colocation, $/kW-month of IT load: $150-250 [24] (weak); 0 unless the deal pays colo.
COLO_KW_MONTH_TYPICAL = 200.0
#: All-in H100 capex per GPU, $: ~$50k ($47-52k) [25].
CAPEX_PER_GPU_H100 = 50_000.0

# --- Depreciation and value (docs/domain.md section 2) --------------------------------------------
#: Accounting life of GPUs, years: CoreWeave 6-yr straight line [31]; MSFT, GOOGL 6 [26][27].
BOOK_LIFE_YEARS = 6.0
#: Annual decay of used-GPU market value: -30%/yr, from the weak residual curve 60-65% / 40-45% /
#: 25-35% at 1/2/3 years [37] and Friedman's -40-60% in 3 years [38].
MARKET_VALUE_DECAY = 0.30
#: Declining-balance factor (Excel's DDB/VDB default).
DDB_FACTOR = 2.0

# --- Debt and covenants (docs/domain.md sections 3-4) ---------------------------------------------
#: CoreWeave DDTL 2.0 effective rate [39].
DDTL_RATE = 0.11
#: DSCR lock-up trigger ~1.10x [72].
LOCKUP_DSCR = 1.10
#: DSCR event-of-default level 1.00x [72].
DEFAULT_DSCR = 1.00

# --- Fire-sale recovery (docs/domain.md section 6) ------------------------------------------------
#: Residual liquidity discount ~9% after maintenance quality (Franks et al.) [89].
FIRESALE_BASE_DISCOUNT = 0.09
#: Square-root impact coefficient Y ~0.5-1 [91].
FIRESALE_IMPACT = 0.7
#: Price volatility of used GPUs in the impact law (unsourced; calibrate).
FIRESALE_VOLATILITY = 0.5
#: Cap on the market-impact term (unsourced; keeps the law in its range of validity).
FIRESALE_IMPACT_CAP = 0.6
#: Site factor for liquid-cooled NVL72 racks, since buyers need > 30 kW/rack [18] (unsourced).
FIRESALE_SITE_FACTOR = 0.7
#: Months to sell: ISTAT distressed 60 days - 6 months [80]; OLV 3-9 months [93].
MONTHS_TO_SELL = 6.0
#: Discount rate for the time to recover in LGD (unsourced).
LGD_DISCOUNT_RATE = 0.10

# --- Miners (docs/domain.md section 7) ------------------------------------------------------------
#: Block subsidy after the April 2024 halving, BTC.
BTC_SUBSIDY = 3.125
#: Blocks a day at the 10-minute target [95].
BLOCKS_PER_DAY = 144.0
#: Days a year in MINER_DSCR.
DAYS_PER_YEAR = 365.0

# --- Spreads (docs/domain.md section 8) -----------------------------------------------------------
#: CDS recovery convention 30-40% [45].
CDS_RECOVERY = 0.35

# --- Deal defaults (DealAssumptions; docs/domain.md) -------------------------------------------
#: GPUs in a sample deal (a 10,000-GPU H100 cluster, the scale of docs/domain.md section 3's deals).
DEAL_GPUS = 10_000.0
#: Market rent in period 1, $/GPU-hour: 1-yr H100 contract $2.35 (Mar 2026) [3][5].
RENT0_H100 = 2.35
#: Loan as a share of capex: data-centre ABS max LTV 70% [75].
LOAN_TO_COST = 0.70
#: Floating margin over the base rate: DDTL 2.0 IG contracts SOFR + 6.00-6.50% [41], midpoint.
DDTL_MARGIN = 0.0625
#: Loan tenor, years: each DDTL 2.0 draw matures 5 years after it is drawn [41].
TENOR_YEARS = 5.0
#: Sculpting target DSCR: lock-up DSCR 1.25 [73] plus a margin; 1.30x (unsourced midpoint).
TARGET_DSCR = 1.30
#: Years to a convertible's maturity: 2029-2033 issues, e.g. IREN 0% 2031 [55]; 5 years.
CONVERT_YEARS = 5.0
#: Used GPUs of one kind the market absorbs a month (unsourced; calibrate).
MONTHLY_VOLUME = 5_000.0

# --- Cash waterfall (docs/domain.md section 10, "Cash waterfall practice") ------------------------
#: Debt service reserve, months of scheduled debt service: 6-12 months
#: (financialmodelling.mazars.com/resources/debt-service-reserve-account-dsra/); 6, the low end.
DSRA_MONTHS = 6.0
#: Covenant tests a year: quarter ends (docs/domain.md section 10).
TEST_FREQUENCY = 4
#: Months in the trailing (LTM) DSCR tested at a test date: trailing twelve months (section 10).
DSCR_LOOKBACK_MONTHS = 12.0
#: Share of excess cash swept to prepay principal outside a lock-up: 0 (a plain term loan; DC ABS
#: sweep 100% only below 1.35x [74]).
CASH_SWEEP = 0.0

# --- Miners (docs/domain.md sections 7 and 10) ----------------------------------------------------
#: BTC price in period 1, $: $91k at the 5-year hashprice low [96].
BTC_PRICE_AT_LOW = 91_000.0
#: Growth of network hashrate a year: +34.5% in 2025, 795.7 to ~1,070 EH/s
#: (btc-newswire.com/bitcoin-mining-difficulty-rose-35-in-2025-data-shows/); ~2x in 2024.
NETWORK_GROWTH = 0.345
#: Months for network hashrate to respond to the BTC price (difficulty follows deployments;
#: unsourced, calibrate).
HASHRATE_LAG_MONTHS = 6.0
#: Elasticity of network hashrate to the lagged BTC price shock (unsourced, calibrate): 0 keeps
#: the network on its growth path, 1 moves it one for one with the price.
HASHRATE_ELASTICITY = 0.5
#: Cash cost of mining, $/PH/s/day (power, hosting; unsourced, calibrate).
HASH_COST_PH_DAY = 30.0
#: BTC-backed loans margin-call near 70% LTV (help.unchained.com/what-is-the-margin-call-process).
BTC_MARGIN_CALL_LTV = 0.70
#: ... and liquidate at 80-85% LTV (same source); 0.80, the earlier trigger.
BTC_LIQUIDATION_LTV = 0.80
#: LTV a margin call restores by paying the BTC loan down (unsourced: the usual opening LTV 50%).
BTC_CURE_LTV = 0.50

# --- Stress (docs/domain.md sections 7-8) ---------------------------------------------------------
#: BTC volatility a year: 46-54% [100][101].
BTC_VOL = 0.50
#: GPU rent volatility a year: 0.15, the shock whose 5th percentile tracks the fastest documented
#: decline (20-46%/yr [10][11]) over a loan's life (docs/domain.md section 10).
RENT_VOL = 0.15
#: Correlation of ln BTC and ln rent shocks: 0.5 default, 0.8 stress (proxy [98]).
BTC_RENT_CORRELATION = 0.5
#: Student-t copula degrees of freedom (heavy joint tails; unsourced).
T_COPULA_DOF = 4.0
#: Market spread to reprice: CoreWeave 5-yr CDS ~675 bp (Nov-Dec 2025) [44][45].
MARKET_SPREAD = 0.0675
#: Spreads above this are shown as "distressed": beyond 2,000 bp a spread is not a price of
#: credit risk but of a recovery (docs/functions.md v2).
DISTRESSED_SPREAD = 0.20

#: Asset correlation of a contract counterparty with the GPU-rent factor: the Basel IRB corporate
#: correlation at low PD, 0.24 (Basel's corporate asset correlations run 0.12-0.24 [102],
#: falling with PD: BCBS Basel Framework CRE31.5).
OFFTAKER_CORRELATION = 0.24
#: Correlation of a backstop guarantor's latent default variable with the counterparty's
#: (bivariate normal joint default); unsourced.
BACKSTOP_CORRELATION = 0.5
#: DDTL 2.0 margin grid by contract counterparty [41]: IG contracts SOFR + 6.00-6.50% (midpoint),
#: non-IG contracts SOFR + 13.00%.
MARGIN_BY_GRADE = {"IG": DDTL_MARGIN, "non-IG": 0.13}
