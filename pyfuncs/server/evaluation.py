"""One call evaluated as the function server answers it: a JSON-ready value, never an exception.

Kept free of the web framework (and of asyncio): the worker processes that run heavy calls
import only this and the credit math, so a fresh worker starts computing at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
from multiprocessing.connection import Connection
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.excel import costs
from pyfuncs.excel.dispatch import Prepared, batch_scope, call, call_in_batch, call_prepared

log = logging.getLogger("gpucredit.server")

#: Scheduling priority of a heavy call's worker process (``nice``, 0-19): batch work yields the
#: processor to the server process, so light calls and ``/health`` stay quick under load.
WORKER_NICENESS = 10


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


def evaluate_in_batch(function: str, args: list[Any]) -> Any:
    """:func:`evaluate` inside :func:`~pyfuncs.excel.dispatch.batch_scope` (one ``np.errstate``
    for a whole slice of a batch, not one a call)."""
    try:
        value = call_in_batch(function, args)
        kind = type(value)
        if kind is float or kind is str or kind is bool or value is None:
            return value
        return to_json_value(value)
    except Exception as exc:  # as evaluate()
        log.exception("call %s failed", function[:60])
        return ExcelError("#VALUE!", f"internal error: {type(exc).__name__}").to_json()


def evaluate_prepared(prepared: Prepared, cost: costs.Cost) -> Any:
    """:func:`evaluate_in_batch` of a call converted and priced while its batch was priced
    (:func:`pyfuncs.excel.costs.price_call`): neither is done a second time."""
    try:
        return to_json_value(call_prepared(prepared, cost))
    except Exception as exc:  # as evaluate()
        log.exception("call %s failed", prepared.spec.name)
        return ExcelError("#VALUE!", f"internal error: {type(exc).__name__}").to_json()


__all__ = [
    "batch_scope",
    "evaluate",
    "evaluate_in_batch",
    "evaluate_prepared",
    "to_json_value",
    "work_in_process",
]


def work_in_process(conn: Connection, function: str, args: list[Any], limits: costs.Limits) -> None:
    """A heavy call's worker process: lower its priority, run the call, send the JSON result."""
    with contextlib.suppress(OSError, AttributeError):  # not allowed, not POSIX: as it is
        os.nice(WORKER_NICENESS)
    costs.set_process_limits(limits)
    try:
        conn.send(evaluate(function, args))
    finally:
        conn.close()
