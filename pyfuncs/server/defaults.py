"""The function server's constants the command line needs before it starts the server.

Kept apart from :mod:`pyfuncs.server.settings` (a pydantic model, slower to import) so that
every ``gpucredit`` command, which registers ``serve`` and its ``--help``, starts without it.
"""

from __future__ import annotations

#: Office loads add-ins only over HTTPS; this is the development port we suggest.
DEFAULT_PORT = 8443
#: Environment variable that holds the bearer token (safer than the command line, which other
#: users of the machine can read in the process list).
TOKEN_ENV = "GPUCREDIT_TOKEN"
