"""``gpucredit curve``: the documented curve, refitted to an index file, and its errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys


def write_index(path, decline):
    """Weekly H100 prices whose margin over cash cost ($0.4819/h) falls ``decline`` a year."""
    cost = 1.275 * (1.3 * 0.08 + 200 / 730)
    start = dt.date(2025, 1, 1)
    rows = ["date,price"]
    for k in range(0, 364, 7):
        rows.append(
            f"{start + dt.timedelta(days=k)},{cost + 1.8 * (1 - decline) ** (k / 365):.10f}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_curve_shows_the_documented_scenarios():
    done = run("curve", "H100", "--years", "3")
    assert done.returncode == 0, done.stderr
    assert "rent base" in done.stdout and "2029" in done.stdout
    assert "2.35" in done.stdout  # the March 2026 anchor
    assert "$0.48/GPU-hour" in done.stdout  # 1.275 x (0.104 + 200/730) = 0.4819


def test_curve_refits_to_an_index_file(tmp_path):
    path = write_index(tmp_path / "h100 index.csv", 0.35)
    done = run("curve", "H100", "--index", str(path))
    assert done.returncode == 0, done.stderr
    assert "falls 35.0% a year" in done.stdout
    assert "rent, your index" in done.stdout


def test_bad_index_file_is_one_error_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,price\n2025-01-01,2.0\nnot a date,1.9\n2025-03-01,1.8\n")
    done = run("curve", "H100", "--index", str(path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: bad.csv line 3: 'not a date' is not a date (use YYYY-MM-DD)"
    ]
    assert "Traceback" not in done.stderr
    missing = run("curve", "H100", "--index", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: none.csv: no such file")
    unknown = run("curve", "H900")
    assert unknown.returncode == 2 and "unknown model 'H900'" in unknown.stderr
