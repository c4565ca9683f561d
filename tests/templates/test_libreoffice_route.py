"""The LibreOffice route of the README, end to end, into a throwaway LibreOffice profile.

``gpucredit libreoffice install`` adds the Calc extension with unopkg; ``gpucredit libreoffice
respell`` writes copies spelled ``GPU.X(``; headless LibreOffice (recalculating on load, so the
add-in computes every GPU.* cell) prints them to PDF, and pdftotext reads the pages. The raw
Office.js file through the same LibreOffice is the control: it does show ``#NAME?``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pyfuncs.refresh.libreoffice import fresh_profile, run_soffice, soffice_path
from pyfuncs.templates import TEMPLATES

ROOT = Path(__file__).parents[2]
WORKBOOKS = ROOT / "workbooks"
GPUCREDIT = [sys.executable, "-m", "pyfuncs.cli"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*GPUCREDIT, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def _pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext separates pages with form feeds)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.fixture(scope="module")
def office(tmp_path_factory, libreoffice):
    """A throwaway LibreOffice profile (and shared-extension folder) with the add-in installed."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is required in CI: .ci/run must install poppler-utils")
        pytest.skip("pdftotext is not installed; apt-get install poppler-utils")
    root = tmp_path_factory.mktemp("office")
    fresh_profile(root / "profile")
    shared = ["--shared", "--shared-cache", str(root / "shared")] if os.geteuid() == 0 else []
    done = _cli("libreoffice", "install", "--profile", str(root / "profile"), *shared, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "installed the gpucredit add-in" in done.stdout
    return root


def _to_pdf(office: Path, books: list[Path], out: Path) -> None:
    places = [f"-env:UserInstallation={(office / 'profile').resolve().as_uri()}"]
    if (office / "shared").exists():
        places.append(f"-env:UNO_SHARED_PACKAGES_CACHE={(office / 'shared').resolve().as_uri()}")
    command = [soffice_path(), *places, "--headless", "--norestore", "--convert-to", "pdf"]
    run_soffice([*command, "--outdir", str(out), *map(str, books)], office, timeout=600)


def test_every_template_renders_through_the_route_without_name_errors(office, tmp_path):
    copies = []
    for name in sorted(TEMPLATES):
        source = WORKBOOKS / f"{name}.xlsx"
        before = source.read_bytes()
        copy = tmp_path / f"{name}.xlsx"
        done = _cli("libreoffice", "respell", str(source), "--out", str(copy), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert source.read_bytes() == before, "the input is never written"
        copies.append(copy)
    _to_pdf(office, copies, tmp_path / "pdf")
    for name in sorted(TEMPLATES):
        pages = _pages(tmp_path / "pdf" / f"{name}.pdf")
        assert not [i for i, page in enumerate(pages) if "#NAME?" in page], name
        title = f"{TEMPLATES[name].title}: dashboard"
        on = [i for i, page in enumerate(pages) if title in page]
        assert len(on) == 1, f"{name}: the dashboard title is on pages {on}"
        page = pages[on[0]]
        # The whole dashboard is on that page: its first and last sections and headlines.
        for text in ("Minimum DSCR", "What it measures", "Net proceeds", "Fire sale"):
            assert text in page, f"{name}: {text!r} is not on the dashboard's page"
        # Values computed by the add-in, in their formats: a DSCR in x, an amount in $M.
        assert "x " in page or page.rstrip().endswith("x")
        assert "$" in page and "M" in page


def test_the_raw_officejs_file_shows_name_errors_in_the_same_libreoffice(office, tmp_path):
    """The control: without respelling, LibreOffice 7.4 resolves no gpucredit call."""
    raw = tmp_path / "neocloud.xlsx"
    raw.write_bytes((WORKBOOKS / "neocloud.xlsx").read_bytes())
    _to_pdf(office, [raw], tmp_path / "pdf")
    assert any("#NAME?" in page for page in _pages(tmp_path / "pdf" / "neocloud.pdf"))


def test_build_flavor_libreoffice_spells_calls_for_calc(tmp_path):
    out = tmp_path / "neo-calc.xlsx"
    done = _cli("build", "neocloud", "--flavor", "libreoffice", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        xml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    xml = " ".join(re.findall(r"<f[^>]*>(.*?)</f>", xml, flags=re.S))
    assert "GPU.DEAL_SCHEDULE(" in xml and "_xldudf_" not in xml and "GPU_DEAL" not in xml


def test_respell_refuses_to_overwrite_and_reports_bad_files(tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes((WORKBOOKS / "miner.xlsx").read_bytes())
    same = _cli("libreoffice", "respell", str(book), "--out", str(book), "--force", cwd=tmp_path)
    assert same.returncode == 2 and "never overwritten" in same.stderr
    assert book.read_bytes() == (WORKBOOKS / "miner.xlsx").read_bytes()
    (tmp_path / "taken.xlsx").write_text("mine")
    taken = _cli("libreoffice", "respell", str(book), "--out", "taken.xlsx", cwd=tmp_path)
    assert taken.returncode == 2 and "exists" in taken.stderr
    assert (tmp_path / "taken.xlsx").read_text() == "mine"
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    bad = _cli("libreoffice", "respell", "notes.xlsx", "--out", "x.xlsx", cwd=tmp_path)
    assert bad.returncode == 2 and "not an .xlsx" in bad.stderr
    missing = _cli("libreoffice", "respell", "nope.xlsx", "--out", "y.xlsx", cwd=tmp_path)
    assert missing.returncode == 2 and "no workbook" in missing.stderr
    for result in (same, taken, bad, missing):
        assert "Traceback" not in result.stderr and result.stderr.startswith("error:")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="root only")
def test_install_as_root_without_shared_is_refused_with_the_reason(tmp_path):
    done = _cli("libreoffice", "install", "--profile", str(tmp_path / "p"), cwd=tmp_path)
    assert done.returncode == 2 and "--shared" in done.stderr and "Traceback" not in done.stderr
