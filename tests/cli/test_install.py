"""The install story the README tells: build a wheel from the files of a clean checkout, install
it into a fresh virtual environment (no source tree on the path), and run the command from there.

Slow (about a minute: the dependencies come from pip's cache or PyPI); marked ``install`` so
``pytest -m "not install"`` can leave it out while developing. It always runs in ``pytest`` and
``.ci/run``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SKIP = {".git", ".venv", "build", "dist", "node_modules", "gpucredit-demo", "__pycache__"}


def _clean_copy(target: Path) -> Path:
    """The repository's files, without virtual environments, caches or build output."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP or n.endswith((".egg-info", ".pyc")) or n[0] == "."}

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def _script(venv: Path, name: str) -> Path:
    folder = venv / ("Scripts" if os.name == "nt" else "bin")
    return folder / (f"{name}.exe" if os.name == "nt" else name)


@pytest.mark.install
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path):
    source = _clean_copy(tmp_path / "checkout")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = list((tmp_path / "dist").glob("gpucredit-*.whl"))
    assert len(wheels) == 1, wheels

    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    installed = subprocess.run(
        [str(_script(venv, "python")), "-m", "pip", "install", "-q", str(wheels[0])],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    outside = tmp_path / "elsewhere"  # not the checkout: only the installed package is found
    outside.mkdir()
    gpucredit = str(_script(venv, "gpucredit"))
    helped = subprocess.run(
        [gpucredit, "--help"], capture_output=True, text=True, timeout=120, cwd=outside, env=env
    )
    assert helped.returncode == 0, helped.stderr
    assert "refresh" in helped.stdout and "portfolio" in helped.stdout
    called = subprocess.run(
        [gpucredit, "call", "DSCR", "1.3", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=outside,
        env=env,
    )
    assert called.returncode == 0, called.stderr
    assert float(called.stdout) == pytest.approx(1.3 / 1)  # DSCR = CFADS / debt service
    # The add-in files `gpucredit serve` hands to Excel travel with the wheel.
    assert (venv / "share" / "gpucredit" / "addin" / "manifest.template.xml").is_file()


def test_no_page_promises_a_registry_install():
    """gpucredit is not on PyPI: ``pip install gpucredit`` may appear only to say so."""
    import re

    for page in (ROOT / "README.md", ROOT / "addin" / "XLWINGS.md"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"pip install gpucredit(?![-\w.])", text):
            before = text[max(0, match.start() - 80) : match.start()]
            assert "not published on PyPI" in before, (page.name, text[match.start() - 80 :][:200])
