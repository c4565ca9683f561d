"""``gpucredit refresh`` ends its process with ``os._exit`` (no interpreter teardown), after
flushing: every line it prints and every byte of the workbook it writes must still arrive.
Called in process (tests, ``CliRunner``), it must leave the process as it found it."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from pyfuncs.cli.app import _run


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 201):
        sheet[f"A{r}"] = r
        sheet[f"B{r}"] = f"=A{r}*2+0.5"
    sheet["C1"] = "=SUM(B1:B200)"
    book.save(path)
    return path


def test_output_to_a_file_and_the_workbook_are_complete(tmp_path: Path):
    source = _workbook(tmp_path / "model.xlsx")
    log = tmp_path / "log.txt"
    with log.open("w", encoding="utf-8") as stdout:  # a file, not a pipe: block-buffered
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pyfuncs.cli",
                "refresh",
                str(source),
                "--out",
                str(tmp_path / "out.xlsx"),
            ],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Refreshed model.xlsx")
    assert lines[-1] == "Rewritten parts: xl/worksheets/sheet1.xml"
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    # sum of 2r + 0.5 for r = 1..200: 2 * 200 * 201 / 2 + 200 * 0.5
    assert values["C1"].value == pytest.approx(40_200 + 100)


def test_in_process_the_collector_stays_on_and_the_process_goes_on(tmp_path: Path):
    source = _workbook(tmp_path / "model.xlsx")
    assert gc.isenabled()
    code = _run(["refresh", str(source), "--out", str(tmp_path / "out.xlsx")])
    assert code == 0
    assert gc.isenabled()  # reached: no os._exit, and the collector is back on


SCRIPT = """
import atexit, sys
from pyfuncs.cli.console import end_without_teardown, run_as_process
if sys.argv[1] == "handler":
    atexit.register(print, "exit handler ran")
def command():
    print("done", end="")  # buffered: only a flush writes it
    end_without_teardown()
    return 0
run_as_process(command)
"""


@pytest.mark.parametrize(
    ("case", "printed"), [("handler", "doneexit handler ran\n"), ("none", "done")]
)
def test_exit_handlers_still_run_and_output_is_flushed(tmp_path: Path, case, printed):
    log = tmp_path / "out.txt"
    with log.open("w", encoding="utf-8") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, case], stdout=stdout, timeout=60, check=False
        )
    assert done.returncode == 0
    assert log.read_text(encoding="utf-8") == printed
