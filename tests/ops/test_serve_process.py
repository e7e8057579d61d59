"""The real `access-policy serve` process: what reaches its output, and refusing a busy port."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import person_numbers_in
from tests.api.test_processes import CLI, Server, _free_port

pytestmark = pytest.mark.slow

class _Served(Server):
    """`serve` with these extra environment variables (the shared helper strips ACCESS_POLICY_*)."""

    def __init__(self, args: list[str], cwd: Path, name: str, env: dict[str, str]):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out, self.err = cwd / f"{name}.out", cwd / f"{name}.err"
        clean = {key: value for key, value in os.environ.items() if not key.startswith(("ACCESS_POLICY_", "OTEL_"))}
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [*CLI, "serve", *args], cwd=cwd, stdout=out, stderr=err, env=clean | env | {"ACCESS_POLICY_PORT": str(self.port)}
            )


# uvicorn shuts down gracefully on SIGTERM, then ends by the same signal.
STOPPED = (0, -signal.SIGTERM)


def _demo_calls(server: Server) -> list[str]:
    """Run the demo's printed decision curls (a permit and an exemption's deny) through httpx; their request ids."""
    text = server.out.read_text()
    token = re.search(r"Bearer ([\w.-]+)", text).group(1)
    # The demo also prints an AuthZEN curl; these are the decision curls only.
    bodies = re.findall(r"POST \S+/v1/decisions .*?-d '(\{.*?\})'", text)
    assert bodies, text
    ids = []
    for number, body in enumerate(bodies):
        response = httpx.post(
            f"{server.base}/v1/decisions",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Request-ID": f"demo-{number}"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"] == f"demo-{number}"
        ids.append(response.json()["decision_id"])
    return ids


def test_json_logs_carry_ids_and_never_casbin_lines_or_person_numbers(tmp_path):
    env = {"ACCESS_POLICY_LOG_FORMAT": "json", "ACCESS_POLICY_DEV": "1", "ACCESS_POLICY_DATA_DIR": str(tmp_path / "data")}
    server = _Served(["--demo"], tmp_path, "json", env)
    try:
        server.wait_ready()
        decision_ids = _demo_calls(server)
        httpx.get(f"{server.base}/v1/exemptions/ex-1")  # a route with a template, no token
        httpx.get(f"{server.base}/v1/children/22901850023/exemptions")  # a person number in a removed path
    finally:
        assert server.stop() in STOPPED
    lines = [line for line in server.err.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert not [line for line in lines if "casbin" in line or "Request:" in line or "--->" in line]
    assert not [line for line in lines if person_numbers_in(line)]
    access = [r for r in records if r["logger"] == "access_policy.access"]
    decided = [r for r in access if r["route"] == "/v1/decisions"]
    assert [r["decision_id"] for r in decided] == decision_ids
    assert [r["request_id"] for r in decided] == [f"demo-{n}" for n in range(len(decision_ids))]
    assert any(r["route"] == "/v1/exemptions/{fact_id}" and r["status"] == 401 for r in access)
    assert any(r["route"] == "unmatched" and r["status"] == 404 for r in access)
    assert any(r["logger"].startswith("uvicorn") for r in records)


def test_text_logs_keep_casbin_out_too(tmp_path):
    server = Server(["--dev", "--demo", "--data-dir", str(tmp_path / "data")], tmp_path, "text")
    try:
        server.wait_ready()
        _demo_calls(server)
    finally:
        assert server.stop() in STOPPED
    output = server.err.read_text()
    assert "POST /v1/decisions 200" in output
    assert "Request:" not in output and "--->" not in output
    assert not person_numbers_in(output)


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*CLI, "serve", "--dev", "--data-dir", str(tmp_path / "data"), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")


def test_two_workers_add_up_on_the_loopback_metrics_port(tmp_path):
    metrics_port = _free_port()
    env = {"ACCESS_POLICY_DEV": "1", "ACCESS_POLICY_DATA_DIR": str(tmp_path / "data")}
    server = _Served(["--demo", "--workers", "2", "--metrics-port", str(metrics_port)], tmp_path, "workers", env)
    try:
        server.wait_ready(timeout=60)
        calls = len(_demo_calls(server)) + len(_demo_calls(server))
        assert httpx.get(f"{server.base}/metrics").status_code == 401  # the service port wants a token
        scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics")  # loopback: no token
    finally:
        assert server.stop() in STOPPED
    assert scraped.status_code == 200
    decided = sum(
        float(line.rsplit(" ", 1)[1])
        for line in scraped.text.splitlines()
        if line.startswith("access_policy_decisions_total{")
    )
    assert decided == calls
