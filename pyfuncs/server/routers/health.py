"""``GET /health``: is the server up (no token needed; it reveals nothing but counts)."""

from __future__ import annotations

from fastapi import APIRouter

from pyfuncs import __version__
from pyfuncs.catalogue import catalogue
from pyfuncs.server.deps import Settings
from pyfuncs.server.models import Health

router = APIRouter()


@router.get("/health", response_model=Health)
async def health(settings: Settings) -> Health:
    """Answered on the event loop itself: never queued behind the calls' threads or workers."""
    return Health(
        version=__version__,
        functions=len(catalogue()),
        token_required=settings.token is not None,
    )
