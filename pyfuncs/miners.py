"""Bitcoin miners pivoting to AI hosting: hashprice and the coverage of mining plus hosting.

docs/domain.md section 7: hashprice ($ per PH/s per day) = (subsidy + fees) * 144 * BTC / network PH/s
[95]; it rises with price and fees and falls with difficulty. A BTC drop cuts mining CFADS one for
one until difficulty adjusts, and GPU rents can fall at the same time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import as_array, broadcast, check_ge, check_gt, check_nonzero
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.defaults import BLOCKS_PER_DAY, BTC_SUBSIDY, DAYS_PER_YEAR

CATEGORY = "Miners"
#: PH/s in one EH/s.
PH_PER_EH = 1000.0


@excel_function(
    "HASHPRICE",
    category=CATEGORY,
    help="Mining revenue, $ per PH/s per day: (subsidy+fees_per_block)*blocks_per_day*btc_price/"
    "(network_ehs*1000).",
    args=[
        Arg("btc_price", "Bitcoin price, $.", "number"),
        Arg("network_ehs", "Network hashrate, EH/s.", "number"),
        Arg("subsidy", "Block subsidy, BTC (halves every 210,000 blocks).", "number"),
        Arg("fees_per_block", "Transaction fees per block, BTC.", "number"),
        Arg("blocks_per_day", "Blocks a day.", "number"),
    ],
    result=Result("scalar", help="$ per PH/s per day."),
)
def hashprice(
    btc_price: Any,
    network_ehs: Any,
    subsidy: Any = BTC_SUBSIDY,
    fees_per_block: Any = 0.0,
    blocks_per_day: Any = BLOCKS_PER_DAY,
) -> np.ndarray:
    """Hashprice: what one PH/s of mining earns in a day.

    Parameters
    ----------
    btc_price : array_like
        $ per BTC.
    network_ehs : array_like
        Network hashrate, EH/s (difficulty * 2^32 / 600 s, in 1e18 H/s).
    subsidy : array_like, optional
        BTC per block after the April 2024 halving.
    fees_per_block : array_like, optional
        BTC per block.
    blocks_per_day : array_like, optional

    Returns
    -------
    ndarray
        ``(subsidy + fees) * blocks_per_day * btc_price / (network_ehs * 1000)`` [95]. The 5-year
        low was $38.2 at BTC $91k and difficulty 152T [96].
    """
    price, network, sub, fees, blocks = broadcast(
        btc_price=as_array("btc_price", btc_price),
        network_ehs=as_array("network_ehs", network_ehs),
        subsidy=as_array("subsidy", subsidy),
        fees_per_block=as_array("fees_per_block", fees_per_block),
        blocks_per_day=as_array("blocks_per_day", blocks_per_day),
    )
    check_ge("btc_price", price, 0.0)
    check_nonzero("network_ehs", network)
    check_gt("network_ehs", network, 0.0)
    check_ge("subsidy", sub, 0.0)
    check_ge("fees_per_block", fees, 0.0)
    check_ge("blocks_per_day", blocks, 0.0)
    return (sub + fees) * blocks * price / (network * PH_PER_EH)


@excel_function(
    "MINER_DSCR",
    category=CATEGORY,
    help="Annual DSCR of a miner: ((hashprice-cost_per_ph_day)*hashrate_ph*days + hosting_cfads)/"
    "debt_service.",
    args=[
        Arg("hashprice", "Hashprice, $ per PH/s per day (see HASHPRICE).", "number"),
        Arg("hashrate_ph", "The miner's fleet, PH/s.", "number"),
        Arg(
            "cost_per_ph_day", "Cash cost of mining, $ per PH/s per day (power, hosting).", "number"
        ),
        Arg("hosting_cfads", "Annual CFADS from GPU/AI hosting, $.", "number"),
        Arg("debt_service", "Annual debt service, $.", "number"),
        Arg("days", "Days in the period.", "number"),
    ],
    result=Result("scalar", help="Ratio (x)."),
)
def miner_dscr(
    hashprice: Any,
    hashrate_ph: Any,
    cost_per_ph_day: Any,
    hosting_cfads: Any,
    debt_service: Any,
    days: Any = DAYS_PER_YEAR,
) -> np.ndarray:
    """Coverage of a miner's debt service by mining margin plus hosting cash flow.

    Parameters
    ----------
    hashprice : array_like
        $ per PH/s per day.
    hashrate_ph : array_like
        Fleet hashrate, PH/s.
    cost_per_ph_day : array_like
        Cash cost, $ per PH/s per day.
    hosting_cfads : array_like
        CFADS from AI hosting over the same period, $.
    debt_service : array_like
        Debt service over the period, $.
    days : array_like, optional

    Returns
    -------
    ndarray
        ``((hashprice - cost)*hashrate*days + hosting_cfads) / debt_service``. The mining margin
        may be negative (a miner then runs at a loss or curtails), which this keeps.
    """
    price, fleet, cost, hosting, service, span = broadcast(
        hashprice=as_array("hashprice", hashprice),
        hashrate_ph=as_array("hashrate_ph", hashrate_ph),
        cost_per_ph_day=as_array("cost_per_ph_day", cost_per_ph_day),
        hosting_cfads=as_array("hosting_cfads", hosting_cfads),
        debt_service=as_array("debt_service", debt_service),
        days=as_array("days", days),
    )
    check_ge("hashprice", price, 0.0)
    check_ge("hashrate_ph", fleet, 0.0)
    check_ge("cost_per_ph_day", cost, 0.0)
    check_ge("days", span, 0.0)
    check_nonzero("debt_service", service)
    check_gt("debt_service", service, 0.0)
    return ((price - cost) * fleet * span + hosting) / service
