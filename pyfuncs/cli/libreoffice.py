"""``gpucredit libreoffice``: the templates in LibreOffice Calc, with gpucredit's functions.

Two steps, from the README:

- ``gpucredit libreoffice install`` builds the Calc extension of :mod:`pyfuncs.excel.libreoffice`
  (an .oxt) and adds it to LibreOffice with LibreOffice's own ``unopkg``, so Calc computes
  ``GPU.*`` functions.
- ``gpucredit libreoffice respell book.xlsx --out copy.xlsx`` writes a copy whose calls read
  ``GPU.X(``: LibreOffice 7.4 resolves only that spelling, not ``_xldudf_GPU_X(`` (Office.js, as
  Excel stores it) nor ``GPU_X(`` (xlwings) (:mod:`pyfuncs.excel.libreoffice.spelling`). The input
  is never written. ``gpucredit build TEMPLATE --flavor libreoffice`` builds that spelling
  directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

import typer

from pyfuncs.cli.console import console, err_console

libreoffice_app = typer.Typer(
    help="Use gpucredit in LibreOffice Calc: install the add-in, respell a workbook for Calc.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Seconds before unopkg is given up (it starts a LibreOffice process of its own).
UNOPKG_TIMEOUT = 300.0


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def unopkg_path() -> str | None:
    """LibreOffice's extension manager, beside ``soffice``, or ``None`` without LibreOffice."""
    from pyfuncs.refresh.libreoffice import soffice_path

    found = shutil.which("unopkg")
    if found:
        return found
    soffice = soffice_path()
    if soffice is None:
        return None
    candidate = Path(soffice).resolve().parent / "unopkg"
    return str(candidate) if os.access(candidate, os.X_OK) else None


def unopkg_command(
    unopkg: str, oxt: Path, profile: Path | None, shared: bool, shared_cache: Path | None
) -> list[str]:
    """The ``unopkg add`` command line for ``oxt`` into the chosen profile or installation."""
    command = [unopkg, "add", "--force", "--suppress-license"]
    if shared:
        command.append("--shared")
    if profile is not None:
        command.append(f"-env:UserInstallation={profile.resolve().as_uri()}")
    if shared_cache is not None:
        command.append(f"-env:UNO_SHARED_PACKAGES_CACHE={shared_cache.resolve().as_uri()}")
    return [*command, str(oxt)]


@libreoffice_app.command("install")
def install(
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="A LibreOffice user profile folder to install into (default: your own).",
        ),
    ] = None,
    shared: Annotated[
        bool,
        typer.Option(
            "--shared",
            help="Install for every user of this LibreOffice (unopkg --shared; needed as root).",
        ),
    ] = False,
    shared_cache: Annotated[
        Path | None,
        typer.Option(
            "--shared-cache",
            help="With --shared: the folder of shared extensions to use instead of the "
            "installation's own (a disposable installation, as the tests use).",
        ),
    ] = None,
    keep_oxt: Annotated[
        Path | None,
        typer.Option("--keep-oxt", help="Also write the built extension (.oxt) here."),
    ] = None,
) -> None:
    """Install the gpucredit Calc add-in into LibreOffice, so Calc computes GPU.* functions.

    The add-in runs in LibreOffice's own Python; on Debian it needs python3-uno, python3-numpy
    and python3-scipy. Close LibreOffice first: a running LibreOffice picks the add-in up only
    when it restarts.
    """
    import pyfuncs
    from pyfuncs.excel.libreoffice import AddInBuildError, build_oxt

    unopkg = unopkg_path()
    if unopkg is None:
        _fail(
            "LibreOffice's unopkg was not found; install LibreOffice (Debian: apt-get install "
            "libreoffice-calc-nogui python3-uno)"
        )
    if shared_cache is not None and not shared:
        _fail("--shared-cache needs --shared")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not shared:
        _fail(
            "unopkg does not install for one user when run as root; run it as your own user, "
            "or add --shared to install for every user of this LibreOffice"
        )
    if keep_oxt is not None and keep_oxt.suffix.lower() != ".oxt":
        _fail(f"--keep-oxt must name an .oxt file, got {keep_oxt.name}")
    with tempfile.TemporaryDirectory(prefix="gpucredit-oxt-install-") as tmp:
        try:
            oxt = build_oxt(Path(tmp) / "gpucredit.oxt")
        except AddInBuildError as exc:
            _fail(f"cannot build the extension: {exc}")
        command = unopkg_command(unopkg, oxt, profile, shared, shared_cache)
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=UNOPKG_TIMEOUT,
                env=_office_environment(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            _fail(f"unopkg did not finish in {UNOPKG_TIMEOUT:g} s; is LibreOffice running?", 1)
        except OSError as exc:
            _fail(f"cannot run unopkg: {exc.strerror}", 1)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            _fail(f"unopkg add failed: {detail[-1] if detail else f'exit {done.returncode}'}", 1)
        if keep_oxt is not None:
            from pyfuncs.fileio import write_bytes_atomic

            write_bytes_atomic(keep_oxt, oxt.read_bytes())
    if shared_cache is not None:
        where = f"the shared extensions in {shared_cache}"
    elif shared:
        where = "every user of this LibreOffice"
    else:
        where = f"the profile {profile}" if profile else "your LibreOffice profile"
    console.print(
        f"installed the gpucredit add-in {pyfuncs.__version__} into {where}. "
        "Open a workbook spelled for Calc: gpucredit libreoffice respell book.xlsx --out "
        "book-calc.xlsx (or gpucredit build neocloud --flavor libreoffice).",
        highlight=False,
    )


def _office_environment() -> dict[str, str]:
    """Our environment without what would point LibreOffice's Python at our virtualenv."""
    from pyfuncs.refresh import libreoffice

    return libreoffice._office_environment()


@libreoffice_app.command("respell")
def respell(
    book: Annotated[Path, typer.Argument(help="The workbook (.xlsx or .xlsm); it is only read.")],
    out: Annotated[Path, typer.Option("--out", help="The copy to write, spelled for Calc.")],
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
) -> None:
    """Write a copy of BOOK whose gpucredit calls read GPU.X(, the spelling Calc resolves.

    Everything else in the file is copied byte for byte; cached values stay, so Calc shows them
    before it recalculates.
    """
    from pyfuncs.excel.libreoffice.spelling import respell_workbook
    from pyfuncs.fileio import write_bytes_atomic

    if not book.is_file():
        _fail(f"no workbook at {book}")
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        _fail(f"--out must be an .xlsx or .xlsm file, got {out.name}")
    if out.resolve() == book.resolve():
        _fail(f"--out is the input {book.name}; the input is never overwritten: choose another")
    if out.exists() and not force:
        _fail(f"{out} exists; choose another --out or add --force to replace it")
    with tempfile.TemporaryDirectory(prefix="gpucredit-respell-") as tmp:
        copy = Path(tmp) / out.name
        try:
            done = respell_workbook(book, copy)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            _fail(f"cannot read {book.name} as a workbook: {exc}")
        if done.calls < 0:
            _fail(f"{book.name} is not an .xlsx or .xlsm workbook")
        write_bytes_atomic(out, copy.read_bytes())
    console.print(
        f"wrote {out}: {done.rewritten} of {done.calls} gpucredit calls respelled GPU.X( for "
        "LibreOffice Calc",
        highlight=False,
    )
