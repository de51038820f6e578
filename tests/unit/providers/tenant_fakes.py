"""Shared arrangements for the tenant provider's unit tests: the in-process emulator, injected."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from providers import calls, client
from providers.tenant import TenantProvider
from tests.support.inprocess import inprocess_descope
from tests.support.project import project_app

FAST = calls.RetryPolicy(
    max_rate_limit_wait=30.0, max_attempts=3, backoff=0.01, min_retry_after=1.0
)


class Sleeps:
    """Records the waits `providers.calls` asks for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Clock:
    """A monotonic clock that moves only when told (`now`)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app() -> EmulatorApp:
    return project_app()


@pytest.fixture
def descope(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[DescopeClient]:
    """A real SDK client on the in-process emulator, injected as the providers' client."""
    sdk = inprocess_descope(app, monkeypatch)
    with client.use_management(sdk.mgmt):
        app.counters.reset()
        yield sdk


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sleeps]:
    recorder = Sleeps()
    monkeypatch.setattr(calls, "sleep", recorder)
    previous = calls.set_policy(FAST)
    try:
        yield recorder
    finally:
        calls.set_policy(previous)


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture
def provider(backup_dir: Path, descope: DescopeClient, sleeps: Sleeps) -> TenantProvider:
    return TenantProvider(backup_dir=str(backup_dir))


def counts(app: EmulatorApp) -> dict[str, int]:
    """Management requests received since the last reset, by "METHOD /path"."""
    requests: dict[str, int] = app.counters.snapshot()["requests"]
    return {k: v for k, v in requests.items() if v}


def acme(**changes: Any) -> dict[str, Any]:
    """A valid tenant as the resource's inputs (before check)."""
    props: dict[str, Any] = {
        "tenantId": "acme",
        "name": "Acme",
        "selfProvisioningDomains": ["acme.com", "acme.io"],
        "customAttributes": {"tier": "gold", "seats": 3},
        "defaultRoles": ["member"],
    }
    props.update(changes)
    return props


class WarningsSeen(logging.Handler):
    """Collects the WARNING messages the providers log, as the user would read them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def warnings_logged() -> Iterator[list[str]]:
    """The provider warnings logged inside the block (providers.* loggers)."""
    handler = WarningsSeen()
    logger = logging.getLogger("providers")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
