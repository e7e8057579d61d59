"""Optional sampling profiles of the service under load, with py-spy (a development tool, not a dependency)."""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
from pathlib import Path

# Frames of the project (and of the libraries it leans on) shown in a profile's summary.
_SHOWN = ("access_policy/", "api/", "pydantic", "sqlalchemy/engine/base.py", "json/", "fastapi/routing.py")


def py_spy() -> str | None:
    """The py-spy executable, next to this interpreter or on the PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(pid: int, seconds: float, output: Path) -> subprocess.Popen | None:
    """Sample a process (and its subprocesses) for `seconds` into a collapsed-stack file; None without py-spy."""
    executable = py_spy()
    if executable is None:
        return None
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [executable, "record", "--pid", str(pid), "--subprocesses", "--duration", str(max(1, int(seconds))),
         "--format", "raw", "--output", str(output), "--nonblocking", "--rate", "100"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def summarise(path: Path, top: int = 15) -> list[tuple[str, float]]:
    """The frames that take the largest share of the busy samples (inclusive), project frames first."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        # Idle event-loop and thread-pool waits are not work: leave them out of the total.
        if any(idle in frames[-1] for idle in ("select (", "wait (", "_worker (", "epoll")):
            continue
        total += int(count)
        for frame in set(frames):
            if any(part in frame for part in _SHOWN) and "access_policy/cli/" not in frame:
                inclusive[frame] += int(count)
    if not total:
        return []
    return [(frame, count / total) for frame, count in inclusive.most_common(top)]
