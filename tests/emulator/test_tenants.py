"""Tenant endpoints, driven through the real SDK (over HTTP and in-process)."""

from __future__ import annotations

import re

import pytest
from descope import AuthException

from tests.emulator.conftest import Sdk, error_body

ATTRIBUTES = {
    "k": {"type": "string", "displayName": "K"},
    "x": {"type": "number", "displayName": "X"},
    "tier": {"type": "singleselect", "displayName": "Tier", "options": ["gold", "silver"]},
    "region": {"type": "string", "displayName": "Region"},
}
"""The custom attributes this module's tenants carry."""


@pytest.fixture(autouse=True)
def _define_attributes(sdk: Sdk) -> None:
    sdk.app.set_tenant_attributes(ATTRIBUTES)


EMPTY_TENANT_FIELDS = {
    "customAttributes": {},
    "authType": "none",
    "domains": [],
    "disabled": False,
    "enforceSSO": False,
    "enforceSSOExclusions": [],
    "federatedAppIds": [],
    "parent": "",
    "successors": [],
    "defaultRoles": [],
    "roleInheritance": "",
}


def test_create_tenant__returns_id_and_load_gives_every_field(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sdk.app.backend, "now", lambda: 1726067547.9)
    assert sdk.tenant.create("Acme", "acme", ["acme.com"]) == {"id": "acme"}

    assert sdk.tenant.load("acme") == {
        "id": "acme",
        "name": "Acme",
        "selfProvisioningDomains": ["acme.com"],
        "createdTime": 1726067547,
        **EMPTY_TENANT_FIELDS,
    }


def test_create_tenant__without_id_generates_T_plus_27_base62(sdk: Sdk) -> None:
    tenant_id = sdk.tenant.create("Acme")["id"]

    assert re.fullmatch(r"T[0-9A-Za-z]{27}", tenant_id)
    assert sdk.tenant.load(tenant_id)["name"] == "Acme"


def test_create_tenant__created_time_is_int_unix_seconds(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    created = sdk.tenant.load("acme")["createdTime"]
    assert isinstance(created, int)
    assert 1_600_000_000 < created < 10_000_000_000


def test_create_tenant__all_optional_fields(sdk: Sdk) -> None:
    sdk.tenant.create(
        "Acme",
        "acme",
        ["acme.com"],
        {"k": "v"},
        enforce_sso=True,
        enforce_sso_exclusions=["u1"],
        federated_app_ids=["app1"],
        disabled=True,
    )

    loaded = sdk.tenant.load("acme")
    assert loaded["customAttributes"] == {"k": "v"}
    assert loaded["enforceSSO"] is True
    assert loaded["enforceSSOExclusions"] == ["u1"]
    assert loaded["federatedAppIds"] == ["app1"]
    assert loaded["disabled"] is True


def test_create_tenant__duplicate_id_is_400(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Other", "acme")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011003"
    assert "already exists" in body["errorMessage"]


def test_create_tenant__duplicate_name_is_400(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Acme", "acme2")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011003"
    assert "name 'Acme' already exists" in body["errorMessage"]


def test_create_tenant__empty_name_is_400_name_required(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.create("", "acme")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011002"
    assert body["errorMessage"] == "The name field is required"


@pytest.mark.parametrize("domain", ["not a domain", "acme", "-acme.com", "acme..com"])
def test_create_tenant__malformed_domain_is_400_invalid_argument(sdk: Sdk, domain: str) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Acme", "acme", [domain])

    assert err.value.status_code == 400
    assert error_body(err)["errorCode"] == "E011004"
    assert sdk.tenant.load_all() == {"tenants": []}


def test_update_tenant__replaces_every_field(sdk: Sdk) -> None:
    sdk.tenant.create(
        "Acme",
        "acme",
        ["acme.com"],
        {"k": "v"},
        enforce_sso=True,
        enforce_sso_exclusions=["u1"],
        federated_app_ids=["app1"],
        disabled=True,
    )
    sdk.tenant.patch_tenant("acme", role_inheritance="none")
    created = sdk.tenant.load("acme")

    sdk.tenant.update("acme", "Acme Corp")

    assert sdk.tenant.load("acme") == {
        "id": "acme",
        "name": "Acme Corp",
        "selfProvisioningDomains": [],
        "createdTime": created["createdTime"],
        **EMPTY_TENANT_FIELDS,
    }


def test_update_tenant__keeps_settings_owned_fields_and_default_roles(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")
    sdk.tenant.update_settings("acme", [], domains=["acme.com"], auth_type="saml")
    sdk.client.mgmt.role.create("viewer")
    sdk.tenant.update_default_roles("acme", ["viewer"])

    sdk.tenant.update("acme", "Acme", ["acme.com"])

    loaded = sdk.tenant.load("acme")
    assert (loaded["authType"], loaded["domains"]) == ("saml", ["acme.com"])
    assert loaded["defaultRoles"] == ["viewer"]
    assert loaded["selfProvisioningDomains"] == ["acme.com"]


def test_update_tenant__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.update("ghost", "Ghost")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E099001"
    assert body["errorDescription"] == "Tenant not found"


def test_update_tenant__empty_id_is_400_id_required(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.update("", "Acme")

    body = error_body(err)
    assert body["errorCode"] == "E011002"
    assert body["errorMessage"] == "The id field is required"


def test_update_tenant__to_a_taken_name_is_400(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")
    sdk.tenant.create("Beta", "beta")

    with pytest.raises(AuthException) as err:
        sdk.tenant.update("beta", "Acme")

    assert error_body(err)["errorCode"] == "E011003"
    assert sdk.tenant.load("beta")["name"] == "Beta"


def test_update_tenant__keeping_its_own_name_is_fine(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    sdk.tenant.update("acme", "Acme", disabled=True)

    assert sdk.tenant.load("acme")["disabled"] is True


def test_patch_tenant__changes_only_present_keys(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"], {"k": "v"}, enforce_sso=True)

    sdk.tenant.patch_tenant("acme", disabled=True)
    sdk.tenant.patch_tenant("acme", federated_app_ids=["app"], enforce_sso_exclusions=["u"])

    loaded = sdk.tenant.load("acme")
    assert loaded["disabled"] is True
    assert loaded["name"] == "Acme"
    assert loaded["selfProvisioningDomains"] == ["acme.com"]
    assert loaded["customAttributes"] == {"k": "v"}
    assert loaded["enforceSSO"] is True
    assert (loaded["federatedAppIds"], loaded["enforceSSOExclusions"]) == (["app"], ["u"])


def test_patch_tenant__every_key(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    sdk.tenant.patch_tenant(
        "acme",
        name="Acme 2",
        self_provisioning_domains=["a.com"],
        custom_attributes={"x": 1},
        disabled=False,
        enforce_sso=False,
        role_inheritance="none",
    )

    loaded = sdk.tenant.load("acme")
    assert loaded["name"] == "Acme 2"
    assert loaded["selfProvisioningDomains"] == ["a.com"]
    assert loaded["customAttributes"] == {"x": 1}
    assert loaded["roleInheritance"] == "none"


def test_patch_tenant__to_a_taken_name_is_400(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")
    sdk.tenant.create("Beta", "beta")

    with pytest.raises(AuthException) as err:
        sdk.tenant.patch_tenant("beta", name="Acme")

    assert error_body(err)["errorCode"] == "E011003"


def test_patch_tenant__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.patch_tenant("ghost", name="Ghost")

    assert err.value.status_code == 400
    assert error_body(err)["errorCode"] == "E099001"


def test_delete_tenant__removes_it(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    sdk.tenant.delete("acme")

    assert sdk.tenant.load_all() == {"tenants": []}


def test_delete_tenant__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.delete("ghost")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E099001"
    assert "ghost" in body["errorMessage"]


def test_delete_tenant__empty_id_is_400_id_required(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.delete("")

    assert error_body(err)["errorMessage"] == "The id field is required"


def _family(sdk: Sdk) -> None:
    """parent ← child ← grandchild, plus an unrelated tenant."""
    sdk.app.backend.create_tenant({"name": "Parent", "id": "parent"})
    sdk.app.backend.create_tenant({"name": "Child", "id": "child", "parent": "parent"})
    sdk.app.backend.create_tenant({"name": "Grandchild", "id": "grand", "parent": "child"})
    sdk.app.backend.create_tenant({"name": "Other", "id": "other"})


def test_tenant__successors_and_parent_are_reported(sdk: Sdk) -> None:
    _family(sdk)

    assert sdk.tenant.load("parent")["successors"] == ["child"]
    assert sdk.tenant.load("child")["parent"] == "parent"
    assert sdk.tenant.load("grand")["successors"] == []


def test_tenant_listing_and_search__report_each_tenants_successors(sdk: Sdk) -> None:
    _family(sdk)
    expected = {"parent": ["child"], "child": ["grand"], "grand": []}

    listed = {t["id"]: t["successors"] for t in sdk.tenant.load_all()["tenants"]}
    found = {
        t["id"]: t["successors"] for t in sdk.tenant.search_all(ids=["child", "grand"])["tenants"]
    }

    assert {k: listed[k] for k in expected} == expected
    assert found == {"child": ["grand"], "grand": []}


def test_delete_tenant__with_successors_and_no_cascade_fails(sdk: Sdk) -> None:
    _family(sdk)

    with pytest.raises(AuthException) as err:
        sdk.tenant.delete("parent")

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011003"
    assert "cascade" in body["errorMessage"]
    assert len(sdk.tenant.load_all()["tenants"]) == 4


def test_delete_tenant__cascade_deletes_successors(sdk: Sdk) -> None:
    _family(sdk)

    sdk.tenant.delete("parent", cascade=True)

    assert [t["id"] for t in sdk.tenant.load_all()["tenants"]] == ["other"]


def test_deleted_successor__leaves_its_parents_successors_and_a_new_one_joins_them(
    sdk: Sdk,
) -> None:
    _family(sdk)

    sdk.tenant.delete("grand")
    sdk.app.backend.create_tenant({"name": "Sibling", "id": "sibling", "parent": "parent"})
    sdk.app.backend.create_tenant({"name": "Grandchild", "id": "grand", "parent": "other"})

    assert sdk.tenant.load("child")["successors"] == []
    assert sdk.tenant.load("parent")["successors"] == ["child", "sibling"]
    assert sdk.tenant.load("other")["successors"] == ["grand"]


def test_reset__forgets_successors(sdk: Sdk) -> None:
    _family(sdk)

    sdk.app.reset()
    sdk.app.backend.create_tenant({"name": "Parent", "id": "parent"})

    assert sdk.tenant.load("parent")["successors"] == []


def test_load_tenant__missing_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.load("ghost")

    assert err.value.status_code == 400
    assert error_body(err)["errorCode"] == "E099001"


def test_load_tenant__id_is_form_decoded(sdk: Sdk) -> None:
    sdk.tenant.create("Odd", "t 1/x")

    assert sdk.tenant.load("t 1/x")["id"] == "t 1/x"


def test_load_tenant__option_not_found_status_404(sdk: Sdk) -> None:
    sdk.app.set_options(not_found_status=404)

    for method in ("load", "delete", "load_settings"):
        with pytest.raises(AuthException) as err:
            getattr(sdk.tenant, method)("ghost")
        assert err.value.status_code == 404
        assert error_body(err)["errorCode"] == "E099001"


def test_load_all_tenants__empty_is_empty_list(sdk: Sdk) -> None:
    assert sdk.tenant.load_all() == {"tenants": []}


def test_load_all_tenants__in_creation_order(sdk: Sdk) -> None:
    for name in ("b", "a", "c"):
        sdk.tenant.create(name.upper(), name)

    assert [t["id"] for t in sdk.tenant.load_all()["tenants"]] == ["b", "a", "c"]


def _search_fixture(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"], {"tier": "gold", "region": "eu"})
    sdk.tenant.create("Beta", "beta", ["beta.io", "shared.org"], {"tier": "gold"})
    sdk.tenant.create("Gamma", "gamma", ["shared.org"], {"tier": "silver"})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["acme", "beta", "gamma"]),
        ({"ids": ["beta", "nope"]}, ["beta"]),
        ({"names": ["Gamma", "Acme"]}, ["acme", "gamma"]),
        ({"names": ["acme"]}, []),
        ({"self_provisioning_domains": ["shared.org"]}, ["beta", "gamma"]),
        ({"custom_attributes": {"tier": "gold"}}, ["acme", "beta"]),
        ({"custom_attributes": {"tier": "gold", "region": "eu"}}, ["acme"]),
        ({"ids": ["acme", "beta"], "custom_attributes": {"tier": "silver"}}, []),
        ({"ids": []}, ["acme", "beta", "gamma"]),
    ],
)
def test_search_tenants__exact_match_filters(
    sdk: Sdk, kwargs: dict[str, object], expected: list[str]
) -> None:
    _search_fixture(sdk)

    found = sdk.tenant.search_all(**kwargs)["tenants"]

    assert [t["id"] for t in found] == expected
    if found:
        assert set(found[0]) == set(EMPTY_TENANT_FIELDS) | {
            "id",
            "name",
            "selfProvisioningDomains",
            "createdTime",
        }


def test_search_tenants__extra_filters_of_other_sdks(sdk: Sdk) -> None:
    _family(sdk)
    sdk.tenant.update_settings("other", [], domains=["other.com"], auth_type="oidc")
    backend = sdk.app.backend

    def ids(body: dict[str, object]) -> list[str]:
        return [t["id"] for t in backend.search_tenants(body)["tenants"]]

    assert ids({"parentTenantId": "parent"}) == ["child"]
    assert ids({"topLevelOnly": True}) == ["parent", "other"]
    assert ids({"authType": "oidc"}) == ["other"]
    assert ids({"tenantSSODomains": ["other.com"]}) == ["other"]


def test_settings__fresh_tenant_has_zero_values(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"])

    assert sdk.tenant.load_settings("acme") == {
        "domains": [],
        "selfProvisioningDomains": ["acme.com"],
        "authType": "none",
        "enabled": False,
        "refreshTokenExpiration": 0,
        "refreshTokenExpirationUnit": "",
        "sessionTokenExpiration": 0,
        "sessionTokenExpirationUnit": "",
        "stepupTokenExpiration": 0,
        "stepupTokenExpirationUnit": "",
        "enableInactivity": False,
        "inactivityTime": 0,
        "inactivityTimeUnit": "",
        "JITDisabled": False,
        "ssoSetupSuiteSettings": {
            "enabled": False,
            "styleId": "",
            "disabledFeatures": {
                "saml": False,
                "oidc": False,
                "scim": False,
                "ssoDomains": False,
                "groupMapping": False,
            },
        },
    }


def test_update_settings__every_field_round_trips(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")

    sdk.tenant.update_settings(
        "acme",
        ["acme.com"],
        domains=["acme.com", "acme.io"],
        auth_type="oidc",
        session_settings_enabled=True,
        refresh_token_expiration=30,
        refresh_token_expiration_unit="days",
        session_token_expiration=10,
        session_token_expiration_unit="minutes",
        stepup_token_expiration=5,
        stepup_token_expiration_unit="minutes",
        enable_inactivity=True,
        inactivity_time=2,
        inactivity_time_unit="hours",
        JITDisabled=True,
        enforce_sso=True,
        enforce_sso_exclusions=["u1"],
        federated_app_ids=["app1"],
    )

    settings = sdk.tenant.load_settings("acme")
    assert settings["domains"] == ["acme.com", "acme.io"]
    assert settings["authType"] == "oidc"
    assert settings["enabled"] is True
    assert (settings["refreshTokenExpiration"], settings["refreshTokenExpirationUnit"]) == (
        30,
        "days",
    )
    assert (settings["sessionTokenExpiration"], settings["sessionTokenExpirationUnit"]) == (
        10,
        "minutes",
    )
    assert settings["stepupTokenExpiration"] == 5
    assert (settings["enableInactivity"], settings["inactivityTime"]) == (True, 2)
    assert settings["inactivityTimeUnit"] == "hours"
    assert settings["JITDisabled"] is True
    tenant = sdk.tenant.load("acme")
    assert tenant["selfProvisioningDomains"] == ["acme.com"]
    assert (tenant["domains"], tenant["authType"]) == (["acme.com", "acme.io"], "oidc")
    assert tenant["enforceSSO"] is True
    assert (tenant["enforceSSOExclusions"], tenant["federatedAppIds"]) == (["u1"], ["app1"])


def test_update_settings__omitted_keys_fall_to_zero_values(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"])
    sdk.tenant.update_settings(
        "acme",
        ["acme.com"],
        domains=["acme.com"],
        auth_type="saml",
        session_settings_enabled=True,
        inactivity_time=3,
        enforce_sso=True,
    )

    sdk.tenant.update_settings("acme", [])

    settings = sdk.tenant.load_settings("acme")
    assert settings["selfProvisioningDomains"] == []
    assert settings["domains"] == []
    assert settings["authType"] == "none"
    assert settings["enabled"] is False
    assert settings["inactivityTime"] == 0
    assert sdk.tenant.load("acme")["enforceSSO"] is True  # tenant-owned: unchanged


def test_update_settings__sso_setup_suite_settings(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")
    sdk.app.backend.update_settings(
        {
            "tenantId": "acme",
            "ssoSetupSuiteSettings": {"enabled": True, "disabledFeatures": {"scim": True}},
        }
    )

    # What was set, and every other documented field at its default.
    assert sdk.tenant.load_settings("acme")["ssoSetupSuiteSettings"] == {
        "enabled": True,
        "styleId": "",
        "disabledFeatures": {
            "saml": False,
            "oidc": False,
            "scim": True,
            "ssoDomains": False,
            "groupMapping": False,
        },
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"auth_type": "kerberos"}, "authType"),
        ({"refresh_token_expiration_unit": "years"}, "refreshTokenExpirationUnit"),
        ({"domains": ["bad domain"]}, "domains"),
        ({"inactivity_time": -1}, "inactivityTime"),
    ],
)
def test_update_settings__bad_values_are_400_invalid_argument(
    sdk: Sdk, kwargs: dict[str, object], field: str
) -> None:
    sdk.tenant.create("Acme", "acme")

    with pytest.raises(AuthException) as err:
        sdk.tenant.update_settings("acme", [], **kwargs)

    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011004"
    assert field in body["errorMessage"]


def test_update_settings__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.update_settings("ghost", [])

    assert error_body(err)["errorCode"] == "E099001"


def test_update_settings__empty_tenant_id_is_400(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.update_settings("", [])

    assert error_body(err)["errorMessage"] == "The tenantId field is required"


def test_load_settings__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.load_settings("ghost")

    assert err.value.status_code == 400
    assert error_body(err)["errorCode"] == "E099001"


def test_update_default_roles__replaces_them(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme")
    sdk.client.mgmt.role.create("role1")
    sdk.client.mgmt.role.create("role2", tenant_id="acme")

    sdk.tenant.update_default_roles("acme", ["role1", "role2"])
    assert sdk.tenant.load("acme")["defaultRoles"] == ["role1", "role2"]
    sdk.tenant.update_default_roles("acme", [])
    assert sdk.tenant.load("acme")["defaultRoles"] == []


def test_update_default_roles__missing_tenant_is_not_found(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.tenant.update_default_roles("ghost", ["r"])

    assert error_body(err)["errorCode"] == "E099001"


def test_option_normalize_domains__lowercases_dedupes_sorts(sdk: Sdk) -> None:
    sdk.app.set_options(normalizeDomains=True)

    sdk.tenant.create("Acme", "acme", ["B.com", " a.com", "b.com"])

    assert sdk.tenant.load("acme")["selfProvisioningDomains"] == ["a.com", "b.com"]
    assert [
        t["id"] for t in sdk.tenant.search_all(self_provisioning_domains=["A.COM"])["tenants"]
    ] == ["acme"]


def test_option_domains_stored_as_given_by_default(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["B.com", "a.com", "B.com"])

    assert sdk.tenant.load("acme")["selfProvisioningDomains"] == ["B.com", "a.com", "B.com"]


def test_option_unique_domains_across_tenants(sdk: Sdk) -> None:
    sdk.tenant.create("Acme", "acme", ["acme.com"])
    sdk.tenant.update_settings("acme", ["acme.com"], domains=["sso.acme.com"])
    sdk.tenant.create("Beta", "beta", ["acme.com"])  # allowed by default
    sdk.app.set_options(unique_domains_across_tenants=True)

    with pytest.raises(AuthException) as err:
        sdk.tenant.create("Gamma", "gamma", ["acme.com"])
    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == "E011003"
    assert body["errorMessage"] == "Domain 'acme.com' is already used by another tenant"

    with pytest.raises(AuthException) as err:
        sdk.tenant.update_settings("beta", [], domains=["sso.acme.com"])
    assert error_body(err)["errorCode"] == "E011003"

    sdk.tenant.delete("beta")
    sdk.tenant.update("acme", "Acme", ["acme.com", "acme.io"])  # its own domains are fine
    sdk.tenant.update_settings("acme", ["acme.com"], domains=["sso.acme.com"])


def test_tenant__a_create_over_http_keeps_parent_and_role_inheritance_which_only_patch_keeps(
    sdk: Sdk,
) -> None:
    """As Descope's CreateTenantRequest and UpdateTenantRequest: the create takes parent and
    roleInheritance; the full update has no parent (kept) and replaces roleInheritance (an
    omitted one falls to ""); a PATCH without roleInheritance keeps it."""
    sdk.tenant.create("Parent", "parent")
    sdk.tenant._http.post(
        "/v1/mgmt/tenant/create",
        body={"name": "Child", "id": "child", "parent": "parent", "roleInheritance": "userOnly"},
    )
    loaded = sdk.tenant.load("child")
    assert (loaded["parent"], loaded["roleInheritance"]) == ("parent", "userOnly")
    assert sdk.tenant.load("parent")["successors"] == ["child"]
    sdk.tenant.patch_tenant("child", name="Child 2")
    assert sdk.tenant.load("child")["roleInheritance"] == "userOnly"
    sdk.tenant.update("child", "Child 3")
    loaded = sdk.tenant.load("child")
    assert (loaded["name"], loaded["parent"], loaded["roleInheritance"]) == (
        "Child 3",
        "parent",
        "",
    )
