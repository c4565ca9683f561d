"""How a batch goes through the server: read as a batch without model objects, computed in
bounded slices off the event loop, light calls held to the time budget, heavy calls in niced
worker processes that import no web framework, and the body still described in /docs."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from live_server import running_server, url_of

from pyfuncs.server.batch import Call, check_limits, parse_batch
from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.routers import calls as calls_module
from pyfuncs.server.settings import ServerSettings


def ltv_batch(n: int) -> dict:
    """n calls of GPU.LTV(i, i + 3): the expected results are i / (i + 3)."""
    return {"calls": [{"function": "GPU.LTV", "args": [i, i + 3]} for i in range(1, n + 1)]}


# --- reading the body -------------------------------------------------------------------------


def test_a_body_is_read_into_calls_with_problems_kept_per_call():
    body = (
        b'{"calls": [{"function": "GPU.LTV", "args": [3, 4]}, {"function": "GPU.LTV"}, 7,'
        b' {"function": 5, "args": []}, {"function": "GPU.LTV", "args": 3}], "extra": 1}'
    )
    calls = parse_batch(body, "application/json")
    assert all(type(c) is Call for c in calls)  # no pydantic model per call
    good, no_args, number, bad_name, bad_args = calls
    assert (good.function, good.args, good.problem) == ("GPU.LTV", [3, 4], None)
    assert (no_args.function, no_args.args, no_args.problem) == ("GPU.LTV", [], None)
    assert "function" in number.problem and "args" in number.problem
    assert "name (text)" in bad_name.problem
    assert bad_args.function == "GPU.LTV" and "must be a list" in bad_args.problem


@pytest.mark.parametrize(
    ("body", "content_type", "status", "error"),
    [
        (b"", "application/json", 422, "invalid_request"),
        (b'{"calls": []}', "text/plain", 422, "invalid_request"),
        (b'{"calls": [', None, 400, "malformed_json"),
        (b"[" * 1000 + b"]" * 1000, "application/json", 400, "bad_request"),
        (b'"calls"', "application/json", 422, "invalid_request"),
        (b'{"call": []}', "application/json", 422, "invalid_request"),
        (b'{"calls": {"function": "GPU.LTV"}}', "application/vnd.api+json", 422, "invalid_request"),
    ],
    ids=["empty", "not-json-type", "truncated", "deep", "a-string", "no-calls", "calls-object"],
)
def test_a_body_that_is_not_a_batch_is_refused_with_a_reason(body, content_type, status, error):
    with pytest.raises(ApiProblem) as refused:
        parse_batch(body, content_type)
    assert refused.value.status_code == status and refused.value.error == error
    assert refused.value.reason


def test_batch_limits_name_the_call_and_argument():
    settings = ServerSettings(max_calls=3, max_cells_per_arg=4)
    calls = parse_batch(json.dumps(ltv_batch(4)).encode())
    with pytest.raises(ApiProblem) as refused:
        check_limits(calls, settings)
    assert refused.value.error == "too_many_calls" and "got 4" in refused.value.reason
    wide = parse_batch(b'{"calls": [{"function": "GPU.WAL", "args": [1, [[1, 2, 3], [4, 5]]]}]}')
    with pytest.raises(ApiProblem) as refused:
        check_limits(wide, settings)  # 3 + 2 = 5 cells in argument 2
    assert refused.value.error == "too_many_cells"
    assert "argument 2 has 5 cells, more than 4" in refused.value.reason


# --- slices and the time budget ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with running_server(request_seconds=30, heavy_workers=1) as settings:
        yield settings


def test_a_batch_computed_one_call_per_slice_is_answered_in_order(server, monkeypatch):
    monkeypatch.setattr(calls_module, "SLICE_SECONDS", 0.0)  # every call its own slice
    with httpx.Client(base_url=url_of(server), timeout=60) as client:
        answer = client.post("/api/v1/call", json=ltv_batch(40))
    assert answer.status_code == 200
    assert answer.json()["results"] == [pytest.approx(i / (i + 3)) for i in range(1, 41)]


def test_light_calls_not_started_within_the_time_budget_answer_num(monkeypatch):
    monkeypatch.setattr(calls_module, "SLICE_SECONDS", 0.0)
    with (
        running_server(request_seconds=1e-6) as settings,
        httpx.Client(base_url=url_of(settings), timeout=60) as client,
    ):
        results = client.post("/api/v1/call", json=ltv_batch(5)).json()["results"]
    # The first slice always computes one call; the budget (a microsecond) is over by the next.
    assert results[0] == pytest.approx(1 / 4)
    assert all(r["error"] == "#NUM!" and "time budget" in r["reason"] for r in results[1:])


# --- heavy calls' worker processes ------------------------------------------------------------


def test_a_heavy_calls_worker_lowers_its_own_priority():
    """The worker process's entry point, run in a fresh process: niceness +10 (at most 19),
    then the call's answer down the pipe. Read in that process, before and after."""
    code = (
        "import os, multiprocessing\n"
        "from pyfuncs.excel import costs\n"
        "from pyfuncs.server.evaluation import work_in_process\n"
        "receiver, sender = multiprocessing.Pipe(duplex=False)\n"
        "before = os.getpriority(os.PRIO_PROCESS, 0)\n"
        "work_in_process(sender, 'GPU.LTV', [3, 4], costs.Limits())\n"
        "print(before, os.getpriority(os.PRIO_PROCESS, 0), receiver.recv())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    before, after, answer = out.stdout.split()
    assert int(after) == min(int(before) + 10, 19)
    assert float(answer) == 3 / 4


def test_the_worker_side_imports_no_web_framework():
    code = (
        "import sys, pyfuncs.server.evaluation, pyfuncs.server.workers\n"
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'anyio') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


# --- /docs ------------------------------------------------------------------------------------


def test_the_call_body_is_still_described_in_the_api_docs(server):
    schema = httpx.get(f"{url_of(server)}/openapi.json", timeout=30).json()
    body = schema["paths"]["/api/v1/call"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/CallBatch"
    components = schema["components"]["schemas"]
    assert components["CallBatch"]["properties"]["calls"]["items"]["$ref"].endswith("/Call")
    assert {"function", "args"} <= set(components["Call"]["properties"])


# --- each call priced once --------------------------------------------------------------------


def test_a_whole_argument_call_is_converted_and_priced_once(monkeypatch):
    """DEBT_SCHEDULE is priced from its converted arguments while the batch is priced; those are
    reused to compute it (one conversion a call), and the answer is pyfuncs.call's."""
    from pyfuncs import call
    from pyfuncs.excel import costs, dispatch

    conversions = []
    original = dispatch.prepare

    def counting(spec, args):
        conversions.append(args[0])  # the principal: which call
        return original(spec, args)

    monkeypatch.setattr(dispatch, "prepare", counting)
    body = json.dumps(
        {
            "calls": [
                {"function": "GPU.DEBT_SCHEDULE", "args": [1200, 0.12, 1, 12, "annuity", 0, True]},
                {"function": "GPU.DEBT_SCHEDULE", "args": [1300, 0.12, 10_000_000]},  # too big
                {"function": "GPU.DEBT_SCHEDULE", "args": ["lots", 0.12, 1]},
                {"function": "GPU.LTV", "args": [70, 100]},
            ]
        }
    ).encode()
    settings = ServerSettings()
    _, answer = calls_module._first_slice(
        body, "application/json", settings, calls_module._limits_of(settings), 0
    )
    schedule, too_big, bad, ltv = json.loads(answer)["results"]
    # Annuity of 1,200 at 1% a month over 12 months: 1200 x 0.01 / (1 - 1.01^-12) = 106.6185...
    payment = 1200 * 0.01 / (1 - 1.01**-12)
    assert schedule[0] == ["period", "opening", "interest", "principal", "debt_service", "closing"]
    assert schedule[1][:5] == pytest.approx([1, 1200, 12, payment - 12, payment])
    assert abs(schedule[-1][-1]) < 1e-9 and len(schedule) == 13
    assert too_big["error"] == "#NUM!" and "720,000,006 cells" in too_big["reason"]
    assert bad["error"] == "#VALUE!" and "principal" in bad["reason"]
    assert ltv == pytest.approx(0.7)
    # The good call converted once; the too-big one again by pyfuncs.call, which refuses it
    # with the reason, and the bad one again by pyfuncs.call, which says why.
    assert (conversions.count(1200), conversions.count(1300), conversions.count("lots")) == (
        1,
        2,
        2,
    )
    monkeypatch.setattr(dispatch, "prepare", original)
    assert schedule == call("GPU.DEBT_SCHEDULE", 1200, 0.12, 1, 12, "annuity", 0, True)
    assert costs.estimate_call("GPU.LTV", [70, 100]) == costs.Cost(1, costs.ARRAYS_PER_CELL)
