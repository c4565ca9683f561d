"""The deal's fire sale: FIRESALE_RECOVERY on the deal's own market-depth and cost inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.recovery import firesale_recovery


def fleet_firesale(
    a: DealAssumptions, unit_value: Any, annual_decay: Any, units: float | None = None
) -> np.ndarray:
    """FIRESALE_RECOVERY of ``units`` (blank = the deal's GPUs) at ``unit_value`` each, the value
    falling at ``annual_decay`` while it is sold over ``months_to_sell``; every other input
    (market depth, site factor, costs, impact) is the deal's own. The GPU fleet and a colo
    campus sold as one unit both price their forced sale here."""
    return firesale_recovery(
        unit_value,
        a.gpus if units is None else units,
        a.monthly_volume,
        0.0,
        a.gen_step,
        a.site_factor,
        a.cost_per_unit,
        a.months_to_sell,
        a.carry_per_unit_month,
        a.volatility,
        a.impact,
        a.base_discount,
        annual_decay,
    )
