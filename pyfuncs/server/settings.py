"""The function server's settings: one object, filled from the command line or the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import BaseModel, Field

#: Office loads add-ins only over HTTPS; this is the development port we suggest.
DEFAULT_PORT = 8443
#: Environment variable that holds the bearer token (safer than the command line, which other
#: users of the machine can read in the process list).
TOKEN_ENV = "GPUCREDIT_TOKEN"


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

    @classmethod
    def from_env(cls, **values: object) -> ServerSettings:
        """Settings with the token read from ``GPUCREDIT_TOKEN`` unless one is given."""
        if values.get("token") is None and os.environ.get(TOKEN_ENV):
            values["token"] = os.environ[TOKEN_ENV]
        return cls(**{k: v for k, v in values.items() if v is not None})

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
