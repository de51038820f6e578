"""`ops.project.reader.read_project`: what a command asks for is read, once each, in order."""

from __future__ import annotations

from typing import Any, cast

import pytest

from ops.errors import OpsError
from ops.project.live import Descope
from ops.project.reader import Reading, read_project


class FakeDescope:
    """A project of three tenants (``child`` under ``acme``), two flows, one deleted after the
    listing, a role of acme's and a permission; each call recorded."""

    project_id = "P-reader"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def tenants(self) -> list[dict[str, Any]]:
        self.calls.append("tenants")
        return [
            {"id": "acme", "name": "Acme"},
            {"id": "child", "name": "Child", "parent": "acme"},
            {"id": "globex", "name": "Globex"},
        ]

    def settings(self, tenant_id: str) -> dict[str, Any]:
        self.calls.append(f"settings {tenant_id}")
        return {"sessionTokenExpiration": 1}

    def sso_configurations(self, tenant_id: str) -> list[dict[str, Any]]:
        self.calls.append(f"sso {tenant_id}")
        return [{"ssoId": "", "tenant": {"id": tenant_id}}]

    def permissions(self) -> list[dict[str, Any]]:
        self.calls.append("permissions")
        return [{"name": "read"}]

    def roles(self) -> list[dict[str, Any]]:
        self.calls.append("roles")
        return [{"name": "admin", "tenantId": "acme", "permissionNames": ["read"]}]

    def flow_ids(self) -> list[str]:
        self.calls.append("flow list")
        return ["gone", "sign-in"]

    def flow(self, flow_id: str) -> dict[str, Any] | None:
        self.calls.append(f"flow {flow_id}")
        return None if flow_id == "gone" else {"flow": {"id": flow_id}, "screens": []}

    def theme(self) -> dict[str, Any]:
        self.calls.append("theme")
        return {"cssTemplate": {}}


def test_read_project__everything_by_default_each_part_once_in_order() -> None:
    fake = FakeDescope()

    project = read_project(cast(Descope, fake))

    assert fake.calls == [
        "tenants",
        *(f"{part} {t}" for t in ("acme", "child", "globex") for part in ("settings", "sso")),
        "permissions",
        "roles",
        "flow list",
        "flow gone",
        "flow sign-in",
        "theme",
    ]
    assert project.project_id == "P-reader"
    assert list(project.tenants) == ["acme", "child", "globex"]
    assert project.tenants["acme"].settings == {"sessionTokenExpiration": 1}
    assert project.tenants["acme"].sso == [{"ssoId": "", "tenant": {"id": "acme"}}]
    assert project.flow_ids == ["gone", "sign-in"]
    assert list(project.flows) == ["sign-in"]  # deleted since the listing: left out
    assert project.theme == {"cssTemplate": {}}
    assert project.sub_tenants("acme") == ["child"]
    assert project.sub_tenants("child") == []
    held = project.authorization(["acme"])
    assert held.tenant_roles == {"acme": [{"name": "admin", "permissions": ["read"]}]}
    assert project.authorization([]).tenant_roles == {}


def test_read_project__only_what_is_asked() -> None:
    fake = FakeDescope()

    project = read_project(
        cast(Descope, fake),
        Reading(
            settings={"acme", "missing"},
            sso={"globex"},
            flows={"sign-in"},
            permissions=False,
            roles=False,
            theme=False,
        ),
    )

    assert fake.calls == [
        "tenants",
        "settings acme",
        "sso globex",
        "flow list",
        "flow sign-in",
    ]
    assert project.tenants["acme"].sso is None
    assert project.tenants["globex"].settings is None
    assert project.tenants["child"].settings is None
    assert project.tenants["child"].parent == "acme"
    assert (project.permissions, project.roles, project.theme) == ([], [], None)


def test_read_project__flow_ids_checked_before_any_flow_is_exported() -> None:
    fake = FakeDescope()

    def refuse(ids: list[str]) -> None:
        raise OpsError(f"refused {ids}")

    with pytest.raises(OpsError, match=r"refused \['gone', 'sign-in'\]"):
        read_project(cast(Descope, fake), Reading(flow_ids_checked=refuse))

    assert fake.calls[-1] == "flow list"  # no export after it
