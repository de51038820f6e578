"""Per-tenant SSO endpoints, driven through the real SDK (over HTTP and in-process).

Where SDK 2.16.1 cannot send a field other SDKs send (``ssoId`` on configure and load, as
go-sdk, node-sdk and descope-dotnet do), the request is made raw, in that SDK's body shape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import pytest
from descope import (
    AttributeMapping,
    AuthException,
    FGAGroupMapping,
    FGAGroupMappingRelation,
    OIDCAttributeMapping,
    RoleMapping,
    SSOOIDCSettings,
    SSOSAMLSettings,
    SSOSAMLSettingsByMetadata,
    XAAIssuerSettings,
    XAAJWTBearerSettings,
    XAASettings,
)

from emulator.resources.sso.configurations import (
    OIDC_ATTRIBUTE_DEFAULTS,
    SAML_ATTRIBUTE_DEFAULTS,
    SP_CERTIFICATE,
)
from emulator.transport import EmulatorTransport
from tests.emulator.conftest import Sdk, error_body

SECRET = "oidc-client-secret-value"


def saml_settings(**overrides: Any) -> SSOSAMLSettings:
    values: dict[str, Any] = {
        "idp_url": "https://idp.acme.com/saml",
        "idp_entity_id": "entity1234",
        "idp_cert": "my certificate",
    }
    return SSOSAMLSettings(**{**values, **overrides})


def oidc_settings(**overrides: Any) -> SSOOIDCSettings:
    values: dict[str, Any] = {
        "name": "myProvider",
        "client_id": "client-id",
        "client_secret": SECRET,
        "auth_url": "https://idp.acme.com/auth",
        "token_url": "https://idp.acme.com/token",
        "user_data_url": "https://idp.acme.com/userinfo",
        "scope": ["openid", "profile", "email"],
    }
    return SSOOIDCSettings(**{**values, **overrides})


@pytest.fixture
def sso(sdk: Sdk) -> Any:
    """The SDK's SSO management client, with tenant ``acme`` and the project roles the tests
    map to created (Descope refuses a mapping to a role that does not exist)."""
    sdk.tenant.create("Acme", "acme")
    for role in ("viewer", "a", "b", "r"):
        sdk.client.mgmt.role.create(role)
    return sdk.client.mgmt.sso


Raw = Callable[..., httpx.Response]


@pytest.fixture
def raw(sdk: Sdk) -> Raw:
    """A raw authorised request to the same app: ``raw("POST", path, json=..., params=...)``."""
    options = sdk.app.options
    client = httpx.Client(
        transport=EmulatorTransport(sdk.app),
        base_url="http://descope.emulator",
        headers={"Authorization": f"Bearer {options.project_id}:{options.management_key}"},
    )

    def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        return client.request(method, path, **kwargs)

    return call


def fails(call: Callable[[], Any]) -> tuple[int, dict[str, Any]]:
    """The status and Descope error body of an SDK call that must fail."""
    with pytest.raises(AuthException) as err:
        call()
    status = err.value.status_code
    assert isinstance(status, int)
    return status, error_body(err)


def project(sdk: Sdk) -> str:
    return sdk.app.options.project_id


# --- load ------------------------------------------------------------------------------------


def test_sso_load__fresh_tenant_answers_every_field_with_its_default(sdk: Sdk, sso: Any) -> None:
    loaded = sso.load_settings("acme")

    pid = project(sdk)
    assert loaded["tenant"] == sdk.tenant.load("acme")
    assert loaded["ssoId"] == ""
    assert loaded["saml"] == {
        "idpEntityId": "",
        "idpSSOUrl": "",
        "idpCertificate": "",
        "idpAdditionalCertificates": [],
        "idpMetadataUrl": "",
        "spEntityId": f"{pid}-acme",
        "spACSUrl": f"https://api.descope.com/v1/auth/saml/acs?projectId={pid}&tenantId=acme",
        "spCertificate": SP_CERTIFICATE,
        "attributeMapping": SAML_ATTRIBUTE_DEFAULTS,
        "groupsMapping": [],
        "defaultSSORoles": [],
        "groupsPriority": [],
        "fgaMappings": {},
        "redirectUrl": "",
        "configFGATenantIDResourcePrefix": "",
        "configFGATenantIDResourceSuffix": "",
        "providerID": "",
        "scimProviderID": "",
        "spSignCertificate": "",
        "subjectNameIdFormat": "",
        "lastSuccessTestTime": 0,
    }
    assert loaded["oidc"] == {
        "name": "",
        "clientId": "",
        "clientSecret": "",
        "redirectUrl": "",
        "authUrl": "",
        "tokenUrl": "",
        "userDataUrl": "",
        "scope": [],
        "JWKsUrl": "",
        "userAttrMapping": OIDC_ATTRIBUTE_DEFAULTS,
        "manageProviderTokens": False,
        "callbackDomain": "",
        "prompt": [],
        "grantType": "authorization_code",
        "issuer": "",
        "groupsMapping": [],
        "defaultSSORoles": [],
        "groupsPriority": [],
        "fgaMappings": {},
        "roleMappings": [],
        "providerID": "",
        "scimProviderID": "",
        "lastSuccessTestTime": 0,
    }


def test_sso_load__default_attribute_mappings_are_descopes(sso: Any) -> None:
    loaded = sso.load_settings("acme")

    saml_mapping = loaded["saml"]["attributeMapping"]
    assert (saml_mapping["name"], saml_mapping["email"], saml_mapping["phoneNumber"]) == (
        "name",
        "email",
        "phone",
    )
    oidc_mapping = loaded["oidc"]["userAttrMapping"]
    assert (oidc_mapping["loginId"], oidc_mapping["verifiedEmail"]) == ("sub", "email_verified")


def test_sso_load_all__lists_nothing_until_the_default_is_configured(sso: Any) -> None:
    assert sso.load_all_settings("acme") == {"SSOSettings": []}

    sso.configure_saml_settings("acme", saml_settings())

    listed = sso.load_all_settings("acme")["SSOSettings"]
    assert [c["ssoId"] for c in listed] == [""]
    assert listed[0] == sso.load_settings("acme")


# --- SAML ------------------------------------------------------------------------------------


def test_sso_configure_saml__then_load_returns_it(sdk: Sdk, sso: Any) -> None:
    sso.configure_saml_settings(
        "acme",
        saml_settings(
            attribute_mapping=AttributeMapping(name="name", email="email", group="groups"),
            role_mappings=[RoleMapping(groups=["grp1", "grp2"], role_name="Tenant Admin")],
            default_sso_roles=["viewer"],
            idp_additional_certs=["cert2"],
            groups_priority=["grp2", "grp1"],
            config_fga_tenant_id_resource_prefix="pre_",
            config_fga_tenant_id_resource_suffix="_suf",
        ),
        redirect_url="https://app.acme.com/after-sso",
        domains=["acme.com"],
    )

    loaded = sso.load_settings("acme")
    saml = loaded["saml"]
    assert (saml["idpSSOUrl"], saml["idpEntityId"], saml["idpCertificate"]) == (
        "https://idp.acme.com/saml",
        "entity1234",
        "my certificate",
    )
    assert saml["idpAdditionalCertificates"] == ["cert2"]
    assert saml["spEntityId"] == f"{project(sdk)}-acme"
    assert f"projectId={project(sdk)}" in saml["spACSUrl"]
    assert "tenantId=acme" in saml["spACSUrl"]
    assert saml["attributeMapping"]["group"] == "groups"
    assert saml["attributeMapping"]["phoneNumber"] == ""
    [mapping] = saml["groupsMapping"]
    assert mapping["role"]["name"] == "Tenant Admin"
    assert mapping["role"]["id"]
    assert mapping["groups"] == ["grp1", "grp2"]
    assert saml["defaultSSORoles"] == ["viewer"]
    assert saml["groupsPriority"] == ["grp2", "grp1"]
    assert saml["redirectUrl"] == "https://app.acme.com/after-sso"
    assert (saml["configFGATenantIDResourcePrefix"], saml["configFGATenantIDResourceSuffix"]) == (
        "pre_",
        "_suf",
    )
    assert (loaded["tenant"]["authType"], loaded["tenant"]["domains"]) == ("saml", ["acme.com"])
    assert sdk.tenant.load("acme")["domains"] == ["acme.com"]


def test_sso_configure_saml__sends_the_sdk_body(sdk: Sdk, sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])

    body = sdk.app.requests()[-1].body
    assert body["tenantId"] == "acme"
    assert body["settings"]["idpUrl"] == "https://idp.acme.com/saml"
    assert body["settings"]["roleMappings"] == []
    assert body["redirectUrl"] is None


def test_sso_configure_saml__sp_overrides_for_migration_are_kept(sso: Any) -> None:
    sso.configure_saml_settings(
        "acme", saml_settings(sp_acs_url="https://old/acs", sp_entity_id="old-entity")
    )

    saml = sso.load_settings("acme")["saml"]
    assert (saml["spACSUrl"], saml["spEntityId"]) == ("https://old/acs", "old-entity")


@pytest.mark.parametrize(
    ("field", "override"),
    [
        ("settings.idpUrl", {"idp_url": ""}),
        ("settings.entityId", {"idp_entity_id": ""}),
        ("settings.idpCert", {"idp_cert": ""}),
    ],
)
def test_sso_configure_saml__missing_idp_field_is_400_and_changes_nothing(
    sso: Any, field: str, override: dict[str, Any]
) -> None:
    status, body = fails(
        lambda: sso.configure_saml_settings("acme", saml_settings(**override), domains=["acme.com"])
    )

    assert status == 400
    assert body["errorCode"] == "E011002"
    assert body["errorMessage"] == f"The {field} field is required"
    loaded = sso.load_settings("acme")
    assert (loaded["saml"]["idpSSOUrl"], loaded["tenant"]["domains"]) == ("", [])


def test_sso_configure_saml__redirect_url_none_keeps_and_empty_string_resets(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(), redirect_url="https://r.acme.com")

    sso.configure_saml_settings("acme", saml_settings())
    assert sso.load_settings("acme")["saml"]["redirectUrl"] == "https://r.acme.com"

    sso.configure_saml_settings("acme", saml_settings(), redirect_url="")
    assert sso.load_settings("acme")["saml"]["redirectUrl"] == ""


def test_sso_configure_saml__default_sso_roles_none_keeps_empty_list_clears(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(default_sso_roles=["a", "b"]))

    sso.configure_saml_settings("acme", saml_settings(default_sso_roles=None))
    assert sso.load_settings("acme")["saml"]["defaultSSORoles"] == ["a", "b"]

    sso.configure_saml_settings("acme", saml_settings(default_sso_roles=[]))
    assert sso.load_settings("acme")["saml"]["defaultSSORoles"] == []


def test_sso_configure_saml__role_mappings_are_replaced_even_when_empty(sso: Any) -> None:
    sso.configure_saml_settings(
        "acme", saml_settings(role_mappings=[RoleMapping(["g"], "Tenant Admin")])
    )

    sso.configure_saml_settings("acme", saml_settings())

    assert sso.load_settings("acme")["saml"]["groupsMapping"] == []


def test_sso_configure_saml__attribute_mapping_replaces_the_whole_mapping(sso: Any) -> None:
    sso.configure_saml_settings(
        "acme", saml_settings(attribute_mapping=AttributeMapping(name="MyName"))
    )

    mapping = sso.load_settings("acme")["saml"]["attributeMapping"]
    assert mapping == {
        **dict.fromkeys(SAML_ATTRIBUTE_DEFAULTS, ""),
        "name": "MyName",
        "customAttributes": {},
    }

    sso.configure_saml_settings("acme", saml_settings())  # no mapping sent: kept
    assert sso.load_settings("acme")["saml"]["attributeMapping"]["name"] == "MyName"


def test_sso_configure_saml__fga_mappings_are_stored_and_answered(sso: Any) -> None:
    relation = FGAGroupMappingRelation("doc:1", "viewer", "doc")
    sso.configure_saml_settings(
        "acme", saml_settings(fga_mappings={"grp": FGAGroupMapping([relation])})
    )

    assert sso.load_settings("acme")["saml"]["fgaMappings"] == {
        "grp": {
            "relations": [{"resource": "doc:1", "relationDefinition": "viewer", "namespace": "doc"}]
        }
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("not an object", "The settings field must be an object"),
        (None, "The settings field is required"),
        ({"idpUrl": 7}, "The settings.idpUrl field must be a string"),
        ({"idpUrl": "u", "entityId": "e", "idpCert": "c", "roleMappings": {}}, "list of objects"),
        (
            {"idpUrl": "u", "entityId": "e", "idpCert": "c", "roleMappings": [{"groups": ["g"]}]},
            "The settings.roleMappings[].roleName field is required",
        ),
        ({"idpUrl": "u", "entityId": "e", "idpCert": "c", "fgaMappings": {"g": 1}}, "object"),
        (
            {
                "idpUrl": "u",
                "entityId": "e",
                "idpCert": "c",
                "fgaMappings": {"g": {"relations": 1}},
            },
            "list of objects",
        ),
        ({"idpUrl": "u", "entityId": "e", "idpCert": "c", "disableSignRequest": "no"}, "boolean"),
    ],
)
def test_sso_configure_saml__bad_body_is_400_and_changes_nothing(
    sso: Any, raw: Raw, settings: Any, message: str
) -> None:
    response = raw("POST", "/v1/mgmt/sso/saml", json={"tenantId": "acme", "settings": settings})

    assert response.status_code == 400
    assert response.json()["errorCode"] in {"E011002", "E011004"}
    assert message in response.json()["errorMessage"]
    assert sso.load_settings("acme")["tenant"]["authType"] == "none"


# --- SAML by metadata ------------------------------------------------------------------------


def test_sso_configure_saml_by_metadata__then_load_returns_it(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(idp_additional_certs=["c2"]))

    sso.configure_saml_settings_by_metadata(
        "acme",
        SSOSAMLSettingsByMetadata(
            idp_metadata_url="https://idp.acme.com/metadata",
            idp_entity_id="entity-md",
            role_mappings=[RoleMapping(groups=["grp1"], role_name="Tenant Admin")],
        ),
        redirect_url="https://r.acme.com",
        domains=["acme.com"],
    )

    loaded = sso.load_settings("acme")
    saml = loaded["saml"]
    assert saml["idpMetadataUrl"] == "https://idp.acme.com/metadata"
    assert saml["idpEntityId"] == "entity-md"
    assert (saml["idpSSOUrl"], saml["idpCertificate"], saml["idpAdditionalCertificates"]) == (
        "",
        "",
        [],
    )
    assert saml["groupsMapping"][0]["groups"] == ["grp1"]
    assert saml["redirectUrl"] == "https://r.acme.com"
    assert (loaded["tenant"]["authType"], loaded["tenant"]["domains"]) == ("saml", ["acme.com"])


def test_sso_configure_saml_by_hand__clears_the_metadata_url(sso: Any) -> None:
    sso.configure_saml_settings_by_metadata(
        "acme", SSOSAMLSettingsByMetadata(idp_metadata_url="https://idp.acme.com/metadata")
    )

    sso.configure_saml_settings("acme", saml_settings())

    assert sso.load_settings("acme")["saml"]["idpMetadataUrl"] == ""


def test_sso_configure_saml_by_metadata__empty_url_is_400(sso: Any) -> None:
    status, body = fails(
        lambda: sso.configure_saml_settings_by_metadata(
            "acme", SSOSAMLSettingsByMetadata(idp_metadata_url="")
        )
    )

    assert (status, body["errorCode"]) == (400, "E011002")
    assert body["errorMessage"] == "The settings.idpMetadataUrl field is required"


# --- OIDC ------------------------------------------------------------------------------------


def test_sso_configure_oidc__then_load_returns_it(sso: Any) -> None:
    sso.configure_oidc_settings(
        "acme",
        oidc_settings(
            redirect_url="https://app.acme.com/oidc",
            jwks_url="https://idp.acme.com/jwks",
            attribute_mapping=OIDCAttributeMapping(
                login_id="subject",
                name="name",
                given_name="givenName",
                middle_name="middleName",
                family_name="familyName",
                email="email",
                verified_email="verifiedEmail",
                username="username",
                phone_number="phoneNumber",
                verified_phone="verifiedPhone",
                picture="picture",
            ),
            manage_provider_tokens=True,
            callback_domain="auth.acme.com",
            prompt=["login"],
            grant_type="implicit",
            issuer="https://idp.acme.com",
            groups_priority=["g1"],
        ),
        domains=["acme.com"],
    )

    loaded = sso.load_settings("acme")
    oidc = loaded["oidc"]
    assert (oidc["name"], oidc["clientId"], oidc["clientSecret"]) == (
        "myProvider",
        "client-id",
        "",
    )
    assert (oidc["authUrl"], oidc["tokenUrl"], oidc["userDataUrl"], oidc["JWKsUrl"]) == (
        "https://idp.acme.com/auth",
        "https://idp.acme.com/token",
        "https://idp.acme.com/userinfo",
        "https://idp.acme.com/jwks",
    )
    assert oidc["scope"] == ["openid", "profile", "email"]
    assert oidc["redirectUrl"] == "https://app.acme.com/oidc"
    assert oidc["userAttrMapping"]["loginId"] == "subject"
    assert oidc["userAttrMapping"]["verifiedPhone"] == "verifiedPhone"
    assert oidc["userAttrMapping"]["group"] == ""
    assert (oidc["manageProviderTokens"], oidc["callbackDomain"], oidc["prompt"]) == (
        True,
        "auth.acme.com",
        ["login"],
    )
    assert (oidc["grantType"], oidc["issuer"], oidc["groupsPriority"]) == (
        "implicit",
        "https://idp.acme.com",
        ["g1"],
    )
    assert (loaded["tenant"]["authType"], loaded["tenant"]["domains"]) == ("oidc", ["acme.com"])


def test_sso_oidc_client_secret__is_never_answered_back(sdk: Sdk, sso: Any) -> None:
    sso.configure_oidc_settings("acme", oidc_settings())

    answers = [
        sso.load_settings("acme"),
        sso.load_all_settings("acme"),
        sso.new_settings("acme", "Second"),
        sso.get_settings("acme"),
        sdk.app.backend.snapshot(),
        [r.to_json() for r in sdk.app.requests()],
    ]

    assert SECRET not in repr(answers)
    assert sso.load_settings("acme")["oidc"]["clientSecret"] == ""
    assert sdk.app.backend.snapshot()["sso"]["acme"]["configurations"][0]["clientSecretStored"]


def test_sso_oidc_client_secret__is_kept_when_reconfigured_without_one(sdk: Sdk, sso: Any) -> None:
    sso.configure_oidc_settings("acme", oidc_settings())

    sso.configure_oidc_settings("acme", oidc_settings(client_secret=None, name="renamed"))
    sso.configure_oidc_settings("acme", oidc_settings(client_secret="", name="renamed again"))

    stored = sdk.app.backend.sso.configurations["acme"][""].oidc
    assert (stored.name, stored.client_secret) == ("renamed again", SECRET)

    sso.configure_oidc_settings("acme", oidc_settings(client_secret="rotated"))
    assert sdk.app.backend.sso.configurations["acme"][""].oidc.client_secret == "rotated"


def test_sso_configure_oidc__keeps_the_saml_side_and_its_mappings(sso: Any) -> None:
    sso.configure_saml_settings(
        "acme", saml_settings(role_mappings=[RoleMapping(["g"], "Tenant Admin")])
    )

    sso.configure_oidc_settings("acme", oidc_settings())

    loaded = sso.load_settings("acme")
    assert loaded["tenant"]["authType"] == "oidc"
    assert loaded["saml"]["idpSSOUrl"] == "https://idp.acme.com/saml"
    assert loaded["oidc"]["groupsMapping"] == loaded["saml"]["groupsMapping"]
    assert loaded["oidc"]["groupsMapping"][0]["groups"] == ["g"]
    # The same mappings in the older RoleMapping form Descope's description lists for OIDC.
    assert loaded["oidc"]["roleMappings"] == [{"groups": ["g"], "roleName": "Tenant Admin"}]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"grantType": "password"}, "The settings.grantType field must be one of"),
        ({"grantType": "implicit", "usePkce": True}, "cannot be true with the implicit"),
        ({"scope": "openid"}, "The settings.scope field must be a list of strings"),
        ({"userAttrMapping": {"loginId": 1}}, "settings.userAttrMapping.loginId"),
    ],
)
def test_sso_configure_oidc__bad_settings_are_400_and_change_nothing(
    sso: Any, raw: Raw, settings: dict[str, Any], message: str
) -> None:
    response = raw(
        "POST",
        "/v1/mgmt/sso/oidc",
        json={"tenantId": "acme", "settings": {"name": "n", **settings}},
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E011004"
    assert message in response.json()["errorMessage"]
    assert sso.load_settings("acme")["oidc"]["name"] == ""


def test_sso_configure_oidc__empty_grant_type_is_authorization_code(sso: Any) -> None:
    sso.configure_oidc_settings("acme", oidc_settings(grant_type="implicit"))

    sso.configure_oidc_settings("acme", oidc_settings(grant_type="", use_pkce=True))

    assert sso.load_settings("acme")["oidc"]["grantType"] == "authorization_code"


# --- auth type, redirect URLs, recalculation -------------------------------------------------


def test_sso_configure_auth_type__switches_without_touching_settings(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])

    sso.configure_auth_type("acme", "none")

    loaded = sso.load_settings("acme")
    assert (loaded["tenant"]["authType"], loaded["tenant"]["domains"]) == ("none", ["acme.com"])
    assert loaded["saml"]["idpSSOUrl"] == "https://idp.acme.com/saml"
    sso.configure_auth_type("acme", "saml")
    assert sso.load_settings("acme")["tenant"]["authType"] == "saml"


@pytest.mark.parametrize(("auth_type", "code"), [("ldap", "E011004"), ("", "E011002")])
def test_sso_configure_auth_type__bad_or_missing_is_400(
    sso: Any, auth_type: str, code: str
) -> None:
    status, body = fails(lambda: sso.configure_auth_type("acme", auth_type))

    assert (status, body["errorCode"]) == (400, code)


def test_sso_redirect_url__sets_the_saml_and_oidc_redirects_only(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(), redirect_url="https://old")

    sso.configure_sso_redirect_url("acme", oauth_redirect_url="https://oauth.acme.com")
    loaded = sso.load_settings("acme")
    assert (loaded["saml"]["redirectUrl"], loaded["oidc"]["redirectUrl"]) == (
        "https://old",
        "https://oauth.acme.com",
    )

    sso.configure_sso_redirect_url("acme", saml_redirect_url="https://saml.acme.com")
    loaded = sso.load_settings("acme")
    assert (loaded["saml"]["redirectUrl"], loaded["oidc"]["redirectUrl"]) == (
        "https://saml.acme.com",
        "https://oauth.acme.com",
    )
    assert loaded["saml"]["idpSSOUrl"] == "https://idp.acme.com/saml"


def test_sso_recalculate_mappings__answers_for_a_known_configuration(sso: Any) -> None:
    sso.new_settings("acme", "Second", sso_id="second")

    sso.recalculate_sso_mappings("acme")
    sso.recalculate_sso_mappings("acme", "second")

    status, body = fails(lambda: sso.recalculate_sso_mappings("acme", "ghost"))
    assert (status, body["errorCode"]) == (400, "E099201")


# --- several configurations per tenant -------------------------------------------------------


def test_sso_new_settings__creates_a_configuration_that_load_all_lists(sdk: Sdk, sso: Any) -> None:
    created = sso.new_settings("acme", "Okta for contractors", sso_id="contractors")

    assert created["ssoId"] == "contractors"
    assert (created["tenant"]["id"], created["tenant"]["authType"]) == ("acme", "none")
    assert created["saml"]["spEntityId"] == f"{project(sdk)}-acme-contractors"
    assert "ssoId=contractors" in created["saml"]["spACSUrl"]
    assert sso.load_all_settings("acme") == {"SSOSettings": [created]}
    state = sdk.app.backend.snapshot()["sso"]["acme"]["configurations"]
    assert [(c["ssoId"], c["displayName"]) for c in state] == [
        ("contractors", "Okta for contractors")
    ]


def test_sso_new_settings__without_sso_id_generates_one(sso: Any) -> None:
    first = sso.new_settings("acme", "One")["ssoId"]
    second = sso.new_settings("acme", "Two")["ssoId"]

    assert first
    assert second
    assert first != second
    assert [c["ssoId"] for c in sso.load_all_settings("acme")["SSOSettings"]] == [first, second]


def test_sso_new_settings__duplicate_sso_id_is_400(sso: Any) -> None:
    sso.new_settings("acme", "One", sso_id="one")

    status, body = fails(lambda: sso.new_settings("acme", "Again", sso_id="one"))

    assert (status, body["errorCode"]) == (400, "E011003")
    assert "already has an SSO configuration with ssoId 'one'" in body["errorMessage"]


def test_sso_new_settings__empty_display_name_is_400(sso: Any) -> None:
    status, body = fails(lambda: sso.new_settings("acme", ""))

    assert (status, body["errorCode"]) == (400, "E011002")
    assert body["errorMessage"] == "The displayName field is required"


def test_sso_configure_with_sso_id__writes_only_that_configuration(
    sdk: Sdk, sso: Any, raw: Raw
) -> None:
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])
    sso.new_settings("acme", "Contractors", sso_id="contractors")

    response = raw(
        "POST",
        "/v1/mgmt/sso/oidc",
        json={
            "tenantId": "acme",
            "ssoId": "contractors",
            "settings": {"name": "Contractors IdP", "clientId": "c", "clientSecret": "s"},
            "domains": ["contractors.acme.com"],
        },
    )

    assert response.status_code == 200
    assert response.json() == {}
    one = raw("GET", "/v2/mgmt/sso/settings", params={"tenantId": "acme", "ssoId": "contractors"})
    assert one.json()["oidc"]["name"] == "Contractors IdP"
    assert (one.json()["tenant"]["authType"], one.json()["tenant"]["domains"]) == (
        "oidc",
        ["contractors.acme.com"],
    )
    default = sso.load_settings("acme")
    assert (default["tenant"]["authType"], default["tenant"]["domains"]) == ("saml", ["acme.com"])
    assert default["oidc"]["name"] == ""
    assert sdk.tenant.load("acme")["domains"] == ["acme.com"]
    listed = sso.load_all_settings("acme")["SSOSettings"]
    assert [c["ssoId"] for c in listed] == ["", "contractors"]
    assert listed[1] == one.json()


def test_sso_configure_saml_with_sso_id__go_sdk_body(sso: Any, raw: Raw) -> None:
    sso.new_settings("acme", "Second", sso_id="second")

    for path, settings in (
        ("/v1/mgmt/sso/saml", {"idpUrl": "https://i", "entityId": "e", "idpCert": "c"}),
        ("/v1/mgmt/sso/saml/metadata", {"idpMetadataUrl": "https://i/md"}),
    ):
        response = raw(
            "POST",
            path,
            json={
                "tenantId": "acme",
                "ssoId": "second",
                "settings": {**settings, "roleMappings": [], "defaultSSORoles": None},
                "redirectUrl": "",
                "domains": None,
            },
        )
        assert response.status_code == 200

    second = sso.load_all_settings("acme")["SSOSettings"][0]
    assert (second["ssoId"], second["tenant"]["authType"]) == ("second", "saml")
    assert second["saml"]["idpMetadataUrl"] == "https://i/md"
    assert sso.load_settings("acme")["saml"]["idpMetadataUrl"] == ""


def test_sso_auth_type_and_redirect_with_sso_id__touch_that_configuration_only(
    sso: Any, raw: Raw
) -> None:
    sso.new_settings("acme", "Second", sso_id="second")

    sso.configure_auth_type("acme", "oidc", sso_id="second")
    sso.configure_sso_redirect_url("acme", saml_redirect_url="https://s", sso_id="second")

    second = raw("GET", "/v2/mgmt/sso/settings", params={"tenantId": "acme", "ssoId": "second"})
    assert (second.json()["tenant"]["authType"], second.json()["saml"]["redirectUrl"]) == (
        "oidc",
        "https://s",
    )
    default = sso.load_settings("acme")
    assert (default["tenant"]["authType"], default["saml"]["redirectUrl"]) == ("none", "")


@pytest.mark.parametrize("status", [400, 404])
def test_sso_unknown_sso_id__is_not_found_on_every_endpoint(
    sdk: Sdk, sso: Any, raw: Raw, status: int
) -> None:
    sdk.app.set_options(notFoundStatus=status)
    calls: list[Callable[[], Any]] = [
        lambda: sso.delete_settings("acme", "ghost"),
        lambda: sso.configure_auth_type("acme", "saml", "ghost"),
        lambda: sso.configure_sso_redirect_url("acme", saml_redirect_url="x", sso_id="ghost"),
        lambda: sso.recalculate_sso_mappings("acme", "ghost"),
        lambda: sdk.tenant.generate_sso_configuration_link("acme", sso_id="ghost"),
        lambda: sdk.tenant.revoke_sso_configuration_link("acme", sso_id="ghost"),
    ]
    for call in calls:
        got, body = fails(call)
        assert (got, body["errorCode"]) == (status, "E099201")
        assert body["errorDescription"] == "SSO configuration not found"

    response = raw("GET", "/v2/mgmt/sso/settings", params={"tenantId": "acme", "ssoId": "ghost"})
    assert (response.status_code, response.json()["errorCode"]) == (status, "E099201")
    response = raw(
        "POST",
        "/v1/mgmt/sso/saml",
        json={"tenantId": "acme", "ssoId": "ghost", "settings": {}},
    )
    assert (response.status_code, response.json()["errorCode"]) == (status, "E099201")


# --- delete ----------------------------------------------------------------------------------


def test_sso_delete_settings__default_goes_back_to_the_fresh_defaults(sso: Any) -> None:
    fresh = sso.load_settings("acme")
    sso.configure_saml_settings(
        "acme", saml_settings(default_sso_roles=["r"]), "https://r", ["acme.com"]
    )
    sso.configure_oidc_settings("acme", oidc_settings())

    sso.delete_settings("acme")

    assert sso.load_settings("acme") == fresh
    assert sso.load_all_settings("acme") == {"SSOSettings": []}


def test_sso_delete_settings__with_sso_id_removes_that_configuration(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings())
    sso.new_settings("acme", "Second", sso_id="second")

    sso.delete_settings("acme", "second")

    assert [c["ssoId"] for c in sso.load_all_settings("acme")["SSOSettings"]] == [""]
    status, _ = fails(lambda: sso.delete_settings("acme", "second"))
    assert status == 400


# --- domains ---------------------------------------------------------------------------------


def test_sso_domains__held_by_another_tenant_are_refused(sdk: Sdk, sso: Any) -> None:
    sdk.tenant.create("Beta", "beta")
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])

    for call in (
        lambda: sso.configure_saml_settings("beta", saml_settings(), domains=["b.com", "acme.com"]),
        lambda: sso.configure_oidc_settings("beta", oidc_settings(), domains=["acme.com"]),
        lambda: sso.configure_saml_settings_by_metadata(
            "beta", SSOSAMLSettingsByMetadata("https://md"), domains=["acme.com"]
        ),
        lambda: sso.configure("beta", "https://i", "e", "c", "", ["acme.com"]),
    ):
        status, body = fails(call)
        assert (status, body["errorCode"]) == (400, "E011003")
        assert body["errorMessage"] == "Domain 'acme.com' is already used by another tenant"

    beta = sso.load_settings("beta")
    assert (beta["tenant"]["domains"], beta["tenant"]["authType"]) == ([], "none")
    assert beta["saml"]["idpSSOUrl"] == ""


def test_sso_domains__of_another_tenants_extra_configuration_are_refused(
    sdk: Sdk, sso: Any, raw: Raw
) -> None:
    sdk.tenant.create("Beta", "beta")
    sso.new_settings("beta", "Second", sso_id="second")
    raw(
        "POST",
        "/v1/mgmt/sso/oidc",
        json={"tenantId": "beta", "ssoId": "second", "settings": {}, "domains": ["b.com"]},
    )

    status, body = fails(lambda: sso.configure_oidc_settings("acme", oidc_settings(), ["b.com"]))

    assert (status, body["errorCode"]) == (400, "E011003")


def test_sso_domains__repeat_across_tenants_with_the_project_flag(sdk: Sdk, sso: Any) -> None:
    sdk.app.set_options(allowDuplicateSSODomainsInOtherTenants=True)
    sdk.tenant.create("Beta", "beta")
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])

    sso.configure_saml_settings("beta", saml_settings(), domains=["acme.com"])

    assert sso.load_settings("beta")["tenant"]["domains"] == ["acme.com"]


def test_sso_domains__may_repeat_across_one_tenants_configurations(sso: Any, raw: Raw) -> None:
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])
    sso.new_settings("acme", "Second", sso_id="second")

    response = raw(
        "POST",
        "/v1/mgmt/sso/oidc",
        json={"tenantId": "acme", "ssoId": "second", "settings": {}, "domains": ["acme.com"]},
    )

    assert response.status_code == 200


@pytest.mark.parametrize("domain", ["not a domain", "acme", "-acme.com"])
def test_sso_domains__malformed_is_400(sso: Any, domain: str) -> None:
    status, body = fails(
        lambda: sso.configure_saml_settings("acme", saml_settings(), domains=[domain])
    )

    assert (status, body["errorCode"]) == (400, "E011004")


def test_sso_domains__none_or_empty_list_resets_them(sso: Any) -> None:
    sso.configure_saml_settings("acme", saml_settings(), domains=["acme.com"])

    sso.configure_saml_settings("acme", saml_settings(), domains=None)

    assert sso.load_settings("acme")["tenant"]["domains"] == []


def test_sso_domains__are_the_tenant_settings_domains(sdk: Sdk, sso: Any) -> None:
    sdk.tenant.update_settings("acme", [], domains=["acme.com"], auth_type="oidc")

    loaded = sso.load_settings("acme")

    assert (loaded["tenant"]["domains"], loaded["tenant"]["authType"]) == (["acme.com"], "oidc")
    sso.configure_saml_settings("acme", saml_settings(), domains=["sso.acme.com"])
    settings = sdk.tenant.load_settings("acme")
    assert (settings["domains"], settings["authType"]) == (["sso.acme.com"], "saml")


def test_sso_domains__normalised_with_the_switch(sdk: Sdk, sso: Any) -> None:
    sdk.app.set_options(normalizeDomains=True)

    sso.configure_saml_settings("acme", saml_settings(), domains=["B.com ", "a.COM"])

    assert sso.load_settings("acme")["tenant"]["domains"] == ["a.com", "b.com"]


# --- roles -----------------------------------------------------------------------------------


def test_sso_role_mappings__refused_for_a_role_the_project_does_not_have(
    sdk: Sdk, sso: Any
) -> None:
    for settings in (
        saml_settings(role_mappings=[RoleMapping(["g"], "Ghost")]),
        saml_settings(default_sso_roles=["Ghost"]),
    ):
        status, body = fails(partial(sso.configure_saml_settings, "acme", settings))
        assert (status, body["errorCode"]) == (400, "E011003")
        assert body["errorMessage"] == "Role 'Ghost' does not exist; create it first"
    status, _ = fails(
        lambda: sso.mapping("acme", [RoleMapping(["g"], "Ghost")], AttributeMapping(name="n"))
    )
    assert status == 400

    sso.configure_saml_settings(
        "acme", saml_settings(role_mappings=[RoleMapping(["g"], "Tenant Admin")])
    )
    tenant_admin = next(
        r for r in sdk.client.mgmt.role.load_all()["roles"] if r["name"] == "Tenant Admin"
    )
    assert sso.load_settings("acme")["saml"]["groupsMapping"][0]["role"] == {
        "id": tenant_admin["id"],
        "name": "Tenant Admin",
    }


# --- deprecated v1 endpoints -----------------------------------------------------------------


def test_sso_deprecated_v1__flow_of_the_python_sdk_e2e_test(sdk: Sdk, sso: Any) -> None:
    pid = project(sdk)
    settings = sso.get_settings("acme")
    assert settings == {
        "tenantId": "acme",
        "idpEntityId": "",
        "idpSSOUrl": "",
        "idpCertificate": "",
        "idpMetadataUrl": "",
        "spEntityId": f"{pid}-acme",
        "spACSUrl": f"https://api.descope.com/v1/auth/saml/acs?projectId={pid}&tenantId=acme",
        "spCertificate": SP_CERTIFICATE,
        "userMapping": SAML_ATTRIBUTE_DEFAULTS,
        "groupsMapping": [],
        "redirectUrl": "",
        "domains": [],
        "domain": "",
    }

    sso.configure(
        "acme",
        "http://idpURL",
        "entity",
        "mycert",
        "https://redirect",
        ["domain.com", "app.domain.com"],
    )
    settings = sso.get_settings("acme")
    assert (settings["idpEntityId"], settings["idpSSOUrl"], settings["idpCertificate"]) == (
        "entity",
        "http://idpURL",
        "mycert",
    )
    assert (settings["redirectUrl"], settings["domain"]) == ("https://redirect", "domain.com")
    assert set(settings["domains"]) == {"domain.com", "app.domain.com"}

    sso.configure_via_metadata(
        "acme", "http://idpMetadataURL", domains=["domain2.com", "app.domain2.com"]
    )
    sso.mapping(
        "acme",
        role_mappings=[RoleMapping(["a"], "Tenant Admin")],
        attribute_mapping=AttributeMapping(name="MyName"),
    )
    settings = sso.get_settings("acme")
    assert settings["idpMetadataUrl"] == "http://idpMetadataURL"
    assert settings["redirectUrl"] == "https://redirect"
    assert settings["domain"] == "domain2.com"
    assert settings["userMapping"] == {
        **dict.fromkeys(SAML_ATTRIBUTE_DEFAULTS, ""),
        "name": "MyName",
        "customAttributes": {},
    }
    [mapping] = settings["groupsMapping"]
    assert (mapping["role"]["name"], mapping["groups"]) == ("Tenant Admin", ["a"])
    assert sso.load_settings("acme")["tenant"]["authType"] == "saml"

    sso.delete_settings("acme")
    settings = sso.get_settings("acme")
    assert (settings["idpEntityId"], settings["idpSSOUrl"], settings["idpCertificate"]) == (
        "",
        "",
        "",
    )


def test_sso_deprecated_v1__missing_fields_are_400(sso: Any) -> None:
    status, body = fails(lambda: sso.configure("acme", "", "e", "c", ""))
    assert (status, body["errorMessage"]) == (400, "The idpURL field is required")
    status, body = fails(lambda: sso.configure_via_metadata("acme", ""))
    assert (status, body["errorMessage"]) == (400, "The idpMetadataURL field is required")


# --- Cross-App Access (XAA / ID-JAG) ---------------------------------------------------------


def xaa_settings(**overrides: Any) -> XAASettings:
    values: dict[str, Any] = {
        "enabled": True,
        "settings": XAAJWTBearerSettings(
            issuers={
                "https://idp.acme.com": XAAIssuerSettings(
                    jwks_uri="https://idp.acme.com/jwks",
                    sign_algorithm="RS256",
                    jit_disabled=True,
                    attribute_mapping=AttributeMapping(email="mail"),
                )
            },
            jwt_bearer_grant_type_scope_to_use="scope",
        ),
        "role_mappings": [RoleMapping(["xaa-group"], "Tenant Admin")],
        "default_sso_roles": ["viewer"],
        "groups_priority": ["xaa-group"],
        "group_priority_enabled": True,
        "allow_override_roles": True,
        "provider_id": "okta",
    }
    return XAASettings(**{**values, **overrides})


def test_sso_xaa__never_configured_loads_defaults_and_load_all_is_empty(sdk: Sdk, sso: Any) -> None:
    assert sso.load_xaa_settings("acme") == {
        "ssoId": "",
        "enabled": False,
        "settings": {
            "issuers": {},
            "jwtBearerGrantTypeAudienceToUse": "",
            "jwtBearerGrantTypeScopeToUse": "",
            "jwtBearerGrantTypeCustomClaimsToUse": "",
        },
        "groupsMapping": [],
        "defaultSSORoles": [],
        "fgaMappings": {},
        "groupsPriority": [],
        "groupPriorityEnabled": False,
        "allowOverrideRoles": False,
        "providerID": "",
        "audience": f"https://api.descope.com/{project(sdk)}",
    }
    assert sso.load_all_xaa_settings("acme") == {"XAASettings": []}


def test_sso_xaa__configure_then_load_returns_it_with_the_shared_mappings(sso: Any) -> None:
    sso.configure_xaa_settings("acme", xaa_settings())

    loaded = sso.load_xaa_settings("acme")
    issuer = loaded["settings"]["issuers"]["https://idp.acme.com"]
    assert (issuer["jwksUri"], issuer["signAlgorithm"], issuer["jitDisabled"]) == (
        "https://idp.acme.com/jwks",
        "RS256",
        True,
    )
    assert issuer["attributeMapping"]["email"] == "mail"
    assert loaded["settings"]["jwtBearerGrantTypeScopeToUse"] == "scope"
    assert (loaded["enabled"], loaded["groupPriorityEnabled"], loaded["allowOverrideRoles"]) == (
        True,
        True,
        True,
    )
    assert (loaded["providerID"], loaded["defaultSSORoles"]) == ("okta", ["viewer"])
    assert loaded["groupsMapping"][0]["groups"] == ["xaa-group"]
    assert sso.load_settings("acme")["saml"]["groupsMapping"] == loaded["groupsMapping"]
    assert sso.load_all_xaa_settings("acme") == {"XAASettings": [loaded]}


def test_sso_xaa__null_settings_keep_the_stored_trust(sso: Any) -> None:
    sso.configure_xaa_settings("acme", xaa_settings())

    sso.configure_xaa_settings("acme", XAASettings(enabled=False))

    loaded = sso.load_xaa_settings("acme")
    assert loaded["enabled"] is False
    assert list(loaded["settings"]["issuers"]) == ["https://idp.acme.com"]
    assert loaded["groupsMapping"] == []  # roleMappings is always sent: replaced


def test_sso_xaa__delete_keeps_the_shared_mappings(sso: Any) -> None:
    sso.configure_xaa_settings("acme", xaa_settings())

    sso.delete_xaa_settings("acme")

    assert sso.load_xaa_settings("acme")["enabled"] is False
    assert sso.load_all_xaa_settings("acme") == {"XAASettings": []}
    assert sso.load_settings("acme")["saml"]["groupsMapping"][0]["groups"] == ["xaa-group"]


def test_sso_xaa__with_sso_id_touches_that_configuration_only(sso: Any) -> None:
    sso.new_settings("acme", "Second", sso_id="second")

    sso.configure_xaa_settings("acme", xaa_settings(), sso_id="second")

    assert sso.load_xaa_settings("acme", "second")["enabled"] is True
    assert sso.load_xaa_settings("acme")["enabled"] is False
    assert [x["ssoId"] for x in sso.load_all_xaa_settings("acme")["XAASettings"]] == ["second"]
    sso.delete_xaa_settings("acme", "second")
    for call in (
        lambda: sso.load_xaa_settings("acme", "ghost"),
        lambda: sso.delete_xaa_settings("acme", "ghost"),
        lambda: sso.configure_xaa_settings("acme", xaa_settings(), sso_id="ghost"),
    ):
        status, body = fails(call)
        assert (status, body["errorCode"]) == (400, "E099201")


@pytest.mark.parametrize(
    "settings",
    [
        {"issuers": {"https://i": "jwks"}},
        {"issuers": {"https://i": {"jitDisabled": "yes"}}},
        {"issuers": []},
        {"jwtBearerGrantTypeScopeToUse": 1},
    ],
)
def test_sso_xaa__bad_settings_are_400_and_change_nothing(
    sso: Any, raw: Raw, settings: dict[str, Any]
) -> None:
    response = raw(
        "POST",
        "/v1/mgmt/sso/xaa/settings",
        json={"tenantId": "acme", "enabled": True, "settings": settings, "roleMappings": []},
    )

    assert (response.status_code, response.json()["errorCode"]) == (400, "E011004")
    assert sso.load_all_xaa_settings("acme") == {"XAASettings": []}


# --- SSO Setup Suite admin links -------------------------------------------------------------


def test_sso_admin_link__generate_answers_a_link_and_revoke_forgets_it(sdk: Sdk, sso: Any) -> None:
    sdk.app.backend.now = lambda: 1_700_000_000.0
    sso.new_settings("acme", "Second", sso_id="second")

    link = sdk.tenant.generate_sso_configuration_link(
        "acme", expire_time=21600, email="admin@acme.com", actor_id="u1"
    )
    other = sdk.tenant.generate_sso_configuration_link("acme", sso_id="second")

    assert link.startswith("https://")
    assert link != other
    links = sdk.app.backend.snapshot()["sso"]["acme"]["adminLinks"]
    assert links == [
        {
            "ssoId": "",
            "createdTime": 1_700_000_000,
            "expiresTime": 1_700_021_600,
            "email": "admin@acme.com",
            "actorId": "u1",
        },
        {
            "ssoId": "second",
            "createdTime": 1_700_000_000,
            "expiresTime": None,
            "email": None,
            "actorId": None,
        },
    ]
    assert link.split("t=")[1] not in repr(sdk.app.backend.snapshot())

    sdk.tenant.revoke_sso_configuration_link("acme")
    assert [x["ssoId"] for x in sdk.app.backend.snapshot()["sso"]["acme"]["adminLinks"]] == [
        "second"
    ]
    sdk.tenant.revoke_sso_configuration_link("acme", sso_id="second")
    sdk.tenant.revoke_sso_configuration_link("acme", sso_id="second")  # none left: fine
    assert sdk.app.backend.snapshot()["sso"]["acme"]["adminLinks"] == []


def test_sso_admin_link__answers_the_documented_key(sso: Any, raw: Raw) -> None:
    response = raw(
        "POST",
        "/v2/mgmt/tenant/adminlinks/sso/generate",
        json={"tenantId": "acme", "expireTime": "3600"},
    )

    assert list(response.json()) == ["adminSSOConfigurationLink"]


@pytest.mark.parametrize("expire", [-1, "soon", True, 1.5])
def test_sso_admin_link__bad_expire_time_is_400(sdk: Sdk, sso: Any, raw: Raw, expire: Any) -> None:
    response = raw(
        "POST",
        "/v2/mgmt/tenant/adminlinks/sso/generate",
        json={"tenantId": "acme", "expireTime": expire},
    )

    assert (response.status_code, response.json()["errorCode"]) == (400, "E011004")
    assert sdk.app.backend.snapshot()["sso"] == {}


def test_sso_admin_link__deleting_a_configuration_drops_its_links(sdk: Sdk, sso: Any) -> None:
    sso.new_settings("acme", "Second", sso_id="second")
    sdk.tenant.generate_sso_configuration_link("acme", sso_id="second")

    sso.delete_settings("acme", "second")

    assert sdk.app.backend.snapshot()["sso"]["acme"]["adminLinks"] == []


# --- tenants and errors shared by every endpoint ---------------------------------------------


def every_tenant_call(sdk: Sdk, tenant_id: str) -> list[Callable[[], Any]]:
    sso = sdk.client.mgmt.sso
    return [
        lambda: sso.load_settings(tenant_id),
        lambda: sso.load_all_settings(tenant_id),
        lambda: sso.get_settings(tenant_id),
        lambda: sso.configure_saml_settings(tenant_id, saml_settings()),
        lambda: sso.configure_saml_settings_by_metadata(
            tenant_id, SSOSAMLSettingsByMetadata("https://md")
        ),
        lambda: sso.configure_oidc_settings(tenant_id, oidc_settings()),
        lambda: sso.new_settings(tenant_id, "New"),
        lambda: sso.delete_settings(tenant_id),
        lambda: sso.configure_auth_type(tenant_id, "saml"),
        lambda: sso.configure_sso_redirect_url(tenant_id, saml_redirect_url="x"),
        lambda: sso.recalculate_sso_mappings(tenant_id),
        lambda: sso.configure(tenant_id, "https://i", "e", "c", ""),
        lambda: sso.configure_via_metadata(tenant_id, "https://md"),
        lambda: sso.mapping(tenant_id, [], AttributeMapping()),
        lambda: sdk.tenant.generate_sso_configuration_link(tenant_id),
        lambda: sdk.tenant.revoke_sso_configuration_link(tenant_id),
        lambda: sso.configure_xaa_settings(tenant_id, XAASettings(enabled=True)),
        lambda: sso.load_xaa_settings(tenant_id),
        lambda: sso.load_all_xaa_settings(tenant_id),
        lambda: sso.delete_xaa_settings(tenant_id),
    ]


def test_sso_missing_tenant__is_tenant_not_found_on_every_endpoint(sdk: Sdk) -> None:
    for call in every_tenant_call(sdk, "ghost"):
        status, body = fails(call)
        assert (status, body["errorCode"]) == (400, "E099001")
    assert sdk.app.backend.snapshot()["sso"] == {}


def test_sso_empty_tenant_id__is_400_tenant_id_required_on_every_endpoint(sdk: Sdk) -> None:
    for call in every_tenant_call(sdk, ""):
        status, body = fails(call)
        assert (status, body["errorCode"]) == (400, "E011002")
        assert body["errorMessage"] == "The tenantId field is required"


def test_sso_wrong_method__is_500_as_for_every_known_route(sso: Any, raw: Raw) -> None:
    response = raw("PUT", "/v1/mgmt/sso/saml", json={})

    assert (response.status_code, response.json()["errorCode"]) == (500, "E010009")


# --- state -----------------------------------------------------------------------------------


def test_sso_state__shows_in_emulator_state_and_goes_with_reset_and_tenant_delete(
    sdk: Sdk, sso: Any
) -> None:
    sdk.tenant.create("Beta", "beta")
    sso.configure_oidc_settings("acme", oidc_settings(), domains=["acme.com"])
    sso.new_settings("beta", "Second", sso_id="second")

    state = sdk.app.backend.snapshot()["sso"]
    assert state["acme"]["configurations"][0]["oidc"]["name"] == "myProvider"
    assert "authType" not in state["acme"]["configurations"][0]  # the tenant's, in "tenants"
    assert state["beta"]["configurations"][0]["authType"] == "none"

    sdk.tenant.delete("beta")
    assert list(sdk.app.backend.snapshot()["sso"]) == ["acme"]
    sdk.tenant.create("Beta", "beta")
    assert sso.load_all_settings("beta") == {"SSOSettings": []}

    sdk.app.reset()
    assert sdk.app.backend.snapshot()["sso"] == {}


def test_sso_state__a_load_does_not_change_what_load_all_lists(sdk: Sdk, sso: Any) -> None:
    before = copy.deepcopy(sso.load_all_settings("acme"))

    sso.load_settings("acme")
    sso.get_settings("acme")

    assert sso.load_all_settings("acme") == before


def test_sso_role_mappings__may_name_a_role_of_that_tenant(sdk: Sdk, sso: Any) -> None:
    sdk.client.mgmt.role.create("acme-auditor", tenant_id="acme")
    sso.configure_saml_settings(
        "acme", saml_settings(role_mappings=[RoleMapping(["auditors"], "acme-auditor")])
    )
    [mapping] = sso.load_settings("acme")["saml"]["groupsMapping"]
    assert (mapping["role"]["name"], mapping["groups"]) == ("acme-auditor", ["auditors"])
    assert mapping["role"]["id"].startswith("ROL")
