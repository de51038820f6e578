"""Shared arrangements for the role and permission providers' unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient

from providers.permission import PermissionProvider
from providers.role import RoleProvider
from tests.unit.providers.tenant_fakes import Sleeps


@pytest.fixture
def roles(backup_dir: Path, descope: DescopeClient, sleeps: Sleeps) -> RoleProvider:
    return RoleProvider(stack="dev", backup_dir=str(backup_dir))


@pytest.fixture
def permissions(backup_dir: Path, descope: DescopeClient, sleeps: Sleeps) -> PermissionProvider:
    return PermissionProvider(stack="dev", backup_dir=str(backup_dir))


def auditor(**changes: Any) -> dict[str, Any]:
    """A valid project role as the resource's inputs (before check)."""
    props: dict[str, Any] = {
        "name": "auditor",
        "tenantId": "",
        "description": "Reads everything",
        "permissions": ["SSO Admin", "User Admin"],
        "tenantDefault": False,
        "default": None,
        "private": None,
    }
    props.update(changes)
    return props


def checked(provider: RoleProvider | PermissionProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == [], result.failures
    return dict(result.inputs)


def created(
    provider: RoleProvider | PermissionProvider, props: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = checked(provider, props)
    result = provider.create(inputs)
    assert result.outs is not None
    return inputs, dict(result.outs)
