"""LibreOffice Calc, headless, as an independent spreadsheet engine.

Used to recalculate a workbook with a second engine (tests use it as an oracle). Facts from
shared/LIBREOFFICE.md: LibreOffice keeps cached values on load unless ``OOXMLRecalcMode`` is 0;
a reused profile can hang, so every run gets a fresh profile and a hard timeout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

RECALC_ON_LOAD_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, timed out, or produced no output."""


def soffice_path() -> str | None:
    """The ``soffice`` executable, or ``None`` when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fresh_profile(root: Path) -> str:
    """Create a LibreOffice user profile under ``root`` that recalculates on load; its URL."""
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ON_LOAD_XCU, encoding="utf-8")
    return root.resolve().as_uri()


def recalculate(source: Path, out_dir: Path, timeout: float = 120.0) -> Path:
    """Open ``source`` in headless LibreOffice, recalculate every formula, save a copy as .xlsx.

    Parameters
    ----------
    source : Path
        The workbook to recalculate (left untouched).
    out_dir : Path
        Where the recalculated copy is written (same file name, .xlsx).
    timeout : float
        Seconds before LibreOffice is killed.

    Returns
    -------
    Path
        The recalculated copy.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gpucredit-lo-") as profile_dir:
        profile = fresh_profile(Path(profile_dir))
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir),
            str(source),
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice timed out after {timeout:g} s") from None
    target = out_dir / (source.stem + ".xlsx")
    if completed.returncode != 0 or not target.exists():
        detail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no output"]
        raise LibreOfficeError(f"LibreOffice failed on {source.name}: {detail[0]}")
    return target
