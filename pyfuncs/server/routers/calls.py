"""``POST /api/v1/call``: evaluate a batch of formula cells, one result per call, in order.

Nothing of a batch runs on the event loop, which answers ``/health`` and the catalogue: the
body is read there, then parsed, checked, priced, evaluated and encoded in the server's call
threads, in slices of at most :data:`SLICE_SECONDS` (a batch of light calls is usually one
slice: one hand-over to a thread and back). Between slices the request waits its turn again, so
one large batch cannot hold a thread while others wait, and the calls not started when the
request's time budget ends answer ``#NUM!``. Heavy calls run in worker processes
(:mod:`pyfuncs.server.workers`).

Each call is priced once (:func:`pyfuncs.excel.costs.price_call`), and a light call of whole
arguments is computed from the arguments converted to price it; a slice enters numpy's
``errstate`` once (:func:`pyfuncs.excel.dispatch.batch_scope`), not once a call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticSerializationError, to_json

from pyfuncs.errors import ExcelError
from pyfuncs.excel import costs
from pyfuncs.excel.dispatch import Prepared
from pyfuncs.server.batch import Call, check_limits, parse_batch
from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.evaluation import (
    batch_scope,
    evaluate,
    evaluate_in_batch,
    evaluate_prepared,
    to_json_value,
)
from pyfuncs.server.models import CallBatch, CallResults, Problem
from pyfuncs.server.settings import ServerSettings
from pyfuncs.server.workers import HeavyCalls

router = APIRouter()
log = logging.getLogger("gpucredit.server")

#: Longest a batch computes in a call thread before giving the thread back (at least one call).
SLICE_SECONDS = 0.025
#: A call that costs nothing: heavy only for its name (:data:`pyfuncs.excel.costs.ALWAYS_HEAVY`).
_NO_COST = costs.Cost(0, 0)


class _Batch:
    """One request's calls, which of them are light, the light calls' converted arguments and
    prices (by index, for functions of whole arguments), and the results so far."""

    def __init__(
        self,
        calls: list[Call],
        heavy: list[int],
        light: list[int],
        prepared: dict[int, tuple[Prepared, costs.Cost]] | None = None,
    ) -> None:
        self.calls = calls
        self.heavy = heavy
        self.light = light
        self.prepared = prepared or {}
        self.next_light = 0
        self.results: list[Any] = [None] * len(calls)

    @property
    def light_done(self) -> bool:
        return self.next_light >= len(self.light)


def _plain(value: Any) -> Any:
    """A numpy scalar that slipped through, as the Python number it holds."""
    item = getattr(value, "item", None)
    if item is None:
        raise TypeError(f"cannot send a {type(value).__name__} as JSON")
    return item()


def _encode(results: list[Any]) -> bytes:
    """The answer's JSON (compact UTF-8; a non-finite number, never produced, as null)."""
    try:
        return to_json({"results": results}, inf_nan_mode="null", fallback=_plain)
    except (PydanticSerializationError, TypeError) as exc:  # a bug; never a 500 page
        log.error("cannot encode a batch's results: %s", exc)
        reason = "internal error: a result could not be sent"
        return to_json({"results": [ExcelError("#VALUE!", reason).to_json()] * len(results)})


def _limits_of(settings: ServerSettings) -> costs.Limits:
    return costs.Limits(
        max_result_cells=settings.max_result_cells,
        max_work_cells=settings.max_work_cells,
        max_path_periods=settings.max_path_periods,
    )


def _start(
    body: bytes,
    content_type: str | None,
    settings: ServerSettings,
    limits: costs.Limits,
    heavy_waiting: int,
) -> _Batch:
    """Parse, check and price a batch; refuse it whole (4xx/503) or split it light and heavy."""
    calls = parse_batch(body, content_type)
    check_limits(calls, settings)
    threshold = settings.heavy_work_cells
    always: dict[str, bool] = {}  # heavy by name, once a batch: most batches repeat one function
    heavy: list[int] = []
    light: list[int] = []
    prepared: dict[int, tuple[Prepared, costs.Cost]] = {}
    work = 0
    with costs.use_limits(limits):
        for i, c in enumerate(calls):
            # Priced once here, with the arguments converted once. A call over a per-call limit
            # is refused on its own (#NUM!, before computing): it runs as a light call, costs
            # nothing and does not count towards the batch.
            priced = None if c.problem else costs.price_call(c.function, c.args)
            if priced is None or not costs.within(priced[0], limits):
                light.append(i)
                continue
            plan, ready = priced
            work += plan.work_cells
            name = c.function
            if plan.work_cells > threshold:
                heavy.append(i)
                continue
            if name not in always:
                always[name] = costs.is_heavy(name, _NO_COST, threshold)
            if always[name]:
                heavy.append(i)
                continue
            light.append(i)
            if ready is not None:
                prepared[i] = (ready, plan)
    if work > settings.max_batch_work_cells:
        raise ApiProblem(
            413,
            "batch_too_heavy",
            f"the batch would hold {work:,} cells while computing, more than "
            f"{settings.max_batch_work_cells:,}; send fewer or smaller calls",
        )
    if heavy and heavy_waiting > 8 * settings.heavy_workers:
        raise ApiProblem(
            503,
            "busy",
            f"{heavy_waiting} heavy calls are waiting for a worker; retry later",
            headers={"Retry-After": "5"},
        )
    return _Batch(calls, heavy, light, prepared)


def _evaluate_slice(batch: _Batch, limits: costs.Limits, encode: bool) -> bytes | None:
    """Evaluate light calls for up to :data:`SLICE_SECONDS` (at least one); when they are all
    done and ``encode``, the answer's JSON."""
    until = time.perf_counter() + SLICE_SECONDS
    calls, results, light, prepared = batch.calls, batch.results, batch.light, batch.prepared
    clock = time.perf_counter
    with costs.use_limits(limits), batch_scope():
        k = batch.next_light
        while k < len(light):
            i = light[k]
            call_ = calls[i]
            if call_.problem:
                results[i] = ExcelError("#VALUE!", call_.problem).to_json()
            elif i in prepared:
                ready, cost = prepared.pop(i)
                results[i] = evaluate_prepared(ready, cost)
            else:
                results[i] = evaluate_in_batch(call_.function, call_.args)
            k += 1
            if clock() > until:
                break
        batch.next_light = k
    return _encode(results) if encode and batch.light_done else None


def _first_slice(
    body: bytes,
    content_type: str | None,
    settings: ServerSettings,
    limits: costs.Limits,
    heavy_waiting: int,
) -> tuple[_Batch, bytes | None]:
    """The first hand-over to a call thread: start the batch and, if it has no heavy call,
    evaluate its first slice (often all of it, with the answer's JSON)."""
    batch = _start(body, content_type, settings, limits, heavy_waiting)
    if batch.heavy:
        return batch, None
    return batch, _evaluate_slice(batch, limits, encode=True)


def _out_of_time(batch: _Batch) -> None:
    reason = "the request's time budget ended before this call started"
    for k in range(batch.next_light, len(batch.light)):
        batch.results[batch.light[k]] = ExcelError("#NUM!", reason).to_json()
    batch.next_light = len(batch.light)


class _Pools:
    """The app's call threads (one limiter) and heavy-call worker processes, made on first use."""

    def __init__(self, settings: ServerSettings) -> None:
        self.limits = _limits_of(settings)
        self.threads = anyio.CapacityLimiter(settings.call_threads)
        self.heavy = HeavyCalls(settings.heavy_workers, self.limits)


def _pools(request: Request, settings: ServerSettings) -> _Pools:
    state = request.app.state
    pools = getattr(state, "call_pools", None)
    if pools is None:
        pools = state.call_pools = _Pools(settings)
    return pools


_BODY_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CallBatch"}}},
    }
}


@router.post(
    "/call",
    response_model=CallResults,
    openapi_extra=_BODY_SCHEMA,
    responses={
        400: {"model": Problem, "description": "The body is not valid JSON."},
        401: {"model": Problem, "description": "Missing or wrong bearer token."},
        413: {"model": Problem, "description": "Body, batch or argument over a limit."},
        422: {"model": Problem, "description": "The body is JSON but not a batch of calls."},
        503: {"model": Problem, "description": "Too many heavy calls waiting; retry later."},
    },
)
async def call_batch(request: Request) -> Response:
    """Evaluate every call; an unknown function or bad argument is that call's error only.

    The body is a :class:`~pyfuncs.server.models.CallBatch`. Every call is priced first
    (:mod:`pyfuncs.excel.costs`): a call over a limit answers ``#NUM!`` with the reason
    without running, a batch whose work passes ``max_batch_work_cells`` is refused whole with
    413. Light calls run in the server's call threads (never on the event loop, so ``/health``
    is always answered); heavy calls run in worker processes stopped at the end of the
    request's time budget or when the client goes away.
    """
    settings: ServerSettings = request.app.state.settings
    deadline = time.monotonic() + settings.request_seconds
    pools = _pools(request, settings)
    body = await request.body()
    batch, answer = await anyio.to_thread.run_sync(
        _first_slice,
        body,
        request.headers.get("content-type"),
        settings,
        pools.limits,
        pools.heavy.waiting,
        limiter=pools.threads,
    )
    del body
    if answer is not None:
        return Response(answer, media_type="application/json")

    async def run_light() -> None:
        while not batch.light_done:
            if time.monotonic() > deadline:
                _out_of_time(batch)
                return
            await anyio.to_thread.run_sync(
                _evaluate_slice, batch, pools.limits, False, limiter=pools.threads
            )

    async def run_heavy(i: int) -> None:
        call_ = batch.calls[i]
        batch.results[i] = await pools.heavy.run(
            call_.function, call_.args, deadline, request.is_disconnected
        )

    async with anyio.create_task_group() as group:
        if not batch.light_done:
            group.start_soon(run_light)
        for i in batch.heavy:
            group.start_soon(run_heavy, i)
    # Encoded in a call thread, not on the event loop: the results are plain JSON already.
    answer = await anyio.to_thread.run_sync(_encode, batch.results, limiter=pools.threads)
    return Response(answer, media_type="application/json")


def body_schemas() -> dict[str, Any]:
    """The JSON schemas of the request body (``CallBatch`` and ``Call``), for ``/docs``."""
    _, top = models_json_schema(
        [(CallBatch, "validation")], ref_template="#/components/schemas/{model}"
    )
    return top["$defs"]


__all__ = ["body_schemas", "call_batch", "evaluate", "router", "to_json_value"]
