"""Nothing a user owns is replaced unless asked: refresh and portfolio outputs, the TLS key's mode,
and LibreOffice never runs the macros of a user's workbook."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from refresh_books import rich_workbook

import pyfuncs.fileio
from pyfuncs.refresh.libreoffice import fresh_profile
from pyfuncs.server.certs import make_dev_certificate

REFRESH = [sys.executable, "-m", "pyfuncs.cli", "refresh"]
EXAMPLE = Path(__file__).parents[2] / "examples" / "portfolio.csv"


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_refresh_out_to_an_existing_file_is_refused_unless_forced(tmp_path: Path):
    source = rich_workbook(tmp_path / "deal.xlsx")
    mine = tmp_path / "mine.xlsx"
    mine.write_bytes(b"the user's own file")
    done = cli("refresh", source, "--out", mine, "--set", "Rate=6%")
    assert done.returncode == 2, done.stderr
    assert "error:" in done.stderr and "exists" in done.stderr and "--force" in done.stderr
    assert "Traceback" not in done.stderr
    assert mine.read_bytes() == b"the user's own file"
    done = cli("refresh", source, "--out", mine, "--set", "Rate=6%", "--force")
    assert done.returncode == 0, done.stderr
    # Summary!B1 = Rate x 780 (tests/refresh_books.py): the forced output holds the new value.
    summary = openpyxl.load_workbook(mine, data_only=True)["Summary"]
    assert summary["B1"].value == pytest.approx(780 * 0.06)


def test_the_default_output_name_is_not_replaced_either(tmp_path: Path):
    source = rich_workbook(tmp_path / "deal.xlsx")
    default = tmp_path / "deal.refreshed.xlsx"
    done = cli("refresh", source)
    assert done.returncode == 0, done.stderr
    first = default.read_bytes()
    done = cli("refresh", source, "--set", "Rate=0.2")
    assert done.returncode == 2 and "deal.refreshed.xlsx exists" in done.stderr
    assert default.read_bytes() == first
    done = cli("refresh", source, "--set", "Rate=0.2", "--force")
    assert done.returncode == 0, done.stderr
    assert default.read_bytes() != first


def test_portfolio_out_to_an_existing_file_is_refused_unless_forced(tmp_path: Path):
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"keep me")
    args = ("portfolio", EXAMPLE, "--out", out, "--paths", "50", "--workers", "1")
    done = cli(*args)
    assert done.returncode == 2 and "exists" in done.stdout + done.stderr
    assert out.read_bytes() == b"keep me"
    done = cli(*args, "--force")
    # exit 1: computed, with a problem (the example's "Typo deal" cannot be computed)
    assert done.returncode == 1 and "1 of 6 deal(s)" in done.stderr, done.stdout + done.stderr
    assert openpyxl.load_workbook(out).sheetnames  # a real workbook replaced the bytes


def test_the_private_key_is_never_readable_by_others(tmp_path: Path, monkeypatch):
    """The key's file is 0600 at every moment: checked when it is renamed into place."""
    modes: dict[str, int] = {}
    real_replace = os.replace

    def spying_replace(src, dst):
        modes[Path(dst).name] = stat.S_IMODE(os.stat(src).st_mode)
        real_replace(src, dst)

    monkeypatch.setattr(pyfuncs.fileio.os, "replace", spying_replace)
    old = os.umask(0o022)  # a usual umask, under which a plain new file would be 0644
    try:
        certfile, keyfile = make_dev_certificate(tmp_path)
    finally:
        os.umask(old)
    assert modes[keyfile.name] == 0o600
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert modes[certfile.name] == 0o644  # the certificate is public


def test_the_libreoffice_profile_disables_macros(tmp_path: Path):
    """Names, types and values as LibreOffice's schema declares them (Common.xcs)."""
    fresh_profile(tmp_path)
    root = ET.parse(tmp_path / "user" / "registrymodifications.xcu").getroot()
    oor = "{http://openoffice.org/2001/registry}"
    props = {
        (item.get(f"{oor}path"), prop.get(f"{oor}name")): prop.findtext("value")
        for item in root
        for prop in item
    }
    scripting = "/org.openoffice.Office.Common/Security/Scripting"
    assert props[(scripting, "DisableMacrosExecution")] == "true"
    assert props[(scripting, "MacroSecurityLevel")] == "3"  # very high: trusted locations only
    assert props[("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode")] == "0"
    schema = Path("/usr/lib/libreoffice/share/registry/main.xcd")
    if schema.is_file():  # the installed LibreOffice knows these settings by these names
        text = schema.read_text(encoding="utf-8")
        for name in ("DisableMacrosExecution", "MacroSecurityLevel", "BlockUntrustedRefererLinks"):
            assert f'<prop oor:name="{name}"' in text


def test_yaml_inputs_are_read_safely(tmp_path: Path):
    """A YAML tag that would run code under yaml.load is refused in one line; nothing runs."""
    source = rich_workbook(tmp_path / "deal.xlsx")
    marker = tmp_path / "pwned"
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(
        f'Rate: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8"
    )
    done = cli("refresh", source, "--inputs", inputs, "--out", tmp_path / "o.xlsx")
    assert done.returncode == 2 and "error:" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not marker.exists() and not (tmp_path / "o.xlsx").exists()


def test_kill_9_during_in_place_never_corrupts_the_input(tmp_path: Path):
    """SIGKILL at several moments of `refresh --in-place`: the input is always either the old
    workbook, intact, or the complete new one (the write is a rename of a finished file)."""
    import signal
    import time

    source = rich_workbook(tmp_path / "deal.xlsx")
    original = source.read_bytes()
    for delay in (0.3, 0.6, 0.9, 1.2, 1.6, 2.0):
        process = subprocess.Popen(
            [*REFRESH, str(source), "--in-place", "--set", f"Rate={delay}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        data = source.read_bytes()
        if data == original:
            continue
        # Replaced: it must be the whole refreshed workbook (Summary!B1 = Rate x 780).
        summary = openpyxl.load_workbook(source, data_only=True)["Summary"]
        assert summary["B1"].value == pytest.approx(780 * delay)
        original = data


def test_the_garbage_collector_is_paused_for_a_refresh_and_back_on_after(tmp_path: Path):
    import gc

    from pyfuncs.refresh import core

    seen = []

    class Watching(core.BuiltinEngine):
        def recalculate(self, book, inputs):
            seen.append(gc.isenabled())
            return super().recalculate(book, inputs)

    class Failing(core.BuiltinEngine):
        def recalculate(self, book, inputs):
            raise core.RefreshError("stop")

    source = tmp_path / "gc.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = 2
    book.active["B1"] = "=A1*3"
    book.save(source)
    assert gc.isenabled()
    core.refresh(source, tmp_path / "a.xlsx", engine=Watching())
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(core.RefreshError, match="stop"):
        core.refresh(source, tmp_path / "b.xlsx", engine=Failing())
    assert gc.isenabled()
    gc.disable()
    try:
        core.refresh(source, tmp_path / "c.xlsx")
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
