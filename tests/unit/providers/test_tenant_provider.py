"""TenantProvider against the real SDK over the in-process emulator (no sockets, no host)."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pulumi.dynamic.dynamic as pulumi_dynamic
import pytest
from descope import DescopeClient
from descope.exceptions import AuthException
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown
from pulumi.runtime import rpc

from emulator import exceptions
from emulator.app import EmulatorApp
from model.tenant import TenantSpec
from providers import client, tenant_create
from providers import tenant_calls as tenant
from providers.errors import DescopeApiError, InvalidInputError, PartialFailure, TenantAlreadyExists
from providers.tenant import OUTPUT_ONLY_KEYS, TenantProvider, comparable, tenant_props
from providers.wire import SSO_SETUP_SUITE_DEFAULTS, sso_setup_suite
from tests.support.inprocess import inprocess_descope
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import Sleeps, acme, counts

# fixtures, shared with the other tenant test modules
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


def checked(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == []
    return result.inputs


def created(
    provider: TenantProvider, props: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = checked(provider, props)
    result = provider.create(inputs)
    assert result.outs is not None
    return inputs, result.outs


def snapshots(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


# --- check -----------------------------------------------------------------------------------


def test_check__returns_canonical_inputs(provider: TenantProvider) -> None:
    inputs = checked(provider, acme(customAttributes={"b": 3.0, "a": "x"}, protect=True))
    assert inputs == {
        "tenantId": "acme",
        "name": "Acme",
        "selfProvisioningDomains": ["acme.com", "acme.io"],
        "customAttributes": {"a": "x", "b": 3},
        "enforceSSO": False,
        "enforceSSOExclusions": [],
        "disabled": False,
        "defaultRoles": ["member"],
        "settings": None,
        "adopt": False,
        "cascadeDelete": False,
        "parent": None,
        "roleInheritance": None,
        "ssoManaged": False,
        "ssoCustomer": False,
    }


def test_check__one_failure_per_bad_field_in_model_words(provider: TenantProvider) -> None:
    result = provider.check(
        {},
        {
            "tenantId": "bad id",
            "name": " Acme",
            "settings": {"authType": "kerberos"},
            "selfProvisioningDomains": ["ACME.com"],
            "typo": 1,
            "__provider": "blob",
        },
    )
    reasons = {f.property: f.reason for f in result.failures}
    assert set(reasons) == {"tenantId", "name", "settings", "selfProvisioningDomains", "typo"}
    assert reasons["tenantId"].startswith('tenant id "bad id" is not allowed')
    assert reasons["settings"].startswith("settings.authType: must be one of")
    assert reasons["selfProvisioningDomains"].startswith("selfProvisioningDomains[0]: domain")
    assert "Traceback" not in json.dumps(reasons)


def test_check__cross_field_rule_names_its_field(provider: TenantProvider) -> None:
    result = provider.check({}, acme(enforceSSOExclusions=["u1"]))
    assert [(f.property, f.reason.split(" ")[0]) for f in result.failures] == [
        ("enforceSSOExclusions", "enforceSSOExclusions")
    ]


@pytest.mark.parametrize("unknown", [Unknown(), rpc.UNKNOWN])  # type: ignore[no-untyped-call]
def test_check__unknown_values_pass_through(provider: TenantProvider, unknown: Any) -> None:
    props = acme(name=unknown, selfProvisioningDomains=["acme.com", unknown])
    result = provider.check({}, props)
    assert result.failures == []
    assert result.inputs["name"] is unknown


def test_check__known_bad_field_fails_even_with_unknowns(provider: TenantProvider) -> None:
    result = provider.check({}, acme(name=rpc.UNKNOWN, tenantId="bad id"))
    assert [f.property for f in result.failures] == ["tenantId"]


# --- diff ------------------------------------------------------------------------------------


def test_diff__none_right_after_create(provider: TenantProvider) -> None:
    inputs, outputs = created(provider, acme(settings=SETTINGS))
    result = provider.diff(
        "acme", {**outputs, "__provider": "old"}, {**inputs, "__provider": "new"}
    )
    assert result.changes is False
    assert result.replaces == []


def test_diff__normalises_floats_order_missing_and_defaults(provider: TenantProvider) -> None:
    inputs, outputs = created(provider, acme(settings=SETTINGS))
    olds = json.loads(json.dumps(outputs))
    olds["customAttributes"]["seats"] = 3.0  # numbers come back as floats
    olds["settings"]["sessionTokenExpiration"] = 30.0
    olds["selfProvisioningDomains"].reverse()  # order of a set-like list means nothing
    del olds["enforceSSOExclusions"]  # empty lists and missing keys are the same
    olds["settings"]["refreshTokenExpiration"] = 0  # Descope's zero value is "unset"
    olds["settings"]["refreshTokenExpirationUnit"] = ""
    assert provider.diff("acme", olds, inputs).changes is False


def test_diff__list_values_in_custom_attributes_keep_their_order(provider: TenantProvider) -> None:
    olds = tenant_props(acme(customAttributes={"l": ["a", "b"]}))
    news = tenant_props(acme(customAttributes={"l": ["b", "a"]}))
    assert provider.diff("acme", olds, news).changes is True


def test_diff__bool_and_number_attributes_differ(provider: TenantProvider) -> None:
    olds = acme(customAttributes={"flag": 1})
    news = acme(customAttributes={"flag": True})
    assert provider.diff("acme", olds, news).changes is True


def test_diff__unmanaged_settings_never_diff(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    news = checked(provider, acme())
    assert provider.diff("acme", outputs, news).changes is False


def test_diff__settings_change_updates_in_place(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    news = checked(provider, acme(settings={**SETTINGS, "authType": "oidc"}))
    result = provider.diff("acme", outputs, news)
    assert (result.changes, result.replaces) == (True, [])


def test_diff__new_tenant_id_replaces_deleting_first(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme())
    result = provider.diff("acme", outputs, checked(provider, acme(tenantId="acme-2")))
    assert result.changes is True
    assert result.replaces == ["tenantId"]
    assert result.delete_before_replace is True


def test_diff__flags_are_changes(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme())
    assert provider.diff("acme", outputs, checked(provider, acme(cascadeDelete=True))).changes


def test_diff__old_state_without_tenant_id_uses_resource_id(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme())
    del outputs["tenantId"]
    assert provider.diff("acme", outputs, checked(provider, acme())).changes is False


UNKNOWNS = [Unknown(), rpc.UNKNOWN]  # type: ignore[no-untyped-call]
"""An unknown as the host hands it to the provider (an object) and as it travels (a string)."""


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=["object", "string"])
@pytest.mark.parametrize(
    "field",
    [
        "name",
        "selfProvisioningDomains",
        "customAttributes",
        "enforceSSO",
        "enforceSSOExclusions",
        "disabled",
        "defaultRoles",
        "settings",
        "cascadeDelete",
    ],
)
def test_diff__any_unknown_input_is_an_update(
    provider: TenantProvider, field: str, unknown: Any
) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    result = provider.diff("acme", outputs, {**acme(settings=SETTINGS), field: unknown})
    assert (result.changes, result.replaces) == (True, [])


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=["object", "string"])
def test_diff__unknowns_inside_values_are_updates(provider: TenantProvider, unknown: Any) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    news = acme(
        selfProvisioningDomains=["acme.com", unknown],
        customAttributes={"tier": unknown},
        settings={**SETTINGS, "authType": unknown},
    )
    result = provider.diff("acme", outputs, news)
    assert (result.changes, result.replaces) == (True, [])


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=["object", "string"])
def test_diff__unknowns_replace_only_for_the_tenant_id(
    provider: TenantProvider, unknown: Any
) -> None:
    _, outputs = created(provider, acme())
    result = provider.diff("acme", outputs, {**acme(), "tenantId": unknown})
    assert (result.changes, result.replaces) == (True, ["tenantId"])
    result = provider.diff("acme", outputs, {**acme(tenantId="x"), "name": unknown})
    assert (result.changes, result.replaces) == (True, ["tenantId"])
    result = provider.diff("acme", outputs, {**acme(), "enforceSSOExclusions": unknown})
    assert result.replaces == []
    assert result.delete_before_replace is True


# --- create ----------------------------------------------------------------------------------


def test_create__tenant_settings_and_roles(provider: TenantProvider, app: EmulatorApp) -> None:
    inputs, outputs = created(provider, acme(settings=SETTINGS))
    assert set(outputs) == set(inputs) | set(OUTPUT_ONLY_KEYS)
    assert {k: outputs[k] for k in inputs} == inputs
    assert outputs["authType"] == "saml"
    assert outputs["domains"] == ["sso.acme.com"]
    assert "createdTime" not in outputs  # only a load could tell: not recorded
    assert counts(app) == {
        "POST /v1/mgmt/tenant/create": 1,
        "POST /v1/mgmt/tenant/settings": 1,
        "POST /v1/mgmt/tenant/updateDefaultRoles": 1,
    }
    held = app.backend.tenants["acme"]
    assert held.default_roles == ["member"]
    assert held.settings.session_token_expiration == 30
    assert held.custom_attributes == {"tier": "gold", "seats": 3}


def test_create__without_settings_or_roles_is_one_call(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme(defaultRoles=[]))
    assert counts(app) == {"POST /v1/mgmt/tenant/create": 1}


def test_create__existing_id_says_how_to_adopt(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Someone else", "acme")
    with pytest.raises(TenantAlreadyExists) as caught:
        created(provider, acme())
    text = str(caught.value)
    assert text.startswith('Unable to create Descope tenant "acme": a tenant with id "acme" ')
    assert "(Descope answered 400 E011003:" in text
    assert "adopt: true" in text


def test_create__other_rejection_is_reported_as_is(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme", "other")  # the name is taken
    with pytest.raises(DescopeApiError) as caught:
        created(provider, acme())
    assert not isinstance(caught.value, TenantAlreadyExists)
    assert "Tenant with name 'Acme' already exists" in str(caught.value)


def test_create__adopt_snapshots_and_brings_to_desired_state(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, backup_dir: Path
) -> None:
    descope.mgmt.tenant.create("Old", "acme", federated_app_ids=["app1"])
    descope.mgmt.tenant.patch_tenant("acme", role_inheritance="userOnly")
    app.counters.reset()
    inputs, outputs = created(provider, acme(adopt=True, settings=SETTINGS))
    assert app.backend.tenants["acme"].name == "Acme"
    assert app.backend.tenants["acme"].federated_app_ids == ["app1"]  # not ours: kept
    assert app.backend.tenants["acme"].role_inheritance == "userOnly"  # not ours: kept
    assert outputs["adopt"] is True
    assert provider.diff("acme", outputs, inputs).changes is False
    [path] = snapshots(backup_dir)
    assert path.name.endswith("-tenant-acme-adopt.json")
    assert json.loads(path.read_text())["content"]["tenant"]["name"] == "Old"
    assert counts(app) == {
        "GET /v1/mgmt/tenant": 1,
        "GET /v1/mgmt/tenant/settings": 1,
        "PATCH /v1/mgmt/tenant/patch": 1,
        "POST /v1/mgmt/tenant/settings": 1,
        "POST /v1/mgmt/tenant/updateDefaultRoles": 1,
    }
    # The outputs, derived without loading the tenant again, are what Descope holds.
    assert provider.read("acme", outputs).outs == outputs


def test_create__adopt_of_identical_tenant_changes_nothing(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme())
    app.counters.reset()
    inputs, outputs = created(provider, acme(adopt=True))
    assert counts(app) == {"GET /v1/mgmt/tenant": 1, "GET /v1/mgmt/tenant/settings": 1}
    assert provider.diff("acme", outputs, inputs).changes is False


def test_create__adopt_without_existing_tenant_creates(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme(adopt=True))
    assert "acme" in app.backend.tenants


def test_create__adopt_failure_names_the_snapshot(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    descope.mgmt.tenant.create("Old", "acme")
    app.set_faults({"fail500": {"count": 10, "path": "/v1/mgmt/tenant/patch"}})
    with pytest.raises(PartialFailure) as caught:
        created(provider, acme(adopt=True))
    assert "acme-adopt.json" in str(caught.value)
    assert "acme" in app.backend.tenants  # never deleted: it was not ours


def test_create__settings_rejected_rolls_back(
    provider: TenantProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    app.set_faults({"fail500": {"count": 10, "path": "/v1/mgmt/tenant/settings"}})
    with pytest.raises(PartialFailure) as caught:
        created(provider, acme(settings=SETTINGS))
    assert "acme" not in app.backend.tenants
    text = str(caught.value)
    assert text.startswith('Unable to create Descope tenant "acme": the tenant was created but')
    assert "setting its settings failed, so it was deleted again" in text
    assert "(Descope answered 500" in text
    # even a rollback deletes nothing without a snapshot
    [path] = snapshots(backup_dir)
    assert path.name.endswith("-tenant-acme-delete.json")
    assert json.loads(path.read_text())["content"]["tenant"]["name"] == "Acme"


def test_create__failed_rollback_says_what_is_left(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    app.set_faults({"fail500": {"count": 100}})
    app.set_faults({"fail500": {"count": 100, "path": "/v1/mgmt/tenant/updateDefaultRoles"}})

    original = app.backend.delete_tenant

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise exceptions.DescopeApiError(403, "E099403", "Forbidden")

    app.backend.delete_tenant = refuse  # type: ignore[method-assign]
    try:
        with pytest.raises(PartialFailure) as caught:
            created(provider, acme())
    finally:
        app.backend.delete_tenant = original  # type: ignore[method-assign]
    text = str(caught.value)
    assert "deleting it again also failed" in text
    assert "adopt: true" in text
    assert "acme" in app.backend.tenants


def test_create__500_that_did_not_create_is_tried_again(
    provider: TenantProvider, app: EmulatorApp, sleeps: Sleeps
) -> None:
    app.set_faults({"fail500": {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    created(provider, acme(defaultRoles=[]))
    assert counts(app) == {"POST /v1/mgmt/tenant/create": 2, "GET /v1/mgmt/tenant": 1}
    assert len(sleeps.waits) == 1


def test_create__500_that_did_create_is_not_repeated(
    provider: TenantProvider, descope: DescopeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = descope.mgmt.tenant.create

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_create(*args, **kwargs)
        raise AuthException(500, "server error", '{"errorCode":"E010009"}')

    monkeypatch.setattr(descope.mgmt.tenant, "create", create_then_fail)
    _, outputs = created(provider, acme())
    assert outputs["name"] == "Acme"


def made_long_ago(app: EmulatorApp, descope: DescopeClient, name: str = "Acme") -> None:
    """A tenant "acme" someone made an hour ago, with users' data in it."""
    clock = app.backend.now
    app.backend.now = lambda: clock() - 3600
    try:
        descope.mgmt.tenant.create(name, "acme", ["acme.com"], custom_attributes={"plan": "x"})
    finally:
        app.backend.now = clock


@pytest.mark.parametrize("fault", ["fail500", "dropConnections"])
def test_create__error_then_an_older_same_named_tenant_is_not_taken_over(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, fault: str
) -> None:
    made_long_ago(app, descope)
    app.set_faults({fault: {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    with pytest.raises(TenantAlreadyExists, match="adopt: true"):
        created(provider, acme(settings=SETTINGS))
    held = app.backend.tenants["acme"]
    assert (held.custom_attributes, held.auth_type) == ({"plan": "x"}, "none")  # untouched


def test_create__sdk_repeat_answering_duplicate_for_our_own_tenant_is_success(
    provider: TenantProvider, descope: DescopeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK repeats a POST answered 503; the first did create, so the repeat answers 400."""
    real_create = descope.mgmt.tenant.create

    def create_then_duplicate(*args: Any, **kwargs: Any) -> Any:
        real_create(*args, **kwargs)
        raise AuthException(400, "server error", '{"errorCode":"E011003","errorMessage":"dup"}')

    monkeypatch.setattr(descope.mgmt.tenant, "create", create_then_duplicate)
    _, outputs = created(provider, acme(settings=SETTINGS))
    assert outputs["name"] == "Acme"


def test_create__duplicate_answer_for_an_older_tenant_says_adopt(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    made_long_ago(app, descope)
    with pytest.raises(TenantAlreadyExists):
        created(provider, acme())
    assert app.backend.tenants["acme"].custom_attributes == {"plan": "x"}


def test_create__recent_tenant_within_the_clock_skew_is_ours(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    """Descope's clock may run behind ours: a createdTime a little before we started is ours."""
    clock = app.backend.now
    app.backend.now = lambda: clock() - (tenant_create.CREATE_CLOCK_SKEW - 30)
    real_create = descope.mgmt.tenant.create

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_create(*args, **kwargs)
        raise AuthException(500, "server error", '{"errorCode":"E010009"}')

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(descope.mgmt.tenant, "create", create_then_fail)
        created(provider, acme())
    app.backend.now = clock
    assert app.backend.tenants["acme"].name == "Acme"


def test_create__500_every_time_gives_up(provider: TenantProvider, app: EmulatorApp) -> None:
    app.set_faults({"fail500": {"count": 100, "path": "/v1/mgmt/tenant/create"}})
    with pytest.raises(DescopeApiError) as caught:
        created(provider, acme())
    assert caught.value.status == 500
    assert counts(app)["POST /v1/mgmt/tenant/create"] == 3


def test_create__invalid_inputs_without_check(provider: TenantProvider) -> None:
    with pytest.raises(InvalidInputError, match=r"tenantId: tenant id"):
        provider.create(acme(tenantId="bad id"))


# --- read ------------------------------------------------------------------------------------


def test_read__right_after_create_shows_nothing_new(provider: TenantProvider) -> None:
    inputs, outputs = created(provider, acme(settings=SETTINGS))
    result = provider.read("acme", outputs)
    assert result.id == "acme"
    assert result.outs == outputs
    assert result.inputs == inputs


def test_read__shows_out_of_band_edits(provider: TenantProvider, descope: DescopeClient) -> None:
    inputs, outputs = created(provider, acme(settings=SETTINGS))
    descope.mgmt.tenant.update("acme", "Acme Renamed", ["acme.com"])
    descope.mgmt.tenant.update_settings("acme", ["acme.com"], auth_type="oidc")
    result = provider.read("acme", outputs)
    assert result.inputs is not None
    assert result.outs is not None
    assert result.inputs["name"] == "Acme Renamed"
    assert result.inputs["customAttributes"] == {}
    assert result.inputs["settings"]["authType"] == "oidc"
    assert provider.diff("acme", result.outs, inputs).changes is True


NO_LIFETIMES = {
    "authType": "oidc",
    "enableInactivity": True,
    "inactivityTime": 2,
    "inactivityTimeUnit": "hours",
}
ALL_LIFETIMES = {
    **SETTINGS,
    "refreshTokenExpiration": 4,
    "refreshTokenExpirationUnit": "weeks",
    "stepupTokenExpiration": 5,
    "stepupTokenExpirationUnit": "minutes",
    **NO_LIFETIMES,
}


@pytest.mark.parametrize("settings", [SETTINGS, NO_LIFETIMES, ALL_LIFETIMES, {}])
def test_read__no_drift_after_create_whatever_the_lifetimes(
    provider: TenantProvider, app: EmulatorApp, settings: dict[str, Any]
) -> None:
    inputs, outputs = created(provider, acme(settings=settings))
    assert app.backend.tenants["acme"].settings.enabled is ("sessionTokenExpiration" in settings)
    result = provider.read("acme", outputs)
    assert (result.outs, result.inputs) == (outputs, inputs)
    assert provider.diff("acme", outputs, inputs).changes is False


def test_read__custom_lifetimes_turned_off_in_the_console_are_drift(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs, outputs = created(provider, acme(settings=ALL_LIFETIMES))
    app.backend.tenants["acme"].settings.enabled = False  # values kept, no longer in force
    result = provider.read("acme", outputs)
    assert result.inputs is not None
    assert result.outs is not None
    read_settings = result.inputs["settings"]
    for key in ("sessionToken", "refreshToken", "stepupToken"):
        assert read_settings[f"{key}Expiration"] is None
        assert read_settings[f"{key}ExpirationUnit"] is None
    assert (read_settings["inactivityTime"], read_settings["inactivityTimeUnit"]) == (2, "hours")
    assert provider.diff("acme", result.outs, inputs).changes is True
    update(provider, result.outs, acme(settings=ALL_LIFETIMES))
    assert descope.mgmt.tenant.load_settings("acme")["enabled"] is True


def test_create__adopt_turns_custom_lifetimes_back_on(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme", "acme", ["acme.com", "acme.io"])
    descope.mgmt.tenant.update_settings(
        "acme",
        ["acme.com", "acme.io"],
        domains=["sso.acme.com"],
        auth_type="saml",
        session_settings_enabled=False,
        session_token_expiration=30,
        session_token_expiration_unit="minutes",
    )
    created(provider, acme(adopt=True, settings=SETTINGS, customAttributes={}, defaultRoles=[]))
    assert descope.mgmt.tenant.load_settings("acme")["enabled"] is True


def test_read__keeps_flags_and_unmanaged_settings(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp
) -> None:
    _, outputs = created(provider, acme(adopt=True, cascadeDelete=True))
    descope.mgmt.tenant.update_settings("acme", ["acme.com"], auth_type="oidc")
    app.counters.reset()
    result = provider.read("acme", outputs)
    assert result.inputs is not None
    assert result.outs is not None
    assert (result.inputs["adopt"], result.inputs["cascadeDelete"]) == (True, True)
    assert result.inputs["settings"] is None
    assert result.outs["authType"] == "oidc"
    assert counts(app) == {"GET /v1/mgmt/tenant": 1}


@pytest.mark.parametrize("status", [400, 404])
def test_read__gone_tenant_is_dropped(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, status: int
) -> None:
    app.set_options(not_found_status=status)
    _, outputs = created(provider, acme())
    descope.mgmt.tenant.delete("acme")
    result = provider.read("acme", outputs)
    assert (result.id, result.outs) == (None, {})


def test_read__settings_gone_is_gone(
    provider: TenantProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    monkeypatch.setattr("providers.tenant._load_settings", lambda *_: None)
    assert provider.read("acme", outputs).id is None


# --- update ----------------------------------------------------------------------------------


def update(
    provider: TenantProvider, outputs: dict[str, Any], props: dict[str, Any]
) -> dict[str, Any]:
    news = checked(provider, props)
    result = provider.update("acme", outputs, news)
    assert result.outs is not None
    assert provider.diff("acme", result.outs, news).changes is False
    return result.outs


def test_update__tenant_field_patches_every_managed_field_once(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    descope.mgmt.tenant.patch_tenant("acme", federated_app_ids=["app1"])
    outputs = provider.read("acme", outputs).outs or {}
    app.counters.reset()
    outs = update(provider, outputs, acme(name="Acme 2", settings=SETTINGS))
    assert counts(app) == {"PATCH /v1/mgmt/tenant/patch": 1}  # tenant fields: one PATCH
    assert app.requests()[-1].body == {
        "id": "acme",
        "name": "Acme 2",
        "selfProvisioningDomains": ["acme.com", "acme.io"],
        "customAttributes": {"seats": 3, "tier": "gold"},
        "enforceSSO": False,
        "enforceSSOExclusions": [],
        "disabled": False,
    }
    held = app.backend.tenants["acme"]
    assert (held.name, held.custom_attributes, held.federated_app_ids) == (
        "Acme 2",
        {"tier": "gold", "seats": 3},
        ["app1"],
    )
    assert held.self_provisioning_domains == ["acme.com", "acme.io"]
    assert outs["federatedAppIds"] == ["app1"]


def test_update__patch_clears_managed_fields_set_outside_pulumi(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(provider, acme(enforceSSO=True, enforceSSOExclusions=["u1"]))
    descope.mgmt.tenant.patch_tenant("acme", custom_attributes={"tier": "gold", "x": 1})
    update(provider, outputs, acme(selfProvisioningDomains=[], customAttributes={}))
    held = app.backend.tenants["acme"]
    assert (held.self_provisioning_domains, held.custom_attributes) == ([], {})
    assert (held.enforce_sso, held.enforce_sso_exclusions) == (False, [])


@pytest.mark.parametrize("with_settings", [False, True], ids=["tenant", "tenant+settings"])
def test_update__keeps_what_pulumi_does_not_manage(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient, with_settings: bool
) -> None:
    """federatedAppIds and roleInheritance set in the console after the state was recorded
    survive an update of the tenant fields and of the settings."""
    _, outputs = created(provider, acme(settings=SETTINGS))
    descope.mgmt.tenant.patch_tenant(
        "acme", federated_app_ids=["app1"], role_inheritance="userOnly"
    )
    settings = {**SETTINGS, "authType": "oidc"} if with_settings else SETTINGS
    update(provider, outputs, acme(name="Acme 2", settings=settings))
    held = app.backend.tenants["acme"]
    assert (held.name, held.auth_type) == ("Acme 2", settings["authType"])
    assert (held.federated_app_ids, held.role_inheritance) == (["app1"], "userOnly")


def test_update__settings_only(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    app.counters.reset()
    outs = update(provider, outputs, acme(settings={**SETTINGS, "authType": "oidc"}))
    # load settings (to send ssoSetupSuiteSettings back as held) + settings write
    assert counts(app) == {"GET /v1/mgmt/tenant/settings": 1, "POST /v1/mgmt/tenant/settings": 1}
    assert app.backend.tenants["acme"].auth_type == "oidc"
    assert app.backend.tenants["acme"].self_provisioning_domains == ["acme.com", "acme.io"]
    assert outs["authType"] == "oidc"


def test_update__start_managing_settings(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme())
    outs = update(provider, outputs, acme(settings=SETTINGS))
    assert outs["ssoSetupSuiteSettings"] == SSO_SETUP_SUITE_DEFAULTS
    outs = update(provider, outs, acme())
    assert outs["ssoSetupSuiteSettings"] is None


SSO_SUITE = {"enabled": True, "styleId": "console-style", "disabledFeatures": {"scim": True}}
"""ssoSetupSuiteSettings as an admin sets them in the console (not managed by Pulumi)."""


@pytest.mark.parametrize(
    "answered",
    [None, {}, {"enabled": False}, SSO_SETUP_SUITE_DEFAULTS],
    ids=["absent", "empty", "enabled-only", "every-field"],
)
def test_read__the_sso_setup_suite_reads_the_same_whichever_form_descope_answers(
    provider: TenantProvider, app: EmulatorApp, answered: Any
) -> None:
    # Descope may leave fields at their default out (proto3 JSON): the outputs must not change.
    _, outputs = created(provider, acme(settings=SETTINGS))
    original = app.backend.load_settings

    def load_settings(tenant_id: str | None) -> dict[str, Any]:
        loaded = dict(original(tenant_id))
        loaded.pop("ssoSetupSuiteSettings")
        return loaded if answered is None else {**loaded, "ssoSetupSuiteSettings": answered}

    app.backend.load_settings = load_settings  # type: ignore[method-assign]
    assert provider.read("acme", outputs).outs == outputs


def test_update__start_managing_settings_keeps_the_sso_setup_suite(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(provider, acme())
    app.backend.tenants["acme"].settings.sso_setup_suite_settings = dict(SSO_SUITE)
    outs = update(provider, outputs, acme(settings=SETTINGS))
    assert descope.mgmt.tenant.load_settings("acme")["ssoSetupSuiteSettings"] == sso_setup_suite(
        SSO_SUITE
    )
    assert outs["ssoSetupSuiteSettings"] == sso_setup_suite(SSO_SUITE)
    assert provider.read("acme", outs).outs == outs


def test_update__settings_change_keeps_sso_setup_suite_edited_since_the_state(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    assert outputs["ssoSetupSuiteSettings"] == SSO_SETUP_SUITE_DEFAULTS
    app.backend.tenants["acme"].settings.sso_setup_suite_settings = dict(SSO_SUITE)
    outs = update(provider, outputs, acme(settings={**SETTINGS, "authType": "oidc"}))
    assert descope.mgmt.tenant.load_settings("acme")["ssoSetupSuiteSettings"] == sso_setup_suite(
        SSO_SUITE
    )
    assert outs["ssoSetupSuiteSettings"] == sso_setup_suite(SSO_SUITE)


def test_create__adopt_keeps_the_sso_setup_suite(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Old", "acme")
    app.backend.tenants["acme"].settings.sso_setup_suite_settings = dict(SSO_SUITE)
    _, outputs = created(provider, acme(adopt=True, settings=SETTINGS))
    assert descope.mgmt.tenant.load_settings("acme")["ssoSetupSuiteSettings"] == sso_setup_suite(
        SSO_SUITE
    )
    assert outputs["ssoSetupSuiteSettings"] == sso_setup_suite(SSO_SUITE)


def test_update__roles_only(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme())
    app.counters.reset()
    update(provider, outputs, acme(defaultRoles=["admin", "member"]))
    assert counts(app) == {"POST /v1/mgmt/tenant/updateDefaultRoles": 1}


def test_update__flags_only_call_nothing(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme())
    app.counters.reset()
    outs = update(provider, outputs, acme(cascadeDelete=True, adopt=True))
    assert counts(app) == {}
    assert outs["cascadeDelete"] is True


def test_update__tenant_gone_says_refresh(provider: TenantProvider, descope: DescopeClient) -> None:
    _, outputs = created(provider, acme())
    descope.mgmt.tenant.delete("acme")
    with pytest.raises(DescopeApiError, match="pulumi refresh"):
        provider.update("acme", outputs, checked(provider, acme(name="New")))


def role_not_found(*_: Any, **__: Any) -> Any:
    """Descope's answer about something else that is missing: the words read "not found"."""
    raise exceptions.DescopeApiError(400, "E011004", "Invalid argument", "Role 'ghost' not found")


def test_update__other_not_found_is_not_a_deleted_tenant(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, outputs = created(provider, acme())
    monkeypatch.setattr(app.backend, "update_default_roles", role_not_found)
    with pytest.raises(DescopeApiError) as caught:
        provider.update("acme", outputs, checked(provider, acme(defaultRoles=["ghost"])))
    text = str(caught.value)
    assert "Role 'ghost' not found" in text
    assert "no longer exists" not in text
    assert "pulumi refresh" not in text


@pytest.mark.parametrize("status", [400, 404])
def test_update__tenant_gone_is_confirmed_then_says_refresh(
    provider: TenantProvider, descope: DescopeClient, app: EmulatorApp, status: int
) -> None:
    app.set_options(not_found_status=status)
    _, outputs = created(provider, acme())
    descope.mgmt.tenant.delete("acme")
    with pytest.raises(DescopeApiError, match="no longer exists in Descope"):
        provider.update("acme", outputs, checked(provider, acme(defaultRoles=["admin"])))


def test_update__500_is_retried(provider: TenantProvider, app: EmulatorApp, sleeps: Sleeps) -> None:
    _, outputs = created(provider, acme())
    app.set_faults({"fail500": {"count": 1, "path": "/v1/mgmt/tenant/patch"}})
    app.counters.reset()
    update(provider, outputs, acme(name="New"))
    assert counts(app) == {"PATCH /v1/mgmt/tenant/patch": 2}
    assert sleeps.waits == [0.01]


def test_update__other_errors_pass_through(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    _, outputs = created(provider, acme())
    descope.mgmt.tenant.create("Taken", "other")
    with pytest.raises(DescopeApiError, match="already exists"):
        provider.update("acme", outputs, checked(provider, acme(name="Taken")))


# --- delete ----------------------------------------------------------------------------------


def test_delete__snapshots_then_deletes(
    provider: TenantProvider, app: EmulatorApp, backup_dir: Path
) -> None:
    _, outputs = created(provider, acme(settings=SETTINGS))
    app.counters.reset()
    provider.delete("acme", outputs)
    assert "acme" not in app.backend.tenants
    assert counts(app) == {
        "GET /v1/mgmt/tenant": 1,
        "GET /v1/mgmt/tenant/settings": 1,
        "GET /v2/mgmt/sso/settings/all": 1,
        "POST /v1/mgmt/role/search": 1,
        "POST /v1/mgmt/accesskey/search": 1,
        "POST /v1/mgmt/tenant/delete": 1,
    }
    [path] = snapshots(backup_dir)
    body = json.loads(path.read_text())
    assert body["content"]["tenant"]["name"] == "Acme"
    assert body["content"]["settings"]["authType"] == "saml"
    assert app.requests()[-1].body == {"id": "acme", "cascade": False}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_delete__not_found_that_cannot_be_confirmed_is_an_error(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    created(provider, acme())
    monkeypatch.setattr(app.backend, "delete_tenant", role_not_found)

    def load_fails(*_: Any) -> Any:
        raise DescopeApiError("Unable to load.", status=500)

    monkeypatch.setattr("providers.tenant._load", load_fails)
    with pytest.raises(DescopeApiError, match="Role 'ghost' not found"):
        tenant._delete("acme", cascade=False, doing="delete it", snapshot=Path("snap.json"))
    assert "acme" in app.backend.tenants


@pytest.mark.parametrize("created_time", [None, "1726067547", True])
def test_create__existing_tenant_without_a_numeric_created_time_is_not_recent(
    created_time: Any,
) -> None:
    existing = {"id": "acme", "name": "Acme", "createdTime": created_time}
    assert tenant_create._recent(existing, 0.0) is False
    assert tenant_create._recent({**existing, "createdTime": 10**10}, 0.0) is True


def test_delete__cascade_only_when_asked(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme(cascadeDelete=True))
    provider.delete("acme", outputs)
    assert app.requests()[-1].body == {"id": "acme", "cascade": True}


def test_delete__already_gone_is_success(
    provider: TenantProvider, descope: DescopeClient, backup_dir: Path
) -> None:
    _, outputs = created(provider, acme())
    descope.mgmt.tenant.delete("acme")
    provider.delete("acme", outputs)
    assert snapshots(backup_dir) == []


@pytest.mark.parametrize("status", [400, 404])
def test_delete__gone_between_load_and_delete_is_success(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    app.set_options(not_found_status=status)
    _, outputs = created(provider, acme())
    real = app.backend.load_settings

    def vanish(tenant_id: str | None) -> Any:
        answer = real(tenant_id)
        app.backend.tenants.pop("acme")
        return answer

    monkeypatch.setattr(app.backend, "load_settings", vanish)
    provider.delete("acme", outputs)


def test_delete__refused_is_an_error(provider: TenantProvider, app: EmulatorApp) -> None:
    _, outputs = created(provider, acme())
    app.backend.create_tenant({"name": "Child", "id": "child", "parent": "acme"})
    with pytest.raises(DescopeApiError) as caught:
        provider.delete("acme", outputs)
    assert caught.value.status == 400
    text = str(caught.value)
    assert text.startswith(
        'Unable to delete Descope tenant "acme": Descope refused to delete the tenant '
        "(Descope answered 400 E011003:"
    )
    assert "successor" in text
    assert text.endswith(
        "If the tenant has sub-tenants, set cascadeDelete: true on it and run pulumi up, "
        "or delete the sub-tenants first."
    )
    assert "fix the field it names" not in text
    assert "acme" in app.backend.tenants


def test_delete__other_not_found_is_not_success(
    provider: TenantProvider, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that only reads like "not found" while the tenant still exists must fail the
    delete: else Pulumi drops from its state a tenant that still exists."""
    _, outputs = created(provider, acme())
    monkeypatch.setattr(app.backend, "delete_tenant", role_not_found)
    with pytest.raises(DescopeApiError, match="Role 'ghost' not found"):
        provider.delete("acme", outputs)
    assert "acme" in app.backend.tenants


# --- errors through the SDK --------------------------------------------------------------------


def test_error__401_names_where_the_key_came_from(
    app: EmulatorApp, monkeypatch: pytest.MonkeyPatch, backup_dir: Path, sleeps: Sleeps
) -> None:
    wrong = inprocess_descope(app, monkeypatch, management_key="K-wrong")
    client.configure(
        {"descope:projectId": app.options.project_id, "descope:managementKey": "K-wrong"}
    )
    try:
        with client.use_management(wrong.mgmt), pytest.raises(DescopeApiError) as caught:
            TenantProvider(backup_dir=str(backup_dir)).create(checked(TenantProvider(), acme()))
    finally:
        client.configure({})
    text = str(caught.value)
    assert caught.value.status == 401
    assert "Descope answered 401" in text
    assert "management key from stack config descope:managementKey" in text
    assert "K-wrong" not in text


def test_error__403_says_permission(
    provider: TenantProvider, descope: DescopeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*_: Any, **__: Any) -> Any:
        raise AuthException(403, "server error", '{"errorCode":"E099403","errorDescription":"no"}')

    monkeypatch.setattr(descope.mgmt.tenant, "create", forbidden)
    with pytest.raises(DescopeApiError, match="lacks permission"):
        created(provider, acme())


def test_error__429_storm_waits_retry_after_within_bound(
    provider: TenantProvider, app: EmulatorApp, sleeps: Sleeps
) -> None:
    app.set_faults({"rateLimit": {"limit": 0, "windowSeconds": 60, "retryAfter": 7}})
    with pytest.raises(DescopeApiError) as caught:
        created(provider, acme())
    assert caught.value.status == 429
    assert sleeps.waits == [7.0, 7.0, 7.0, 7.0]  # 28 s of the 30 s allowed
    assert "rate limiting" in str(caught.value)


def test_error__429_then_success(
    provider: TenantProvider, app: EmulatorApp, sleeps: Sleeps
) -> None:
    app.set_faults({"rateLimit": {"limit": 2, "windowSeconds": 60, "retryAfter": 2}})
    created(provider, acme(defaultRoles=[]))  # create and load admitted
    app.set_faults({})
    assert sleeps.waits == []


def test_error__dropped_connection_on_read_is_retried(
    provider: TenantProvider, app: EmulatorApp, sleeps: Sleeps
) -> None:
    _, outputs = created(provider, acme())
    app.set_faults({"dropConnections": {"count": 1}})
    assert provider.read("acme", outputs).id == "acme"
    assert len(sleeps.waits) == 1


def test_error__dropped_connection_on_create_checks_before_retrying(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    app.set_faults({"dropConnections": {"count": 1, "path": "/v1/mgmt/tenant/create"}})
    created(provider, acme(defaultRoles=[]))
    assert counts(app)["POST /v1/mgmt/tenant/create"] == 2


# --- the provider object ---------------------------------------------------------------------


def test_provider__pickled_blob_is_small_and_keyless(app: EmulatorApp) -> None:
    client.configure(
        {"descope:projectId": app.options.project_id, "descope:managementKey": "K-secret-bytes"}
    )
    try:
        provider = TenantProvider(stack="dev")
        blob = pulumi_dynamic.serialize_provider(provider)
    finally:
        client.configure({})
    assert len(blob) < 1024
    assert "K-secret-bytes" not in blob
    raw = base64.b64decode(blob)
    assert b"K-secret-bytes" not in raw
    assert vars(provider) == {"stack": "dev"}


def test_provider__configure_passes_stack_config(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(client, "configure", seen.update)
    raw = {"descope:projectId": "Pabc1234", "descope:managementKey": "K", "other:x": "1"}
    TenantProvider().configure(ConfigureRequest(Config(raw, "descope-config")))
    assert seen == {
        "descope:projectId": "Pabc1234",
        "descope:managementKey": "K",
        "descope:baseUrl": None,
    }


def test_comparable__fills_defaults() -> None:
    assert comparable({})["settings"] is None
    assert comparable({"settings": {}})["settings"]["authType"] == "none"


def test_tenant_props__from_spec_and_mapping() -> None:
    spec = TenantSpec.model_validate({"id": "acme", "name": "Acme", "protect": True})
    assert tenant_props(spec)["tenantId"] == "acme"
    assert "protect" not in tenant_props(spec)
    assert tenant_props({"id": "x", "name": "X"}) == {"tenantId": "x", "name": "X"}


def test_read__a_name_descope_holds_in_another_unicode_form_is_no_drift(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    """Checked inputs are NFC; Descope holding the NFD form (a console edit) is no change."""
    descope.mgmt.role.create("g\u00e9rant")
    inputs, outputs = created(provider, acme(name="Cafe\u0301 Corp", defaultRoles=["ge\u0301rant"]))
    assert (inputs["name"], inputs["defaultRoles"]) == ("Caf\u00e9 Corp", ["g\u00e9rant"])
    descope.mgmt.tenant.patch_tenant("acme", name="Cafe\u0301 Corp")
    result = provider.read("acme", outputs)
    assert result.outs is not None
    assert result.outs["name"] == "Cafe\u0301 Corp"
    assert provider.diff("acme", result.outs, inputs).changes is False
