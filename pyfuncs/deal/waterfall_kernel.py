"""The cash waterfall as one compiled loop per path: JOINT_STRESS's fast path.

:func:`pyfuncs.deal.waterfall.run_waterfall` is the reference: a loop over periods whose every
step is a numpy call on a vector over paths (about 55 calls a period). At 100,000 paths x 120
months the stress spends its time in those calls, each streaming a few vectors through memory.
This module runs the same waterfall, step for step and in the same order of floating-point
operations, as a numba-compiled loop over paths whose inner loop runs each path through its
periods with the path's whole state (balances, DSRA, lock-up account, the trailing-DSCR ring,
each draw of a facility) in registers and cache. It keeps only each path's
:class:`~pyfuncs.deal.waterfall.PathOutcome` (``record=False``); a recorded schedule
(DEAL_SCHEDULE, a handful of paths) always runs the numpy reference.

Using it (:func:`kernel_wanted`): the kernel needs numba (the optional extra
``pip install 'gpucredit[fast]'``, which ``[test]`` includes); without numba, or when it cannot
compile, every run takes the numpy path and gives the same numbers. ``GPUCREDIT_WATERFALL``
chooses: ``numpy`` (always the reference), ``kernel`` (the kernel for every unrecorded run, at
any size) or ``auto`` (the default: the kernel from :data:`KERNEL_MIN_PATHS` paths, where the
numpy path takes longer than loading the compiled kernel). The compiled code is cached on disk
(``NUMBA_CACHE_DIR``, else numba's own place beside this file, else a user cache directory when
the package directory is read-only); a run where no cache can be written compiles in memory.

The equivalence is tested in tests/deal/test_waterfall_kernel.py: the same default periods and
kinds, and money amounts within 1e-9 relative, over every waterfall option.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

import numpy as np

from pyfuncs.debt import annuity_factor

if TYPE_CHECKING:
    from pyfuncs.deal.assumptions import DealAssumptions
    from pyfuncs.deal.waterfall import PathOutcome, ScheduledDebt

#: Environment variable choosing the waterfall's implementation: auto, numpy or kernel.
ENV_VAR = "GPUCREDIT_WATERFALL"
MODES = ("auto", "numpy", "kernel")
#: With ``auto``, runs of at least this many paths use the kernel. Loading the cached kernel
#: into a fresh process (numba's import included) costs about half a CPU second, and the kernel
#: saves about that much on 100,000 paths x 120 months against the numpy waterfall
#: (benchmarks/bench_deal.py prints both): from here it pays even in the fresh worker process
#: the function server starts for each heavy call, and a spreadsheet's default 10,000-path
#: stress never waits on numba. A long-lived process gains at any size (``kernel`` mode).
KERNEL_MIN_PATHS = 100_000

_lock = threading.Lock()
_kernel = None  # the compiled function, once built
_failed: str | None = None  # why the kernel cannot be used, once known
#: Seconds the first call of the kernel in this process took to compile or load it.
compile_seconds: float | None = None


def mode() -> str:
    """The ``GPUCREDIT_WATERFALL`` setting (``auto`` when unset or unknown)."""
    value = os.environ.get(ENV_VAR, "auto").strip().lower()
    return value if value in MODES else "auto"


def available() -> bool:
    """True when numba can be imported (the kernel may still fail to compile: see
    :func:`kernel_function`)."""
    if _failed is not None:
        return False
    try:
        import numba  # noqa: F401
    except Exception:  # not installed, or built for another numpy: the numpy waterfall
        return False
    return True


def kernel_wanted(paths: int) -> bool:
    """Whether an unrecorded waterfall run of ``paths`` paths should use the kernel.

    ``numpy``: never; ``kernel``: always (when numba is there); ``auto``: from
    :data:`KERNEL_MIN_PATHS` paths. A stress decides once for the whole run, from its total
    paths, so that every worker makes the same choice (same seed, same numbers on any number of
    workers).
    """
    chosen = mode()
    if chosen == "numpy" or not available():
        return False
    return chosen == "kernel" or paths >= KERNEL_MIN_PATHS


def kernel_function():
    """The compiled kernel (compiled or loaded from the cache on first use), or None.

    Never raises: a failure to compile (or to cache) is remembered and the numpy path is used.
    """
    global _kernel, _failed, compile_seconds
    if _kernel is not None or _failed is not None:
        return _kernel
    with _lock:
        if _kernel is not None or _failed is not None:
            return _kernel
        start = time.perf_counter()
        try:
            _kernel = _build(cache=True)
        except Exception as error:  # a read-only or broken cache: compile in memory
            try:
                _kernel = _build(cache=False)
            except Exception as second:  # numba cannot compile here: the numpy path
                _failed = f"{type(second).__name__}: {second} (cached: {error})"
                return None
        compile_seconds = time.perf_counter() - start
    return _kernel


def _build(cache: bool):
    """Compile :func:`_waterfall_paths` with numba and run it once on a tiny input.

    With ``cache`` numba keeps the machine code on disk and later processes load it: in
    ``NUMBA_CACHE_DIR`` when set, else in ``__pycache__`` beside this module, else (a read-only
    install) in the user's cache directory; where none can be written numba raises and
    :func:`kernel_function` compiles in memory instead.
    """
    import numba

    compiled = numba.njit(cache=cache, nogil=True, error_model="numpy")(_waterfall_paths)
    _warm(compiled)
    return compiled


def _warm(compiled) -> None:
    """Run the kernel once on a tiny input so compilation (or a cache load) happens now."""
    n = 2
    f = np.zeros(n)
    flags = np.zeros(17, dtype=np.int64)
    flags[F_STEP] = flags[F_LOOKBACK] = flags[F_PY] = 1
    i8 = np.zeros(1, dtype=np.int64)
    m2 = np.zeros((1, n))
    out_i = np.zeros(1, dtype=np.int64)
    compiled(
        np.ones((1, n)),
        m2,
        m2,
        f,
        f,
        f,
        f,  # cf, price, base, rate, fraction, wall, dsra
        np.zeros(n, dtype=np.bool_),  # pending
        i8,
        i8,
        np.zeros(1),
        m2,
        m2,
        m2,
        m2,  # draws
        np.zeros(16),
        flags,
        out_i,
        np.zeros(1, dtype=np.int8),
        out_i.copy(),
        out_i.copy(),
        np.zeros(1),
        np.zeros(1),
        np.zeros(1),
        np.zeros(1),
        np.zeros(1),
        out_i.copy(),
        out_i.copy(),
    )


# indices of the float scalars and of the integer flags handed to the kernel
(
    S_SENIOR_PRINCIPAL,
    S_DSRA_AT_CLOSE,
    S_JUNIOR_PRINCIPAL,
    S_JUNIOR_COUPON,
    S_CASH_SWEEP,
    S_LOCKUP_DSCR,
    S_DEFAULT_DSCR,
    S_REFI_RATE,
    S_REFI_GROWTH,
    S_REFI_PERIODS,
    S_BTC_HELD,
    S_BTC_LOAN,
    S_BTC_RATE,
    S_LIQUIDATION_LTV,
    S_MARGIN_LTV,
    S_CURE_LTV,
) = range(16)
(
    F_NO_SENIOR,
    F_HAS_JUNIOR,
    F_HAS_DSRA,
    F_TRAPPING,
    F_SWEEPING,
    F_LOCKUP_SWEEP,
    F_COVENANT,
    F_HAS_REFI,
    F_WATCH_BTC,
    F_BTC_LOAN_ON,
    F_HAS_BASE,
    F_FACILITY,
    F_STEP,
    F_LOOKBACK,
    F_JUNIOR_MATURITY,
    F_PY,
    F_BUILD,
) = range(17)


def run_kernel(
    a: DealAssumptions,
    debt: ScheduledDebt,
    cfads: np.ndarray,
    btc_price: np.ndarray | None,
    borrowing_base: np.ndarray | None,
) -> PathOutcome | None:
    """:func:`pyfuncs.deal.waterfall.run_waterfall` with ``record=False``, compiled; or None
    when the kernel cannot be used (the caller then runs the numpy path)."""
    from pyfuncs.deal.waterfall import PathOutcome, build_periods

    kernel = kernel_function()
    if kernel is None:
        return None
    cf = _writeable(np.asarray(cfads, dtype=np.float64))
    paths, n = cf.shape
    py = a.per_year
    watch_btc = a.btc_held > 0 and btc_price is not None
    price = _rows(btc_price, n) if watch_btc else np.zeros((1, n))
    has_base = borrowing_base is not None
    base = _rows(borrowing_base, n) if has_base else np.zeros((1, n))
    refi_rate = a.refi_rate
    refi_period_rate = (refi_rate or 0.0) / py
    refi_growth = float(annuity_factor(refi_period_rate, float(a.refi_periods)))

    draws = debt.draws
    if draws is not None:
        k = draws.amounts.size
        d_amounts = _writeable(np.asarray(draws.amounts, dtype=np.float64))
        d_periods = _writeable(np.asarray(draws.periods, dtype=np.int64))
        d_maturity = _writeable(np.asarray(draws.maturity, dtype=np.int64))
        d_rate = _writeable(draws.annual_rate[:, :n] / py)
        d_fraction = _writeable(draws.fraction[:, :n])
        d_wall = _writeable(draws.wall_share[:, :n])
        d_dsra = _writeable(draws.dsra_per_balance[:, :n])
        pending = np.array([bool((d_periods > t + 1).any()) for t in range(n)])
    else:
        k = 1
        d_amounts, d_periods = np.zeros(k), np.zeros(k, dtype=np.int64)
        d_maturity = np.zeros(k, dtype=np.int64)
        d_rate = d_fraction = d_wall = d_dsra = np.zeros((k, n))
        pending = np.zeros(n, dtype=np.bool_)

    scalars = np.zeros(16)
    scalars[S_SENIOR_PRINCIPAL] = debt.senior_principal
    scalars[S_DSRA_AT_CLOSE] = debt.dsra_at_close
    scalars[S_JUNIOR_PRINCIPAL] = debt.junior_principal
    scalars[S_JUNIOR_COUPON] = debt.junior_coupon / py
    scalars[S_CASH_SWEEP] = a.cash_sweep
    scalars[S_LOCKUP_DSCR] = a.lockup_dscr
    scalars[S_DEFAULT_DSCR] = a.default_dscr
    scalars[S_REFI_RATE] = refi_period_rate
    scalars[S_REFI_GROWTH] = refi_growth
    scalars[S_REFI_PERIODS] = a.refi_periods
    scalars[S_BTC_HELD] = float(a.btc_held)
    scalars[S_BTC_LOAN] = float(a.btc_loan)
    scalars[S_BTC_RATE] = a.btc_loan_rate / py
    if watch_btc:
        scalars[S_LIQUIDATION_LTV] = a.btc_liquidation_ltv
        scalars[S_MARGIN_LTV] = a.btc_margin_call_ltv
        scalars[S_CURE_LTV] = a.btc_cure_ltv
    has_dsra = debt.dsra_at_close > 0 or bool(np.any(debt.dsra_per_balance > 0))
    flags = np.zeros(17, dtype=np.int64)
    flags[F_NO_SENIOR] = debt.senior_principal <= 0
    flags[F_HAS_JUNIOR] = debt.junior_principal > 0
    flags[F_HAS_DSRA] = has_dsra
    flags[F_TRAPPING] = a.lockup_action == "trap"
    flags[F_SWEEPING] = a.cash_sweep > 0 or a.lockup_action == "sweep"
    flags[F_LOCKUP_SWEEP] = a.lockup_action == "sweep"
    flags[F_COVENANT] = a.default_trigger == "covenant"
    flags[F_HAS_REFI] = refi_rate is not None
    flags[F_WATCH_BTC] = watch_btc
    flags[F_BTC_LOAN_ON] = watch_btc and a.btc_loan > 0
    flags[F_HAS_BASE] = has_base
    flags[F_FACILITY] = draws is not None
    flags[F_STEP] = a.test_step
    flags[F_LOOKBACK] = a.lookback_periods
    flags[F_JUNIOR_MATURITY] = debt.junior_maturity
    flags[F_PY] = py
    flags[F_BUILD] = build_periods(a)

    out = PathOutcome(
        default_period=np.zeros(paths, dtype=np.int64),
        default_kind=np.zeros(paths, dtype=np.int8),
        lockup_period=np.zeros(paths, dtype=np.int64),
        repaid_period=np.zeros(paths, dtype=np.int64),
        min_dscr=np.full(paths, np.inf),
        min_tested_dscr=np.full(paths, np.inf),
        ead=np.zeros(paths),
        cash_at_default=np.zeros(paths),
        btc_at_default=np.zeros(paths),
        margin_call_period=np.zeros(paths, dtype=np.int64),
        liquidation_period=np.zeros(paths, dtype=np.int64),
    )
    kernel(
        cf,
        price,
        base,
        _writeable(np.asarray(debt.senior_rate, dtype=np.float64) / py),
        _writeable(np.asarray(debt.senior_fraction, dtype=np.float64)),
        _writeable(np.asarray(debt.senior_wall_share, dtype=np.float64)),
        _writeable(np.asarray(debt.dsra_per_balance, dtype=np.float64)),
        pending,
        d_periods,
        d_maturity,
        d_amounts,
        d_rate,
        d_fraction,
        d_wall,
        d_dsra,
        scalars,
        flags,
        out.default_period,
        out.default_kind,
        out.lockup_period,
        out.repaid_period,
        out.min_dscr,
        out.min_tested_dscr,
        out.ead,
        out.cash_at_default,
        out.btc_at_default,
        out.margin_call_period,
        out.liquidation_period,
    )
    out.min_dscr[np.isinf(out.min_dscr)] = np.nan
    out.min_tested_dscr[np.isinf(out.min_tested_dscr)] = np.nan
    return out


def _rows(x: np.ndarray, n: int) -> np.ndarray:
    """A ``(paths or 1, n)`` C-contiguous, writeable float64 array (a 1-D input is one row).

    Writeable because numba compiles a read-only array as another type (a second compilation).
    """
    x = np.asarray(x, dtype=np.float64)
    x = x if x.ndim == 2 else x.reshape(1, -1)
    if x.shape[1] != n:
        x = np.broadcast_to(x, (x.shape[0], n))
    return _writeable(x)


def _writeable(x: np.ndarray) -> np.ndarray:
    """``x`` as a C-contiguous array numba takes as it is, copied only when it must be."""
    x = np.ascontiguousarray(x)
    return x if x.flags.writeable else x.copy()


def _waterfall_paths(
    cf_all,
    price_all,
    base_all,
    senior_rate,
    senior_fraction,
    senior_wall_share,
    dsra_per_balance,
    pending,
    d_periods,
    d_maturity,
    d_amounts,
    d_rate,
    d_fraction,
    d_wall,
    d_dsra,
    scalars,
    flags,
    o_default_period,
    o_default_kind,
    o_lockup_period,
    o_repaid_period,
    o_min_dscr,
    o_min_tested,
    o_ead,
    o_cash,
    o_btc,
    o_margin,
    o_liquidation,
):
    """Every path through the waterfall of :func:`pyfuncs.deal.waterfall._run_block`.

    Plain Python over scalars, compiled by numba (:func:`kernel_function`); each line mirrors a
    numpy step of the reference, in the same order of operations, so the two agree to rounding
    (and in practice bit for bit). A path that has defaulted can change nothing more, so its
    remaining periods are skipped.
    """
    cent = 0.005
    paths, n = cf_all.shape
    senior_principal = scalars[0]
    dsra_at_close = scalars[1]
    junior_principal = scalars[2]
    junior_coupon = scalars[3]
    cash_sweep = scalars[4]
    lockup_dscr = scalars[5]
    default_dscr = scalars[6]
    refi_rate = scalars[7]
    refi_growth = scalars[8]
    refi_periods = scalars[9]
    btc_held = scalars[10]
    btc_loan = scalars[11]
    btc_rate = scalars[12]
    liquidation_ltv = scalars[13]
    margin_ltv = scalars[14]
    cure_ltv = scalars[15]
    no_senior = flags[0] != 0
    has_junior = flags[1] != 0
    has_dsra = flags[2] != 0
    trapping = flags[3] != 0
    sweeping = flags[4] != 0
    lockup_sweep = flags[5] != 0
    covenant = flags[6] != 0
    has_refi = flags[7] != 0
    watch_btc = flags[8] != 0
    btc_loan_on = flags[9] != 0
    has_base = flags[10] != 0
    facility = flags[11] != 0
    step = flags[12]
    lookback = flags[13]
    junior_maturity = flags[14]
    build = flags[16]  # interest-only build periods: no minimum DSCR there
    price_rows = price_all.shape[0]
    base_rows = base_all.shape[0]
    n_draws = d_amounts.shape[0]
    ring = np.zeros(lookback)
    balance = np.zeros(n_draws)
    after = np.zeros(n_draws)
    is_live = np.zeros(n_draws, dtype=np.bool_)
    # a facility's opening balance: the draws made at close
    senior_at_close = senior_principal
    if facility:
        senior_at_close = 0.0
        for k in range(n_draws):
            if d_periods[k] == 0:
                senior_at_close += d_amounts[k]

    for p in range(paths):
        cf_row = cf_all[p]
        price_row = price_all[p if price_rows > 1 else 0]
        base_row = base_all[p if base_rows > 1 else 0]
        for j in range(lookback):
            ring[j] = 0.0
        if facility:
            for k in range(n_draws):
                balance[k] = d_amounts[k] if d_periods[k] == 0 else 0.0
        senior = senior_at_close
        refi_senior = 0.0
        refi_senior_pmt = 0.0
        refi_senior_left = 0.0
        junior = junior_principal
        refi_junior = 0.0
        refi_junior_pmt = 0.0
        refi_junior_left = 0.0
        dsra = dsra_at_close
        lock = 0.0
        locked = False
        release = False
        btc_units = btc_held
        btc_debt = btc_loan
        i_junior = 0.0
        min_dscr = np.inf
        min_tested = np.inf
        cure = 0.0
        for t in range(n):
            period = t + 1
            cf = cf_row[t]
            opening_senior = senior + refi_senior
            opening_total = opening_senior
            if has_junior:
                opening_total += junior
            opening_total += refi_junior
            active = opening_total > cent

            # 1. debt service due
            wall_share = senior_wall_share[t]
            maturing_draws = 0.0
            if facility:
                i_senior = 0.0
                p_senior = 0.0
                wall_senior = 0.0
                left = 0.0
                target_sum = 0.0
                any_maturing = False
                for k in range(n_draws):
                    is_live[k] = d_periods[k] <= t and t < d_maturity[k]
                    if not is_live[k]:
                        continue
                    b = balance[k]
                    principal_k = b * d_fraction[k, t]
                    interest_k = b * d_rate[k, t]
                    wall_k = b * d_wall[k, t]
                    after[k] = b - principal_k
                    i_senior += interest_k
                    p_senior += principal_k
                    wall_senior += wall_k
                    if d_maturity[k] == t + 1:
                        maturing_draws += interest_k + principal_k - wall_k
                        any_maturing = True
                    left += after[k]
                    target_sum += after[k] * d_dsra[k, t]
                if not any_maturing:
                    maturing_draws = 0.0
                per_balance = target_sum / left if left > 1e-9 else 0.0
            else:
                i_senior = senior * senior_rate[t]
                p_senior = senior * senior_fraction[t]
                per_balance = dsra_per_balance[t]
                wall_senior = 0.0
            if wall_share > 0:
                if not facility:
                    wall_senior = senior * wall_share
                ds_due = p_senior - wall_senior
                ds_due += i_senior
                wall_s = wall_senior
            else:
                ds_due = i_senior + p_senior
                wall_s = 0.0
            # the refinanced tranches (level payments; the last one clears the balance)
            i_rs = refi_senior * refi_rate
            p_rs = (
                refi_senior if refi_senior_left <= 1 else min(refi_senior, refi_senior_pmt - i_rs)
            )
            p_rs = max(p_rs, 0.0)
            ds_due += i_rs
            ds_due += p_rs
            if has_junior and junior_coupon != 0:
                i_junior = junior * junior_coupon
                ds_due += i_junior
            i_rj = refi_junior * refi_rate
            p_rj = (
                refi_junior if refi_junior_left <= 1 else min(refi_junior, refi_junior_pmt - i_rj)
            )
            p_rj = max(p_rj, 0.0)
            ds_due += i_rj
            ds_due += p_rj
            if btc_loan > 0:
                ds_due += btc_debt * btc_rate
            junior_due = period == junior_maturity
            wall_junior = junior if junior_due else 0.0
            price = 0.0
            if watch_btc:
                price = price_row[t]
                if btc_loan_on:  # liquidation first: the BTC lender sells to repay itself
                    btc_ltv = btc_debt / (btc_units * price)
                    sold = active and btc_debt > cent and btc_ltv >= liquidation_ltv
                    if sold:
                        units = min(btc_units, btc_debt / price)
                        btc_debt = btc_debt - units * price
                        btc_units = btc_units - units
                        if o_liquidation[p] == 0:
                            o_liquidation[p] = period
                    called = active and not sold and btc_debt > cent and btc_ltv >= margin_ltv
                    cure = btc_debt - cure_ltv * btc_units * price if called else 0.0
                    if called and o_margin[p] == 0:
                        o_margin[p] = period
            has_wall = wall_share > 0 or junior_due
            refinanced_senior = False
            refinanced_junior = False
            wall_due = 0.0
            if has_wall:
                regular = ds_due
                wall = wall_s + wall_junior
                start = t - lookback + 1 if t - lookback + 1 > 0 else 0
                cf_total = 0.0
                for j in range(start, t + 1):
                    cf_total += cf_row[j]
                average_cf = cf_total / (t + 1 - start)
                maturing = (i_senior + p_senior - wall_s) if wall_share > 0 else 0.0
                if facility:
                    maturing = maturing_draws
                if junior_due:
                    maturing = maturing + i_junior
                continuing = regular - maturing
                can_refi = False
                if has_refi:
                    if refi_rate == 0.0:
                        new_payment = wall / refi_periods
                    else:
                        new_payment = wall * (1.0 + refi_growth) * refi_rate / refi_growth
                    refi_dscr = average_cf / (continuing + new_payment)
                    can_refi = active and wall > cent and refi_dscr >= default_dscr
                    refinanced_senior = can_refi and wall_s > cent
                    refinanced_junior = can_refi and wall_junior > cent
                wall_due = 0.0 if can_refi else wall
                ds_due += wall_due
            if not active:
                ds_due = 0.0
            mandatory = 0.0
            if has_base and active:
                mandatory = max(senior - p_senior - base_row[t], 0.0)

            # 2. pay from CFADS, the lock-up account, the DSRA
            need = ds_due - cf
            if has_base:
                need += mandatory
            lock_used = 0.0
            if trapping:
                lock_used = min(max(need, 0.0), lock)
                need -= lock_used
            draw = 0.0
            unpaid = need
            if has_dsra:
                if junior_due:
                    junior_wall_due = 0.0 if refinanced_junior else wall_junior
                    draw = max(need - junior_wall_due, 0.0)
                else:
                    draw = max(need, 0.0)
                draw = min(dsra, draw)
                unpaid = need - draw
            due = ds_due > cent and active
            payment_default = unpaid > cent
            if has_base:
                payment_default = payment_default and (due or (active and mandatory > cent))
            else:
                payment_default = payment_default and due

            # 3. covenant test on the trailing DSCR
            # tested on scheduled debt service: a maturity payment still due is not tested
            if t < build:  # the build is not tested: its periods leave the window empty
                ring[t % lookback] = 0.0
            else:
                ring[t % lookback] = ds_due - wall_due if active else ds_due
            test_date = period % step == 0 and period > build
            covenant_default = False
            if test_date:
                start = t - lookback + 1 if t - lookback + 1 > 0 else 0
                if start < build:
                    start = build
                cf_sum = 0.0
                for j in range(start, t + 1):
                    cf_sum += cf_row[j]
                ds_sum = 0.0
                for j in range(lookback):
                    ds_sum += ring[j]
                tested = np.nan
                if ds_sum > cent and active:
                    tested = cf_sum / ds_sum
                    if tested < min_tested:  # numpy.fmin: a NaN ratio is ignored
                        min_tested = tested
                locked = tested < lockup_dscr
                release = (not locked) and active
                if locked and o_lockup_period[p] == 0:
                    o_lockup_period[p] = period
                if covenant:
                    covenant_default = tested < default_dscr and active and not payment_default
            default_now = payment_default or covenant_default

            if due:
                ratio = cf / ds_due
                # operating periods only: not the build, not a maturity wall still due
                operating = period > build and not wall_due > cent
                if operating and ratio < min_dscr:  # numpy.fmin ignores a NaN ratio
                    min_dscr = ratio

            paying = active
            if default_now:
                o_default_period[p] = period
                if covenant_default:
                    o_default_kind[p] = 2
                elif wall_due > cent:
                    o_default_kind[p] = 3
                else:
                    o_default_kind[p] = 1
                o_ead[p] = (junior + refi_junior) if no_senior else opening_senior
                o_cash[p] = dsra + lock
                if watch_btc:
                    o_btc[p] = max(btc_units * price - btc_debt, 0.0)
                break  # a defaulted path can change nothing more

            if not paying:
                # nothing is paid, moved or drawn on a repaid path (a facility may still draw)
                if facility:
                    drawn = 0.0
                    scheduled = 0.0
                    any_rows = False
                    for k in range(n_draws):
                        if d_periods[k] == period:
                            scheduled += d_amounts[k]
                            any_rows = True
                    if any_rows:
                        total = scheduled
                        if has_base:
                            total = min(total, max(base_row[t] - senior, 0.0))
                        share = total / scheduled if scheduled > 0 else total
                        for k in range(n_draws):
                            if d_periods[k] == period:
                                balance[k] += d_amounts[k] * share
                        drawn = total
                    senior += drawn
                continue

            # pay what is due (the refinanced tranches count down while they have a balance)
            if refi_senior > 0:
                refi_senior_left = refi_senior_left - 1
            refi_senior = refi_senior - p_rs
            if refi_junior > 0:
                refi_junior_left = refi_junior_left - 1
            refi_junior = refi_junior - p_rj
            senior = senior - p_senior
            if has_base:
                senior = senior - mandatory
            if junior_due:
                junior = 0.0
            if refinanced_senior:
                refi_senior = refi_senior + wall_s
                if refi_rate == 0.0:
                    refi_senior_pmt = refi_senior / refi_periods
                else:
                    refi_senior_pmt = refi_senior * (1.0 + refi_growth) * refi_rate / refi_growth
                refi_senior_left = refi_periods
            if refinanced_junior:
                refi_junior = refi_junior + wall_junior
                if refi_rate == 0.0:
                    refi_junior_pmt = refi_junior / refi_periods
                else:
                    refi_junior_pmt = refi_junior * (1.0 + refi_growth) * refi_rate / refi_growth
                refi_junior_left = refi_periods
            if trapping:
                lock = lock - lock_used
            if has_dsra:
                dsra = dsra - draw

            # 4. excess cash: DSRA, sweep, lock-up or distribution
            excess = cf - ds_due
            if has_base:
                excess -= mandatory
            excess = max(excess, 0.0)
            if has_dsra:
                target = senior * per_balance
                released = max(dsra - target, 0.0)
                dsra -= released
                excess += released
                top_up = min(excess, max(target - dsra, 0.0))
                dsra += top_up
                excess -= top_up
            if btc_loan_on:  # a margin call is met from excess cash
                paid = min(cure, excess)
                btc_debt = btc_debt - paid
                excess -= paid
            if sweeping:
                senior_left = senior + refi_senior
                sweep = min(excess * cash_sweep, senior_left)
                if lockup_sweep:
                    extra = min(excess - sweep, senior_left - sweep) if locked else 0.0
                    sweep = sweep + max(extra, 0.0)
                excess -= sweep
                from_senior = min(sweep, senior)
                senior -= from_senior
                refi_senior = refi_senior - (sweep - from_senior)
            if trapping and locked:
                lock = lock + excess
            if test_date and trapping and release:  # a passed test releases the account
                lock = lock - lock
            is_pending = False
            if facility:  # prepayments pro rata across draws, then this period's draws
                after_total = 0.0
                any_live = False
                for k in range(n_draws):
                    if is_live[k]:
                        after_total += after[k]
                        any_live = True
                if any_live:
                    scale = senior / after_total if after_total > 1e-12 else 0.0
                    for k in range(n_draws):
                        if is_live[k]:
                            balance[k] = after[k] * scale
                drawn = 0.0
                scheduled = 0.0
                any_rows = False
                for k in range(n_draws):
                    if d_periods[k] == period:
                        scheduled += d_amounts[k]
                        any_rows = True
                if any_rows:
                    total = scheduled
                    if has_base:
                        total = min(total, max(base_row[t] - senior, 0.0))
                    share = total / scheduled if scheduled > 0 else total
                    for k in range(n_draws):
                        if d_periods[k] == period:
                            balance[k] += d_amounts[k] * share
                    drawn = total
                senior += drawn
                is_pending = pending[t]
            closing_total = senior + refi_senior
            if has_junior:
                closing_total += junior
            closing_total += refi_junior
            if closing_total <= cent and not is_pending:
                dsra = 0.0
                lock = 0.0
                if o_repaid_period[p] == 0:
                    o_repaid_period[p] = period
        o_min_dscr[p] = min_dscr
        o_min_tested[p] = min_tested
