"""The function server as Excel's add-in reaches it: a real uvicorn on a local port, real HTTP."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
from live_server import ROOT, running_server, url_of
from microsoft_schema import validate_functions_json

from pyfuncs.catalogue import REGISTRY, catalogue
from pyfuncs.excel.officejs import functions_json, functions_metadata, short_description

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def server():
    with running_server(max_calls=50, max_cells_per_arg=1000, max_body_bytes=200_000) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=url_of(server), timeout=30) as client:
        yield client


def call(client: httpx.Client, *calls: tuple[str, list]) -> httpx.Response:
    return client.post(
        "/api/v1/call", json={"calls": [{"function": f, "args": a} for f, a in calls]}
    )


def assert_still_serving(client: httpx.Client) -> None:
    assert client.get("/health").json()["status"] == "ok"
    (value,) = call(client, ("GPU.HAZARD_RATE", [0.013])).json()["results"]
    assert value == pytest.approx(0.013 / 0.65)


# --- status and catalogue --------------------------------------------------------------------


def test_health_and_catalogue_follow_the_registry(client):
    health = client.get("/health").json()
    assert health == {
        "status": "ok",
        "version": "0.1.0",
        "functions": len(REGISTRY),
        "token_required": False,
    }
    body = client.get("/api/v1/functions").json()
    assert body["namespace"] == "GPU"
    assert [f["name"] for f in body["functions"]] == [s.name for s in catalogue()]
    dscr = next(f for f in body["functions"] if f["name"] == "DSCR")
    assert dscr["officejs_name"] == "GPU.DSCR" and dscr["xlwings_name"] == "GPU_DSCR"
    assert [a["name"] for a in dscr["args"]] == ["cfads", "debt_service"]


# --- the call API ----------------------------------------------------------------------------


def test_a_batch_is_answered_in_order_with_errors_as_values(client):
    response = call(
        client,
        ("GPU.DSCR", [[[1.3], [0.9]], [[1.0], [0.0]]]),
        ("GPU.NO_SUCH_THING", [1]),
        ("GPU_HAZARD_RATE", [0.0675, 0.35]),
        ("_xldudf_GPU_LGD", [1, 2, 3, 4, 5, 6]),
        ("GPU.CUMULATIVE_PD", [{"error": "#N/A"}, 5]),
        ("GPU.RENT_CURVE", [2.0, 3]),
    )
    assert response.status_code == 200
    dscr, unknown, hazard, too_many, passed_on, rents = response.json()["results"]
    # 1.3/1.0, and 0.9/0 is #DIV/0! in that cell only.
    assert dscr[0] == [pytest.approx(1.3)]
    assert dscr[1][0]["error"] == "#DIV/0!" and "debt_service" in dscr[1][0]["reason"]
    assert unknown["error"] == "#NAME?" and "NO_SUCH_THING" in unknown["reason"]
    assert hazard == pytest.approx(0.0675 / (1 - 0.35))
    assert too_many["error"] == "#VALUE!" and "at most 4 arguments" in too_many["reason"]
    assert passed_on["error"] == "#N/A"
    # 2.0*(1-0.28)^((t-1)/12) for t = 1..3, one row each.
    assert rents == [[pytest.approx(2.0 * 0.72 ** ((t - 1) / 12))] for t in (1, 2, 3)]


def test_blanks_and_text_in_ranges_get_reasons_not_crashes(client):
    # Office.js sends blank cells inside a range as "": trimmed at the ends, refused inside.
    ok, hole, text = call(
        client,
        ("GPU.WAL", [[[100.0], [""]], 1]),
        ("GPU.WAL", [[[100.0], [""], [50.0]], 1]),
        ("GPU.DSCR", [[["abc"]], 1]),
    ).json()["results"]
    assert ok == pytest.approx(1.0)  # all principal repaid in period 1: one year
    assert hole["error"] == "#VALUE!" and "blank" in hole["reason"]
    assert text["error"] == "#VALUE!" and "cfads" in text["reason"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b'{"calls": [', 400, "malformed_json"),
        (b"not json at all", 400, "malformed_json"),
        (b'{"calls": 3}', 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
        (b'{"calls": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}", 400, "bad_request"),
    ],
    ids=["truncated", "not-json", "calls-not-a-list", "not-an-object", "nested-too-deep"],
)
def test_malformed_requests_get_a_json_reason(client, body, status, error):
    response = client.post(
        "/api/v1/call", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["reason"]
    assert_still_serving(client)


def test_a_malformed_call_is_that_calls_error_only(client):
    body = (
        b'{"calls": [{"args": [1]}, 7, {"function": 5}, {"function": "GPU.LTV", "args": 3},'
        b' {"function": "GPU.LTV", "args": [NaN, 1]}, {"function": "GPU.LTV", "args": [3, 4]}]}'
    )
    response = client.post(
        "/api/v1/call", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    *bad, nan, good = response.json()["results"]
    assert [r["error"] for r in bad] == ["#VALUE!"] * 4
    assert all(r["reason"] for r in bad)
    assert nan["error"] == "#NUM!"  # NaN is not a number a cell can hold
    assert good == 0.75  # 3/4


def test_limits_answer_413_with_a_reason(client, server):
    too_many = call(client, *[("GPU.LTV", [1, 2])] * (server.max_calls + 1))
    assert too_many.status_code == 413
    assert too_many.json()["error"] == "too_many_calls"
    column = [[1.0]] * (server.max_cells_per_arg + 1)
    too_wide = call(client, ("GPU.WAL", [column]))
    assert too_wide.status_code == 413 and too_wide.json()["error"] == "too_many_cells"
    big = json.dumps({"calls": [{"function": "GPU.LTV", "args": ["x" * server.max_body_bytes]}]})
    declared = client.post(
        "/api/v1/call", content=big.encode(), headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413 and declared.json()["error"] == "body_too_large"

    def chunks():  # no Content-Length: the server counts the bytes as they come
        for _ in range(40):
            yield b" " * 10_000

    streamed = client.post(
        "/api/v1/call", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413 and streamed.json()["error"] == "body_too_large"
    assert_still_serving(client)


def test_wrong_method_and_unknown_route_are_json(client):
    assert client.get("/api/v1/call").status_code == 405
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/assets/../../pyproject.toml").status_code == 404


# --- token and CORS ----------------------------------------------------------------------------


def test_a_token_guards_every_api_route_but_not_the_addin_files():
    with running_server(token=TOKEN) as settings, httpx.Client(base_url=url_of(settings)) as c:
        for method, path in (("POST", "/api/v1/call"), ("GET", "/api/v1/functions")):
            body = {"calls": [{"function": "GPU.LTV", "args": [1, 2]}]}
            missing = c.request(method, path, json=body)
            assert missing.status_code == 401
            assert missing.json() == {
                "error": "unauthorized",
                "reason": "a bearer token is required",
            }
            assert missing.headers["www-authenticate"] == "Bearer"
            wrong = c.request(method, path, json=body, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401 and "wrong" in wrong.json()["reason"]
            right = c.request(method, path, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
            assert right.status_code == 200
        assert c.get("/health").json()["token_required"] is True
        for path in ("/manifest.xml", "/functions.json", "/functions.js", "/taskpane.html"):
            assert c.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("own", True),
        ("https://excel.officeapps.live.com", True),
        ("https://evil.example", False),
        ("http://excel.officeapps.live.com", False),
        ("https://officeapps.live.com.evil.example", False),
    ],
)
def test_cors_admits_only_our_origin_and_office(client, server, origin, allowed):
    origin = url_of(server) if origin == "own" else origin
    preflight = client.options(
        "/api/v1/call",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert (preflight.headers.get("access-control-allow-origin") == origin) is allowed
    assert preflight.status_code == (200 if allowed else 400)


# --- the add-in files ----------------------------------------------------------------------------


def test_committed_functions_json_is_current():
    committed = (ROOT / "addin" / "functions.json").read_text(encoding="utf-8")
    assert committed == functions_json(), "stale: run  gpucredit addin"


def test_functions_json_has_microsofts_shape_and_the_registrys_content(client, server):
    served = client.get("/functions.json").json()
    committed = json.loads((ROOT / "addin" / "functions.json").read_text())
    validate_functions_json(committed)
    # Over https (as Excel loads it) the served file passes too; this test server is http.
    https = json.loads(json.dumps(served).replace('"helpUrl": "http:', '"helpUrl": "https:'))
    validate_functions_json(https)
    assert served["allowErrorForDataTypeAny"] is True
    by_id = {f["id"]: f for f in served["functions"]}
    assert list(by_id) == [s.name for s in catalogue()]
    for spec in catalogue():
        entry = by_id[spec.name]
        assert entry["name"] == spec.name
        # At most 128 characters (older schema versions); the full help is at helpUrl.
        assert len(entry["description"]) <= 128 and entry["description"] == short_description(
            spec.help
        )
        assert spec.help.startswith(entry["description"].rstrip("\u2026"))
        assert entry["helpUrl"] == f"{url_of(server)}/reference#{spec.name}"
        assert [p["name"] for p in entry["parameters"]] == [a.name for a in spec.args]
        for param, arg in zip(entry["parameters"], spec.args, strict=True):
            matrix = arg.kind in ("range", "array", "keyvalue")
            assert param["dimensionality"] == ("matrix" if matrix else "scalar")
            assert param.get("optional", False) is arg.optional
            assert param["description"] == short_description(arg.description)
        # requiresParameterAddresses (to tell blank cells from 0) needs a matrix result.
        assert entry["result"]["dimensionality"] == "matrix"
        assert entry["options"]["requiresParameterAddresses"] is True
    # The committed file is the served one without the server's own help links.
    for entry in served["functions"]:
        del entry["helpUrl"]
    assert served == committed


def test_metadata_is_generic_over_argument_and_result_kinds():
    # A function shaped like the coming DEAL_SCHEDULE: a key/value range and a table result.
    from pyfuncs.catalogue import Arg, FunctionSpec, Result
    from pyfuncs.excel.officejs import function_metadata

    spec = FunctionSpec(
        name="DEAL_LIKE",
        func=lambda assumptions, paths=10: None,
        category="Miners, joint stress, whole deals",
        help="A whole deal from a two-column assumptions range.",
        args=(
            Arg("assumptions", "Names and values.", "keyvalue"),
            Arg("paths", "Monte Carlo paths.", "integer", default=10),
            Arg("headers", "Header row.", "headers", default=False),
        ),
        result=Result("table", columns=("period", "dscr")),
        volatile=True,
    )
    entry = function_metadata(spec)
    assert [p["dimensionality"] for p in entry["parameters"]] == ["matrix", "scalar", "scalar"]
    assert [p.get("optional", False) for p in entry["parameters"]] == [False, True, True]
    assert entry["result"]["dimensionality"] == "matrix"
    assert entry["options"] == {
        "requiresAddress": True,
        "requiresParameterAddresses": True,
        "volatile": True,
    }
    validate_functions_json({"functions": [entry]})
    assert functions_metadata()["functions"][0]["id"] == catalogue()[0].name


def test_manifest_is_rendered_for_the_servers_url(client, server):
    response = client.get("/manifest.xml")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {
        "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
        "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
        "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    }
    base = url_of(server)
    assert root.find("o:DefaultSettings/o:SourceLocation", ns).get("DefaultValue") == (
        f"{base}/taskpane.html"
    )
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{{{ns['bt']}}}Url")}
    assert urls["Functions.Script.Url"] == f"{base}/functions.js"
    assert urls["Functions.Metadata.Url"] == f"{base}/functions.json"
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{{{ns['bt']}}}String")}
    assert strings["Functions.Namespace"] == "GPU"
    runtime = next(root.iter(f"{{{ns['ov']}}}Runtime"))
    assert runtime.get("lifetime") == "long"  # shared runtime: functions and task pane together
    sets = [s.get("Name") for s in root.iter(f"{{{ns['o']}}}Set")]
    assert "SharedRuntime" in sets
    # CustomFunctions.Error is CustomFunctionsRuntime 1.2, its ErrorCode values and
    # Invocation.parameterAddresses 1.3 (Microsoft's requirement-set reference).
    versions = {s.get("Name"): s.get("MinVersion") for s in root.iter(f"{{{ns['o']}}}Set")}
    assert versions["CustomFunctionsRuntime"] == "1.3"
    for image in root.iter(f"{{{ns['bt']}}}Image"):
        if image.get("DefaultValue"):
            icon = client.get(image.get("DefaultValue").removeprefix(base))
            assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")


def test_functions_js_carries_every_registry_function(client):
    script = client.get("/functions.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/*@GPUCREDIT_CONFIG@*/" not in script.text
    start = script.text.index('{"settings"')
    config, _ = json.JSONDecoder().raw_decode(script.text[start:])
    # heavy: a whole deal or a Monte Carlo run, skipped in Excel's formula value preview.
    heavy = {s.name for s in catalogue() if any(a.kind == "keyvalue" for a in s.args)}
    assert heavy == {"DEAL_SCHEDULE", "JOINT_STRESS", "HEADROOM", "SENSITIVITY"}
    assert config["functions"] == {
        s.name: {
            "params": len(s.args),
            "matrix": s.result.kind != "scalar",
            "heavy": s.name in heavy,
        }
        for s in catalogue()
    }


def test_reference_has_an_anchor_per_function(client):
    page = client.get("/reference").text
    for spec in catalogue():
        assert f"id='{spec.name}'" in page


# --- HTTPS with the development certificate, and the real command ------------------------------


def test_certs_make_a_localhost_certificate_the_server_serves_https_with(tmp_path):
    from cryptography import x509

    from pyfuncs.server.certs import make_dev_certificate

    certfile, keyfile = make_dev_certificate(tmp_path)
    cert = x509.load_pem_x509_certificate(certfile.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
    with running_server(certfile=certfile, keyfile=keyfile) as settings:
        assert url_of(settings).startswith("https://")
        # Verified against the certificate itself: a TLS client that trusts it accepts the server.
        with httpx.Client(verify=ssl.create_default_context(cafile=str(certfile))) as c:
            assert c.get(f"https://localhost:{settings.port}/health").json()["status"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gpucredit_serve_command_starts_a_server_on_localhost(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyfuncs.cli", "serve", "--port", str(port), "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "gpucredit serve did not come up"
                time.sleep(0.2)
        assert health["token_required"] is True
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/call",
            json={"calls": [{"function": "GPU.LTV", "args": [60, 80]}]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.json() == {"results": [0.75]}  # 60/80
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--certfile", "nowhere.pem"], "both --certfile and --keyfile"),
        (["--certfile", "nowhere.pem", "--keyfile", "no.pem"], "does not exist"),
        (["--port", "70000"], "port"),
    ],
)
def test_serve_refuses_bad_options_readably(args, message):
    done = subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
