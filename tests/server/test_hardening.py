"""The function server under attack, on 127.0.0.1 only and with bounded loops: costs refused
before allocation, heavy calls stopped at the time budget or when the client goes away,
/health never starved, an early 413, trusted Host headers, settings from the environment."""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from live_server import running_server, url_of

from pyfuncs.server.settings import ServerSettings

# 80,000 paths over 20 years monthly: 19.2M paths x periods, under the 20M limit, and seconds
# of work (2.2 s for 40,000 paths here), far past a 1 s budget.
LONG_STRESS = ("GPU.JOINT_STRESS", [[["tenor_years", 20]], 80_000, 1])


def post(client: httpx.Client, *calls: tuple[str, list]) -> httpx.Response:
    return client.post(
        "/api/v1/call", json={"calls": [{"function": f, "args": a} for f, a in calls]}
    )


def workers_alive() -> list[multiprocessing.Process]:
    """The server runs in this process (a thread), so its worker processes are our children."""
    return multiprocessing.active_children()


def wait_for_no_workers(seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not workers_alive():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def server():
    with running_server(request_seconds=1.5, heavy_workers=2) as settings:
        yield settings


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=url_of(server), timeout=60) as client:
        yield client


def test_costs_are_refused_before_allocating(client):
    """The issue's two requests: 4096 paths x 12,000 periods (4.9 GB measured) and an
    87,000-year schedule (15.7M cells): refused with the limit named, nothing computed."""
    stress, schedule = post(
        client,
        ("GPU.JOINT_STRESS", [[["tenor_years", 1000]], 4096, 1]),
        ("GPU.DEAL_SCHEDULE", [[["tenor_years", 87000]]]),
    ).json()["results"]
    assert stress["error"] == "#NUM!"
    # 1000 years x 12 a year x 4096 paths, the product written out:
    assert f"{1000 * 12 * 4096:,} paths x periods" in stress["reason"]
    assert schedule["error"] == "#NUM!" and "at most 2,000,000" in schedule["reason"]
    assert "refused before computing" in schedule["reason"]
    assert wait_for_no_workers(), "no worker may be left running"


def test_a_heavy_call_is_stopped_at_the_time_budget(client):
    started = time.monotonic()
    (result,) = post(client, LONG_STRESS).json()["results"]
    assert result["error"] == "#NUM!" and "time budget" in result["reason"]
    assert time.monotonic() - started < 15  # bounded: the call alone takes far longer
    assert wait_for_no_workers(), "the stopped worker must be gone"
    # A light call in the same batch is still answered.
    light, heavy = post(client, ("GPU.HAZARD_RATE", [0.013]), LONG_STRESS).json()["results"]
    assert light == pytest.approx(0.013 / 0.65) and heavy["error"] == "#NUM!"


def test_a_client_that_goes_away_stops_its_heavy_call():
    with running_server(request_seconds=60, heavy_workers=1) as settings:
        body = json.dumps({"calls": [{"function": LONG_STRESS[0], "args": LONG_STRESS[1]}]})
        raw = (
            f"POST /api/v1/call HTTP/1.1\r\nHost: 127.0.0.1:{settings.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
        ).encode()
        with socket.create_connection(("127.0.0.1", settings.port), timeout=10) as sock:
            sock.sendall(raw)
            end = time.monotonic() + 20
            while not workers_alive() and time.monotonic() < end:
                time.sleep(0.02)
            assert workers_alive(), "the heavy call should be running in a worker"
        # The client hung up: the worker is killed long before the 60 s budget.
        assert wait_for_no_workers(15)


def test_health_and_catalogue_are_never_starved_by_long_batches(server):
    """45 concurrent batches of heavy calls; /health and the catalogue still answer."""
    base = url_of(server)
    stop = threading.Event()
    statuses: list[int] = []

    def hammer() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            while not stop.is_set():
                statuses.append(post(c, LONG_STRESS, ("GPU.DSCR", [1.3, 1.0])).status_code)

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(45)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        with httpx.Client(base_url=base, timeout=5) as probe:  # 5 s: starved means no answer
            for _ in range(10):
                assert probe.get("/health").json()["status"] == "ok"
                assert probe.get("/api/v1/functions").status_code == 200
                time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert statuses and all(s in (200, 503) for s in statuses), set(statuses)
    assert wait_for_no_workers()


def test_a_huge_declared_body_gets_413_before_it_is_sent(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST /api/v1/call HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
            ).encode()
        )
        first = sock.recv(64)  # no body sent at all: the status line comes anyway
    assert first.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 400),
        ("evil.example:8443", 400),
        ("localhost", 200),
        ("127.0.0.1", 200),
        ("[::1]:8443", 200),
        ("gpu.team.example:8443", 200),  # the configured public name
    ],
)
def test_only_trusted_host_names_are_answered(host, status):
    settings = ServerSettings(public_url="https://gpu.team.example:8443")
    from fastapi.testclient import TestClient

    from pyfuncs.server.app import create_app

    with TestClient(create_app(settings)) as c:
        answer = c.post(
            "/api/v1/call",
            json={"calls": [{"function": "GPU.DSCR", "args": [1.3, 1.0]}]},
            headers={"Host": host},
        )
        assert answer.status_code == status
        if status == 400:
            assert answer.json()["error"] == "untrusted_host"
            assert "evil.example" in answer.json()["reason"]
        else:
            assert answer.json()["results"] == [pytest.approx(1.3)]


def test_a_batch_over_the_work_limit_is_refused_whole():
    from fastapi.testclient import TestClient

    from pyfuncs.server.app import create_app

    settings = ServerSettings(max_batch_work_cells=1_000_000)
    with TestClient(create_app(settings), base_url="http://localhost") as c:
        column = [[1.0]] * 100_000  # DSCR of 100,000 cells: 800,000 work cells each
        answer = c.post(
            "/api/v1/call",
            json={"calls": [{"function": "GPU.DSCR", "args": [column, 1.0]}] * 2},
        )
    assert answer.status_code == 413 and answer.json()["error"] == "batch_too_heavy"


def test_limits_are_settings_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("GPUCREDIT_REQUEST_SECONDS", "7.5")
    monkeypatch.setenv("GPUCREDIT_MAX_PATH_PERIODS", "1000")
    monkeypatch.setenv("GPUCREDIT_ALLOWED_HOSTS", "a.example, b.example")
    settings = ServerSettings.from_env()
    assert settings.request_seconds == 7.5 and settings.max_path_periods == 1000
    assert {"a.example", "b.example", "localhost"} <= settings.trusted_hosts
    assert ServerSettings.from_env(request_seconds=3).request_seconds == 3  # arguments first


def test_the_token_is_compared_in_constant_time(monkeypatch):
    from fastapi.testclient import TestClient

    from pyfuncs.server import deps
    from pyfuncs.server.app import create_app

    seen: list[tuple[bytes, bytes]] = []
    real = secrets.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(deps.secrets, "compare_digest", spy)
    with TestClient(create_app(ServerSettings(token="t0ken")), base_url="http://localhost") as c:
        wrong = c.get("/api/v1/functions", headers={"Authorization": "Bearer t0kem"})
        right = c.get("/api/v1/functions", headers={"Authorization": "Bearer t0ken"})
    assert wrong.status_code == 401 and right.status_code == 200
    assert seen == [(b"t0kem", b"t0ken"), (b"t0ken", b"t0ken")]


def test_no_5xx_under_200_connections(server):
    """200 concurrent clients of small batches: every answer a 200 (bounded: 400 requests)."""
    base = url_of(server)
    statuses: list[int] = []

    def one() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(2):
                statuses.append(post(c, ("GPU.DSCR", [1.3, 1.0])).status_code)

    threads = [threading.Thread(target=one) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(statuses) == 400 and set(statuses) == {200}


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc, Linux)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def test_serve_workers_runs_several_processes_behind_one_port():
    """`gpucredit serve --workers 2`: two server processes answer on one port (a short, bounded
    load test: 8 clients x 10 batches; the full one is benchmarks/bench_server.py)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "GPUCREDIT_TOKEN"}
    server = subprocess.Popen(
        [sys.executable, "-m", "pyfuncs.cli", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < end and server.poll() is None, "serve did not start"
            time.sleep(0.2)
        end = time.monotonic() + 30
        while len(_children(server.pid)) < 2 and time.monotonic() < end:
            time.sleep(0.2)
        assert len(_children(server.pid)) >= 2, "two worker processes"
        statuses: list[int] = []

        def client() -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                for _ in range(10):
                    answer = post(c, ("GPU.DSCR", [[[1.3], [2.6]], [[1.0], [2.0]]]))
                    statuses.append(answer.status_code)
                    assert answer.json()["results"] == [[[1.3], [1.3]]]

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert statuses == [200] * 80
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
