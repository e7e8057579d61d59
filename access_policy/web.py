"""The HTTP service's package, found the same way in a checkout and in an installed wheel.

A checkout keeps the service in its top-level `api/` folder; the wheel installs that folder as
`access_policy.api`, so that no top-level `api` package lands in site-packages. Code in
`access_policy` reaches the service only through this module.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from access_policy.policy import Policy
    from access_policy.service.settings import Settings
    from access_policy.store.interface import FactStore

_INSTALLED = "access_policy.api"
_CHECKOUT = "api"


@cache
def api_package() -> str:
    """The import name of the service's package: `access_policy.api` when installed, `api` in a checkout."""
    try:
        importlib.import_module(_INSTALLED)
    except ModuleNotFoundError as error:
        if error.name != _INSTALLED:  # a missing dependency inside the package is a real error
            raise
        return _CHECKOUT
    return _INSTALLED


def api_module(name: str) -> ModuleType:
    """One module of the service's package (`app`, `problems`, …)."""
    return importlib.import_module(f"{api_package()}.{name}")


def create_app(settings: Settings, store: FactStore | None = None, policy: Policy | None = None) -> FastAPI:
    """The service's application, built by the package's `app.create_app`."""
    app: FastAPI = api_module("app").create_app(settings, store=store, policy=policy)
    return app


def app_factory() -> str:
    """The import string of the factory that builds the application from the environment (for uvicorn's workers)."""
    return f"{api_package()}.app:app_from_env"
