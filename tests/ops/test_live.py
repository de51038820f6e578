"""`ops.project.live.Descope.flow`: only Descope's answer for a missing flow (500 E103003)
means None."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator import exceptions as emulator_errors
from emulator.app import EmulatorApp
from ops.project.live import Descope
from providers import calls
from providers.errors import DescopeApiError
from tests.support.inprocess import inprocess_descope

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "sign-up-or-in.json"
FLOW_ID = "sign-up-or-in"
EXPORT = "/v1/mgmt/flow/export"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> EmulatorApp:
    monkeypatch.setattr(calls, "sleep", lambda _s: None)
    return EmulatorApp()


@pytest.fixture
def live(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Descope:
    descope = inprocess_descope(app, monkeypatch)
    return Descope(descope.mgmt, "P-live-test")


def exports(app: EmulatorApp) -> int:
    return sum(1 for r in app.requests() if r.path == EXPORT)


def test_flow__exported_as_descope_holds_it(app: EmulatorApp, live: Descope) -> None:
    export: dict[str, Any] = json.loads(FIXTURE.read_text())
    app.backend.seed_flow(export["flow"], export["screens"])
    flow = live.flow(FLOW_ID)
    assert flow is not None
    assert flow["flow"]["id"] == FLOW_ID


def test_flow__missing_is_none_after_one_request(app: EmulatorApp, live: Descope) -> None:
    assert live.flow(FLOW_ID) is None
    assert exports(app) == 1


def test_flow__a_404_is_an_error_not_a_missing_flow(
    app: EmulatorApp, live: Descope, monkeypatch: pytest.MonkeyPatch
) -> None:
    def export_flow(_flow_id: str) -> dict[str, Any]:
        raise emulator_errors.route_not_found("POST", EXPORT)

    monkeypatch.setattr(app.backend, "export_flow", export_flow)
    with pytest.raises(DescopeApiError, match="Descope answered 404"):
        live.flow(FLOW_ID)
