"""Trusted ``Host`` headers: a defence against DNS rebinding.

A web page on ``evil.example`` can make its own name resolve to 127.0.0.1 and then send requests
to ``http://evil.example:8443``: the browser treats them as same-origin to the page, and they
reach the server on the user's machine with ``Host: evil.example``. Answering only the names
the server is meant to be reached by (localhost, 127.0.0.1, ::1, the public URL's host and any
configured names) closes that door; Starlette's ``TrustedHostMiddleware`` does the same, with a
plain-text answer where ours is JSON like every other 4xx.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send


def host_name(header: str) -> str:
    """The name of a ``Host`` header, lower case, without port: ``[::1]:8443`` -> ``::1``."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


class TrustedHosts:
    """ASGI middleware: answer 400 JSON to a request whose ``Host`` is not trusted."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.any_host = "*" in hosts
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any_host:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        name = host_name(header)
        if name in self.hosts:
            await self.app(scope, receive, send)
            return
        reason = (
            f"this server does not answer to the host name {header[:60]!r}; allowed: "
            f"{', '.join(sorted(self.hosts))} (add names with --allowed-host)"
        )
        body = json.dumps({"error": "untrusted_host", "reason": reason}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
