"""A tenant deleted and replaced as a unit: its SSO configurations, roles and sub-tenants go
into the one snapshot its delete takes, and an id change makes them again on the new tenant."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from descope import AttributeMapping, DescopeClient, SSOOIDCSettings, SSOSAMLSettings

from emulator import exceptions
from emulator.app import EmulatorApp
from model.sso import SSOConfigurationSpec
from providers import backups, errors, tenant_unit
from providers import sso_calls as sso
from providers.errors import DescopeApiError, InvalidInputError
from providers.role import RoleProvider
from providers.sso import SSOConfigurationProvider
from providers.tenant import TenantProvider
from tests.support.sso import certificate
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme, counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps


@pytest.fixture(autouse=True)
def _no_tenant_deleted_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a new provider host: it has deleted no tenant yet."""
    monkeypatch.setattr(backups, "_tenant_snapshots", {})


def created(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    checked = provider.check({}, props)
    assert checked.failures == []
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return result.outs


def customer_saml(descope: DescopeClient, tenant_id: str) -> None:
    """What a customer sets up through the SSO Setup Suite: SAML by hand."""
    descope.mgmt.sso.configure_saml_settings(
        tenant_id,
        SSOSAMLSettings(
            idp_url="https://idp.customer.example/sso",
            idp_entity_id="https://idp.customer.example",
            idp_cert=certificate("idp.customer.example"),
            attribute_mapping=AttributeMapping(name="cn", email="mail"),
        ),
        redirect_url="https://app.example/after-sso",
        domains=[f"{tenant_id}.example"],
    )


def held(descope: DescopeClient, tenant_id: str) -> dict[str, Any]:
    """What Descope holds for the tenant's SSO and roles, as the snapshot should keep it."""
    sso = descope.mgmt.sso.load_all_settings(tenant_id)["SSOSettings"]
    roles = descope.mgmt.role.search(tenant_ids=[tenant_id])["roles"]
    return {
        "sso": sso,
        "roles": sorted(
            (r for r in roles if r.get("tenantId") == tenant_id), key=lambda r: r["name"]
        ),
    }


def snapshot_content(folder: Path) -> dict[str, Any]:
    [path] = sorted(folder.glob("*-tenant-*-delete.json"))
    content: dict[str, Any] = json.loads(path.read_text())["content"]
    return content


def test_delete__snapshot_holds_customer_sso_and_console_roles(
    provider: TenantProvider,
    descope: DescopeClient,
    app: EmulatorApp,
    backup_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outputs = created(provider, {**acme(), "ssoManaged": True, "ssoCustomer": True})
    customer_saml(descope, "acme")
    descope.mgmt.role.create("acme-ops", "made in the console", tenant_id="acme")
    before = held(descope, "acme")
    assert before["sso"]
    assert before["roles"]
    app.counters.reset()
    with caplog.at_level(logging.WARNING):
        provider.delete("acme", outputs)
    assert "acme" not in app.backend.tenants
    content = snapshot_content(backup_dir)
    assert list(content) == list(tenant_unit.CONTENT_KEYS)
    assert content["sso"] == before["sso"]
    assert content["roles"] == before["roles"]
    assert content["sso"][0]["saml"]["idpSSOUrl"] == "https://idp.customer.example/sso"
    assert content["subTenants"] == []
    assert (
        'Deleting Descope tenant "acme", with 1 SSO configuration (1 customer-managed), '
        "1 tenant role. All of it was saved to"
    ) in caplog.text
    assert counts(app) == {
        "GET /v1/mgmt/tenant": 1,
        "GET /v1/mgmt/tenant/settings": 1,
        "GET /v2/mgmt/sso/settings/all": 1,
        "POST /v1/mgmt/role/search": 1,
        "POST /v1/mgmt/accesskey/search": 1,
        "POST /v1/mgmt/tenant/delete": 1,
    }


def test_delete__cascade_holds_every_sub_tenant_with_its_own(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    outputs = created(provider, acme(cascadeDelete=True))
    app.backend.create_tenant({"name": "Child", "id": "child", "parent": "acme"})
    app.backend.create_tenant({"name": "Grandchild", "id": "grandchild", "parent": "child"})
    app.backend.create_tenant({"name": "Other", "id": "other"})
    descope.mgmt.role.create("child-ops", tenant_id="child")
    customer_saml(descope, "grandchild")
    grandchild_sso = held(descope, "grandchild")["sso"]
    app.counters.reset()
    provider.delete("acme", outputs)
    assert set(app.backend.tenants) == {"other"}
    content = snapshot_content(backup_dir)
    [child] = content["subTenants"]
    assert child["tenant"]["id"] == "child"
    assert [r["name"] for r in child["roles"]] == ["child-ops"]
    [grandchild] = child["subTenants"]
    assert grandchild["tenant"]["id"] == "grandchild"
    assert grandchild["sso"] == grandchild_sso
    assert grandchild["settings"]["domains"] == ["grandchild.example"]
    assert grandchild["subTenants"] == []
    assert counts(app) == {
        "GET /v1/mgmt/tenant": 1,
        "GET /v1/mgmt/tenant/all": 1,
        "GET /v1/mgmt/tenant/settings": 3,
        "GET /v2/mgmt/sso/settings/all": 3,
        "POST /v1/mgmt/role/search": 1,
        "POST /v1/mgmt/accesskey/search": 1,
        "POST /v1/mgmt/tenant/delete": 1,
    }
    said = tenant_unit.summary(content, customer=False)
    assert said == ", with 2 sub-tenants (with 1 SSO configurations and 1 roles between them)"


@pytest.mark.parametrize(
    ("path", "part"),
    [
        ("/v2/mgmt/sso/settings/all", "its SSO configurations could not be read"),
        ("/v1/mgmt/role/search", "its tenant roles (the role search) could not be read"),
        ("/v1/mgmt/tenant/all", "the tenant listing (to find its sub-tenants) could not be read"),
    ],
)
def test_delete__a_part_that_cannot_be_read_refuses_the_delete(
    provider: TenantProvider, app: EmulatorApp, backup_dir: Path, path: str, part: str
) -> None:
    outputs = created(provider, acme(cascadeDelete=True))
    app.set_faults({"fail500": {"count": 100, "path": path}})
    with pytest.raises(DescopeApiError) as caught:
        provider.delete("acme", outputs)
    app.set_faults({})
    text = str(caught.value)
    assert text.startswith('Refusing to delete Descope tenant "acme": ' + part)
    assert "Nothing was changed in Descope." in text
    assert "acme" in app.backend.tenants
    assert not list(backup_dir.glob("*.json"))


def test_delete__a_sub_tenants_part_is_named(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = created(provider, acme(cascadeDelete=True))
    app.backend.create_tenant({"name": "Child", "id": "child", "parent": "acme"})
    real = app.backend.load_settings

    def failing(tenant_id: str | None) -> Any:
        if tenant_id == "child":
            raise exceptions.DescopeApiError(503, "E000000", "Service unavailable", "down")
        return real(tenant_id)

    monkeypatch.setattr(app.backend, "load_settings", failing)
    with pytest.raises(DescopeApiError, match='the settings of sub-tenant "child" could not be'):
        provider.delete("acme", outputs)
    assert {"acme", "child"} <= set(app.backend.tenants)


def test_summary__an_old_snapshot_says_nothing_more() -> None:
    assert tenant_unit.summary({"tenant": {"id": "a"}, "settings": None}, customer=True) == ""


# --- an id change takes the tenant's SSO and roles along ---------------------------------------


def test_replace__moves_customer_sso_and_roles_to_the_new_tenant(
    provider: TenantProvider,
    descope: DescopeClient,
    app: EmulatorApp,
    backup_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    flags = {"ssoManaged": True, "ssoCustomer": True}
    outputs = created(provider, {**acme(), **flags})
    customer_saml(descope, "acme")
    descope.mgmt.role.create("acme-ops", "made in the console", ["User Admin"], tenant_id="acme")
    before = held(descope, "acme")
    news = provider.check({}, {**acme(tenantId="acme2"), **flags, "previousId": "acme"}).inputs
    diff = provider.diff("acme", outputs, news)
    assert diff.replaces == ["tenantId"]
    with caplog.at_level(logging.WARNING):
        provider.delete("acme", outputs)
        provider.create(news)
    after = held(descope, "acme2")
    assert [(r["name"], r["description"], r["permissionNames"]) for r in after["roles"]] == [
        ("acme-ops", "made in the console", ["User Admin"])
    ]
    [moved] = after["sso"]
    [was] = before["sso"]
    for key in ("idpSSOUrl", "idpEntityId", "idpCertificate", "redirectUrl", "attributeMapping"):
        assert moved["saml"][key] == was["saml"][key], key
    assert moved["tenant"]["domains"] == was["tenant"]["domains"]
    assert 'Tenant id changed from "acme" to "acme2": 1 tenant role and 1 SSO configuration' in (
        caplog.text
    )
    # The SSO resource and the role of the old tenant tell what happened, truthfully.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        SSOConfigurationProvider(backup_dir=str(backup_dir)).delete("acme", {"tenantId": "acme"})
        RoleProvider(backup_dir=str(backup_dir)).delete(
            "acme/acme-ops", {"name": "acme-ops", "tenantId": "acme"}
        )
    assert "outside Pulumi" not in caplog.text
    assert caplog.text.count('went with Descope tenant "acme", deleted (or replaced)') == 2


def test_replace__leaves_the_codes_sso_to_its_resources(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    flags = {"ssoManaged": True, "codeSsoIds": [""]}
    outputs = created(provider, {**acme(), **flags})
    customer_saml(descope, "acme")  # as the SSO resource would have written it
    news = provider.check({}, {**acme(tenantId="acme2"), **flags, "previousId": "acme"}).inputs
    provider.diff("acme", outputs, news)
    provider.delete("acme", outputs)
    provider.create(news)
    assert held(descope, "acme2")["sso"] == []


def test_replace__refused_before_anything_changes_when_oidc_cannot_move(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    outputs = created(provider, {**acme(), "ssoManaged": True, "ssoCustomer": True})
    descope.mgmt.sso.configure_oidc_settings(
        "acme",
        SSOOIDCSettings(
            name="Customer IdP",
            client_id="customer-client",
            client_secret="customer-secret",
            auth_url="https://idp.customer.example/auth",
            token_url="https://idp.customer.example/token",
        ),
        domains=["acme.example"],
    )
    news = provider.check({}, {**acme(tenantId="acme2"), "previousId": "acme"}).inputs
    app.counters.reset()
    with pytest.raises(InvalidInputError) as caught:
        provider.diff("acme", outputs, news)
    text = str(caught.value)
    assert text.startswith('Unable to change the id of Descope tenant "acme" to "acme2":')
    assert "never returns its client secret" in text
    assert "Nothing was changed in Descope." in text
    assert counts(app) == {"GET /v2/mgmt/sso/settings/all": 1}
    provider.delete("acme", outputs)  # deleting it keeps the configuration, never the secret
    [path] = sorted(backup_dir.glob("*-tenant-acme-delete.json"))
    text = path.read_text()
    assert "customer-client" in text
    assert "customer-secret" not in text


def test_replace__nothing_to_move_without_a_delete_in_this_process(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    created(provider, acme(tenantId="acme2", previousId="acme"))
    assert held(descope, "acme2") == {"sso": [], "roles": []}


def test_replace__a_refused_move_names_the_snapshot(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    outputs = created(provider, acme())
    descope.mgmt.role.create("acme-ops", tenant_id="acme")
    news = provider.check({}, {**acme(tenantId="acme2"), "previousId": "acme"}).inputs
    provider.delete("acme", outputs)
    app.set_faults({"fail500": {"count": 100, "path": "/v1/mgmt/role/create"}})
    with pytest.raises(DescopeApiError) as caught:
        provider.create(news)
    app.set_faults({})
    [path] = sorted(backup_dir.glob("*-tenant-acme-delete.json"))
    assert str(path) in str(caught.value)
    assert "making the old tenant's SSO configurations and roles again on it failed" in str(
        caught.value
    )
    assert 'Tenant "acme2" is in Descope but not in Pulumi\'s state: set `adopt: true`' in str(
        caught.value
    )


def test_replace__an_old_tenant_already_gone_has_nothing_to_check(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    outputs = created(provider, acme())
    news = provider.check({}, {**acme(tenantId="acme2"), "previousId": "acme"}).inputs
    app.backend.delete_tenant("acme")
    assert provider.diff("acme", outputs, news).replaces == ["tenantId"]


def test_replace__a_configuration_that_is_no_spec_is_refused(
    provider: TenantProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = {"tenant": {"id": "acme", "authType": "saml"}, "saml": {"idpSSOUrl": "x"}, "oidc": {}}
    monkeypatch.setattr(tenant_unit, "_sso_of", lambda *_: [loaded])
    with pytest.raises(InvalidInputError) as caught:
        tenant_unit.check_movable("acme", "acme2", None)
    assert "the default SSO configuration cannot be made again on the new tenant" in str(
        caught.value
    )


def test_replace__sub_tenants_are_not_made_again_and_the_output_says_so(
    provider: TenantProvider, app: EmulatorApp, caplog: pytest.LogCaptureFixture
) -> None:
    outputs = created(provider, acme(cascadeDelete=True))
    app.backend.create_tenant({"name": "Child", "id": "child", "parent": "acme"})
    news = provider.check(
        {}, {**acme(tenantId="acme2", cascadeDelete=True), "previousId": "acme"}
    ).inputs
    with caplog.at_level(logging.WARNING):
        provider.delete("acme", outputs)
        provider.create(news)
    assert '1 sub-tenant of Descope tenant "acme" went with it (cascadeDelete)' in caplog.text
    assert set(app.backend.tenants) == {"acme2"}


def test_delete__a_tenant_gone_while_its_parts_are_read_is_done(
    provider: TenantProvider, app: EmulatorApp, backup_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = created(provider, acme())

    def vanished(*_: Any) -> Any:
        app.backend.tenants.pop("acme", None)
        raise DescopeApiError("Unable to load.", "Tenant not found", status=404)

    monkeypatch.setattr(tenant_unit, "_sso_of", vanished)
    provider.delete("acme", outputs)
    assert not list(backup_dir.glob("*.json"))


def test_side_inputs__malformed_ones_are_refused(provider: TenantProvider) -> None:
    result = provider.check({}, {**acme(), "codeSsoIds": [3], "previousId": 7})
    assert {f.property for f in result.failures} == {"codeSsoIds", "previousId"}


def test_gone_with_tenant__a_project_role_has_no_tenant() -> None:
    told = errors.gone_with_tenant('Descope role "x"', "", None)
    assert told == 'Descope role "x" was already deleted outside Pulumi.'


def test_replace__moves_a_further_console_configuration_under_its_ssoid(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    outputs = created(provider, acme())
    config = SSOConfigurationSpec.model_validate(
        {
            "tenantId": "acme",
            "ssoId": "contractors",
            "displayName": "Contractors",
            "saml": {"metadataUrl": "https://contractors.example/saml/metadata"},
            "domains": ["contractors.example"],
        }
    )
    sso.make_again(config, {}, "set it up in the console")
    news = provider.check({}, {**acme(tenantId="acme2"), "previousId": "acme"}).inputs
    provider.diff("acme", outputs, news)
    provider.delete("acme", outputs)
    provider.create(news)
    [moved] = [c for c in held(descope, "acme2")["sso"] if c["ssoId"] == "contractors"]
    assert moved["saml"]["idpMetadataUrl"] == "https://contractors.example/saml/metadata"
    assert moved["tenant"]["domains"] == ["contractors.example"]


def test_gather__a_listing_with_a_cycle_holds_each_tenant_once(
    provider: TenantProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = {"acme": ["child"], "child": ["acme", "child", "grandchild"], "grandchild": []}
    listed = {t: {"id": t, "name": t} for t in children}
    monkeypatch.setattr(tenant_unit, "_children", lambda _doing: (children, listed))
    monkeypatch.setattr(tenant_unit, "_sso_of", lambda *_: [])
    monkeypatch.setattr(tenant_unit, "_roles_of", lambda *_: {})
    content = tenant_unit.gather(
        "acme", listed["acme"], None, cascade=True, load_settings=lambda *_: None
    )
    [child] = content["subTenants"]
    assert [g["tenant"]["id"] for g in child["subTenants"]] == ["grandchild"]
