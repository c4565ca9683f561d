"""Dependencies injected into the routes: the settings, the bearer token, the batch limits."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.limits import cells_in
from pyfuncs.server.models import CallBatch
from pyfuncs.server.settings import ServerSettings

_bearer = HTTPBearer(auto_error=False, description="The token given to `gpucredit serve`.")


def get_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


Settings = Annotated[ServerSettings, Depends(get_settings)]


def require_token(
    settings: Settings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """When the server has a token, every API request must carry it as a bearer token."""
    if settings.token is None:
        return
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode(), settings.token.encode()):
        reason = "a bearer token is required" if not given else "the bearer token is wrong"
        raise ApiProblem(401, "unauthorized", reason, headers={"WWW-Authenticate": "Bearer"})


def within_limits(batch: CallBatch, settings: Settings) -> CallBatch:
    """The batch, if it stays within the calls-per-batch and cells-per-argument limits."""
    if len(batch.calls) > settings.max_calls:
        raise ApiProblem(
            413,
            "too_many_calls",
            f"a batch holds at most {settings.max_calls:,} calls, got {len(batch.calls):,}",
        )
    for number, call in enumerate(batch.calls):
        for position, arg in enumerate(call.args, start=1):
            cells = cells_in(arg)
            if cells > settings.max_cells_per_arg:
                raise ApiProblem(
                    413,
                    "too_many_cells",
                    f"call {number} ({call.function[:40]}) argument {position} has {cells:,} "
                    f"cells, more than {settings.max_cells_per_arg:,}",
                )
    return batch
