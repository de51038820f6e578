"""Tenant attribute definitions: the admin endpoints, start-up definitions, the data file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from descope import AuthException

from emulator import EmulatorApp, EmulatorServer
from emulator.persistence import DataFileError
from tests.emulator.test_tenant_attributes import DEFINITIONS, refused
from tests.support.inprocess import plain_http_descope


def admin(server: EmulatorServer, method: str, json_body: object = None) -> httpx.Response:
    return httpx.request(method, f"{server.url}/emulator/tenant-attributes", json=json_body)


def test_admin_tenant_attributes__get_shows_and_post_replaces_them_all(
    emulator: EmulatorServer,
) -> None:
    assert admin(emulator, "GET").json() == {}

    shown = admin(emulator, "POST", DEFINITIONS).json()
    assert shown == DEFINITIONS
    replaced = admin(emulator, "POST", {"tier": {"type": "string", "displayName": "Tier"}})
    assert replaced.json() == {"tier": {"type": "string", "displayName": "Tier"}}
    assert admin(emulator, "GET").json() == replaced.json()
    assert emulator.app.backend.snapshot()["tenantAttributes"] == replaced.json()


@pytest.mark.parametrize(
    ("definitions", "expected"),
    [
        ({"plan": "string"}, "tenant attribute 'plan' must be an object"),
        ({"plan": {"displayName": "Plan"}}, "type must be one of string, number, boolean"),
        ({"plan": {"type": "text", "displayName": "P"}}, "got 'text'"),
        ({"plan": {"type": "string"}}, "displayName must be a non-empty string"),
        ({"plan": {"type": "string", "displayName": " "}}, "displayName must be a non-empty"),
        ({"plan": {"type": "string", "displayName": "x" * 255}}, "at most 254 characters"),
        ({"plan": {"type": "singleselect", "displayName": "P"}}, "needs options"),
        ({"plan": {"type": "multiselect", "displayName": "P", "options": []}}, "needs options"),
        ({"plan": {"type": "singleselect", "displayName": "P", "options": [1]}}, "needs options"),
        (
            {"plan": {"type": "singleselect", "displayName": "P", "options": ["a", "a"]}},
            "options must not repeat",
        ),
        ({"plan": {"type": "string", "displayName": "P", "options": ["a"]}}, "take options"),
        ({"plan": {"type": "string", "displayName": "P", "label": "x"}}, "unknown key 'label'"),
        ({"a b": {"type": "string", "displayName": "P"}}, "1 to 20 letters, digits"),
        ({"x" * 21: {"type": "string", "displayName": "P"}}, "1 to 20 letters, digits"),
    ],
)
def test_admin_tenant_attributes__a_bad_body_is_400_naming_the_problem_and_keeps_the_old(
    emulator: EmulatorServer, definitions: object, expected: str
) -> None:
    admin(emulator, "POST", DEFINITIONS)

    response = admin(emulator, "POST", definitions)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011004"
    assert expected in response.json()["errorMessage"]
    assert admin(emulator, "GET").json() == DEFINITIONS


def test_reset__keeps_the_start_up_definitions_and_drops_later_ones() -> None:
    startup = {"seats": {"type": "number", "displayName": "Seats"}}
    with EmulatorServer(tenant_attributes=startup) as server:
        admin(server, "POST", DEFINITIONS)

        httpx.post(f"{server.url}/emulator/reset").raise_for_status()

        assert admin(server, "GET").json() == startup


def test_start_up_definitions__bad_ones_are_a_value_error() -> None:
    with pytest.raises(ValueError, match="tenant attribute 'plan'"):
        EmulatorApp(tenant_attributes={"plan": {"type": "enum", "displayName": "Plan"}})
    with pytest.raises(ValueError, match="must be a JSON object such as"):
        EmulatorApp(tenant_attributes=["plan"])  # type: ignore[arg-type]


def test_admin_tenant_attributes__a_body_that_is_not_an_object_is_400(
    emulator: EmulatorServer,
) -> None:
    response = admin(emulator, "POST", ["plan"])

    assert response.status_code == 400
    assert response.json()["errorMessage"] == "The request body must be a JSON object"


def test_data_file__keeps_definitions_and_start_up_ones_replace_them(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        admin(first, "POST", DEFINITIONS)
    assert json.loads(path.read_text())["tenantAttributes"] == DEFINITIONS

    assert EmulatorApp(data_file=path).backend.snapshot()["tenantAttributes"] == DEFINITIONS
    startup = {"seats": {"type": "number", "displayName": "Seats"}}
    app = EmulatorApp(data_file=path, tenant_attributes=startup)
    assert app.backend.snapshot()["tenantAttributes"] == startup
    assert json.loads(path.read_text())["tenantAttributes"] == startup


def test_data_file__bad_definitions_in_it_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    EmulatorApp(data_file=path)
    data = json.loads(path.read_text())
    data["tenantAttributes"] = {"plan": {"type": "enum", "displayName": "Plan"}}
    path.write_text(json.dumps(data))

    with pytest.raises(DataFileError, match=r"cannot be loaded: tenant attribute 'plan': type"):
        EmulatorApp(data_file=path)


def test_server__start_up_definitions_apply_over_http() -> None:
    with EmulatorServer(tenant_attributes=DEFINITIONS) as server:
        options = server.app.options
        client = plain_http_descope(options.project_id, options.management_key, server.url)
        with pytest.raises(AuthException) as err:
            client.mgmt.tenant.create("Acme", "acme", custom_attributes={"plan": "gold"})

    assert "'plan' must be one of 'starter', 'enterprise'" in refused(err)


def test_server__start_up_definitions_go_with_options_not_with_an_app() -> None:
    with pytest.raises(TypeError, match="not both"):
        EmulatorServer(EmulatorApp(), tenant_attributes=DEFINITIONS)
