"""``POST /api/v1/call``: evaluate a batch of formula cells, one result per call, in order."""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pyfuncs.errors import ExcelError
from pyfuncs.excel import costs
from pyfuncs.excel.dispatch import call
from pyfuncs.server.deps import Settings, within_limits
from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.models import Call, CallBatch, CallResults, Problem
from pyfuncs.server.settings import ServerSettings
from pyfuncs.server.workers import HeavyCalls

router = APIRouter()
log = logging.getLogger("gpucredit.server")


def to_json_value(value: Any) -> Any:
    """A :func:`pyfuncs.call` result as JSON: errors (also inside rows) as ``{"error", "reason"}``."""
    if type(value) is ExcelError:
        return value.to_json()
    if isinstance(value, list):
        return [
            [c.to_json() if type(c) is ExcelError else c for c in row]
            if isinstance(row, list)
            else to_json_value(row)
            for row in value
        ]
    return value


def evaluate(function: str, args: list[Any]) -> Any:
    """One call, never raising: a bug becomes ``#VALUE!`` with a reason, not a failed batch."""
    try:
        return to_json_value(call(function, *args))
    except Exception as exc:  # call() promises not to raise; this guards the batch regardless
        log.exception("call %s failed", function[:60])
        return ExcelError("#VALUE!", f"internal error: {type(exc).__name__}").to_json()


def _plan(calls: list[Call], limits: costs.Limits) -> list[costs.Cost | None]:
    with costs.use_limits(limits):
        return [None if c.problem else costs.estimate_call(c.function, c.args) for c in calls]


def _evaluate_all(calls: list[tuple[int, Call]], limits: costs.Limits) -> list[tuple[int, Any]]:
    with costs.use_limits(limits):
        return [
            (
                i,
                ExcelError("#VALUE!", c.problem).to_json()
                if c.problem
                else evaluate(c.function, c.args),
            )
            for i, c in calls
        ]


def _encode(results: list[Any]) -> bytes:
    """As Starlette's JSONResponse renders (compact, UTF-8, no NaN)."""
    return json.dumps(
        {"results": results}, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")


def _limits_of(settings: ServerSettings) -> costs.Limits:
    return costs.Limits(
        max_result_cells=settings.max_result_cells,
        max_work_cells=settings.max_work_cells,
        max_path_periods=settings.max_path_periods,
    )


def _heavy_calls(request: Request, settings: ServerSettings) -> HeavyCalls:
    state = request.app.state
    if getattr(state, "heavy_calls", None) is None:
        state.heavy_calls = HeavyCalls(settings.heavy_workers, _limits_of(settings))
        state.call_limiter = anyio.CapacityLimiter(settings.call_threads)
    return state.heavy_calls


@router.post(
    "/call",
    response_model=CallResults,
    responses={
        400: {"model": Problem, "description": "The body is not valid JSON."},
        401: {"model": Problem, "description": "Missing or wrong bearer token."},
        413: {"model": Problem, "description": "Body, batch or argument over a limit."},
        422: {"model": Problem, "description": "The body is JSON but not a batch of calls."},
        503: {"model": Problem, "description": "Too many heavy calls waiting; retry later."},
    },
)
async def call_batch(
    request: Request, batch: Annotated[CallBatch, Depends(within_limits)], settings: Settings
) -> Response:
    """Evaluate every call; an unknown function or bad argument is that call's error only.

    Every call is priced first (:mod:`pyfuncs.excel.costs`): a call over a limit answers
    ``#NUM!`` with the reason without running, a batch whose work passes
    ``max_batch_work_cells`` is refused whole with 413. Light calls run in the server's call
    threads (never on the event loop, so ``/health`` is always answered); heavy calls run in
    worker processes stopped at the end of the request's time budget or when the client goes
    away.
    """
    deadline = time.monotonic() + settings.request_seconds
    heavy_calls = _heavy_calls(request, settings)
    limiter = request.app.state.call_limiter
    limits = _limits_of(settings)
    plans = await anyio.to_thread.run_sync(_plan, batch.calls, limits, limiter=limiter)
    # A call over a per-call limit is refused on its own (#NUM!, before computing): it runs as
    # a light call, costs nothing and does not count towards the batch.
    plans = [p if p is not None and costs.within(p, limits) else None for p in plans]
    work = sum(p.work_cells for p in plans if p is not None)
    if work > settings.max_batch_work_cells:
        raise ApiProblem(
            413,
            "batch_too_heavy",
            f"the batch would hold {work:,} cells while computing, more than "
            f"{settings.max_batch_work_cells:,}; send fewer or smaller calls",
        )
    heavy = [
        i
        for i, (c, p) in enumerate(zip(batch.calls, plans, strict=True))
        if p is not None and costs.is_heavy(c.function, p, settings.heavy_work_cells)
    ]
    if heavy and heavy_calls.waiting > 8 * settings.heavy_workers:
        raise ApiProblem(
            503,
            "busy",
            f"{heavy_calls.waiting} heavy calls are waiting for a worker; retry later",
            headers={"Retry-After": "5"},
        )
    light = [(i, c) for i, c in enumerate(batch.calls) if i not in set(heavy)]
    results: list[Any] = [None] * len(batch.calls)

    async def run_light() -> None:
        for i, value in await anyio.to_thread.run_sync(
            _evaluate_all, light, limits, limiter=limiter
        ):
            results[i] = value

    async def run_heavy(i: int) -> None:
        call_ = batch.calls[i]
        results[i] = await heavy_calls.run(
            call_.function, call_.args, deadline, request.is_disconnected
        )

    async with anyio.create_task_group() as group:
        if light:
            group.start_soon(run_light)
        for i in heavy:
            group.start_soon(run_heavy, i)
    # Encoded in a call thread, not on the event loop (a 10,000-cell answer takes milliseconds
    # to encode, and /health waits for none of them); returned as a response directly: the
    # results are plain JSON already, and FastAPI's encoder would walk every cell again.
    body = await anyio.to_thread.run_sync(_encode, results, limiter=limiter)
    return Response(body, media_type="application/json")
