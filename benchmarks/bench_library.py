"""Library speed: the vectorised schedule path against a per-loan loop, and call() overhead.

Run: ``python benchmarks/bench_library.py``. Prints ratios measured in this run (targets in the
right-hand column); nothing here is asserted, so a slow machine never fails the tests.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import pyfuncs
from pyfuncs import call


def best_of(repeats: int, fn) -> float:
    """Fastest wall time of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def schedules(loans: int, periods: int, loop_sample: int) -> tuple[float, float]:
    rng = np.random.default_rng(7)
    principal = rng.uniform(1e6, 5e8, loans)
    rate = rng.uniform(0.06, 0.15, loans)
    cfads = rng.uniform(0.8, 1.6, (loans, 1)) * 1e6
    years = periods / 12

    def vectorised():
        s = pyfuncs.debt_schedule(principal, rate[:, None], years, 12)
        return pyfuncs.dscr(cfads, s.debt_service)

    def one_by_one(count):
        out = []
        for k in range(count):
            s = pyfuncs.debt_schedule(principal[k], rate[k], years, 12)
            out.append(pyfuncs.dscr(cfads[k, 0], s.debt_service))
        return out

    # Both paths give the same numbers before anything is timed.
    np.testing.assert_allclose(vectorised()[:5], np.array(one_by_one(5)), rtol=1e-12)
    t_vec = best_of(5, vectorised)
    t_loop = best_of(1, lambda: one_by_one(loop_sample)) * loans / loop_sample
    return t_vec, t_loop


def call_overhead(n: int) -> dict[str, float]:
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 2.0, n).tolist()
    b = rng.uniform(0.5, 2.0, n).tolist()
    out = {}
    for name, func, args in (
        ("DSCR", pyfuncs.dscr, lambda i: (a[i], b[i])),
        ("HAZARD_RATE", pyfuncs.hazard_rate, lambda i: (a[i] / 100, 0.35)),
        ("LGD", pyfuncs.lgd, lambda i: (a[i] * 100, b[i] * 40)),
    ):
        t_direct = best_of(3, lambda func=func, args=args: [func(*args(i)) for i in range(n)])
        t_call = best_of(3, lambda name=name, args=args: [call(name, *args(i)) for i in range(n)])
        out[name] = (t_call - t_direct) / n * 1e6
        out[name + " math"] = t_direct / n * 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=120)
    parser.add_argument("--loop-sample", type=int, default=10_000, help="loans timed in the loop")
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()

    t_vec, t_loop = schedules(args.loans, args.periods, args.loop_sample)
    print(f"DEBT_SCHEDULE + DSCR, {args.loans:,} loans x {args.periods} periods")
    print(f"  vectorised           {t_vec * 1e3:9.1f} ms")
    sample = "" if args.loop_sample == args.loans else f" (from {args.loop_sample:,} loans)"
    print(f"  per-loan Python loop {t_loop * 1e3:9.1f} ms{sample}")
    print(f"  speed-up             {t_loop / t_vec:9.0f}x   target >= 50x")
    print(f"pyfuncs.call overhead above the math, {args.calls:,} single-cell calls")
    overhead = call_overhead(args.calls)
    for name in ("DSCR", "HAZARD_RATE", "LGD"):
        print(
            f"  {name:12s} {overhead[name]:6.1f} us a call above {overhead[name + ' math']:5.1f} us "
            "of math   target < 20 us"
        )


if __name__ == "__main__":
    main()
