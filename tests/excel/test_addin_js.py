"""The add-in's JavaScript in Node (node --test) against real gpucredit servers on local ports.

tests/js/functions.test.mjs loads the served functions.js with the Office runtime's
``CustomFunctions`` stubbed and checks registration, batching, ordering, errors and tokens; it
also reads the served manifest with Microsoft's ``office-addin-manifest`` (npm).
tests/js/transport.test.mjs checks that every call settles against fake misbehaving servers
(not JSON, stalled, connection closed) and that batches split by bytes below a real server's
body limit; errors.test.mjs the error face of every code; blanks.test.mjs that null, "" and a
blank cell's 0 give the same answer; runtime.test.mjs result shapes and formula value preview;
metadata.test.mjs functions.json against Microsoft's schema files (@microsoft/app-manifest). ``.ci/run``
installs Node's dependencies with ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess

import pytest
from live_server import ROOT, require_tool, running_server, url_of

from pyfuncs.errors import EXCEL_ERROR_CODES

JS = ROOT / "tests" / "js"
TOKEN = "node-test-token"
#: The body limit of the small server that batch splitting is tested against (bytes).
SMALL_LIMIT = 4096


def test_functions_js_and_manifest_in_node():
    node = require_tool("node", "install Node.js 20 (apt-get install nodejs npm)")
    if not (JS / "node_modules" / "@microsoft" / "app-manifest").is_dir():
        if os.environ.get("CI"):
            pytest.fail(
                "tests/js/node_modules is missing: .ci/run must run npm ci --prefix tests/js"
            )
        pytest.skip("run: npm ci --prefix tests/js")
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        dead_url = f"http://127.0.0.1:{dead.getsockname()[1]}"
        with (
            running_server() as open_server,
            running_server(token=TOKEN) as guarded,
            running_server(max_body_bytes=SMALL_LIMIT) as small,
        ):
            done = subprocess.run(
                [
                    node,
                    "--test",
                    "--test-reporter=spec",
                    *sorted(p.name for p in JS.glob("*.test.mjs")),
                ],
                cwd=JS,
                env={
                    **os.environ,
                    "GPUCREDIT_URL": url_of(open_server),
                    "GPUCREDIT_TOKEN_URL": url_of(guarded),
                    "GPUCREDIT_TOKEN": TOKEN,
                    "GPUCREDIT_DEAD_URL": dead_url,
                    "GPUCREDIT_SMALL_URL": url_of(small),
                    "GPUCREDIT_SMALL_LIMIT": str(SMALL_LIMIT),
                    "GPUCREDIT_ERROR_CODES": json.dumps(list(EXCEL_ERROR_CODES)),
                },
                capture_output=True,
                text=True,
                timeout=300,
            )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    passed = re.search(r"^ℹ pass (\d+)", report, re.M)
    failed = re.search(r"^ℹ fail (\d+)", report, re.M)
    assert passed and int(passed.group(1)) >= 40, report
    assert failed and int(failed.group(1)) == 0, report
