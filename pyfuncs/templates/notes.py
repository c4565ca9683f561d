"""The Notes sheet text shared by the templates: method, sources, and what is unverified."""

from __future__ import annotations

COMMON_METHOD = [
    "METHOD",
    "Market rent follows the GPU model's curve (GPU_CURVE, gpu_model: declines that slow "
    "and floor) unless rent0 or annual_decline is set, in which case it falls smoothly by "
    "annual_decline (RENT_CURVE), an observed all-in decline that already prices new "
    "generations: generation steps apply only with decline_basis within_generation, never on "
    "top of it. Period t earns the rent at elapsed time (t-1)/per_year years.",
    "CFADS = revenue - opex; opex is charged on every hour (OPEX_HOUR: it_kw x PUE x power price "
    "+ colocation on IT kW). Taxes and working capital are left to the analyst.",
    "DSCR_t = CFADS_t / debt service_t. Lock-up below lockup_dscr (~1.10x), default below "
    "default_dscr (1.00x) (docs/domain.md section 4).",
    "Book value: straight line over book_life_years (6 years, as CoreWeave). Market value: "
    "the GPU model's resale curve (RESIDUAL_VALUE) unless market_decay is set (a decline a "
    "year). Fire-sale value: the fleet sold over months_to_sell, square-root market impact on "
    "monthly_volume, the value still falling while it sells, site factor and costs "
    "(FIRESALE_RECOVERY).",
    "JOINT_STRESS: correlated shocks to ln BTC and ln rent (Gaussian copula, or Student-t), "
    "pushed through the same engine as DEAL_SCHEDULE; seeded, so the same seed gives the same "
    "numbers in Excel, Python and on the server.",
    "SCENARIOS",
    "The Scenarios sheet holds four cases, base, downside, severe and rebound; B4 picks the one "
    "in use and the schedule, dashboard and stress follow it. A case scales the market rent and "
    "utilisation and shifts the annual decline (a miner's also scales the BTC price); base moves "
    "nothing. From the command line: gpucredit refresh model.xlsx --set Scenario=severe --out "
    "severe.xlsx.",
    "SOURCES",
    "Every default and its source is listed in docs/functions.md (Deal assumptions) and in "
    "docs/domain.md. Unsourced inputs (market depth, de-install cost, hash cost, rent "
    "volatility) are placeholders to calibrate.",
    "HOW THE FILE WORKS",
    "Blue cells on Inputs are inputs; each has a defined name used by the formulas. Every "
    "formula cell carries its value, computed by gpucredit, so the numbers show before the "
    "add-in loads, in LibreOffice and in pandas. Spilled results are legacy array formulas over "
    "fixed ranges, which fill in Excel 2016 and 365 alike; rebuild the workbook to change the "
    "number of periods.",
    "To recompute without Excel: gpucredit refresh model.xlsx --set rent0=2.1 --out new.xlsx",
    "NOT VERIFIED WITHOUT EXCEL",
    "The Office.js flavor stores calls as _xldudf_GPU_NAME(...), the spelling Excel saves for "
    "JavaScript custom functions (Excel-Custom-Functions#108); they should bind once the "
    "gpucredit add-in loads. The xlwings flavor stores GPU_NAME(...), which needs the functions "
    "imported into the workbook or an add-in (xlwings#2618). Neither could be opened in Excel "
    "here; LibreOffice with gpucredit's Calc add-in recalculates both and agrees.",
]
