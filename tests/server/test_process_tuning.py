"""A server process is tuned once its imports are done: the imported objects frozen out of the
garbage collector, a young-generation threshold a batch does not reach, a short switch interval."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json, sys
from pyfuncs.server.app import GC_YOUNG_THRESHOLD, SWITCH_INTERVAL, create_app, tune_process
from pyfuncs.server.routers.calls import _first_slice, _limits_of
from pyfuncs.server.settings import ServerSettings

settings = ServerSettings()
create_app(settings)
tune_process()
body = json.dumps({"calls": [{"function": "GPU.LTV", "args": [1000 + i, 4000 + i]}
                             for i in range(1000)]}).encode()
before = [s["collections"] for s in gc.get_stats()]
_, answer = _first_slice(body, None, settings, _limits_of(settings), 0)
after = [s["collections"] for s in gc.get_stats()]
print(json.dumps({
    "threshold": gc.get_threshold()[0], "expected": GC_YOUNG_THRESHOLD,
    "frozen": gc.get_freeze_count(), "switch": sys.getswitchinterval(),
    "expected_switch": SWITCH_INTERVAL, "collections": sum(after) - sum(before),
    "last": json.loads(answer)["results"][-1],
}))
"""


def test_a_tuned_server_process_collects_nothing_during_a_recalculation():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["threshold"] == seen["expected"] > 700  # above Python's default
    assert seen["frozen"] > 10_000  # the imports' objects, left out of every collection
    assert seen["switch"] == seen["expected_switch"] < 0.005
    # 1,000 calls of GPU.LTV(debt, value) answered with no garbage collection run meanwhile.
    assert seen["collections"] == 0
    assert seen["last"] == (1000 + 999) / (4000 + 999)  # debt / value, by hand
