"""The tenant provider, called directly, against a real Descope project.

Runs only when DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY are set (optionally
DESCOPE_TEST_BASE_URL). Every tenant it makes has a prefix unique to the run, and a finalizer
deletes whatever carries that prefix, whatever happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from providers import client
from providers.tenant import TenantProvider
from tests.integration.real import NEEDS_REAL_DESCOPE, delete_prefixed, providers_configured

pytestmark = NEEDS_REAL_DESCOPE


@pytest.fixture
def provider(tmp_path: Path, prefix: str) -> Iterator[TenantProvider]:
    with providers_configured():
        try:
            yield TenantProvider(backup_dir=str(tmp_path / "backups"))
        finally:
            delete_prefixed(prefix)


def props(prefix: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenantId": f"{prefix}-acme",
        "name": f"{prefix} Acme",
        "customAttributes": {},
        "defaultRoles": [],
    }
    data.update(changes)
    return data


def test_tenant_real__lifecycle_drift_and_delete(provider: TenantProvider, prefix: str) -> None:
    checked = provider.check({}, props(prefix))
    assert checked.failures == []
    inputs = checked.inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    assert created.id == f"{prefix}-acme"
    # nothing to do right after create
    assert provider.diff(created.id, outputs, inputs).changes is False
    read = provider.read(created.id, outputs)
    assert read.inputs is not None
    assert provider.diff(created.id, read.outs or {}, inputs).changes is False
    # update in place
    news = provider.check({}, props(prefix, name=f"{prefix} Acme 2")).inputs
    outputs = provider.update(created.id, outputs, news).outs or {}
    assert provider.diff(created.id, outputs, news).changes is False
    # drift made outside Pulumi shows on read
    api = client.management().tenant
    api.update(created.id, f"{prefix} edited", [])
    drift = provider.read(created.id, outputs)
    assert drift.inputs is not None
    assert drift.inputs["name"] == f"{prefix} edited"
    # delete, then delete again (gone is success), then read says gone
    provider.delete(created.id, outputs)
    provider.delete(created.id, outputs)
    assert provider.read(created.id, outputs).id is None


def test_tenant_real__emptying_a_list_clears_it(provider: TenantProvider, prefix: str) -> None:
    """The providers write tenant fields with PATCH; an emptied list must clear in Descope."""
    domain = f"{prefix}.example.com"
    inputs = provider.check({}, props(prefix, selfProvisioningDomains=[domain])).inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    api = client.management().tenant
    assert api.load(created.id)["selfProvisioningDomains"] == [domain]

    news = provider.check({}, props(prefix, selfProvisioningDomains=[])).inputs
    outputs = provider.update(created.id, outputs, news).outs or {}

    assert api.load(created.id).get("selfProvisioningDomains", []) == []
    read = provider.read(created.id, outputs)
    assert provider.diff(created.id, read.outs or {}, news).changes is False
