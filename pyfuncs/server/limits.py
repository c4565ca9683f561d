"""Limits on what one request may cost, so a bad or hostile request cannot take the server down."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyfuncs.server.errors import ApiProblem


class BodySizeLimit:
    """ASGI middleware: refuse a body over ``max_bytes`` with 413, before it is all read.

    A declared ``Content-Length`` over the limit is refused without keeping anything; a body sent
    in chunks is counted as it arrives and refused once it passes the limit. Either way the rest
    of the body is read and dropped (up to ``drain_bytes``) before answering: a server that
    answers and closes while the client is still sending makes the client see a connection
    reset instead of the 413 and its reason.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = max(4 * max_bytes, 1 << 20)

    async def _drain(self, receive: Receive, seen: int, more: bool) -> None:
        while more and seen <= self.drain_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return
            seen += len(message.get("body", b""))
            more = message.get("more_body", False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._drain(receive, 0, True)
                await self._refuse(send, int(declared))
                return

        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    await self._drain(receive, seen, message.get("more_body", False))
                    raise ApiProblem(413, "body_too_large", self._reason(seen))
            return message

        await self.app(scope, counting_receive, send)

    def _reason(self, size: int) -> str:
        return f"the request body is larger than {self.max_bytes:,} bytes (got {size:,} or more)"

    async def _refuse(self, send: Send, size: int) -> None:
        body = json.dumps({"error": "body_too_large", "reason": self._reason(size)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def cells_in(value: Any) -> int:
    """How many cells an argument holds: 1 for a single value, rows x columns for a range."""
    if isinstance(value, list):
        return sum(len(row) if isinstance(row, list) else 1 for row in value)
    return 1
