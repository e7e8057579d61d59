"""The wheel: the service installs under the project's name (no top-level `api` package) and is typed."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run from the unpacked wheel only: the checkout is not on the path, and `api` must not be imported.
_START = """
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from access_policy.web import api_module, api_package, create_app
from access_policy.service.settings import Settings
assert api_package() == "access_policy.api", api_package()
assert api_module("app").__file__.startswith(sys.argv[1]), api_module("app").__file__
with TestClient(create_app(Settings(dev=True, data_dir=Path(sys.argv[2])).checked())) as client:
    assert client.get("/readyz").status_code == 200
assert not [name for name in sys.modules if name == "api" or name.startswith("api.")]
print("started")
"""


@pytest.mark.slow
def test_the_wheel_ships_the_service_under_the_project_name_and_starts_it(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unpacked")
    top_level = {name.split("/", 1)[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"access_policy"}
    assert not [name for name in names if name.startswith("api/")]
    for shipped in ("access_policy/api/app.py", "access_policy/api/__init__.py", "access_policy/api/templates/base.html",
                    "access_policy/py.typed", "access_policy/web.py", "access_policy/national_policy/rules.csv"):
        assert shipped in names
    assert not [name for name in names if "__pycache__" in name]
    # The installed layout starts the service: the unpacked wheel first on the path, outside the checkout.
    unpacked = str(tmp_path / "unpacked")
    env = {**os.environ, "PYTHONPATH": unpacked}
    started = subprocess.run([sys.executable, "-c", _START, unpacked, str(tmp_path / "data")], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0 and started.stdout.strip() == "started", started.stderr[-3000:]
