"""``GET /health``: is the server up (no token needed; it reveals nothing but counts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pyfuncs import __version__
from pyfuncs.catalogue import catalogue
from pyfuncs.server.models import Health

router = APIRouter()


@router.get("/health", response_model=Health)
async def health(request: Request) -> Response:
    """Answered on the event loop itself, from bytes made once per app: it never waits for a
    thread, a worker process or a dependency."""
    state = request.app.state
    body = getattr(state, "health_body", None)
    if body is None:
        answer = Health(
            version=__version__,
            functions=len(catalogue()),
            token_required=state.settings.token is not None,
        )
        body = state.health_body = answer.model_dump_json().encode()
    return Response(body, media_type="application/json")
