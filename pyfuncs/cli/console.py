"""One console policy for the whole ``gpucredit`` command.

Messages are never wrapped mid-phrase (``soft_wrap``). On a terminal, tables fit its width; when
the output is a pipe or a file (CI, tests, scripts), the width is fixed and wide, so what is
printed does not depend on ``COLUMNS``, the terminal or the length of a temporary path.
"""

from __future__ import annotations

import sys

from rich.console import Console

PIPE_WIDTH = 200  # characters a line when the stream is not a terminal


def make_console(*, stderr: bool = False) -> Console:
    """A rich console for standard output (or standard error) under the policy above."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else PIPE_WIDTH
    return Console(stderr=stderr, soft_wrap=True, width=width)


console = make_console()
err_console = make_console(stderr=True)
