"""The SSO configuration provider, called directly, against a real Descope project.

Runs only when DESCOPE_TEST_PROJECT_ID and DESCOPE_TEST_MANAGEMENT_KEY are set (optionally
DESCOPE_TEST_BASE_URL, the emulator's address to try them offline). Every tenant, role and SSO
domain it makes carries a prefix unique to the run, and a finalizer deletes the tenants (their
SSO configurations go with them) and roles that carry it, whatever happened. What these settle
about Descope: that a load answers what a configure wrote (so a configuration just deployed
shows no drift), that the client secret is never answered back, that a further configuration
(``ssoId``) is created, configured and deleted on its own, and that a console edit shows on read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from descope import SSOSAMLSettings

from providers import client
from providers.sso import SSOConfigurationProvider
from tests.integration.real import NEEDS_REAL_DESCOPE, delete_prefixed, providers_configured, sdk
from tests.support.sso import CLIENT_SECRET, oidc_props, sso_props

pytestmark = NEEDS_REAL_DESCOPE


@pytest.fixture
def provider(tmp_path: Path, prefix: str) -> Iterator[SSOConfigurationProvider]:
    """The provider, with a tenant `<prefix>-acme` and a project role `<prefix>-member`."""
    with providers_configured():
        api = client.management()
        try:
            api.tenant.create(f"{prefix} Acme", f"{prefix}-acme")
            api.role.create(f"{prefix}-member", "integration test")
            yield SSOConfigurationProvider(backup_dir=str(tmp_path / "backups"))
        finally:
            delete_prefixed(prefix)


def declared(
    prefix: str, *, oidc: bool = False, sso_id: str = "", **changes: Any
) -> dict[str, Any]:
    """A configuration of tenant `<prefix>-acme` naming only what the run made."""
    make = oidc_props if oidc else sso_props
    return make(
        f"{prefix}-acme",
        sso_id,
        domains=[f"{prefix}.example.com" if not sso_id else f"{sso_id}.{prefix}.example.com"],
        groupMappings=[{"role": f"{prefix}-member", "groups": ["it-members"]}],
        defaultRoles=[f"{prefix}-member"],
        **changes,
    )


def test_sso_real__saml_default_configuration_lifecycle_drift_and_delete(
    provider: SSOConfigurationProvider, prefix: str
) -> None:
    checked = provider.check({}, declared(prefix))
    assert checked.failures == []
    inputs = checked.inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    assert created.id == f"{prefix}-acme"
    assert outputs["spEntityId"]
    assert outputs["spAcsUrl"]
    # what configure wrote, a load answers: no drift right after create
    assert provider.diff(created.id, outputs, inputs).changes is False
    read = provider.read(created.id, outputs)
    assert read.inputs is not None
    assert provider.diff(created.id, read.outs or {}, inputs).changes is False
    # update in place
    news = provider.check({}, declared(prefix, redirectUrl="https://app.example/sso-2")).inputs
    assert provider.diff(created.id, outputs, news).changes is True
    outputs = provider.update(created.id, outputs, news).outs or {}
    assert provider.diff(created.id, outputs, news).changes is False
    # an edit made outside Pulumi shows on read
    held = client.management().sso.load_settings(f"{prefix}-acme")
    assert held["saml"]["redirectUrl"] == "https://app.example/sso-2"
    edited = provider.check({}, declared(prefix, redirectUrl="https://console.example/")).inputs
    sdk().mgmt.sso.configure_saml_settings(  # as the console would
        f"{prefix}-acme",
        _sdk_saml(edited),
        redirect_url="https://console.example/",
        domains=edited["domains"],
    )
    drift = provider.read(created.id, outputs)
    assert drift.inputs is not None
    assert drift.inputs["redirectUrl"] == "https://console.example/"
    # delete, then delete again (gone is success), then read says gone
    provider.delete(created.id, outputs)
    provider.delete(created.id, outputs)
    assert provider.read(created.id, outputs).id is None


def test_sso_real__further_oidc_configuration_keeps_its_secret_unread(
    provider: SSOConfigurationProvider, prefix: str
) -> None:
    inputs = provider.check({}, declared(prefix, oidc=True, sso_id="okta")).inputs
    created = provider.create(inputs)
    outputs = created.outs or {}
    assert created.id == f"{prefix}-acme/okta"
    assert "clientSecret" not in outputs
    assert outputs["clientSecretSet"] is True
    assert CLIENT_SECRET not in repr(provider.read(created.id, outputs))
    read = provider.read(created.id, outputs)
    assert provider.diff(created.id, read.outs or {}, inputs).changes is False
    # a new secret is a change, found by its hash (Descope never answers it back)
    rotated = provider.check(
        {}, declared(prefix, oidc=True, sso_id="okta", secret="rotated-" + CLIENT_SECRET)
    ).inputs
    assert provider.diff(created.id, outputs, rotated).changes is True
    outputs = provider.update(created.id, outputs, rotated).outs or {}
    assert provider.diff(created.id, outputs, rotated).changes is False
    # the default configuration is untouched by the further one
    assert client.management().sso.load_settings(f"{prefix}-acme")["saml"]["idpSSOUrl"] == ""
    provider.delete(created.id, outputs)
    assert provider.read(created.id, outputs).id is None


def _sdk_saml(inputs: dict[str, Any]) -> Any:
    """The SDK's SAML settings for `inputs` entered by hand (as a console edit sends them)."""
    saml = inputs["saml"]
    return SSOSAMLSettings(
        idp_url=saml["ssoUrl"], idp_entity_id=saml["entityId"], idp_cert=saml["certificate"]
    )
