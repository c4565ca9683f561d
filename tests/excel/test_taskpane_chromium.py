"""The task pane in headless Chromium (Debian's), served by a real gpucredit server.

Outside Excel, Office.js cannot load (no network here, no Office host), so the page runs the way
it does in a plain browser: it checks /health, lists the functions from /api/v1/functions and
links each to the reference. The screenshot is checked for size and content and kept under
pytest's temporary directory for a person to look at.
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

from live_server import require_tool, running_server, url_of

from pyfuncs import __version__
from pyfuncs.catalogue import catalogue

WIDTH, HEIGHT = 420, 900


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    binary = require_tool("chromium", "apt-get install chromium")
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def _png_size_and_colours(data: bytes) -> tuple[int, int, int]:
    """Width, height, and how many distinct byte values the image data holds (blank is ~1-3)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_taskpane_lists_functions_and_server_status(tmp_path):
    with running_server() as server:
        page = f"{url_of(server)}/taskpane.html"
        dom = _chromium(page, tmp_path / "dom-profile", "--dump-dom")
        shot = tmp_path / "taskpane.png"
        screenshot = _chromium(
            page,
            tmp_path / "shot-profile",
            f"--window-size={WIDTH},{HEIGHT}",
            "--hide-scrollbars",
            f"--screenshot={shot}",
        )
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert re.search(r'id="status" class="ok"', html), html[:2000]
    assert f"Connected: gpucredit {__version__}, {len(catalogue())} functions." in html
    names = re.findall(r'<li class="function" data-name="(\w+)">', html)
    assert names == [spec.name for spec in catalogue()]
    for spec in catalogue():
        assert f'href="reference#{spec.name}"' in html
    assert "=GPU.DSCR(cfads, debt_service)" in html

    assert screenshot.returncode == 0, screenshot.stderr[-2000:]
    width, height, colours = _png_size_and_colours(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    assert colours > 40, "the screenshot looks blank"


def test_taskpane_says_when_the_server_is_down(tmp_path):
    # The page is saved from a live server, then opened from disk: no server behind it.
    with running_server() as server:
        import httpx

        html = httpx.get(f"{url_of(server)}/taskpane.html").text
    page = tmp_path / "taskpane.html"
    page.write_text(html.replace('<script src="functions.js"></script>', ""))
    dom = _chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0
    assert 'id="status" class="bad"' in dom.stdout
    assert "gpucredit serve" in dom.stdout


def test_taskpane_shows_the_error_log(tmp_path):
    # The pane as served, with functions.js replaced by a stand-in holding two logged errors and
    # logging a third once the page is up (in Excel's shared runtime the log is functions.js's).
    with running_server() as server:
        import httpx

        html = httpx.get(f"{url_of(server)}/taskpane.html").text
    stand_in = """<script>
      var listeners = [];
      window.GPUCREDIT_FUNCTIONS = {
        errorLog: [
          {cell: "Sheet1!B2", function: "GPU.DSCR", code: "#DIV/0!", shown: "#VALUE!",
           reason: "debt_service is zero"},
          {cell: "Sheet1!C3", function: "GPU.LGD", code: "#VALUE!", shown: "#VALUE!",
           reason: "ead must be a number"}],
        onError: function (f) { listeners.push(f); }
      };
      setTimeout(function () { listeners.forEach(function (f) { f({cell: "Sheet1!D4",
        function: "GPU.CUMULATIVE_PD", code: "#NUM!", shown: "#NUM!",
        reason: "hazard must be at least 0"}); }); }, 50);
    </script>"""
    page = tmp_path / "taskpane.html"
    page.write_text(html.replace('<script src="functions.js"></script>', stand_in))
    dom = _chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0
    assert '<section id="errors" aria-live="polite" class="shown">' in dom.stdout
    items = re.findall(r'<li class="error">(.*?)</li>', dom.stdout)
    text = [re.sub(r"<[^>]+>", "", item) for item in items]
    assert text == [
        "Sheet1!D4 GPU.CUMULATIVE_PD #NUM!: hazard must be at least 0",
        "Sheet1!C3 GPU.LGD #VALUE!: ead must be a number",
        "Sheet1!B2 GPU.DSCR #DIV/0! (shown as #VALUE!): debt_service is zero",
    ]
