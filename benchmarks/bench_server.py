"""Function-server speed: one recalculation through the real functions.js and server.

Run: ``python benchmarks/bench_server.py`` (needs node). Starts ``gpucredit serve`` on a free
local port, drives the served functions.js in Node (benchmarks/bench_functions.mjs) and prints:

- 10,000 formula cells (``=GPU.LTV``) batched as functions.js sends them (one request per
  recalculation, 1,000 calls a request) against one HTTP request per cell (6 at a time, like a
  browser's connections per host): cell throughput of each and the ratio (target >= 20x);
- p50/p99 latency of a 1,000-cell recalculation (one batch), over 100 runs.

Then the latency under load (``--load``, the default; ``--no-load`` skips it): p50/p99 of
1,000- and 10,000-cell recalculations idle and while a second client hammers heavy calls
(``JOINT_STRESS`` of 20,000 paths, 2 at a time, bounded in count and time), with ``/health``
probed every 50 ms meanwhile (targets: p99 < 50 ms for 1,000 cells idle, < 150 ms under load;
``/health`` always < 100 ms); once with one server process and once with ``--workers 2``, each
``--repeat`` times on a fresh server (default 3; the medians are printed, so a shared machine's
other load moves them less), with the server's CPU time a 1,000-cell recalculation. Last,
the math of a scalar ``DSCR`` in its plain-Python form against the numpy form, and the whole
``pyfuncs.call("GPU.DSCR", ...)`` (target < 5 us), as CPU time (best of 5 rounds). The machine's
load average is printed with each section: on a shared machine the wall-clock figures move with
it, the CPU figures much less. Everything runs on 127.0.0.1 only.

Measured against a baseline in the same run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import timeit
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gpucredit serve exited: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gpucredit serve did not start")


def start_server(workers: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "pyfuncs.cli", "serve", "--port", str(port), "--public-url", url]
        + (["--workers", str(workers)] if workers > 1 else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "GPUCREDIT_TOKEN"},
    )
    return server, url


def throughput() -> None:
    server, url = start_server()
    try:
        wait_for(url, server)
        done = subprocess.run(
            ["node", str(HERE / "bench_functions.mjs"), url],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        r = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)

    cells = r["cells"]
    batched_rate = cells / r["batched_seconds"]
    single_rate = cells / r["single_seconds"]
    print(
        f"Recalculation of {cells:,} formula cells (=GPU.LTV) through functions.js and the server"
    )
    print(f"{'':<34}{'seconds':>10}{'cells/s':>12}{'requests':>10}")
    print(
        f"{'batched (functions.js default)':<34}{r['batched_seconds']:>10.3f}"
        f"{batched_rate:>12,.0f}{r['batched_requests']:>10,.0f}"
    )
    print(
        f"{'one request per cell (6 at once)':<34}{r['single_seconds']:>10.3f}"
        f"{single_rate:>12,.0f}{r['single_requests']:>10,}"
    )
    ratio = batched_rate / single_rate
    verdict = "met" if ratio >= 20 else "NOT met"
    print(f"batched / per-cell throughput: {ratio:.1f}x   (target >= 20x: {verdict})")
    print(
        f"Latency of a {r['latency_cells']:,}-cell recalculation "
        f"(one batch, {r['latency_runs']} runs): p50 {r['latency_p50'] * 1000:.1f} ms, p99 {r['latency_p99'] * 1000:.1f} ms"
    )


def node_latency(url: str, cells: int, runs: int) -> tuple[float, float]:
    """p50 and p99 seconds of ``cells``-cell recalculations through functions.js in Node."""
    env = {**os.environ, "BENCH_LATENCY_ONLY": "1", "BENCH_LATENCY_CELLS": str(cells)}
    env["BENCH_LATENCY_RUNS"] = str(runs)
    done = subprocess.run(
        ["node", str(HERE / "bench_functions.mjs"), url],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return r["latency_p50"], r["latency_p99"]


HEAVY = json.dumps(
    {"calls": [{"function": "GPU.JOINT_STRESS", "args": [[["tenor_years", 5]], 20_000, 1]}]}
).encode()


class Hammer:
    """A second client: heavy calls back to back on ``clients`` connections, and /health
    probed every 50 ms; bounded by ``max_calls`` and by ``stop()``."""

    def __init__(self, url: str, clients: int = 2, max_calls: int = 2_000) -> None:
        self.url, self.clients, self.max_calls = url, clients, max_calls
        self.calls = 0
        self.health: list[float] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _heavy(self) -> None:
        while not self._stop.is_set() and self.calls < self.max_calls:
            request = urllib.request.Request(
                f"{self.url}/api/v1/call", HEAVY, {"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
            except OSError:
                pass
            self.calls += 1

    def _probe(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            with urllib.request.urlopen(f"{self.url}/health", timeout=30) as answer:
                answer.read()
            self.health.append(time.perf_counter() - start)
            time.sleep(0.05)

    def __enter__(self) -> Hammer:
        targets = [self._heavy] * self.clients + [self._probe]
        self._threads = [threading.Thread(target=t, daemon=True) for t in targets]
        for thread in self._threads:
            thread.start()
        time.sleep(1.0)  # the heavy calls are running
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _verdict(value: float, target: float) -> str:
    return "met" if value < target else "NOT met"


def _tree_cpu(pid: int) -> float | None:
    """CPU seconds used so far by process ``pid`` and its children (Linux /proc; else None)."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                        stats[int(entry)] = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
    except (OSError, ValueError, AttributeError):
        return None
    tree, total = {pid}, 0.0
    for _ in range(3):  # the server, its worker processes, and theirs
        tree |= {p for p, f in stats.items() if int(f[1]) in tree}
    for p in tree:
        if p in stats:
            total += (int(stats[p][11]) + int(stats[p][12])) / ticks
    return total if pid in stats else None


def _load() -> str:
    """The 1-minute load average and the processors, so a reader can tell what else ran."""
    try:
        one = os.getloadavg()[0]
    except OSError:
        return "unknown"
    return f"{one:.2f} (1-minute average) on {os.cpu_count()} processors"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _one_round(workers: int) -> dict[str, float]:
    """One server, started afresh: idle and loaded latencies, /health, server CPU a recalc."""
    server, url = start_server(workers)
    figures: dict[str, float] = {}
    try:
        wait_for(url, server)
        node_latency(url, 200, 3)  # warm up
        before = _tree_cpu(server.pid)
        figures["idle 1000 p50"], figures["idle 1000 p99"] = node_latency(url, 1000, 100)
        after = _tree_cpu(server.pid)
        if before is not None and after is not None:
            figures["cpu 1000"] = (after - before) / 101  # and node's warm-up recalculation
        figures["idle 10000 p50"], figures["idle 10000 p99"] = node_latency(url, 10000, 20)
        with Hammer(url) as hammer:
            figures["load 1000 p50"], figures["load 1000 p99"] = node_latency(url, 1000, 100)
            figures["load 10000 p50"], figures["load 10000 p99"] = node_latency(url, 10000, 20)
        health = sorted(hammer.health) or [float("nan")]
        figures["health p50"] = health[len(health) // 2]
        figures["health p99"] = health[min(len(health) - 1, int(0.99 * len(health)))]
        figures["health max"] = health[-1]
        figures["probes"], figures["heavy calls"] = len(health), hammer.calls
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def latency_under_load(workers: int, repeat: int) -> None:
    rounds = [_one_round(workers) for _ in range(repeat)]
    med = {key: _median([r[key] for r in rounds if key in r]) for key in rounds[0]}
    print(
        f"\nLatency through functions.js, {workers} server process(es): medians of {repeat} "
        "run(s), each on a fresh server"
    )
    print(f"{'':<34}{'p50':>10}{'p99':>10}  target (p99)")
    for cells in (1000, 10000):
        p99 = med[f"idle {cells} p99"]
        target = f"< 50 ms: {_verdict(p99, 0.050)}" if cells == 1000 else ""
        print(
            f"{f'{cells:,} cells, idle':<34}{_ms(med[f'idle {cells} p50']):>10}"
            f"{_ms(p99):>10}  {target}"
        )
    for cells in (1000, 10000):
        p99 = med[f"load {cells} p99"]
        target = f"< 150 ms: {_verdict(p99, 0.150)}" if cells == 1000 else ""
        print(
            f"{f'{cells:,} cells, heavy load':<34}{_ms(med[f'load {cells} p50']):>10}"
            f"{_ms(p99):>10}  {target}"
        )
    worst = max(r["health max"] for r in rounds)
    print(
        f"{'/health under load':<34}{_ms(med['health p50']):>10}{_ms(med['health p99']):>10}  "
        f"max {_ms(med['health max']).strip()} (< 100 ms: {_verdict(med['health max'], 0.100)}"
        f"; worst run {_ms(worst).strip()}; {med['probes']:.0f} probes, "
        f"{med['heavy calls']:.0f} heavy calls a run)"
    )
    if "cpu 1000" in med:
        print(
            f"{'server CPU a 1,000-cell recalc':<34}{_ms(med['cpu 1000']):>10}  "
            f"({med['cpu 1000'] * 1e3:.1f} us a call, HTTP included; idle; what the machine's "
            "other load inflates least)"
        )
    print(f"machine load meanwhile: {_load()}")


def scalar_math() -> None:
    from pyfuncs import call
    from pyfuncs.coverage import dscr
    from pyfuncs.excel.scalar_fast import SCALAR_FAST

    n = 20_000

    def best(statement) -> float:
        """CPU seconds of this thread a call, best of 5 rounds: what the code costs, which the
        machine's other load (time spent waiting for a processor) does not inflate."""
        timer = timeit.Timer(statement, timer=time.thread_time)
        return min(timer.repeat(number=n, repeat=5)) / n

    fast = best(lambda: SCALAR_FAST["DSCR"](1.3, 1.0))
    numpy_form = best(lambda: dscr(1.3, 1.0))
    whole = best(lambda: call("GPU.DSCR", 1.3, 1.0))
    print(
        f"\nScalar DSCR math, CPU time a call (load {_load()}): plain Python {fast * 1e6:.2f} us, numpy form "
        f"{numpy_form * 1e6:.2f} us ({numpy_form / fast:.0f}x); target < 5 us: "
        f"{_verdict(fast, 5e-6)}. Whole pyfuncs.call('GPU.DSCR', 1.3, 1.0), argument checks and "
        f"all: {whole * 1e6:.2f} us (< 5 us: {_verdict(whole, 5e-6)})."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-load", action="store_true", help="skip the latency under load")
    parser.add_argument("--no-throughput", action="store_true", help="skip batched vs per-cell")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the latency section (medians printed)"
    )
    options = parser.parse_args()
    if not options.no_throughput:
        throughput()
    if not options.no_load:
        latency_under_load(1, max(options.repeat, 1))
        latency_under_load(2, max(options.repeat, 1))
    scalar_math()


if __name__ == "__main__":
    main()
