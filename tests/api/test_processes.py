"""Real `access-policy serve` processes on 127.0.0.1: the demo's printed curl, and two instances over PostgreSQL."""

from __future__ import annotations

import datetime
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import sqlalchemy
from typer.testing import CliRunner

from access_policy.cli import app as cli
from access_policy.service.settings import Settings
from access_policy.service.tokens import issue_dev_token
from tests.api.conftest import HPR, ORG, Family, item, person_numbers_in

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from access_policy.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `access-policy serve` process, its port and its output files."""

    def __init__(self, args: list[str], cwd: Path, name: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.out = cwd / f"{name}.out"
        self.err = cwd / f"{name}.err"
        env = {key: value for key, value in os.environ.items() if not key.startswith("ACCESS_POLICY_")}
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [*CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
                cwd=cwd, stdout=out, stderr=err, env=env,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}: {self.err.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server was not ready in {timeout}s: {self.err.read_text()[-2000:]}")

    def stop(self) -> int:
        """Stop gracefully (SIGTERM), or kill after a while; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def test_the_demo_prints_a_curl_that_returns_a_decision(tmp_path, servers):
    server = Server(["--dev", "--demo", "--data-dir", str(tmp_path / "data")], tmp_path, "demo")
    servers.append(server)
    server.wait_ready()
    printed = server.out.read_text()
    curls = [line.strip() for line in printed.splitlines() if line.strip().startswith("curl ")]
    assert len(curls) >= 1, printed
    assert f"127.0.0.1:{server.port}" in curls[0]
    if shutil.which("curl"):
        answer = subprocess.run(["bash", "-c", curls[0]], capture_output=True, text=True, timeout=30).stdout
    else:  # the same request the printed line makes
        words = shlex.split(curls[0])
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        answer = httpx.post(words[words.index("-X") + 2], headers=headers, content=words[words.index("-d") + 1]).text
    assert '"decision":"permit"' in answer and '"rule":"main-rule"' in answer, answer
    # Graceful: uvicorn finishes the requests in flight, then re-raises SIGTERM as its exit status.
    assert server.stop() in (0, -signal.SIGTERM)
    assert "Finished server process" in server.err.read_text()


def test_serve_refuses_to_start_without_keys_in_production(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACCESS_POLICY_")}
    result = subprocess.run([*CLI, "serve", "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "ACCESS_POLICY_JWKS" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose search path is a fresh schema of this test's own, dropped afterwards."""
    schema = f"api_test_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    options = urllib.parse.quote(f"-csearch_path={schema}")
    try:
        yield f"{postgres_url}{'&' if '?' in postgres_url else '?'}options={options}"
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_an_exemption_made_through_one_instance_is_honoured_by_the_other(tmp_path, servers, postgres_schema_url):
    # Both instances run in tmp_path and so share ./data, where the development signing key lives.
    settings = Settings(dev=True, data_dir=tmp_path / "data").checked()
    decide = {"Authorization": "Bearer " + issue_dev_token(settings, ["decisions"])}
    write = {"Authorization": "Bearer " + issue_dev_token(settings, ["facts:write", "representation:write"], hpr=HPR, org=ORG)}
    first = Server(["--dev", "--database-url", postgres_schema_url, "--workers", "2"], tmp_path, "first")
    servers.append(first)
    first.wait_ready()  # migrates the schema before the second instance starts
    second = Server(["--dev", "--database-url", postgres_schema_url], tmp_path, "second")
    servers.append(second)
    second.wait_ready()

    now = datetime.datetime.now(datetime.timezone.utc)
    family = Family(now, serial=9)
    representation = {"holders": [{"id": family.mother, "responsibility": "felles"}], "retrieved_at": now.isoformat()}
    assert httpx.put(f"{first.base}/v1/representation", json={"child": family.child} | representation, headers=write).status_code == 200
    question = {"requester": family.mother, "child": family.child, "item": item("doc-7", pathway="pw-2")}
    instances = (first, second)

    def answers(client: httpx.Client) -> list[tuple[str, str]]:
        """Each instance's answer to the question (each keeps its own cache of the child's facts)."""
        found = []
        for server in instances:
            body = client.post(f"{server.base}/v1/decisions", json=question, headers=decide).json()
            found.append((body["decision"], body.get("rule")))
        return found

    with httpx.Client(timeout=10) as client:
        assert client.post(f"{second.base}/v1/decisions", json=question, headers=decide).json()["decision"] == "permit"
        for round in range(3):
            # Both instances have decided (and cached the facts) before each write.
            assert [decision for decision, _ in answers(client)] == ["permit", "permit"], round
            exemption = {"scope": {"pathway": "pw-2"}, "applies_to": "all", "legal_basis": "pbrl-3-4-3", "reason": f"r{round}"}
            created = client.post(f"{first.base}/v1/exemptions", json={"child": family.child} | exemption, headers=write)
            assert created.status_code == 201
            assert [decision for decision, _ in answers(client)] == ["deny", "deny"], round
            revoked = client.post(f"{second.base}/v1/exemptions/{created.json()['id']}/revoke", headers=write)
            assert revoked.status_code == 200
        assert [decision for decision, _ in answers(client)] == ["permit", "permit"]
        # A new representation through the second instance (the mother no longer a holder) holds on both.
        other = {"holders": [{"id": family.father, "responsibility": "felles"}], "retrieved_at": now.isoformat()}
        assert httpx.put(f"{second.base}/v1/representation", json={"child": family.child} | other, headers=write).status_code == 200
        assert [decision for decision, _ in answers(client)] == ["deny", "deny"]
    assert first.stop() in (0, -signal.SIGTERM) and second.stop() in (0, -signal.SIGTERM)
    # The real processes' logs (uvicorn's and the service's) carry no person number in any line.
    logs = "".join(path.read_text() for path in (first.out, first.err, second.out, second.err))
    assert "Application startup complete" in logs
    assert not person_numbers_in(logs)
    # Both instances appended to one chain: 1 + 3 × 4 + 2 + 2 = 17 decisions, verified over the shared database.
    # Each instance signed the head when it stopped, with the key in its data directory.
    key = tmp_path / "data" / "audit-signing-key.pem"
    verified = CliRunner().invoke(cli, ["audit", "verify", "--database-url", postgres_schema_url, "--public-key", str(key)])
    assert verified.exit_code == 0, verified.output
    assert "ok: 17 decision-log entries verified (1 signed checkpoints matched)" in verified.stdout
