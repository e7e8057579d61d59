"""Crash durability of the PostgreSQL *server*: SIGKILL the postmaster and its backends mid-stream.

A long variant, off by default (set `ACCESS_POLICY_LONG=1`): it runs a private PostgreSQL
server of its own (initdb in a temporary directory, a free port on 127.0.0.1), never the shared
one, so killing it harms no one. Each round a writer process streams exemptions (each
acknowledged only after its commit), the server is killed with SIGKILL at a random moment, then
restarted (crash recovery), and every acknowledged write must be there; the feed has no gap.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from access_policy.store import open_store
from tests.store.helpers import CHILD_8

ROOTDIR = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("ACCESS_POLICY_CRASH_ROUNDS", "5"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("ACCESS_POLICY_LONG") != "1", reason="long variant: set ACCESS_POLICY_LONG=1"),
]


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or ([shutil.which(name)] if shutil.which(name) else [])
    if not found:
        pytest.skip(f"PostgreSQL's `{name}` is not installed")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateServer:
    """A throwaway PostgreSQL cluster in a directory of its own."""

    def __init__(self, directory: Path):
        self.data = directory / "pgdata"
        self.log = directory / "server.log"
        self.port = _free_port()
        directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        subprocess.run(_as_postgres([_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]),
                       check=True, capture_output=True)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"]),
                       check=True, capture_output=True)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend: a power cut, as far as the server can tell."""
        postmaster = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.split("/")[2]))
        for pid in [postmaster, *children]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{postmaster}").exists():
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]), capture_output=True)


@pytest.fixture
def server():
    # Not under pytest's tmp_path: the server's user must be able to reach its directory.
    directory = Path(tempfile.mkdtemp(prefix="access-policy-pgcrash-"))
    try:
        private = PrivateServer(directory)
        private.start()
        yield private
        private.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_acknowledged_writes_survive_sigkill_of_the_server(server):
    open_store(database_url=server.url, migrate=True).close()
    acknowledged: list[str] = []
    rng = random.Random(int(os.environ.get("ACCESS_POLICY_CRASH_SEED", "13")))
    for round_ in range(ROUNDS):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.store.writer", server.url, CHILD_8, "100000", f"crash{round_}"],
            cwd=ROOTDIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert writer.stdout.readline().strip() == "ready"
        for _ in range(rng.randint(5, 200)):
            line = writer.stdout.readline().strip()
            if line:
                acknowledged.append(line)
        server.kill()
        # What the writer printed before it noticed the dead server was acknowledged too.
        writer.wait(timeout=60)
        acknowledged.extend(line.strip() for line in writer.stdout.read().splitlines() if line.strip().startswith("ex-"))
        writer.stdout.close()
        server.start()  # crash recovery from the WAL
    store = open_store(database_url=server.url)
    try:
        stored = {fact.id for fact in store.child_facts(CHILD_8).exemptions}
        changes, _ = store.changes(limit=10_000)
    finally:
        store.close()
    missing = set(acknowledged) - stored
    print(f"\nserver crash: {ROUNDS} SIGKILLs, {len(acknowledged)} writes acknowledged, "
          f"{len(set(acknowledged) & stored)} found, {len(missing)} missing")
    assert not missing
    assert [c.position for c in changes] == list(range(1, len(changes) + 1))
