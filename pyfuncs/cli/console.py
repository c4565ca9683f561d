"""One console policy for the whole ``gpucredit`` command.

Messages are never wrapped mid-phrase (``soft_wrap``). On a terminal, tables fit its width; when
the output is a pipe or a file (CI, tests, scripts), the width is fixed and wide, so what is
printed does not depend on ``COLUMNS``, the terminal or the length of a temporary path.

Results go to standard output; errors and warnings go to standard error, each on one line with
one prefix (``error: ...``, ``warning: ...``), printed as plain text (a path or a reason with
``[brackets]`` is never read as markup).

Exit codes (the README lists them):

- 0 (:data:`EXIT_OK`): done;
- 1 (:data:`EXIT_PROBLEMS`): computed, but with problems in the result (an Excel error from
  ``call``, error cells a refresh produced, deals of a portfolio that could not be computed,
  formulas a refresh cannot evaluate);
- 2 (:data:`EXIT_BAD_INPUT`): bad input or usage (unknown option, unreadable or malformed file,
  a value out of range); nothing was computed or written;
- 3 (:data:`EXIT_BUG`): an unexpected failure inside gpucredit (a bug; ``GPUCREDIT_TRACEBACK=1``
  shows the traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

PIPE_WIDTH = 200  # characters a line when the stream is not a terminal

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3


def make_console(*, stderr: bool = False) -> Console:
    """A rich console for standard output (or standard error) under the policy above."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else PIPE_WIDTH
    return Console(stderr=stderr, soft_wrap=True, width=width)


console = make_console()
err_console = make_console(stderr=True)


def one_line(message: object) -> str:
    """``message`` on one line: line breaks become ``; `` and runs of spaces one space."""
    parts = [" ".join(line.split()) for line in str(message).splitlines()]
    return "; ".join(p for p in parts if p)


def error_line(message: object) -> None:
    """Print ``error: MESSAGE`` on standard error (one line, no markup)."""
    err_console.print(Text.assemble(("error:", "bold red"), " ", one_line(message)))


def warning_line(message: object) -> None:
    """Print ``warning: MESSAGE`` on standard error (one line, no markup)."""
    err_console.print(Text.assemble(("warning:", "yellow"), " ", one_line(message)))


def fail(message: object, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: MESSAGE`` and leave with ``code`` (default 2, bad input)."""
    error_line(message)
    raise typer.Exit(code)


#: True while ``main`` (the console script) runs a command: the process ends after it.
_IN_MAIN = False
#: Set by a command whose process may end without the interpreter's teardown (see
#: :func:`end_without_teardown`).
_HARD_EXIT = False


def process_ends_after_command() -> bool:
    """True when the command runs as the ``gpucredit`` process (not called in process, as
    tests and ``CliRunner`` do), so it may leave process-wide state as it is."""
    return _IN_MAIN


def end_without_teardown() -> None:
    """Let ``main`` end this process with ``os._exit`` once the command has returned.

    A refresh leaves a million or so objects alive (cells, compiled formulas, values); freeing
    them one by one and the interpreter's final collection take about a tenth of a
    100,000-formula refresh (``benchmarks/bench_refresh.py``). Only a command that has closed
    every file it wrote asks for this; standard output and error are flushed first. The same
    shortcut as mypy's ``hard_exit``.
    """
    global _HARD_EXIT
    _HARD_EXIT = _IN_MAIN


def run_as_process(run: Callable[[], int]) -> NoReturn:
    """Run the command line ``run`` as the whole process and leave with its exit code:
    ``os._exit`` after flushing, if the command asked for it and nothing is left for the normal
    exit to do (:func:`_cleanup_pending`), else ``sys.exit``."""
    import os

    global _IN_MAIN
    _IN_MAIN = True
    code = run()
    if not _HARD_EXIT or _cleanup_pending():
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code)


def _cleanup_pending() -> bool:
    """Whether the normal exit has work to do: exit handlers registered (temporary folders of
    the LibreOffice engine, a library's own) or threads still running. CPython's counters are
    private, so when they are missing the answer is yes."""
    import atexit
    import threading

    count = getattr(atexit, "_ncallbacks", None)
    return count is None or count() > 0 or threading.active_count() > 1


def say(message: str) -> None:
    """Print a plain line of results on standard output (no markup)."""
    console.print(Text(message))
