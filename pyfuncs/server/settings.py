"""The function server's settings: one object, filled from the command line or the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from pyfuncs.server.defaults import DEFAULT_PORT, TOKEN_ENV

__all__ = ["DEFAULT_PORT", "ENV_FIELDS", "OFFICE_ORIGIN_REGEX", "TOKEN_ENV", "ServerSettings"]


#: Settings that may come from ``GPUCREDIT_<NAME>`` environment variables.
ENV_FIELDS = (
    "max_body_bytes",
    "max_calls",
    "max_cells_per_arg",
    "allowed_hosts",
    "request_seconds",
    "heavy_workers",
    "call_threads",
    "max_result_cells",
    "max_work_cells",
    "max_path_periods",
    "max_batch_work_cells",
    "heavy_work_cells",
)


def _default_addin_dir() -> Path:
    """``addin/`` of a source checkout, else the copy installed under ``<prefix>/share``."""
    here = Path(__file__).resolve().parents[2] / "addin"
    if (here / "functions.js").is_file():
        return here
    return Path(sys.prefix) / "share" / "gpucredit" / "addin"


class ServerSettings(BaseModel):
    """Everything the server needs to know; immutable once the app is built.

    Limits bound what one request may cost: the body in bytes, the calls in one batch and the
    cells in one argument. A request over a limit is answered 413 with a JSON reason.
    """

    model_config = {"frozen": True}

    host: str = "127.0.0.1"
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    certfile: Path | None = None
    keyfile: Path | None = None
    token: str | None = None
    public_url: str | None = None
    max_body_bytes: int = Field(16 * 1024 * 1024, gt=0)
    max_calls: int = Field(10_000, gt=0)
    max_cells_per_arg: int = Field(1_048_576, gt=0)
    addin_dir: Path = Field(default_factory=_default_addin_dir)
    #: Host names the server answers to besides localhost, 127.0.0.1, ::1 and the public URL's
    #: host (DNS rebinding: a web page on evil.example cannot reach http://localhost through a
    #: name it controls). ``("*",)`` answers any name.
    allowed_hosts: tuple[str, ...] = ()
    #: Seconds one request may compute for; heavy calls still running then are stopped and
    #: light calls not yet started answer ``#NUM!``.
    request_seconds: float = Field(30.0, gt=0)
    #: Worker processes for heavy calls (each stoppable); calls beyond wait their turn.
    heavy_workers: int = Field(2, ge=1, le=64)
    #: Threads for the other calls (the event loop answering /health never runs a call).
    call_threads: int = Field(8, ge=1, le=256)
    #: Cells one call may produce (Excel shows at most a 1,048,576 x 16,384 grid).
    max_result_cells: int = Field(2_000_000, gt=0)
    #: Cells of the arrays one call may hold at once while computing (8 bytes each).
    max_work_cells: int = Field(25_000_000, gt=0)
    #: Monte Carlo paths x periods one call may simulate (JOINT_STRESS).
    max_path_periods: int = Field(20_000_000, gt=0)
    #: Work cells of a whole batch; a batch over it is refused with 413 before any call runs.
    max_batch_work_cells: int = Field(100_000_000, gt=0)
    #: A call whose estimated work passes this many cells runs in a worker process.
    heavy_work_cells: int = Field(500_000, gt=0)

    @classmethod
    def from_env(cls, **values: object) -> ServerSettings:
        """Settings from the arguments given, else the environment, else the defaults.

        Every limit and budget has an environment variable named ``GPUCREDIT_`` and the field in
        capitals (``GPUCREDIT_REQUEST_SECONDS=10``); the token is ``GPUCREDIT_TOKEN``;
        ``GPUCREDIT_ALLOWED_HOSTS`` is a comma-separated list.
        """
        if values.get("token") is None and os.environ.get(TOKEN_ENV):
            values["token"] = os.environ[TOKEN_ENV]
        for name in ENV_FIELDS:
            text = os.environ.get(f"GPUCREDIT_{name.upper()}")
            if values.get(name) is None and text:
                if name == "allowed_hosts":
                    values[name] = tuple(h.strip() for h in text.split(",") if h.strip())
                else:
                    values[name] = text
        return cls(**{k: v for k, v in values.items() if v is not None})

    @property
    def trusted_hosts(self) -> frozenset[str]:
        """Host names (lower case, no port) the server answers to."""
        names = {"localhost", "127.0.0.1", "::1", *(h.lower() for h in self.allowed_hosts)}
        if self.public_url:
            names.add((urlsplit(self.public_url).hostname or "").lower())
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower().strip("[]"))
        return frozenset(names - {""})

    @property
    def https(self) -> bool:
        return self.certfile is not None

    @property
    def base_url(self) -> str:
        """The server's own URL, as Excel must load the add-in from it (no trailing slash)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.https else "http"
        # The development certificate is issued to "localhost"; Office wants that name.
        host = "localhost" if self.host in ("127.0.0.1", "::1", "localhost") else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def own_origins(self) -> list[str]:
        """Origins of the server's own pages (the task pane and the shared runtime)."""
        scheme = "https" if self.https else "http"
        origins = {self.base_url}
        if self.host in ("127.0.0.1", "localhost"):
            origins |= {f"{scheme}://127.0.0.1:{self.port}", f"{scheme}://localhost:{self.port}"}
        return sorted(origins)


#: Office's own origins (Excel on the web and the Office add-in hosts), HTTPS only.
OFFICE_ORIGIN_REGEX = (
    r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|office\.com|office365\.com"
    r"|microsoft365\.com|officeppe\.com|sharepoint\.com)"
)
