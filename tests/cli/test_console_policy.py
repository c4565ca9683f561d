"""The console policy of the whole command: one ``error:`` line on stderr, documented exit codes
(0 done, 1 computed with problems, 2 bad input or usage), never a traceback, whatever the
terminal width or the length of the temporary path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXIT_PROBLEMS, EXIT_BAD_INPUT = 1, 2


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "60"}
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    """A folder whose path is at least 150 characters long (as a long user name makes it)."""
    folder = tmp_path
    while len(str(folder)) < 150:
        folder = folder / "a-long-folder-name-like-a-user-profile"
    folder.mkdir(parents=True, exist_ok=True)  # tmp_path may be that long already
    return folder


def one_error(done: subprocess.CompletedProcess) -> str:
    """The single error line of a run, checked to be the policy's."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert errors[0].count("error:") == 1, errors[0]
    return errors[0]


MALFORMED_YAML = "deals:\n  - {name: one, gpus: 100\n  - {name: two\n"


@pytest.mark.parametrize("command", ["build", "portfolio"])
def test_malformed_yaml_is_one_line_naming_the_place(deep: Path, command: str):
    deals = deep / "deals.yaml"
    deals.write_text(MALFORMED_YAML, encoding="utf-8")
    args = ["build", "neocloud", "--inputs", deals, "--out", deep / "x.xlsx"]
    if command == "portfolio":
        args = ["portfolio", deals]
    done = run(*args)
    assert done.returncode == EXIT_BAD_INPUT
    line = one_error(done)
    # the whole path and the YAML line number, unwrapped at COLUMNS=60
    assert str(deals) in line and "not valid YAML" in line and "line 3" in line
    assert not (deep / "x.xlsx").exists()


def test_malformed_json_is_one_line(deep: Path):
    deals = deep / "deals.json"
    deals.write_text('{"name": "one", "gpus": 100,}', encoding="utf-8")
    for args in (["portfolio", deals], ["build", "miner", "--inputs", deals, "--out", "x.xlsx"]):
        done = run(*args, cwd=deep)
        assert done.returncode == EXIT_BAD_INPUT
        line = one_error(done)
        assert "not valid JSON: line 1, column 29" in line


def test_refresh_inputs_uses_the_same_reader(deep: Path):
    inputs = deep / "scenario.yaml"
    inputs.write_text(MALFORMED_YAML, encoding="utf-8")
    book = Path(__file__).parents[2] / "workbooks" / "neocloud.xlsx"
    done = run("refresh", book, "--inputs", inputs, "--out", deep / "o.xlsx")
    assert done.returncode == EXIT_BAD_INPUT
    assert "not valid YAML: line 3" in one_error(done)


HEADER = (
    "name,gpus,capex_per_gpu,rent0,annual_decline,utilization,contracted_share,contract_rent,"
    "contract_periods,opex_hour,loan_to_cost,annual_rate,tenor_years,gen_periods,site_factor,"
    "monthly_volume,hashrate_ph,btc_held,debt_principal,convert_principal,convert_years,"
    "correlation"
)
GOOD_ROW = "Good,100,50000,2.35,0.28,0.65,0,,,0.48,0.70,0.11,4,13;25,1.0,5000,,,,,,"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # 2 of the 22 columns: refused, not computed from defaults and reported "ok"
        ([GOOD_ROW, "Short,100"], "line 3: 2 of 22 columns"),
        ([GOOD_ROW, GOOD_ROW + ",extra"], "line 3: 23 of 22 columns"),
        ([GOOD_ROW, '"Unclosed,100,50000', GOOD_ROW], "line 3: not valid CSV: a quote opened"),
    ],
)
def test_portfolio_csv_problems_are_refused_with_the_line(tmp_path: Path, rows, message):
    assert HEADER.count(",") == 21 and GOOD_ROW.count(",") == 21
    deals = tmp_path / "deals.csv"
    deals.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    done = run("portfolio", deals, "--out", out, "--workers", "1", "--paths", "50")
    assert done.returncode == EXIT_BAD_INPUT
    assert message in one_error(done)
    assert "ok" not in done.stdout and not out.exists()


def test_unreadable_workbook_xml_names_the_part(tmp_path: Path):
    import zipfile

    source = Path(__file__).parents[2] / "workbooks" / "neocloud.xlsx"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # truncated, as a failed download leaves it
            copy.writestr(info, data)
    done = run("refresh", broken, "--out", tmp_path / "o.xlsx")
    assert done.returncode == EXIT_BAD_INPUT
    line = one_error(done)
    assert "xl/worksheets/sheet2.xml is not well-formed XML" in line
    assert not (tmp_path / "o.xlsx").exists()


def test_usage_errors_are_one_line_not_a_panel():
    done = run("refresh", "--no-such-option")
    assert done.returncode == EXIT_BAD_INPUT
    assert "No such option: --no-such-option" in one_error(done)
    assert "╭" not in done.stderr and "│" not in done.stderr


def test_bare_command_prints_its_help():
    done = run()
    assert done.returncode == 0 and "Usage: gpucredit" in done.stdout and done.stderr == ""


def test_call_error_value_exits_1_with_the_reason_on_stderr():
    done = run("call", "LTV", "1", "0")
    assert done.returncode == EXIT_PROBLEMS
    assert done.stdout.strip() == "#DIV/0!"
    assert one_error(done).startswith("error: LTV: #DIV/0! ")


def test_error_messages_keep_brackets_literally(tmp_path: Path):
    """A path with [brackets] is not rich markup: it is printed as it is."""
    folder = tmp_path / "[bold]deals[red]"
    folder.mkdir()
    deals = folder / "deals.yaml"
    deals.write_text(MALFORMED_YAML, encoding="utf-8")
    done = run("portfolio", deals)
    assert str(deals) in one_error(done)
