"""The function server: a FastAPI app answering Excel's custom-function calls.

Stateless: every request carries everything it needs, so the server can be restarted at any
time and several can run side by side.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pyfuncs import __version__
from pyfuncs.server.deps import require_token
from pyfuncs.server.errors import install_error_handlers
from pyfuncs.server.hosts import TrustedHosts
from pyfuncs.server.limits import BodySizeLimit
from pyfuncs.server.routers import addin, calls, catalogue, health
from pyfuncs.server.settings import OFFICE_ORIGIN_REGEX, ServerSettings


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app for ``settings`` (defaults: 127.0.0.1, no token, the default limits)."""
    settings = settings or ServerSettings.from_env()
    app = FastAPI(
        title="gpucredit function server",
        version=__version__,
        description="Answers the gpucredit Office add-in's custom-function calls "
        "(=GPU.DSCR(...)) and serves the add-in itself.",
    )
    app.state.settings = settings
    install_error_handlers(app)

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], tags=["api"])
    api.include_router(calls.router)
    api.include_router(catalogue.router)
    app.include_router(api)
    app.include_router(health.router, tags=["status"])
    app.include_router(addin.router, tags=["add-in"])

    # Starlette runs the last-added middleware first: the size limit sees the raw body first.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.own_origins,
        allow_origin_regex=OFFICE_ORIGIN_REGEX,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outermost: a request to an untrusted host name is answered before anything else runs.
    app.add_middleware(TrustedHosts, hosts=settings.trusted_hosts)
    _document_call_body(app)
    return app


def _document_call_body(app: FastAPI) -> None:
    """Add the call body's schemas to /docs (the route reads its body itself, off the loop)."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                calls.body_schemas()
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


#: Seconds a thread holds the interpreter lock before another may take it (Python's default is
#: 0.005). Shorter, so the event loop answering /health is not kept waiting by the call threads.
SWITCH_INTERVAL = 0.001
#: Container objects allocated (net) before the youngest generation is collected (Python's
#: default is 700). A 1,000-call batch holds some 4,000 (the parsed calls, their argument lists,
#: the results) for a few milliseconds, so the default collects four times a batch and promotes
#: all of them to the older generations; at 20,000 a batch of that size is freed by reference
#: counting before any collection. The older generations keep Python's defaults (10, 10).
GC_YOUNG_THRESHOLD = 20_000


def tune_process() -> None:
    """Settings of a server process (``gpucredit serve`` and each of its ``--workers``).

    - A shorter :data:`SWITCH_INTERVAL`, so the event loop gets the interpreter back quickly
      from call threads that compute.
    - ``gc.freeze()`` once everything is imported: the long-lived objects of the imports (about
      a million) are left out of every later garbage collection, so a full collection during a
      recalculation takes milliseconds instead of a hundred or more.
    - A youngest-generation threshold of :data:`GC_YOUNG_THRESHOLD`, so an ordinary batch
      triggers no collection at all.
    """
    import gc
    import sys

    from pyfuncs.catalogue import catalogue

    catalogue()  # loaded now, so its objects are frozen too
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


#: The settings of ``gpucredit serve --workers N``, as JSON, for each worker process's app.
SETTINGS_ENV = "GPUCREDIT_SERVE_SETTINGS"


def create_app_from_environment() -> FastAPI:
    """The app of one of ``gpucredit serve --workers N``'s processes (a uvicorn factory).

    uvicorn starts each worker process afresh and builds its app from an import string, so the
    settings travel as JSON in :data:`SETTINGS_ENV`, set by the ``serve`` command.
    """
    import os

    text = os.environ.get(SETTINGS_ENV)
    app = create_app(ServerSettings.model_validate_json(text) if text else None)
    tune_process()
    return app
