"""The ``gpucredit serve`` and ``gpucredit certs`` commands (registered in pyfuncs/cli.py)."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Annotated

import typer

from pyfuncs.cli.console import err_console as console
from pyfuncs.cli.console import fail, warning_line
from pyfuncs.server.defaults import DEFAULT_PORT, TOKEN_ENV


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(help="Address to bind; keep 127.0.0.1 unless you must.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); Office needs HTTPS.")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    token: Annotated[
        str | None,
        typer.Option(help=f"Bearer token every API call must carry (or set {TOKEN_ENV})."),
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="URL Excel reaches the server at, if not host:port.")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes behind the one port (uvicorn workers), for a team.",
        ),
    ] = 1,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Another host name to answer to (repeatable; localhost, 127.0.0.1, ::1 and "
            "--public-url's host always are).",
        ),
    ] = None,
) -> None:
    """Start the function server for the Office add-in (=GPU.DSCR in Excel on the web and Mac)."""
    from pydantic import ValidationError

    from pyfuncs.server.settings import ServerSettings

    if (certfile is None) != (keyfile is None):
        fail("give both --certfile and --keyfile, or neither")
    for path in (certfile, keyfile):
        if path is not None and not path.is_file():
            fail(f"{path} does not exist (make one: gpucredit certs)")
    try:
        settings = ServerSettings.from_env(
            host=host,
            port=port,
            certfile=certfile,
            keyfile=keyfile,
            token=token,
            public_url=public_url,
            allowed_hosts=tuple(allowed_host) if allowed_host else None,
        )
    except ValidationError as exc:
        fail(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    if not _is_loopback(host) and settings.token is None:
        warning_line(
            f"{host} is reachable from other machines and no token "
            f"is set: anyone who can reach it can use the server (set {TOKEN_ENV})."
        )
    if not _is_loopback(host) and public_url is None:
        console.print(
            "note: the add-in files name the server "
            f"{settings.base_url}; pass --public-url if Excel reaches it by another name"
        )
    if not settings.https:
        console.print(
            "note: serving plain HTTP: Excel loads add-ins only over HTTPS "
            "(make a development certificate with: gpucredit certs)"
        )
    console.print(f"gpucredit function server on {settings.base_url}")
    console.print(f"  add-in manifest: {settings.base_url}/manifest.xml")
    console.print(f"  API docs:        {settings.base_url}/docs")

    if workers > 1:
        console.print(f"  processes:       {workers} (one port; each has its own heavy workers)")

    import os

    import uvicorn

    from pyfuncs.server.app import SETTINGS_ENV, create_app, tune_process

    if workers > 1:
        # Each worker process builds its own app from the import string and these settings.
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        target: object = "pyfuncs.server.app:create_app_from_environment"
        _listen_without_nagle(uvicorn.Config)
    else:
        target = create_app(settings)
        tune_process()
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=settings.host,
        port=settings.port,
        ssl_certfile=str(settings.certfile) if settings.certfile else None,
        ssl_keyfile=str(settings.keyfile) if settings.keyfile else None,
        log_level="warning",
        server_header=False,
    )


def tcp_listener(sock: socket.socket) -> socket.socket:
    """``sock``, a bound TCP listener, as a socket object whose protocol is ``IPPROTO_TCP``.

    asyncio turns on ``TCP_NODELAY`` for an accepted connection only when its socket reports
    that protocol, and accepted sockets take it from the listener. uvicorn's own listener for
    ``--workers`` is made with protocol 0 (uvicorn issue #3149), so without this every answer
    on a kept-alive connection waits for the client's delayed ACK: about 40 ms on Linux, more
    than a whole 1,000-cell recalculation. A socket of any other kind is returned as it is.
    """
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return sock
    if sock.proto == socket.IPPROTO_TCP:
        return sock
    inheritable = sock.get_inheritable()
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.set_inheritable(inheritable)
    return tcp


def _listen_without_nagle(config_class: type) -> None:
    """Make ``config_class.bind_socket`` (uvicorn's ``Config``) return :func:`tcp_listener`'s
    socket: the listener ``--workers`` shares with its server processes."""
    bind_socket = config_class.bind_socket
    if getattr(bind_socket, "tcp_listener", False):
        return

    def bind(self: object) -> socket.socket:
        return tcp_listener(bind_socket(self))

    bind.tcp_listener = True  # type: ignore[attr-defined]
    config_class.bind_socket = bind


def certs(
    out: Annotated[Path, typer.Option(help="Folder for localhost.pem and localhost-key.pem.")] = (
        Path("certs")
    ),
    force: Annotated[bool, typer.Option(help="Replace an existing certificate.")] = False,
) -> None:
    """Make a self-signed certificate for https://localhost (development only)."""
    from pyfuncs.server.certs import CERT_NAME, KEY_NAME, make_dev_certificate

    if not force and ((out / CERT_NAME).exists() or (out / KEY_NAME).exists()):
        fail(f"{out / CERT_NAME} exists; pass --force to replace it")
    certfile, keyfile = make_dev_certificate(out)
    print(f"wrote {certfile} and {keyfile}")
    print(
        "Trust the certificate once (Windows: certutil -user -addstore Root "
        f"{certfile}; macOS: security add-trusted-cert -r trustRoot -k "
        f"~/Library/Keychains/login.keychain-db {certfile}), then run:\n"
        f"  gpucredit serve --certfile {certfile} --keyfile {keyfile}"
    )


def addin_metadata(
    out: Annotated[Path, typer.Option(help="Where to write functions.json.")] = Path(
        "addin/functions.json"
    ),
) -> None:
    """Regenerate the add-in's functions.json from the registry."""
    from pyfuncs.excel.officejs import functions_json
    from pyfuncs.fileio import write_text_atomic

    write_text_atomic(out, functions_json())
    print(f"wrote {out}")
