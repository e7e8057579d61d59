"""Browser fixtures: a real `serve --dev --demo` on a free loopback port, and headless Chromium.

Chromium and its driver are the system packages (`.ci/run` installs them where missing); nothing
is downloaded at run time. Without them the browser tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("ACCESS_POLICY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ACCESS_POLICY_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# axe-core from npm, vendored unmodified (tests/ui/vendor/axe-core/README).
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=nb",
)


@dataclass
class Demo:
    """The running service and the demo family the tests use."""

    base: str
    child: str
    mother: str
    father: str
    berg: dict[str, str]  # the 13-year-old's family: grey-zone flows


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def service() -> Iterator[Demo]:
    """`access-policy serve --dev --demo` in its own process and data directory."""
    port = _free_port()
    data = tempfile.mkdtemp(prefix="ui-test-")
    command = [sys.executable, "-c", "from access_policy.cli import main; main()", "serve", "--dev", "--demo",
               "--data-dir", data, "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError("the service exited:\n" + process.stdout.read())
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the service did not answer within 60 s")
        # The demo printout names the families: "  Hansen: … (child N, mother N, father N)".
        families: dict[str, dict[str, str]] = {}
        while not {"Hansen", "Berg"} <= set(families):
            line = process.stdout.readline()
            lines.append(line)
            found = re.search(r"^\s+(\w+): .*\(([^()]*)\)\s*$", line)
            if found:
                # Roles and numbers as printed, "role N, role N": a family has more roles than child and parents.
                families[found.group(1)] = dict(part.rsplit(" ", 1) for part in found.group(2).split(", "))
            if not line:
                raise AssertionError("no Hansen and Berg families in the demo printout:\n" + "".join(lines))
        people = families["Hansen"]
        yield Demo(base, people["child"], people["mother"], people["father"], families["Berg"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless system Chromium through Selenium, with a fresh profile."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    if missing:
        message = f"Chromium is not installed ({', '.join(missing)} missing; apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the browser tests")
        pytest.skip(f"{message}: browser tests skipped")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ui-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    # An explicit driver path: Selenium Manager never looks for (or downloads) a browser.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: object, name: str) -> None:
    """Save the whole page as docs/screenshots/NAME.png (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
    driver.set_window_size(1280, min(int(height) + 40, 4000))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def assert_accessible(driver: object, page: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 A/AA violation on the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done({violations: r.violations}), e => done({error: String(e)}));"
    )
    assert "error" not in results, f"{page}: axe-core failed: {results.get('error')}"
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    described = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad]
    assert not bad, f"{page}: " + "; ".join(described)
