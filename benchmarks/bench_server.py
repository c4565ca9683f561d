"""Function-server speed: one recalculation through the real functions.js and server.

Run: ``python benchmarks/bench_server.py`` (needs node). Starts ``gpucredit serve`` on a free
local port, drives the served functions.js in Node (benchmarks/bench_functions.mjs) and prints:

- 10,000 formula cells (``=GPU.LTV``) batched as functions.js sends them (one request per
  recalculation, 1,000 calls a request) against one HTTP request per cell (6 at a time, like a
  browser's connections per host): cell throughput of each and the ratio (target >= 20x);
- p50/p99 latency of a 1,000-cell recalculation (one batch), over 100 runs.

Measured against a baseline in the same run; nothing is asserted.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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


def main() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "pyfuncs.cli", "serve", "--port", str(port), "--public-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "GPUCREDIT_TOKEN"},
    )
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


if __name__ == "__main__":
    main()
