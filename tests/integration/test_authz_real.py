"""The role and permission providers, called directly, against a real Descope project.

Runs only when DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY are set (optionally
DESCOPE_TEST_BASE_URL, the emulator's address to try them offline). Every role, permission and
tenant it makes has a name starting with a prefix unique to the run, and a finalizer deletes
whatever carries that prefix, whatever happened. What these settle about Descope: that a
role's update renames it keeping it (``newName``), that the role search finds a project role
and a tenant's role by name, that a tenant's role may be one of its default roles, that
Descope deletes a tenant's roles with it, and that a duplicate name is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from providers import client, permission, role
from providers.errors import DescopeApiError
from providers.permission import PermissionProvider
from providers.role import RoleProvider
from providers.tenant import TenantProvider
from tests.integration.real import NEEDS_REAL_DESCOPE, delete_prefixed, providers_configured

pytestmark = NEEDS_REAL_DESCOPE


@pytest.fixture
def backups(tmp_path: Path, prefix: str) -> Iterator[str]:
    with providers_configured():
        for listing in (role.roles, permission.permissions):
            listing.reset()
        try:
            yield str(tmp_path / "backups")
        finally:
            delete_prefixed(prefix)


def role_props(name: str, **changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "name": name,
        "tenantId": "",
        "description": "integration test",
        "permissions": ["User Admin"],
        "tenantDefault": False,
    }
    props.update(changes)
    return props


def test_permission_real__lifecycle_rename_drift_and_delete(backups: str, prefix: str) -> None:
    provider = PermissionProvider(backup_dir=backups)
    inputs = provider.check({}, {"name": f"{prefix}.read", "description": "Read"}).inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    assert provider.diff(created.id, outputs, inputs).changes is False
    read = provider.read(created.id, outputs)
    assert provider.diff(created.id, read.outs or {}, inputs).changes is False
    # a rename is Descope's update with newName
    news = provider.check({}, {"name": f"{prefix}.view", "description": "Read"}).inputs
    outputs = provider.update(created.id, outputs, news).outs or {}
    names = {p["name"] for p in client.management().permission.load_all()["permissions"]}
    assert f"{prefix}.view" in names
    assert f"{prefix}.read" not in names
    # drift made outside Pulumi shows on read
    client.management().permission.update(f"{prefix}.view", f"{prefix}.view", "Edited")
    drift = provider.read(created.id, outputs)
    assert (drift.outs or {})["description"] == "Edited"
    # delete, then delete again (gone is success), then read says gone
    provider.delete(created.id, outputs)
    provider.delete(created.id, outputs)
    assert provider.read(created.id, outputs).id is None


def test_role_real__lifecycle_rename_drift_and_delete(backups: str, prefix: str) -> None:
    permissions = PermissionProvider(backup_dir=backups)
    granted = f"{prefix}.read"
    permissions.create(permissions.check({}, {"name": granted}).inputs)
    provider = RoleProvider(backup_dir=backups)
    inputs = provider.check({}, role_props(f"{prefix}-viewer", permissions=[granted])).inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    assert provider.diff(created.id, outputs, inputs).changes is False
    read = provider.read(created.id, outputs)
    assert provider.diff(created.id, read.outs or {}, inputs).changes is False
    api = client.management().role
    [before] = [r for r in api.load_all()["roles"] if r["name"] == f"{prefix}-viewer"]
    # a rename keeps the role
    news = provider.check({}, role_props(f"{prefix}-reader", permissions=[granted])).inputs
    outputs = provider.update(created.id, outputs, news).outs or {}
    [after] = [r for r in api.load_all()["roles"] if r["name"] == f"{prefix}-reader"]
    assert after["id"] == before["id"]
    assert provider.diff(created.id, outputs, news).changes is False
    # drift made outside Pulumi shows on read
    api.update(f"{prefix}-reader", f"{prefix}-reader", "Edited", [granted, "SSO Admin"])
    drift = provider.read(created.id, outputs)
    assert provider.diff(created.id, drift.outs or {}, news).changes is True
    # delete, then delete again, then read says gone
    provider.delete(created.id, outputs)
    provider.delete(created.id, outputs)
    assert provider.read(created.id, outputs).id is None


def test_role_real__adopts_the_same_refuses_a_different_one(backups: str, prefix: str) -> None:
    provider = RoleProvider(backup_dir=backups)
    name = f"{prefix}-made-by-hand"
    client.management().role.create(name, "integration test", ["User Admin"])
    adopted = provider.create(provider.check({}, role_props(name)).inputs)
    assert (adopted.outs or {})["name"] == name
    with pytest.raises(DescopeApiError, match="differs from the declaration"):
        provider.create(provider.check({}, role_props(name, description="other")).inputs)


def test_role_real__a_tenants_default_role_and_its_end_with_the_tenant(
    backups: str, prefix: str
) -> None:
    tenants = TenantProvider(backup_dir=backups)
    tenant_id, own = f"{prefix}-acme", f"{prefix}-auditor"
    tenant = {
        "tenantId": tenant_id,
        "name": f"{prefix} Acme",
        "customAttributes": {},
        "defaultRoles": [own],
        "ownRoles": [own],
    }
    created = tenants.create(tenants.check({}, tenant).inputs)
    assert client.management().tenant.load(tenant_id).get("defaultRoles") in ([], None)
    provider = RoleProvider(backup_dir=backups)
    props = role_props(own, tenantId=tenant_id, tenantDefault=True)
    made = provider.create(provider.check({}, props).inputs)
    assert client.management().tenant.load(tenant_id)["defaultRoles"] == [own]
    assert provider.read(made.id, made.outs or {}).id == made.id
    tenants.delete(created.id, created.outs or {})
    assert provider.read(made.id, made.outs or {}).id is None
    provider.delete(made.id, made.outs or {})  # gone with the tenant: done
