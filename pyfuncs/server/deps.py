"""Dependencies injected into the routes: the settings and the bearer token.

Both are ``async``: FastAPI runs a plain ``def`` dependency in a thread, and these must cost the
event loop nothing (no thread hand-over, no wait for a free thread under load).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pyfuncs.server.errors import ApiProblem
from pyfuncs.server.settings import ServerSettings

_bearer = HTTPBearer(auto_error=False, description="The token given to `gpucredit serve`.")


async def get_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


Settings = Annotated[ServerSettings, Depends(get_settings)]


async def require_token(
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
