"""A create the engine makes again after a run stopped before recording its result
(`providers.calls.RESUMED_CREATE_KEY`: when that first create began): the tenant it finds is
ours when created since then and holding what that create writes, at whatever stage it
stopped; anyone else's still gets the adopt message."""

from __future__ import annotations

import time
from typing import Any

import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from providers.calls import RESUMED_CREATE_KEY
from providers.errors import TenantAlreadyExists
from providers.tenant import TenantProvider
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps

SETTINGS = {
    "domains": ["sso.acme.com"],
    "authType": "saml",
    "sessionTokenExpiration": 30,
    "sessionTokenExpirationUnit": "minutes",
}
BEGAN = time.time() - 600
"""The first create began ten minutes ago: long past the window of a create's own retries."""


def resumed(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    inputs = provider.check({}, props).inputs
    assert inputs is not None
    result = provider.create({**inputs, RESUMED_CREATE_KEY: BEGAN})
    assert result.outs is not None
    return dict(result.outs)


@pytest.mark.parametrize(
    "made",
    [
        pytest.param({"defaultRoles": []}, id="created, nothing else"),
        pytest.param({"settings": SETTINGS, "defaultRoles": []}, id="settings set"),
        pytest.param({"settings": SETTINGS}, id="default roles set too"),
    ],
)
def test_a_resumed_create_takes_what_the_first_create_made_at_any_stage(
    provider: TenantProvider, app: EmulatorApp, made: dict[str, Any]
) -> None:
    first = provider.check({}, acme(**made)).inputs
    provider.create(dict(first or {}))  # the first run's create, its result never recorded

    outputs = resumed(provider, acme(settings=SETTINGS))

    assert outputs["settings"]["sessionTokenExpiration"] == 30
    assert app.backend.tenants["acme"].default_roles == ["member"]


def test_a_resumed_create_does_not_take_a_tenant_older_than_the_first_create(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    clock = app.backend.now
    app.backend.now = lambda: BEGAN - 3600
    try:
        descope.mgmt.tenant.create("Acme", "acme", ["acme.com"])
    finally:
        app.backend.now = clock

    with pytest.raises(TenantAlreadyExists):
        resumed(provider, acme(selfProvisioningDomains=["acme.com"]))


def test_a_resumed_create_does_not_take_a_tenant_holding_something_else(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme", "acme", ["someone-else.com"])
    with pytest.raises(TenantAlreadyExists):
        resumed(provider, acme())
