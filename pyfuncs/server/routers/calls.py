"""``POST /api/v1/call``: evaluate a batch of formula cells, one result per call, in order."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from pyfuncs.errors import ExcelError
from pyfuncs.excel.dispatch import call
from pyfuncs.server.deps import within_limits
from pyfuncs.server.models import CallBatch, CallResults, Problem

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


@router.post(
    "/call",
    response_model=CallResults,
    responses={
        400: {"model": Problem, "description": "The body is not valid JSON."},
        401: {"model": Problem, "description": "Missing or wrong bearer token."},
        413: {"model": Problem, "description": "Body, batch or argument over a limit."},
        422: {"model": Problem, "description": "The body is JSON but not a batch of calls."},
    },
)
def call_batch(batch: Annotated[CallBatch, Depends(within_limits)]) -> JSONResponse:
    """Evaluate every call; an unknown function or bad argument is that call's error only.

    A plain ``def``: FastAPI runs it in a worker thread, so a long batch does not stall the
    event loop that answers ``/health``.
    """
    results = [
        ExcelError("#VALUE!", c.problem).to_json() if c.problem else evaluate(c.function, c.args)
        for c in batch.calls
    ]
    # Returned as a response directly: the results are plain JSON already, and FastAPI's
    # encoder would walk every cell of a large batch a second time.
    return JSONResponse({"results": results})
