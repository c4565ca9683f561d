"""Documented defaults of GPU-backed credit, each with its source in ``shared/DOMAIN.md``.

Bracketed numbers ``[n]`` are DOMAIN.md's reference list. "Unsourced" marks a parameter a user
should calibrate. Function signatures use these names, so a default is written once.
"""

# --- Time -------------------------------------------------------------------------------------
HOURS_PER_YEAR = 8760.0
#: 8760 / 12: colocation is priced per kW-month and converted to per hour with 730 h (FUNCTIONS.md).
HOURS_PER_MONTH = 730.0
#: Periods per year of a schedule: monthly (FUNCTIONS.md).
PER_YEAR = 12
#: Largest ``per_year`` accepted: hourly periods.
MAX_PER_YEAR = 8760

# --- Rents (DOMAIN.md section 1) -----------------------------------------------------------------
#: Annual H100 rent decline: 2024 reserved 1-yr $7.20 vs 3-yr $5.40 implies 0.72/yr [10];
#: Epoch FLOP/s-per-$ doubling 2.07 yr gives -28%/yr [11]. Range 20-46%.
ANNUAL_RENT_DECLINE = 0.28
#: Step down in rent and value when a new NVIDIA generation ships: 20-30% [37] (weak), midpoint.
GEN_STEP = 0.25
#: Utilisation of contracted capacity: CoreWeave ~95% SLA [14], ~96% committed revenue [15].
UTILIZATION_CONTRACTED = 0.95

# --- Power and opex (DOMAIN.md section 1) --------------------------------------------------------
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

# --- Depreciation and value (DOMAIN.md section 2) ------------------------------------------------
#: Accounting life of GPUs, years: CoreWeave 6-yr straight line [31]; MSFT, GOOGL 6 [26][27].
BOOK_LIFE_YEARS = 6.0
#: Annual decay of used-GPU market value: -30%/yr, from the weak residual curve 60-65% / 40-45% /
#: 25-35% at 1/2/3 years [37] and Friedman's -40-60% in 3 years [38].
MARKET_VALUE_DECAY = 0.30
#: Declining-balance factor (Excel's DDB/VDB default).
DDB_FACTOR = 2.0

# --- Debt and covenants (DOMAIN.md sections 3-4) -------------------------------------------------
#: CoreWeave DDTL 2.0 effective rate [39].
DDTL_RATE = 0.11
#: DSCR lock-up trigger ~1.10x [72].
LOCKUP_DSCR = 1.10
#: DSCR event-of-default level 1.00x [72].
DEFAULT_DSCR = 1.00

# --- Fire-sale recovery (DOMAIN.md section 6) ----------------------------------------------------
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

# --- Miners (DOMAIN.md section 7) ----------------------------------------------------------------
#: Block subsidy after the April 2024 halving, BTC.
BTC_SUBSIDY = 3.125
#: Blocks a day at the 10-minute target [95].
BLOCKS_PER_DAY = 144.0
#: Days a year in MINER_DSCR.
DAYS_PER_YEAR = 365.0

# --- Spreads (DOMAIN.md section 8) ---------------------------------------------------------------
#: CDS recovery convention 30-40% [45].
CDS_RECOVERY = 0.35
