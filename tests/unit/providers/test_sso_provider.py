"""SSOConfigurationProvider against the real SDK over the in-process emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from descope import AttributeMapping, DescopeClient, SSOSAMLSettings
from pulumi.output import Unknown

from emulator import exceptions
from emulator.app import EmulatorApp
from emulator.resources.sso.models import SSO as SSOBackend
from providers import sso as sso_provider
from providers.backups import read_snapshot
from providers.errors import DescopeApiError, InvalidInputError, PartialFailure
from providers.sso import (
    OUTPUT_ONLY_KEYS,
    SSOConfiguration,
    SSOConfigurationProvider,
    registered_name,
    resource_id,
    secret_fingerprint,
)
from providers.sso_calls import write_request
from tests.support.sso import CLIENT_SECRET, certificate, oidc_props, sso_props
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
sleeps = tenant_fakes.sleeps

UNKNOWN = Unknown()  # type: ignore[no-untyped-call]
LOAD = "GET /v2/mgmt/sso/settings"
SAML = "POST /v1/mgmt/sso/saml"
OIDC = "POST /v1/mgmt/sso/oidc"
NEW = "POST /v1/mgmt/sso/settings/new"
DELETE = "DELETE /v1/mgmt/sso/settings"


@pytest.fixture
def provider(
    backup_dir: Path, descope: DescopeClient, sleeps: tenant_fakes.Sleeps
) -> SSOConfigurationProvider:
    descope.mgmt.tenant.create("Acme", "acme")
    descope.mgmt.tenant.create("Globex", "globex")
    return SSOConfigurationProvider(backup_dir=str(backup_dir))


def checked(provider: SSOConfigurationProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == []
    return dict(result.inputs)


def created(
    provider: SSOConfigurationProvider, app: EmulatorApp, props: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = checked(provider, props)
    result = provider.create(inputs)
    assert result.outs is not None
    app.counters.reset()
    return inputs, dict(result.outs)


def stored(app: EmulatorApp, tenant_id: str = "acme", sso_id: str = "") -> Any:
    return app.backend.sso.configurations[tenant_id][sso_id]


def snapshot_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


# --- check ----------------------------------------------------------------------------------


def test_check__canonical_inputs_without_any_call(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    app.counters.reset()
    inputs = checked(provider, oidc_props())
    assert counts(app) == {}
    assert inputs["clientSecret"] == CLIENT_SECRET
    assert inputs["saml"] is None
    assert inputs["oidc"]["scopes"] == ["openid", "profile", "email"]
    assert inputs["oidc"]["attributeMapping"]["loginId"] == "sub"
    assert inputs["adopt"] is False


@pytest.mark.parametrize(
    ("props", "key", "words"),
    [
        (oidc_props(secret=""), "clientSecret", "needs its client secret"),
        (sso_props(clientSecret="x"), "clientSecret", "has no client secret"),
        (sso_props(domains=["Acme.com"]), "domains", "must be written in lowercase"),
        (sso_props(sso_id="x", displayName=""), "", "needs a displayName"),
        (sso_props(typo=1), "typo", "unknown input"),
        (sso_props(saml={"ssoUrl": "https://i.example"}), "saml", "SAML needs either"),
    ],
)
def test_check__names_each_bad_input(
    provider: SSOConfigurationProvider, props: dict[str, Any], key: str, words: str
) -> None:
    failures = {f.property: f.reason for f in provider.check({}, props).failures}
    assert key in failures
    assert words in failures[key]


def test_check__leaves_unknown_values_to_later(provider: SSOConfigurationProvider) -> None:
    result = provider.check({}, oidc_props(domains=UNKNOWN, secret=UNKNOWN))
    assert result.failures == []


# --- create ---------------------------------------------------------------------------------


def test_create__default_saml_is_one_load_and_one_write(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    inputs = checked(provider, sso_props())
    app.counters.reset()
    result = provider.create(inputs)
    assert counts(app) == {LOAD: 1, SAML: 1}
    assert result.id == "acme"
    outs = dict(result.outs or {})
    assert outs["authType"] == "saml"
    assert outs["spEntityId"].endswith("-acme")
    assert "tenantId=acme" in outs["spAcsUrl"]
    assert (outs["clientSecretSet"], outs["clientSecretHash"]) == (False, None)
    configuration = stored(app)
    assert configuration.saml.idp_sso_url == "https://idp.acme.example/saml/sso"
    assert [m.role.name for m in configuration.group_mappings] == ["admin"]
    assert configuration.default_sso_roles == ["member"]
    tenant = app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("saml", ["acme.example.com"])


def test_create__further_oidc_is_new_and_write_and_keeps_the_secret_out_of_outputs(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    inputs = checked(provider, oidc_props(sso_id="partners"))
    app.counters.reset()
    result = provider.create(inputs)
    assert counts(app) == {NEW: 1, OIDC: 1}
    assert result.id == "acme/partners"
    outs = dict(result.outs or {})
    assert CLIENT_SECRET not in json.dumps(outs)
    assert outs["clientSecretSet"] is True
    assert outs["clientSecretHash"] == secret_fingerprint("acme", "partners", CLIENT_SECRET)
    configuration = stored(app, sso_id="partners")
    assert configuration.oidc.client_secret == CLIENT_SECRET
    assert configuration.display_name == "Config partners"
    assert [m.role.name for m in configuration.group_mappings] == ["admin"]


def test_create__refuses_a_configuration_set_up_already_unless_adopt(
    provider: SSOConfigurationProvider,
    app: EmulatorApp,
    descope: DescopeClient,
    backup_dir: Path,
) -> None:
    descope.mgmt.sso.configure_saml_settings(
        "acme",
        SSOSAMLSettings(idp_url="https://customer.example/sso", idp_entity_id="e", idp_cert="c"),
        domains=["acme.example.com"],
    )
    inputs = checked(provider, sso_props())
    with pytest.raises(DescopeApiError) as refused:
        provider.create(inputs)
    assert "already set up in Descope" in str(refused.value)
    assert "set `adopt: true` on the tenant" in str(refused.value)
    assert "managedBy: customer" in str(refused.value)
    assert stored(app).saml.idp_sso_url == "https://customer.example/sso"
    assert snapshot_files(backup_dir) == []

    app.counters.reset()
    result = provider.create({**inputs, "adopt": True})
    assert counts(app) == {LOAD: 1, SAML: 1}
    assert result.outs is not None
    assert result.outs["adopt"] is True
    assert stored(app).saml.idp_sso_url == "https://idp.acme.example/saml/sso"
    (path,) = snapshot_files(backup_dir)
    snapshot = read_snapshot(path)
    assert (snapshot.kind, snapshot.id, snapshot.reason) == ("sso", "acme", "adopt")
    assert snapshot.content["sso"]["saml"]["idpSSOUrl"] == "https://customer.example/sso"


def test_create__adopting_what_is_already_as_desired_writes_nothing(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    inputs, _ = created(provider, app, sso_props())
    provider.create({**inputs, "adopt": True})
    assert counts(app) == {LOAD: 1}


def test_create__a_configuration_holding_exactly_the_declaration_is_taken_without_adopt(
    provider: SSOConfigurationProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    """A create of ours that Descope acted on but whose answer was lost: the next up finds the
    configuration as declared, and takes it over (snapshot first) instead of refusing."""
    inputs, _ = created(provider, app, sso_props())
    result = provider.create(inputs)
    assert result.outs is not None
    assert stored(app).saml.idp_sso_url == "https://idp.acme.example/saml/sso"
    (path,) = snapshot_files(backup_dir)
    assert read_snapshot(path).reason == "adopt"


def test_create__an_existing_further_configuration_is_refused_or_adopted(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.sso.new_settings("acme", "Made in the console", "partners")
    descope.mgmt.sso.configure_auth_type("acme", "saml", "partners")
    inputs = checked(provider, sso_props(sso_id="partners"))
    with pytest.raises(DescopeApiError, match="already set up in Descope"):
        provider.create(inputs)
    result = provider.create({**inputs, "adopt": True})
    assert result.id == "acme/partners"
    assert stored(app, sso_id="partners").saml.idp_entity_id == "https://idp.acme.example/saml"


def test_create__on_a_missing_tenant_says_it_comes_after_its_tenant(
    provider: SSOConfigurationProvider,
) -> None:
    with pytest.raises(DescopeApiError, match='tenant "ghost" does not exist in Descope'):
        provider.create(checked(provider, sso_props("ghost")))


def test_create__a_further_configuration_descope_refuses_is_deleted_again(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    props = sso_props(sso_id="partners", groupMappings=[{"role": "no-such-role", "groups": ["g"]}])
    with pytest.raises(PartialFailure) as failed:
        provider.create(checked(provider, props))
    assert "was created but configuring it failed, so it was deleted again" in str(failed.value)
    assert "no-such-role" in str(failed.value)
    assert "partners" not in app.backend.sso.configurations.get("acme", {})


def test_create__a_lost_answer_to_new_is_taken_for_this_calls_configuration(
    provider: SSOConfigurationProvider, app: EmulatorApp, sleeps: tenant_fakes.Sleeps
) -> None:
    original = app.backend.sso.store

    def store_then_fail(tenant_id: str, configuration: Any) -> None:
        original(tenant_id, configuration)
        app.backend.sso.store = original  # type: ignore[method-assign]  # once
        raise exceptions.DescopeApiError(503, "E000503", "Unavailable", "try again")

    app.backend.sso.store = store_then_fail  # type: ignore[method-assign]
    result = provider.create(checked(provider, sso_props(sso_id="partners")))
    assert result.id == "acme/partners"
    assert stored(app, sso_id="partners").saml.idp_sso_url == "https://idp.acme.example/saml/sso"


# --- diff -----------------------------------------------------------------------------------


def test_diff__nothing_after_create_and_a_secret_change_by_its_hash(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    inputs, outs = created(provider, app, oidc_props())
    assert provider.diff("acme", outs, inputs).changes is False
    renewed = {**inputs, "clientSecret": "a-new-secret"}
    diff = provider.diff("acme", outs, renewed)
    assert (diff.changes, diff.replaces) == (True, [])
    assert counts(app) == {}


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"domains": ["other.example.com"]}, []),
        ({"defaultRoles": []}, []),
        ({"redirectUrl": None}, []),
        ({"groupMappings": [{"role": "admin", "groups": ["it-admins", "ops"]}]}, []),
        ({"ssoId": "x", "displayName": "X"}, ["ssoId", "displayName"]),
        ({"tenantId": "globex"}, ["tenantId"]),
    ],
)
def test_diff__what_changes_updates_or_replaces(
    provider: SSOConfigurationProvider,
    app: EmulatorApp,
    change: dict[str, Any],
    replaces: list[str],
) -> None:
    inputs, outs = created(provider, app, sso_props())
    diff = provider.diff("acme", outs, checked(provider, {**inputs, **change}))
    assert diff.changes is True
    assert diff.replaces == replaces
    assert diff.delete_before_replace is True


def test_diff__order_and_certificate_form_do_not_matter(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    props = sso_props(domains=["a.example.com", "b.example.com"])
    inputs, outs = created(provider, app, props)
    reordered = {**inputs, "domains": ["b.example.com", "a.example.com"]}
    assert provider.diff("acme", outs, reordered).changes is False


def test_diff__unknowns_are_a_change(provider: SSOConfigurationProvider, app: EmulatorApp) -> None:
    inputs, outs = created(provider, app, sso_props())
    diff = provider.diff("acme", outs, {**inputs, "domains": UNKNOWN})
    assert diff.changes is True


# --- read -----------------------------------------------------------------------------------


def test_read__one_call_and_a_console_edit_is_drift(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs, outs = created(provider, app, sso_props())
    read = provider.read("acme", outs)
    assert counts(app) == {LOAD: 1}
    assert read.outs is not None
    assert read.inputs is not None
    assert provider.diff("acme", dict(read.outs), inputs).changes is False
    descope.mgmt.sso.configure_saml_settings(
        "acme",
        SSOSAMLSettings(
            idp_url="https://idp.acme.example/saml/sso",
            idp_entity_id="https://idp.acme.example/saml",
            idp_cert=certificate(),
            attribute_mapping=AttributeMapping(name="cn"),
        ),
        domains=["acme.example.com"],
    )
    drifted = provider.read("acme", outs)
    assert drifted.inputs is not None
    assert drifted.outs is not None
    assert drifted.inputs["saml"]["attributeMapping"]["name"] == "cn"
    assert provider.diff("acme", dict(drifted.outs), inputs).changes is True


def test_read__keeps_the_recorded_secret_hash(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    _, outs = created(provider, app, oidc_props())
    read = provider.read("acme", outs)
    assert read.outs is not None
    assert read.outs["clientSecretHash"] == outs["clientSecretHash"]
    assert read.inputs is not None
    assert "clientSecret" not in read.inputs


def test_read__gone_when_deleted_or_blank(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, default = created(provider, app, sso_props())
    _, further = created(provider, app, sso_props(sso_id="partners", domains=[]))
    descope.mgmt.sso.delete_settings("acme")
    descope.mgmt.sso.delete_settings("acme", "partners")
    assert provider.read("acme", default).id is None
    assert provider.read("acme/partners", further).id is None
    descope.mgmt.tenant.delete("acme")
    assert provider.read("acme", default).id is None


def test_read__a_corrupt_answer_is_an_error_in_words(
    provider: SSOConfigurationProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, outs = created(provider, app, sso_props())
    monkeypatch.setattr(SSOBackend, "load", lambda *_: {"tenant": "not an object"})
    with pytest.raises(DescopeApiError, match="Unable to read the SSO configuration") as failed:
        provider.read("acme", outs)
    assert "Traceback" not in str(failed.value)


# --- update ---------------------------------------------------------------------------------


def test_update__one_load_and_one_write_and_no_snapshot_of_its_own_version(
    provider: SSOConfigurationProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    inputs, outs = created(provider, app, sso_props())
    news = checked(provider, {**inputs, "domains": ["new.example.com"]})
    result = provider.update("acme", outs, news)
    assert counts(app) == {LOAD: 1, SAML: 1}
    assert result.outs is not None
    assert result.outs["domains"] == ["new.example.com"]
    assert app.backend.tenants["acme"].domains == ["new.example.com"]
    assert snapshot_files(backup_dir) == []


def test_update__a_console_edit_is_snapshotted_before_it_is_overwritten(
    provider: SSOConfigurationProvider,
    app: EmulatorApp,
    descope: DescopeClient,
    backup_dir: Path,
) -> None:
    inputs, outs = created(provider, app, sso_props())
    descope.mgmt.sso.configure_saml_settings(
        "acme",
        SSOSAMLSettings(
            idp_url="https://console.example/sso", idp_entity_id="e", idp_cert="console"
        ),
        domains=["acme.example.com"],
    )
    refreshed = provider.read("acme", outs).outs
    assert refreshed is not None
    provider.update("acme", dict(refreshed), inputs)
    (path,) = snapshot_files(backup_dir)
    snapshot = read_snapshot(path)
    assert (snapshot.kind, snapshot.reason) == ("sso", "overwrite")
    assert snapshot.content["sso"]["saml"]["idpSSOUrl"] == "https://console.example/sso"
    assert stored(app).saml.idp_sso_url == "https://idp.acme.example/saml/sso"


def test_update__a_new_secret_reaches_descope_and_only_its_hash_is_recorded(
    provider: SSOConfigurationProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    inputs, outs = created(provider, app, oidc_props())
    result = provider.update("acme", outs, {**inputs, "clientSecret": "rotated-secret-77"})
    assert stored(app).oidc.client_secret == "rotated-secret-77"
    assert result.outs is not None
    assert result.outs["clientSecretHash"] == secret_fingerprint("acme", "", "rotated-secret-77")
    assert "rotated-secret-77" not in json.dumps(result.outs)


def test_update__of_a_configuration_deleted_outside_pulumi_says_refresh(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs, outs = created(provider, app, sso_props())
    descope.mgmt.sso.delete_settings("acme")
    with pytest.raises(DescopeApiError, match="no longer exists in Descope") as gone:
        provider.update("acme", outs, inputs)
    assert "pulumi refresh" in str(gone.value)


def test_update__sends_back_what_it_does_not_manage(
    provider: SSOConfigurationProvider, app: EmulatorApp
) -> None:
    inputs, outs = created(provider, app, sso_props())
    stored(app).groups_priority = ["it-admins", "everyone"]
    provider.update("acme", outs, {**inputs, "defaultRoles": []})
    configuration = stored(app)
    assert configuration.groups_priority == ["it-admins", "everyone"]
    assert configuration.default_sso_roles == []  # cleared: replaceDefaultSSORoles sent


# --- delete ---------------------------------------------------------------------------------


def test_delete__snapshot_then_delete_and_the_tenants_sso_fields_go(
    provider: SSOConfigurationProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    _, outs = created(provider, app, oidc_props())
    provider.delete("acme", outs)
    assert counts(app) == {LOAD: 1, DELETE: 1}
    tenant = app.backend.tenants["acme"]
    assert (tenant.auth_type, tenant.domains) == ("none", [])
    (path,) = snapshot_files(backup_dir)
    assert (read_snapshot(path).kind, read_snapshot(path).reason) == ("sso", "delete")
    assert CLIENT_SECRET not in path.read_text()


def test_delete__of_one_already_gone_is_quiet(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outs = created(provider, app, sso_props(sso_id="partners", domains=[]))
    descope.mgmt.sso.delete_settings("acme", "partners")
    app.counters.reset()
    provider.delete("acme/partners", outs)
    assert counts(app) == {LOAD: 1}


# --- the request, the resource ----------------------------------------------------------------


def test_write_request__oidc_body_carries_mappings_and_clears_default_roles() -> None:
    spec = sso_provider._spec(oidc_props(sso_id="x", defaultRoles=[]))
    path, body = write_request(spec, "s", None)
    assert path == "/v1/mgmt/sso/oidc"
    assert body["ssoId"] == "x"
    settings = body["settings"]
    assert settings["clientSecret"] == "s"
    assert settings["roleMappings"] == [{"groups": ["it-admins"], "roleName": "admin"}]
    assert (settings["defaultSSORoles"], settings["replaceDefaultSSORoles"]) == ([], True)


def test_invalid_inputs_reaching_create_are_refused_in_words(
    provider: SSOConfigurationProvider,
) -> None:
    with pytest.raises(InvalidInputError, match="domains"):
        provider.create(sso_props(domains=["not a domain"]))


def test_names_and_ids() -> None:
    assert (registered_name("acme"), registered_name("acme", "x")) == ("sso-acme", "sso-acme/x")
    assert (resource_id("acme"), resource_id("acme", "x")) == ("acme", "acme/x")
    assert "clientSecret" not in OUTPUT_ONLY_KEYS
    assert SSOConfiguration.__name__ == "SSOConfiguration"


def test_create__takes_over_sso_domains_set_by_tenant_settings_after_a_snapshot(
    provider: SSOConfigurationProvider, app: EmulatorApp, descope: DescopeClient, backup_dir: Path
) -> None:
    """A tenant that moves settings.domains/authType into sso: has them in Descope already:
    no IdP is set up, so nothing of anyone's is lost by writing the declared configuration."""
    descope.mgmt.tenant.update_settings("acme", [], domains=["acme.example.com"], auth_type="saml")
    result = provider.create(checked(provider, sso_props()))
    assert result.outs is not None
    assert stored(app).saml.idp_sso_url == "https://idp.acme.example/saml/sso"
    (path,) = snapshot_files(backup_dir)
    assert read_snapshot(path).reason == "adopt"


def test_role_names_in_another_unicode_form_are_the_same_roles() -> None:
    def mapped(role: str) -> dict[str, Any]:
        return {"groupMappings": [{"role": role, "groups": ["ops"]}], "defaultRoles": [role]}

    nfc, nfd = "g\u00e9rant", "ge\u0301rant"
    assert sso_provider.comparable(mapped(nfd)) == sso_provider.comparable(mapped(nfc))
    assert sso_provider.comparable(mapped(nfc))["defaultRoles"] == [nfc]
