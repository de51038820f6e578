"""EmulatorApp.handle called directly, as both front ends call it."""

from __future__ import annotations

import json

from emulator import DescopeBackend, EmulatorApp, EmulatorOptions, FaultPlan
from emulator.faults import Faults

OPTIONS = EmulatorOptions(project_id="Ptest", management_key="K-test")
AUTH = {"Authorization": "Bearer Ptest:K-test"}


def test_handle__double_leading_slash_is_collapsed() -> None:
    app = EmulatorApp(OPTIONS)

    response = app.handle("get", "//v1/mgmt/tenant/all", "", AUTH, b"")

    assert (response.status, json.loads(response.body)) == (200, {"tenants": []})
    assert response.headers["Content-Type"] == "application/json"


def test_handle__json_null_body_counts_as_empty() -> None:
    app = EmulatorApp(OPTIONS)

    response = app.handle("POST", "/v1/mgmt/flow/list", "", AUTH, b"null")

    assert json.loads(response.body) == {"flows": [], "total": 0}


def test_handle__bearer_without_key_is_401() -> None:
    app = EmulatorApp(OPTIONS)

    response = app.handle("GET", "/v1/mgmt/license", "", {"Authorization": "Bearer Ptest"}, b"")

    assert response.status == 401
    assert b"K-test" not in response.body


def test_app__given_backend_takes_given_options_and_reset_restores_them() -> None:
    backend = DescopeBackend()
    app = EmulatorApp(OPTIONS, backend=backend, faults=Faults(FaultPlan(latency_ms=1)))
    assert app.backend is backend
    assert app.options.project_id == "Ptest"
    assert app.faults.plan.latency_ms == 1

    app.set_options(notFoundStatus=404)
    app.reset()

    assert app.options.not_found_status == 400
    assert app.faults.plan == FaultPlan()
