"""The DDTL 2.0 margin grid by contract counterparty: SOFR + 6.00-6.50% IG, + 13.00% non-IG."""

from __future__ import annotations

import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.schedule import deal_schedule
from pyfuncs.errors import InvalidInputError

FLOATING = {
    "gpus": 1_000,
    "capex_per_gpu": 50_000,
    "loan_to_cost": 0.6,  # $30M
    "rent0": 2.5,
    "opex_hour": 0.4,
    "tenor_years": 3,
    "base_rate_path": 0.043,  # 3M term SOFR, flat
}


@pytest.mark.parametrize(
    ("extra", "margin"),
    [
        ({"counterparty_grade": "IG"}, 0.0625),  # midpoint of 6.00-6.50%
        ({"counterparty_grade": "non-IG"}, 0.13),
        ({"counterparty_grade": "non ig"}, 0.13),
        ({}, 0.0625),
        ({"counterparty_grade": "non-IG", "margin": 0.05}, 0.05),  # a given margin wins
    ],
)
def test_first_months_interest_is_sofr_plus_the_grade_margin(extra, margin):
    frame = deal_schedule({**FLOATING, **extra}).to_frame()
    assert frame["interest"][0] == pytest.approx(30e6 * (0.043 + margin) / 12, rel=1e-12)


def test_an_unknown_grade_is_a_one_line_error():
    with pytest.raises(InvalidInputError) as info:
        parse_assumptions(FLOATING, counterparty_grade="BBB")
    assert "counterparty_grade" in str(info.value) and "\n" not in str(info.value)
