"""``gpucredit serve --workers N`` listens on a socket whose connections get ``TCP_NODELAY``.

Without it an answer on a kept-alive connection waits for the client's delayed ACK (about 40 ms
on Linux; uvicorn issue #3149): asyncio sets ``TCP_NODELAY`` only on accepted sockets whose
protocol is ``IPPROTO_TCP``, which they take from the listener.
"""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from pyfuncs.cli.serve import _listen_without_nagle, tcp_listener


def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection accepted by asyncio on ``listener``."""

    async def main() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener)
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        value = await asyncio.wait_for(seen, 10)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    return asyncio.run(main())


def _listener_like_uvicorns() -> socket.socket:
    """A listener made as uvicorn's ``Config.bind_socket`` makes one: protocol left at 0."""
    sock = socket.socket(family=socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


def test_a_listener_of_protocol_zero_leaves_nagle_on():
    assert _nodelay_of_accepted(_listener_like_uvicorns()) == 0


def test_the_served_listener_gives_every_connection_tcp_nodelay():
    raw = _listener_like_uvicorns()
    address = raw.getsockname()
    fixed = tcp_listener(raw)
    assert fixed.proto == socket.IPPROTO_TCP
    assert fixed.getsockname() == address and fixed.get_inheritable()
    assert _nodelay_of_accepted(fixed) != 0


def test_other_sockets_are_left_as_they_are():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        assert tcp_listener(udp) is udp


def test_serve_workers_binds_through_tcp_listener():
    class Config(uvicorn.Config):
        pass

    _listen_without_nagle(Config)
    _listen_without_nagle(Config)  # once is enough; twice changes nothing
    config = Config("pyfuncs.server.app:create_app_from_environment", host="127.0.0.1", port=0)
    listener = config.bind_socket()
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert _nodelay_of_accepted(listener) != 0
    finally:
        listener.close()
