"""A request body read as a batch of calls, and the batch's size limits: cheap, no model objects.

The body is parsed once by pydantic-core's JSON parser (Rust, several times faster than
``json.loads`` and than validating a pydantic model per call) and each call is checked by hand
into a small :class:`Call`; the pydantic models of :mod:`pyfuncs.server.models` still describe
the body in ``/docs``. The rules are those of :class:`pyfuncs.server.models.Call`: a call that is
not ``{"function": text, "args": [...]}`` is kept with a ``problem`` (its own ``#VALUE!``), and
a body that is not JSON or not a batch is refused whole (400 or 422 JSON with the reason).
"""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json

from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.limits import cells_in
from pyfuncs.server.settings import ServerSettings

_NOT_A_CALL = 'a call must be {"function": name, "args": [...]}'
_SHAPE = 'a batch is {"calls": [{"function": name, "args": [...]}, ...]}'


class Call:
    """One formula cell of a batch: ``function`` and ``args``, or the ``problem`` with it."""

    __slots__ = ("args", "function", "problem")

    def __init__(self, function: str, args: list[Any], problem: str | None = None) -> None:
        self.function = function
        self.args = args
        self.problem = problem


def _call(item: Any) -> Call:
    if type(item) is not dict:
        return Call("", [], _NOT_A_CALL)
    function = item.get("function")
    if type(function) is not str:
        return Call("", [], "a call's function must be a name (text)")
    args = item.get("args", [])
    if type(args) is not list:
        return Call(function, [], "a call's args must be a list")
    return Call(function, args)


def _is_json(content_type: str | None) -> bool:
    """No content type, ``application/json`` or ``application/<anything>+json``."""
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def parse_batch(body: bytes, content_type: str | None = None) -> list[Call]:
    """The calls of a request body, in order.

    Raises
    ------
    ApiProblem
        400 ``malformed_json`` for a body that is not JSON, 400 ``bad_request`` for JSON nested
        too deeply to read, 422 ``invalid_request`` for JSON that is not a batch of calls.
    """
    if not body:
        raise ApiProblem(422, "invalid_request", f"body: the body is empty; {_SHAPE}")
    if not _is_json(content_type):
        raise ApiProblem(422, "invalid_request", "body: send the batch as application/json")
    try:
        data = from_json(body)
    except ValueError as exc:
        reason = str(exc)
        if "recursion limit" in reason:
            raise ApiProblem(
                400, "bad_request", f"the body nests too deeply to be a batch ({reason})"
            ) from None
        raise ApiProblem(400, "malformed_json", f"the body is not valid JSON: {reason}") from None
    if type(data) is not dict:
        raise ApiProblem(422, "invalid_request", f"body: {_SHAPE}")
    calls = data.get("calls")
    if type(calls) is not list:
        what = "missing" if calls is None and "calls" not in data else "must be a list"
        raise ApiProblem(422, "invalid_request", f"calls: {what}; {_SHAPE}")
    return [_call(item) for item in calls]


def check_limits(calls: list[Call], settings: ServerSettings) -> None:
    """Refuse (413) a batch over the calls-per-batch or cells-per-argument limit."""
    if len(calls) > settings.max_calls:
        raise ApiProblem(
            413,
            "too_many_calls",
            f"a batch holds at most {settings.max_calls:,} calls, got {len(calls):,}",
        )
    limit = settings.max_cells_per_arg
    for number, call in enumerate(calls):
        for position, arg in enumerate(call.args, start=1):
            if type(arg) is list and len(arg) > 0 and cells_in(arg) > limit:
                raise ApiProblem(
                    413,
                    "too_many_cells",
                    f"call {number} ({call.function[:40]}) argument {position} has "
                    f"{cells_in(arg):,} cells, more than {limit:,}",
                )
