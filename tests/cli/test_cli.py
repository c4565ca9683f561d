"""The gpucredit command as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy_financial as npf
import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_demo_prints_the_side_by_side_numbers():
    done = run("demo")
    assert done.returncode == 0, done.stderr
    for words in (
        "As usually modelled",
        "Deflation-aware",
        "Book LTV",
        "Fire-sale LTV",
        "Repriced spread",
    ):
        assert words in done.stdout


def test_demo_json_flat_dscr_matches_a_hand_calculation():
    done = run("demo", "--json", "--no-workbooks")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    deal = result["deal"]
    # Flat rents: CFADS a month = (rent*util - opex) * 730 * GPUs; debt service = PMT.
    opex = 1.275 * 1.3 * 0.08 + 1.275 * deal["colo_kw_month"] / 730
    cfads = (deal["rent0"] * deal["utilization"] - opex) * 730 * deal["gpus"]
    payment = float(npf.pmt(deal["annual_rate"] / 12, 60, -deal["principal"]))
    flat, deflating, swept = result["scenarios"]
    assert flat["min_dscr"] == pytest.approx(cfads / payment)
    assert flat["default_breach_period"] is None and flat["repaid_period"] == 60
    assert deflating["min_dscr"] < flat["min_dscr"]
    assert deflating["lockup_breach_period"] is not None
    # the reserve pays before the default: the DSRA is drawn first
    assert deflating["dsra_first_draw"] < deflating["default_breach_period"]
    # a full cash sweep takes the balance down faster: the same loan, less of it at risk
    assert swept["dscr_by_year"]["1"] > deflating["dscr_by_year"]["1"]
    first_year = result["ltv_by_year"]["1"]
    assert first_year["book"] < first_year["market"] < first_year["firesale"]


def test_call_command_and_its_errors():
    done = run("call", "HAZARD_RATE", "0.0675", "0.35")
    assert done.returncode == 0 and float(done.stdout) == pytest.approx(0.0675 / 0.65)
    bad = run("call", "LTV", "1", "0")
    assert bad.returncode == 1 and "#DIV/0!" in bad.stdout and "Traceback" not in bad.stderr


def test_functions_lists_the_catalogue():
    done = run("functions")
    assert done.returncode == 0 and "DEBT_SCHEDULE" in done.stdout


def test_the_demo_notes_say_what_its_own_numbers_show():
    from pyfuncs.cli.demo import run_demo

    result = run_demo(paths=200, seed=1)
    base, swept = result.scenarios[1], result.scenarios[2]
    note = next(n for n in result.notes if "cash sweep" in n)
    if swept.repaid_period is None:
        assert not re.search(r"\brepays\b", note)
        assert f"month {swept.default_breach_period}" in note
    else:
        assert f"month {swept.repaid_period}" in note
    assert base.name == swept.name == "Deflation-aware"
