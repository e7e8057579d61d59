"""The national policy's workbench at `/guide/`: built on the first request, then served from a cache."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

router = APIRouter(include_in_schema=False)

# The files a built site has; nothing else is served from its directory.
_FILES = {"index.html": "text/html; charset=utf-8", "diff.html": "text/html; charset=utf-8",
          "matrix.svg": "image/svg+xml", "site.css": "text/css; charset=utf-8"}
_lock = threading.Lock()


def _site(request: Request) -> Path:
    """The built site of the service's policy (built once per process, under a lock)."""
    state = request.app.state
    with _lock:
        built = getattr(state, "guide_dir", None)
        if built is None:
            from access_policy.workbench.site import build_site

            built = Path(tempfile.mkdtemp(prefix="access-policy-guide-"))
            atexit.register(shutil.rmtree, built, True)  # the cache lives as long as the process
            build_site(state.policy.directory, built)
            state.guide_dir = built
    return built


@router.get("/guide")
def guide_root() -> Response:
    """The workbench lives under `/guide/`."""
    return RedirectResponse("/guide/", status_code=308)


@router.get("/guide/")
def guide_index(request: Request) -> Response:
    """The workbench's index: rules, scenarios, matrix."""
    return FileResponse(_site(request) / "index.html", media_type=_FILES["index.html"])


@router.get("/guide/{name}")
def guide_file(request: Request, name: str) -> Response:
    """One file of the workbench (the diff page, the matrix picture, the style sheet)."""
    if name not in _FILES:
        return Response("not found", status_code=404, media_type="text/plain")
    path = _site(request) / name
    if not path.exists():
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=_FILES[name])
