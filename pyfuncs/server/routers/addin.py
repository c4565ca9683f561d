"""The add-in files: manifest, functions.json, functions.js, the task pane, icons, reference."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from pyfuncs.server import addin_files
from pyfuncs.server.deps import Settings
from pyfuncs.server.errors import ApiProblem

router = APIRouter()

_ICONS = {"icon-16.png", "icon-32.png", "icon-64.png", "icon-80.png"}
#: Excel caches add-in files aggressively; a short max-age keeps a restarted server visible.
_NO_STALE = {"Cache-Control": "no-cache"}


@router.get("/", include_in_schema=False)
def index() -> RedirectResponse:
    return RedirectResponse("/taskpane.html")


@router.get("/manifest.xml", summary="The add-in manifest, for this server's address")
def manifest(settings: Settings) -> Response:
    xml = addin_files.render_manifest(settings.addin_dir, settings.base_url)
    return Response(xml, media_type="application/xml", headers=_NO_STALE)


@router.get("/functions.json", summary="Custom functions metadata (Microsoft's format)")
def functions_json(settings: Settings) -> Response:
    body = addin_files.render_functions_json(settings.base_url)
    return Response(body, media_type="application/json", headers=_NO_STALE)


@router.get("/functions.js", summary="The custom functions script")
def functions_js(settings: Settings) -> Response:
    # The add-in splits its batches below these, so no request of calls that fit is refused.
    limits = {"maxBodyBytes": settings.max_body_bytes, "maxCalls": settings.max_calls}
    script = addin_files.render_functions_js(settings.addin_dir, settings.base_url, limits)
    return Response(script, media_type="text/javascript", headers=_NO_STALE)


@router.get("/taskpane.html", response_class=HTMLResponse, summary="The task pane")
def taskpane(settings: Settings) -> FileResponse:
    return FileResponse(settings.addin_dir / "taskpane.html", headers=_NO_STALE)


@router.get("/reference", response_class=HTMLResponse, summary="Function reference")
def reference() -> HTMLResponse:
    return HTMLResponse(addin_files.render_reference())


@router.get("/assets/{name}", include_in_schema=False)
def asset(name: str, settings: Settings) -> FileResponse:
    if name not in _ICONS:  # a fixed list: no path from the request reaches the file system
        raise ApiProblem(404, "not_found", f"no asset {name[:40]!r}")
    return FileResponse(settings.addin_dir / "assets" / name, media_type="image/png")
