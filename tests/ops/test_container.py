"""The container: the Dockerfile's and compose.yaml's promises, and the Dockerfile's build steps run here.

Images cannot be built on every machine that runs the tests, so the build steps are read from the
Dockerfile and run in a fresh virtual environment: build the wheel, install it, run the entry
point, and ask the health check of a running service.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.test_processes import _free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Instruction:
    """One Dockerfile instruction: its keyword, its flags (`--from=build`) and its arguments."""

    keyword: str
    flags: dict[str, str]
    arguments: str

    def words(self) -> list[str]:
        """The arguments as words (JSON exec form or shell words)."""
        import json

        if self.arguments.startswith("["):
            return json.loads(self.arguments)
        return shlex.split(self.arguments)


def parse_dockerfile(text: str) -> list[list[Instruction]]:
    """The Dockerfile's stages, each a list of instructions (comments dropped, continuations joined)."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    stages: list[list[Instruction]] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        flags = {}
        words = rest.split(" ")
        while words and words[0].startswith("--") and keyword.upper() not in ("RUN", "CMD"):
            name, _, value = words.pop(0)[2:].partition("=")
            flags[name] = value
        instruction = Instruction(keyword.upper(), flags, " ".join(words).strip())
        if instruction.keyword == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


@pytest.fixture(scope="module")
def stages() -> list[list[Instruction]]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def _all(stage: list[Instruction], keyword: str) -> list[Instruction]:
    return [instruction for instruction in stage if instruction.keyword == keyword]


def test_the_image_is_slim_built_from_the_wheel_and_runs_unprivileged(stages):
    build, runtime = stages
    assert all("slim" in stage[0].arguments for stage in stages)
    assert build[0].arguments.endswith(" AS build")
    (wheel,) = _all(build, "RUN")
    assert wheel.words()[:2] == ["pip", "wheel"] and "--no-deps" in wheel.words()
    keywords = [instruction.keyword for instruction in runtime]
    (copied,) = [i for i in _all(runtime, "COPY") if i.flags.get("from") == "build"]
    (user,) = _all(runtime, "USER")
    assert user.arguments not in ("root", "0") and not user.arguments.startswith("0:")
    install = next(i for i in _all(runtime, "RUN") if i.words()[:2] == ["pip", "install"])
    assert any(word.endswith(".whl") for word in install.words())
    # Installed as root, then run as the unprivileged user.
    assert keywords.index("RUN", keywords.index("COPY")) < keywords.index("USER") < keywords.index("ENTRYPOINT")
    (health,) = _all(runtime, "HEALTHCHECK")
    assert health.arguments.split(" ", 1)[0] == "CMD" and "/readyz" in health.arguments
    assert [i.words() for i in _all(runtime, "ENTRYPOINT")] == [["access-policy"]]
    assert [i.words() for i in _all(runtime, "CMD")] == [["serve"]]
    env = " ".join(i.arguments for i in _all(runtime, "ENV"))
    assert "ACCESS_POLICY_HOST=0.0.0.0" in env and "ACCESS_POLICY_LOG_FORMAT=json" in env


def test_compose_runs_two_replicas_over_one_postgresql():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:") and "healthcheck" in services["db"]
    replicas = {name: service for name, service in services.items() if service.get("build") == "." and "command" not in service}
    assert len(replicas) == 2
    urls = {service["environment"]["ACCESS_POLICY_DATABASE_URL"] for service in replicas.values()}
    assert len(urls) == 1 and "@db:5432/" in urls.pop()
    ports = [service["ports"] for service in replicas.values()]
    assert len({port[0] for port in ports}) == 2
    assert services["migrate"]["command"] == ["migrate"]
    for service in replicas.values():
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def _run(command: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    return result


@pytest.mark.slow
def test_the_dockerfile_build_steps_install_a_working_service(stages, tmp_path):
    build, runtime = stages
    context = tmp_path / "src"
    dist = tmp_path / "dist"
    context.mkdir()
    # Build stage: the COPY instructions from the checkout, then its RUN, with paths mapped here.
    for instruction in _all(build, "COPY"):
        *sources, target = instruction.words()
        for source in sources:
            destination = context / target / Path(source).name if target.endswith("/") else context / target
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(ROOT / source, destination)
    (wheel_step,) = _all(build, "RUN")
    _run(wheel_step.arguments.replace("pip ", f"{shlex.quote(sys.executable)} -m pip ", 1).replace("/dist", str(dist)), context)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1 and wheels[0].name.startswith("access_policy-")
    # Runtime stage: a fresh environment, the RUN that installs the wheel.
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = next(i for i in _all(runtime, "RUN") if i.words()[:2] == ["pip", "install"])
    (copied,) = [i for i in _all(runtime, "COPY") if i.flags.get("from") == "build"]
    staged = copied.words()[-1].rstrip("/")
    command = install.arguments.replace("pip ", f"{python} -m pip ", 1).replace(staged, str(dist))
    # pip's download cache is allowed here (the image keeps none): it only saves time.
    _run(command.replace("--no-cache-dir ", ""), tmp_path, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, timeout=600)
    entry = environment / "bin" / _all(runtime, "ENTRYPOINT")[0].words()[0]
    clean = {"PATH": f"{environment / 'bin'}:/usr/bin:/bin", "COLUMNS": "200"}
    version = _run(f"{entry} --version", tmp_path, env=clean)
    assert version.stdout.startswith("access-policy ")
    # The service's package is the installed `access_policy.api`, never a top-level `api`.
    started = _run(f"{environment / 'bin' / 'python'} -c 'from access_policy.web import api_package, create_app; print(api_package())'",
                   tmp_path, env=clean)
    assert started.stdout.strip() == "access_policy.api"
    assert not list((environment / "lib").glob("python*/site-packages/api"))
    # The installed package carries the national policy, and says that is where a rule comes from.
    facts = tmp_path / "facts.json"
    facts.write_text(_run(f"{entry} decide --example-facts", tmp_path, env=clean).stdout)
    decided = _run(f"{entry} decide --facts {facts} --requester 02838400860 --item doc-1 --kind note --pathway pw-psyk --at 2026-11-30T12:00:00+01:00",
                   tmp_path, env=clean)
    assert re.search(r"line \d+ of the installed policy ", decided.stdout) and "national_policy/rules.csv" in decided.stdout
    # The health check, as the image runs it, against the installed service.
    image_env = {}
    for instruction in _all(runtime, "ENV"):
        for word in instruction.words():
            name, _, value = word.partition("=")
            image_env[name] = value
    port = _free_port()
    service_env = {**clean, **image_env, "ACCESS_POLICY_PORT": str(port), "ACCESS_POLICY_HOST": "127.0.0.1",
                   "ACCESS_POLICY_DATA_DIR": str(tmp_path / "data"), "ACCESS_POLICY_DEV": "1"}
    health = _all(runtime, "HEALTHCHECK")[0].arguments.removeprefix("CMD ")  # the flags are parsed off
    with (tmp_path / "serve.err").open("wb") as errors:
        server = subprocess.Popen([str(entry), *_all(runtime, "CMD")[0].words()], cwd=tmp_path, env=service_env, stderr=errors, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            check = subprocess.run(["sh", "-c", health], env=service_env, capture_output=True, timeout=10)
            if check.returncode == 0:
                break
            assert server.poll() is None, (tmp_path / "serve.err").read_text()
            assert time.monotonic() < deadline, "the health check never passed"
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert subprocess.run(["sh", "-c", health], env=service_env, capture_output=True, timeout=10).returncode != 0
