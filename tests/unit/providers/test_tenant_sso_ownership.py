"""One owner per field: a tenant whose SSO is its ``sso:`` (``ssoManaged``) never writes its SSO
domains and auth type, nor sees them as drift; its settings writes send back what Descope holds."""

from __future__ import annotations

from typing import Any

from descope import DescopeClient, SSOOIDCSettings

from emulator.app import EmulatorApp
from providers.tenant import TenantProvider
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps

SETTINGS = {"sessionTokenExpiration": 30, "sessionTokenExpirationUnit": "minutes"}


def owned(**changes: Any) -> dict[str, Any]:
    return acme(**{"settings": dict(SETTINGS), "ssoManaged": True, **changes})


def customer_sets_up_sso(descope: DescopeClient) -> None:
    descope.mgmt.sso.configure_oidc_settings(
        "acme",
        SSOOIDCSettings(name="Customer", client_id="c", client_secret="s"),
        domains=["sso.acme.com"],
    )


def test_check_keeps_the_flag(provider: TenantProvider) -> None:
    result = provider.check({}, owned())
    assert result.failures == []
    assert result.inputs["ssoManaged"] is True


def test_a_settings_update_sends_back_the_sso_domains_and_auth_type_descope_holds(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs = provider.check({}, owned()).inputs
    outs = dict(provider.create(inputs).outs or {})
    customer_sets_up_sso(descope)
    news = provider.check({}, owned(settings={**SETTINGS, "sessionTokenExpiration": 45})).inputs
    assert provider.diff("acme", outs, news).changes is True
    updated = dict(provider.update("acme", outs, news).outs or {})
    tenant = app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("oidc", ["sso.acme.com"])
    assert tenant.settings.session_token_expiration == 45
    assert (updated["authType"], updated["domains"]) == ("oidc", ["sso.acme.com"])


def test_sso_fields_set_elsewhere_are_no_drift_for_an_sso_managed_tenant(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    inputs = provider.check({}, owned()).inputs
    outs = dict(provider.create(inputs).outs or {})
    customer_sets_up_sso(descope)
    read = provider.read("acme", outs)
    assert read.inputs is not None
    assert read.outs is not None
    assert read.inputs["settings"]["authType"] == "oidc"
    assert provider.diff("acme", dict(read.outs), inputs).changes is False


def test_without_the_flag_the_tenant_owns_them_as_before(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    plain = acme(settings=dict(SETTINGS))
    inputs = provider.check({}, plain).inputs
    outs = dict(provider.create(inputs).outs or {})
    customer_sets_up_sso(descope)
    read = provider.read("acme", outs)
    assert read.outs is not None
    assert provider.diff("acme", dict(read.outs), inputs).changes is True
    provider.update("acme", dict(read.outs), inputs)
    tenant = app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("none", [])


def test_adopting_an_sso_managed_tenant_keeps_its_sso_fields(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme", "acme", ["acme.com", "acme.io"])
    customer_sets_up_sso(descope)
    inputs = provider.check({}, owned(adopt=True)).inputs
    outs = dict(provider.create(inputs).outs or {})
    tenant = app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("oidc", ["sso.acme.com"])
    assert (outs["authType"], outs["ssoManaged"]) == ("oidc", True)
