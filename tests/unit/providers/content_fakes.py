"""Fixtures the flow and theme provider tests share: Descope in-process, and what was warned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from emulator.app import EmulatorApp
from providers import calls, client
from tests.support.inprocess import inprocess_descope
from tests.unit.providers.tenant_fakes import warnings_logged


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorApp]:
    """The emulator in-process, serving the providers' client; retries do not wait."""
    emulator = EmulatorApp()
    descope = inprocess_descope(emulator, monkeypatch)
    monkeypatch.setattr(calls, "sleep", lambda _s: None)
    with client.use_management(descope.mgmt):
        yield emulator


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """What the provider warns the user about (snapshots taken before overwriting)."""
    with warnings_logged() as seen:
        yield seen


def outs_of(result: CreateResult | ReadResult | UpdateResult) -> dict[str, Any]:
    assert result.outs is not None
    return result.outs
