"""Hashprice and miner DSCR against cited lows and hand calculations."""

from __future__ import annotations

import pytest

import pyfuncs
from pyfuncs import call


def test_hashprice_cited_low():
    # docs/domain.md section 7 [96]: $38.2/PH/day at BTC $91k and difficulty 152T. Network hashrate
    # = difficulty * 2^32 / 600 s; with fees of ~0.05 BTC a block the formula gives ~$38.2.
    network_ehs = 152e12 * 2**32 / 600 / 1e18
    assert float(pyfuncs.hashprice(91_000, network_ehs, 3.125, 0.05)) == pytest.approx(
        38.2, rel=0.01
    )
    assert float(pyfuncs.hashprice(100_000, 1000)) == pytest.approx(3.125 * 144 * 100_000 / 1e6)


def test_miner_dscr_by_hand():
    # ((45 - 30) * 20,000 PH/s * 365 + $40M hosting) / $100M
    got = float(pyfuncs.miner_dscr(45, 20_000, 30, 40e6, 100e6))
    assert got == pytest.approx((15 * 20_000 * 365 + 40e6) / 100e6)
    assert call("MINER_DSCR", 45, 1, 30, 0, 0).code == "#DIV/0!"
