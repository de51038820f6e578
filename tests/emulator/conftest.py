"""Fixtures: the emulator's own tests' project (the emulator's defaults, nothing seeded; the
suite's plugin serves it: `emulator`, reset for the test that asks for it), the server as the
last test left it, and real SDK clients.

``sdk`` is parametrized: every test that uses it runs once over HTTP (the session
server) and once in-process (the httpx transport), so both paths answer alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from descope import AuthException, DescopeClient

from emulator import EmulatorApp, EmulatorServer
from tests.support.emulated import EmulatedProject, EmulatorPool
from tests.support.inprocess import inprocess_descope, plain_http_descope, zero_retry_delays

EMULATED = EmulatedProject(reset_every_test=False)
"""The emulator's defaults; only the tests that ask for `emulator` have it reset."""


@pytest.fixture
def emulated() -> EmulatedProject:
    return EMULATED


@pytest.fixture
def server(emulator_pool: EmulatorPool) -> EmulatorServer:
    """The session's emulator on a free port, as the last test left it."""
    return emulator_pool.server(EMULATED)


@pytest.fixture
def client(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> DescopeClient:
    """A real DescopeClient talking HTTP to the emulator, with instant retries."""
    zero_retry_delays(monkeypatch)
    options = emulator.app.options
    return plain_http_descope(options.project_id, options.management_key, emulator.url)


@dataclass
class Sdk:
    """A real SDK client and the app answering it."""

    client: DescopeClient
    app: EmulatorApp
    mode: str

    @property
    def tenant(self) -> Any:
        return self.client.mgmt.tenant

    @property
    def flow(self) -> Any:
        return self.client.mgmt.flow

    @property
    def role(self) -> Any:
        return self.client.mgmt.role

    @property
    def permission(self) -> Any:
        return self.client.mgmt.permission


@pytest.fixture(params=["http", "inprocess"])
def sdk(
    request: pytest.FixtureRequest, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> Sdk:
    """The SDK over HTTP, then over the in-process transport."""
    if request.param == "http":
        zero_retry_delays(monkeypatch)
        options = emulator.app.options
        client = plain_http_descope(options.project_id, options.management_key, emulator.url)
        return Sdk(client, emulator.app, "http")
    app = EmulatorApp()
    return Sdk(inprocess_descope(app, monkeypatch), app, "inprocess")


def error_body(error: pytest.ExceptionInfo[AuthException]) -> dict[str, Any]:
    """The Descope error body the SDK passed through as ``error_message``."""
    text = error.value.error_message
    assert isinstance(text, str)
    body = json.loads(text)
    assert isinstance(body, dict)
    assert list(body)[:2] == ["errorCode", "errorDescription"]
    return body
