"""A real gpucredit function server on a free local port, in a thread (uvicorn, 127.0.0.1 only)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from pyfuncs.server.app import create_app
from pyfuncs.server.settings import ServerSettings

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_server(**settings: object) -> Iterator[ServerSettings]:
    """Serve ``create_app(ServerSettings(**settings))`` until the block ends; yields the settings."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    scheme = "https" if settings.get("certfile") else "http"
    # The add-in files name the server by this URL; 127.0.0.1 so Node and Chromium need no DNS.
    settings.setdefault("public_url", f"{scheme}://127.0.0.1:{port}")
    config_settings = ServerSettings(host="127.0.0.1", port=port, **settings)
    ssl = {}
    if config_settings.certfile:
        ssl = {
            "ssl_certfile": str(config_settings.certfile),
            "ssl_keyfile": str(config_settings.keyfile),
        }
    config = uvicorn.Config(create_app(config_settings), log_level="warning", lifespan="off", **ssl)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield config_settings
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def url_of(settings: ServerSettings) -> str:
    return settings.base_url


def require_tool(name: str, install: str) -> str:
    """The path of ``name``; in CI a missing tool fails the test, locally it skips."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI: .ci/run must {install}")
    pytest.skip(f"{name} is not installed ({install})")
