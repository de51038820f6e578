"""Roles and permissions in the admin state, across reset and the data file, and seeded at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import DescopeClient

from emulator import EmulatorApp, EmulatorServer
from emulator.persistence import DataFileError
from tests.support.inprocess import plain_http_descope

SEED: dict[str, Any] = {
    "permissions": [{"name": "billing.read", "description": "Read invoices"}],
    "roles": [
        {"name": "member", "description": "Everyone", "permissionNames": ["billing.read"]},
        {"name": "viewer"},
    ],
}


def _client(server: EmulatorServer) -> DescopeClient:
    options = server.app.options
    return plain_http_descope(options.project_id, options.management_key, server.url)


def _role_names(client: DescopeClient) -> list[str]:
    return [r["name"] for r in client.mgmt.role.load_all()["roles"]]


def test_admin_state__shows_permissions_and_roles(emulator: EmulatorServer) -> None:
    client = _client(emulator)
    client.mgmt.permission.create("billing.read")
    client.mgmt.role.create("member", permission_names=["billing.read"])

    state = httpx.get(f"{emulator.url}/emulator/state").json()

    assert state["permissions"] == client.mgmt.permission.load_all()["permissions"]
    assert state["roles"] == client.mgmt.role.load_all()["roles"]


def test_admin_reset__restores_the_built_in_roles_and_permissions(
    emulator: EmulatorServer,
) -> None:
    client = _client(emulator)
    client.mgmt.permission.create("billing.read")
    client.mgmt.role.create("member")
    client.mgmt.role.delete("Tenant Admin")

    httpx.post(f"{emulator.url}/emulator/reset").raise_for_status()

    assert _role_names(client) == ["Tenant Admin"]
    assert [p["name"] for p in client.mgmt.permission.load_all()["permissions"]] == [
        "User Admin",
        "SSO Admin",
        "Impersonate",
    ]


def test_seed__a_fresh_project_and_every_reset_have_the_seeded_roles() -> None:
    with EmulatorServer(roles=SEED) as server:
        client = _client(server)
        assert _role_names(client) == ["Tenant Admin", "member", "viewer"]
        client.mgmt.role.delete("member")

        httpx.post(f"{server.url}/emulator/reset").raise_for_status()

        member = [r for r in client.mgmt.role.load_all()["roles"] if r["name"] == "member"]
        assert member[0]["permissionNames"] == ["billing.read"]
        assert member[0]["description"] == "Everyone"


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ([], "roles must be a JSON object"),
        ({"groups": []}, "unknown key 'groups'"),
        ({"roles": {"name": "x"}}, "roles must be a list of objects"),
        ({"permissions": ["p"]}, "permissions must be a list of objects"),
        ({"roles": [{"name": "x", "tenantId": "acme"}]}, "only project roles"),
        ({"roles": [{"name": "x", "permissionNames": ["ghost"]}]}, "Permission 'ghost' not found"),
        ({"roles": [{"name": "x"}, {"name": "x"}]}, "'x' already exists"),
        ({"roles": [{"name": "Tenant Admin"}]}, "'Tenant Admin' already exists"),
        ({"permissions": [{"name": "User Admin"}]}, "'User Admin' already exists"),
        ({"roles": [{"description": "no name"}]}, "The name field is required"),
    ],
)
def test_seed__a_bad_one_is_a_value_error_naming_the_problem(seed: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorApp(roles=seed)


def test_server__seed_goes_with_options_not_with_an_app() -> None:
    with pytest.raises(TypeError, match="not both"):
        EmulatorServer(EmulatorApp(), roles=SEED)


def test_data_file__roles_and_permissions_survive_a_restart_with_their_ids(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        client = _client(first)
        client.mgmt.tenant.create("Acme", "acme")
        client.mgmt.permission.create("billing.read", "Read")
        client.mgmt.role.create("member", "M", ["billing.read"], "acme", True, False)
        client.mgmt.role.update("Tenant Admin", "Admin", permission_names=["User Admin"])
        before = (client.mgmt.permission.load_all(), client.mgmt.role.load_all())

    with EmulatorServer(data_file=path) as second:
        client = _client(second)
        after = (client.mgmt.permission.load_all(), client.mgmt.role.load_all())

    assert after == before


def test_data_file__seeded_roles_missing_from_it_are_added_and_others_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    with EmulatorServer(data_file=path) as first:
        client = _client(first)
        client.mgmt.role.create("member", "Edited in the console")

    app = EmulatorApp(data_file=path, roles=SEED)

    roles = {r["name"]: r for r in app.backend.authz.load_roles()["roles"]}
    assert list(roles) == ["Tenant Admin", "member", "viewer"]
    assert roles["member"]["description"] == "Edited in the console"
    assert [r["name"] for r in json.loads(path.read_text())["roles"]] == list(roles)


def test_data_file__without_roles_a_fresh_projects_built_ins_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps({"format": "descope-emulator-state", "version": 1, "theme": {"version": 1}})
    )

    app = EmulatorApp(data_file=path)

    assert [r["name"] for r in app.backend.authz.load_roles()["roles"]] == ["Tenant Admin"]


def _state_with(**parts: Any) -> dict[str, Any]:
    return {
        "format": "descope-emulator-state",
        "version": 1,
        "tenants": [{"id": "acme", "name": "Acme", "createdTime": 1}],
        "theme": {"version": 1},
        "permissions": [{"id": "PERM1", "name": "p", "description": "", "systemDefault": False}],
        "roles": [],
        **parts,
    }


_ROLE = {"id": "ROL1", "name": "r", "createdTime": 1, "tenantId": "acme"}


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        ({"roles": "r"}, "roles must be a list of objects"),
        ({"permissions": [{"name": "p"}]}, "permissions[0].id must be a non-empty string"),
        ({"permissions": [{"id": "P", "name": "p", "systemDefault": 1}]}, "systemDefault"),
        ({"permissions": [{"id": "P1", "name": "p"}, {"id": "P2", "name": "p"}]}, "twice"),
        ({"roles": [{**_ROLE, "createdTime": "1"}]}, "roles[0].createdTime must be an integer"),
        ({"roles": [{**_ROLE, "permissionNames": "p"}]}, "permissionNames must be a list"),
        ({"roles": [{**_ROLE, "tenantId": "ghost"}]}, "belongs to tenant 'ghost', absent"),
        ({"roles": [_ROLE, {**_ROLE, "id": "ROL2"}]}, "role 'r' appears twice"),
        ({"roles": [{**_ROLE, "private": "no"}]}, "roles[0].private must be true or false"),
    ],
)
def test_data_file__bad_roles_or_permissions_in_it_are_one_line_and_change_nothing(
    tmp_path: Path, parts: dict[str, Any], why: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state_with(**parts)))

    with pytest.raises(DataFileError) as err:
        EmulatorApp(data_file=path)

    assert why in str(err.value)
    assert str(path) in str(err.value)


def test_data_file__a_valid_role_section_loads(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state_with(roles=[{**_ROLE, "permissionNames": ["p"]}])))

    app = EmulatorApp(data_file=path)

    assert app.backend.authz.load_roles() == {
        "roles": [
            {
                "id": "ROL1",
                "name": "r",
                "description": "",
                "permissionNames": ["p"],
                "createdTime": 1,
                "tenantId": "acme",
                "default": False,
                "private": False,
            }
        ]
    }
