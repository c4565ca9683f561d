"""``gpucredit refresh``'s plain command lines are read without typer's parser (which imports
pydantic); typer itself is the oracle: both must give the command the same arguments, and every
other line must be left to typer."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from pyfuncs.cli.quick_args import quick_parse
from pyfuncs.cli.refresh import refresh_command


def typer_reads(args: list[str]) -> dict:
    """The keyword arguments typer calls ``refresh_command`` with for ``args``."""
    seen: dict = {}

    @functools.wraps(refresh_command)
    def capture(**kwargs):
        seen.update(kwargs)

    probe = typer.Typer()
    probe.command()(capture)
    probe(args=list(args), prog_name="gpucredit", standalone_mode=False)
    assert seen, "typer did not call the command"
    return seen


@pytest.mark.parametrize(
    "args",
    [
        ["deal.xlsx"],
        ["deal.xlsx", "--out", "new.xlsx"],
        ["deal.xlsx", "--out=new.xlsx", "--force", "--allow-errors"],
        ["--set", "Rate=5%", "deal.xlsx", "--set", 'Inputs!B3="a b"', "--inputs", "in.yaml"],
        ["deal.xlsx", "--in-place", "--engine", "libreoffice"],
        ["--set=Rate=6%", "deal.xlsx"],
        ["--", "-odd name.xlsx"],
        ["deal.xlsx", "--set", ""],
    ],
)
def test_plain_lines_read_as_typer_reads_them(args):
    quick = quick_parse(refresh_command, args)
    assert quick is not None
    assert quick == typer_reads(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["deal.xlsx", "-h"],
        ["deal.xlsx", "--bogus"],
        [],
        ["deal.xlsx", "--out"],
        ["deal.xlsx", "--out", "-o.xlsx"],
        ["one.xlsx", "two.xlsx"],
        ["deal.xlsx", "--force=yes"],
    ],
)
def test_other_lines_are_left_to_typer(args):
    assert quick_parse(refresh_command, args) is None


def test_a_refresh_never_imports_pydantic(tmp_path: Path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = 2
    book.active["B1"] = "=A1*3"
    book.save(tmp_path / "small.xlsx")
    script = (
        "import sys\n"
        "from pyfuncs.cli.app import _run\n"
        "code = _run(['refresh', sys.argv[1], '--out', sys.argv[2]])\n"
        "print(code, 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "small.xlsx"), str(tmp_path / "o.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr
    values = openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True).active
    assert values["B1"].value == 6
