"""Limits on what one request may cost, so a bad or hostile request cannot take the server down."""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pyfuncs.server.errors import ApiProblem


class BodySizeLimit:
    """ASGI middleware: refuse a body over ``max_bytes`` with 413, before it is read.

    A declared ``Content-Length`` over the limit is answered at once: the status line and
    headers go out before a byte of the body is read, so a client that declares a gigabyte and
    sends nothing has its 413 immediately. The body of the answer follows after at most
    ``drain_seconds`` of reading and dropping what the client sends (up to ``drain_bytes``), so
    a client still sending sees the 413 and its reason instead of a connection reset; then the
    connection is closed. A body sent in chunks is counted as it arrives and refused once it
    passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, drain_seconds: float = 1.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = max(4 * max_bytes, 1 << 20)
        self.drain_seconds = drain_seconds

    async def _drain(self, receive: Receive, seen: int, more: bool) -> None:
        with anyio.move_on_after(self.drain_seconds):
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
                await self._refuse(send, int(declared), receive)
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

    async def _refuse(self, send: Send, size: int, receive: Receive) -> None:
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
        await self._drain(receive, 0, True)
        await send({"type": "http.response.body", "body": body})


def cells_in(value: Any) -> int:
    """How many cells an argument holds: 1 for a single value, rows x columns for a range."""
    if isinstance(value, list):
        return sum(len(row) if isinstance(row, list) else 1 for row in value)
    return 1
