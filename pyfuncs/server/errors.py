"""4xx answers as JSON ``{"error": ..., "reason": ...}``, never an HTML page or a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


class ApiProblem(HTTPException):
    """An HTTP error with a machine-readable slug and a one-line reason."""

    def __init__(
        self, status_code: int, error: str, reason: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status_code, detail=reason, headers=headers)
        self.error = error
        self.reason = reason


def problem_response(
    status_code: int, error: str, reason: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "reason": reason}, status_code, headers=headers)


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the framework raises to the JSON problem shape."""

    @app.exception_handler(ApiProblem)
    async def _problem(_: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(exc.status_code, exc.error, exc.reason, exc.headers)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        slugs = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        slug = slugs.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, slug, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            first = next(e for e in errors if e.get("type") == "json_invalid")
            reason = (
                f"the body is not valid JSON: {first.get('ctx', {}).get('error', 'parse error')}"
            )
            return problem_response(400, "malformed_json", reason)
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        reason = f"{_where(tuple(first.get('loc', ())))}: {first.get('msg', 'invalid')}"
        return problem_response(422, "invalid_request", reason)
