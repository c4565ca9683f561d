"""``GET /api/v1/functions``: the function catalogue, read off the registry."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response

from pyfuncs.catalogue import NAMESPACE, FunctionSpec, catalogue
from pyfuncs.server.models import ArgumentInfo, Catalogue, FunctionInfo

router = APIRouter()


def function_info(spec: FunctionSpec) -> FunctionInfo:
    return FunctionInfo(
        name=spec.name,
        officejs_name=spec.officejs_name,
        xlwings_name=spec.xlwings_name,
        category=spec.category,
        signature=spec.signature,
        help=spec.help,
        result=spec.result.kind,
        columns=list(spec.result.columns),
        args=[
            ArgumentInfo(
                name=a.name,
                help=a.help,
                kind=a.kind,
                optional=a.optional,
                default=a.default if a.optional else None,
                choices=list(a.choices),
            )
            for a in spec.args
        ],
    )


@lru_cache(maxsize=1)
def _catalogue_json() -> bytes:
    body = Catalogue(namespace=NAMESPACE, functions=[function_info(s) for s in catalogue()])
    return body.model_dump_json().encode()


@router.get("/functions", response_model=Catalogue)
async def functions() -> Response:
    """Every function with its signature, help, arguments and result shape.

    Encoded once and answered on the event loop: never queued behind the calls.
    """
    return Response(_catalogue_json(), media_type="application/json")
