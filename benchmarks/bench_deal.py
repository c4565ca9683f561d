"""Deal engine speed and memory: JOINT_STRESS and a portfolio, as ratios measured in one run.

Run: ``python benchmarks/bench_deal.py`` (``--quick`` for a smaller run, ``--stress-only`` for the
JOINT_STRESS figures alone). Prints:
- JOINT_STRESS, 100,000 paths x 120 monthly periods on this machine's cores, against a per-path
  Python loop over the same engine (target >= 100x) and against the memory-bandwidth floor
  (target within 5x once drawing the shocks is excluded), with the waterfall run both ways: the
  numpy reference (``GPUCREDIT_WATERFALL=numpy``) and the compiled per-path kernel
  (pyfuncs/deal/waterfall_kernel.py, ``GPUCREDIT_WATERFALL=kernel``); and the kernel's
  first-call compile time in a fresh process, with an empty numba cache and with a warm one;
- peak memory of 100,000 and 1,000,000 paths (target: 1,000,000 paths under 2 GB);
- a 1,000-deal correlated portfolio (every deal also on the shared factor draws of
  pyfuncs.deal.portfolio_credit, with its loss distribution): deals a second on 1 and 2 local
  worker processes.
Nothing is asserted: a slow machine never fails the tests.

The memory-bandwidth floor counts the bytes the stress inherently moves once its shocks are
drawn, not the arrays this implementation happens to make (a floor that grew with every
temporary would reward making more of them). The drawing leaves two float64 factors per path and
period in memory, the rent shock and the BTC shock; every number of the stress depends on both,
so they must be read once: 2 x 8 bytes per path and period. What the stress keeps is per path
(its outcome, :class:`pyfuncs.deal.waterfall.PathOutcome`, and the final BTC price), written once:
8 bytes per field per path. CFADS, the BTC price, the waterfall's balances are intermediate: a
computation that streamed the periods through cache would never write them to memory, so they are
not counted. The floor is these bytes at the speed of ``numpy.add(x, y, out=z)`` on arrays of
``paths x periods`` float64 on this machine (two arrays read and one written per call, so its
bytes per second are ``3 x 8 x paths x periods / seconds``; best of five). The ratio
``(engine - drawing) / floor`` is how far the engine is from streaming its inputs once. "engine"
is the whole JOINT_STRESS call: besides the waterfall it computes CFADS from the shocks
(pyfuncs.deal.engine.operating_cash, numpy either way), the fire-sale value where paths default
and the summary; the kernel replaces the waterfall alone. Times are the best of three runs on the
wall clock; on a shared machine, where the wall clock counts other processes too, the same ratios
are printed on this process's CPU seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import pyfuncs
from pyfuncs.cli.demo import SAMPLE_MINER
from pyfuncs.deal import waterfall_kernel
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import debt_profile
from pyfuncs.deal.portfolio import portfolio_loss, run_portfolio
from pyfuncs.deal.stress import correlated_shocks, path_outcomes
from pyfuncs.deal.waterfall import PathOutcome

DEAL = {**SAMPLE_MINER, "tenor_years": 10, "convert_years": 12, "horizon_years": 10}  # 120 months
#: Float64 arrays of ``paths x periods`` the stress must read once its shocks are drawn: the rent
#: and BTC shocks. Everything it keeps is per path: the outcome's fields and the final BTC price.
SHOCK_ARRAYS = 2
OUTCOME_VECTORS = len(PathOutcome.__dataclass_fields__) + 1
#: The looser floor of the first version of this benchmark (against which the issue's "6-11x"
#: baseline was measured): 15 float64 arrays of ``paths x periods`` moved once. Printed beside
#: the strict floor so both figures can be compared with that baseline.
V1_FLOOR_ARRAYS = 15


def timed(fn, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bandwidth_floor(paths: int, periods: int) -> tuple[float, float]:
    """Seconds to read the two shock arrays and write the outcome once, at the bytes per second
    of ``numpy.add`` on ``paths x periods`` float64 arrays here; and those bytes per second."""
    x, y, z = np.ones((paths, periods)), np.ones((paths, periods)), np.ones((paths, periods))
    seconds = timed(lambda: np.add(x, y, out=z), 5)
    bytes_per_second = 3 * x.nbytes / seconds
    inherent = SHOCK_ARRAYS * x.nbytes + OUTCOME_VECTORS * paths * 8
    return inherent / bytes_per_second, bytes_per_second


def per_path_loop(sample: int) -> float:
    """Seconds for ``sample`` paths, the engine called once per path on the stress's shocks and
    keeping the same outcomes (minimum DSCR, worst fire-sale LTV, default and loss)."""
    a = parse_assumptions(DEAL)
    rent, btc = correlated_shocks(np.random.Generator(np.random.SFC64(1)), sample, a)
    debt = debt_profile(a)

    def loop():
        for k in range(sample):
            path_outcomes(a, rent[k], btc[k], debt)

    return timed(loop)


@contextlib.contextmanager
def waterfall(mode: str):
    """Run the block with ``GPUCREDIT_WATERFALL=mode`` (worker processes inherit it)."""
    before = os.environ.get(waterfall_kernel.ENV_VAR)
    os.environ[waterfall_kernel.ENV_VAR] = mode
    try:
        yield
    finally:
        if before is None:
            del os.environ[waterfall_kernel.ENV_VAR]
        else:
            os.environ[waterfall_kernel.ENV_VAR] = before


def compile_seconds(cache_dir: str) -> float:
    """Seconds a fresh process takes to get the compiled kernel (numba's import included),
    with ``NUMBA_CACHE_DIR=cache_dir``: an empty directory compiles, a filled one loads."""
    code = (
        "import time\n"
        "t = time.perf_counter()\n"
        "from pyfuncs.deal import waterfall_kernel as w\n"
        "assert w.kernel_function() is not None, w._failed\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def peak_memory_mb(paths: int, workers: int) -> tuple[float, float]:
    """Peak resident memory (MB) and seconds of a stress run in a fresh process."""
    code = (
        "import resource, time, json, pyfuncs\n"
        "from benchmarks.bench_deal import DEAL\n"
        "t = time.perf_counter()\n"
        f"pyfuncs.joint_stress(DEAL, paths={paths}, seed=1, workers={workers})\n"
        "t = time.perf_counter() - t\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([(own + kids) / 1024, t]))\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument(
        "--stress-only", action="store_true", help="the JOINT_STRESS speed figures alone"
    )
    args = parser.parse_args()
    paths = 20_000 if args.quick else 100_000
    big = 200_000 if args.quick else 1_000_000
    deals = 100 if args.quick else 1_000
    workers = os.cpu_count() or 1
    periods = parse_assumptions(DEAL).horizon_periods

    print(f"JOINT_STRESS, {paths:,} paths x {periods} periods")
    if waterfall_kernel.available():
        with tempfile.TemporaryDirectory() as cache:
            cold = compile_seconds(cache)
            warm = compile_seconds(cache)
        print(
            f"  kernel first call          {cold:8.2f} s compiling, {warm:.2f} s from numba's "
            f"cache (fresh process; auto mode from {waterfall_kernel.KERNEL_MIN_PATHS:,} paths)"
        )
        modes = ("numpy", "kernel")
    else:
        print("  kernel: numba is not installed (pip install 'gpucredit[fast]'); numpy only")
        modes = ("numpy",)
    a = parse_assumptions(DEAL)
    cpu_draw = time.process_time()
    t_draw = (
        timed(
            lambda: [
                correlated_shocks(np.random.Generator(np.random.SFC64(k)), 4096, a)
                for k in range(paths // 4096)
            ],
            3,
        )
        * paths
        / (paths // 4096 * 4096)
    )
    cpu_draw = (time.process_time() - cpu_draw) / 3 * paths / (paths // 4096 * 4096)
    sample = 300 if args.quick else 1_000
    with waterfall("numpy"):
        t_loop = per_path_loop(sample) * paths / sample
    floor, bandwidth = bandwidth_floor(paths, periods)
    v1_floor = V1_FLOOR_ARRAYS * paths * periods * 8 / bandwidth
    print(f"  per-path Python loop       {t_loop:8.2f} s (from {sample:,} paths)")
    print(
        f"  bandwidth floor            {floor:8.3f} s (read {SHOCK_ARRAYS} shock arrays, write "
        f"{OUTCOME_VECTORS} per-path vectors, at numpy.add's {bandwidth / 1e9:.1f} GB/s)"
    )
    print(f"  v1 floor                   {v1_floor:8.3f} s ({V1_FLOOR_ARRAYS} arrays moved once)")
    print(f"  drawing the shocks         {t_draw:8.2f} s ({cpu_draw:.2f} CPU s)")
    for mode in modes:
        with waterfall(mode):
            pyfuncs.joint_stress(DEAL, paths=4096, seed=1, workers=1)  # load the kernel
            cpu = time.process_time()
            t_one = timed(lambda: pyfuncs.joint_stress(DEAL, paths=paths, seed=1, workers=1), 3)
            cpu = (time.process_time() - cpu) / 3
            t_all = timed(
                lambda: pyfuncs.joint_stress(DEAL, paths=paths, seed=1, workers=workers), 3
            )
        print(f"  waterfall: {mode}")
        print(f"    engine, 1 process          {t_one:8.2f} s ({cpu:.2f} CPU s a run)")
        print(f"    engine, {workers} processes        {t_all:8.2f} s")
        print(f"    speed-up vs the loop       {t_loop / t_all:8.0f}x   target >= 100x")
        print(f"    engine / floor (1 process) {t_one / floor:8.1f}x")
        print(f"    (engine - drawing) / floor {(t_one - t_draw) / floor:8.1f}x   target <= 5x")
        print(f"    (engine - drawing) / v1 floor {(t_one - t_draw) / v1_floor:5.1f}x")
        # on a shared machine the wall clock counts other processes' time too: the same
        # ratios on this process's CPU seconds (1 process)
        print(
            f"    on CPU seconds: (engine - drawing) / floor {(cpu - cpu_draw) / floor:.1f}x, "
            f"/ v1 floor {(cpu - cpu_draw) / v1_floor:.1f}x"
        )
    if args.stress_only:
        return
    for n in (paths, big):
        mb, seconds = peak_memory_mb(n, workers)
        print(f"  peak memory, {n:>9,} paths  {mb:8.0f} MB in {seconds:.1f} s   target < 2,048 MB")

    rng = np.random.default_rng(3)
    book = [
        {
            "name": f"deal {i}",
            "gpus": float(rng.integers(500, 20_000)),
            "rent0": float(rng.uniform(1.8, 3.2)),
            "annual_decline": float(rng.uniform(0.15, 0.4)),
            "contracted_share": float(rng.uniform(0, 1)),
            "loan_to_cost": float(rng.uniform(0.4, 0.75)),
            "tenor_years": int(rng.integers(2, 6)),
        }
        for i in range(deals)
    ]
    print(f"Correlated portfolio of {deals:,} deals, 500 paths each (shared factor draws)")
    rates = {}
    results: list = []
    for n_workers in (1, 2):
        seconds = timed(
            lambda n_workers=n_workers: results.append(
                run_portfolio(book, paths=500, seed=1, workers=n_workers)
            )
        )
        rates[n_workers] = deals / seconds
        print(f"  {n_workers} worker(s)   {rates[n_workers]:8.1f} deals/s")
    loss = portfolio_loss(results[-1])
    print(
        f"  portfolio loss: EL ${loss.expected_loss / 1e6:,.0f}M, 99.9% "
        f"${loss.quantile(0.999) / 1e6:,.0f}M of ${loss.exposure / 1e6:,.0f}M exposure"
    )
    print(f"  scaling 1 -> 2 workers  {rates[2] / rates[1]:6.2f}x   (2 cores)")


if __name__ == "__main__":
    main()
