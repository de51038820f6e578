"""The rules of a tenant's SSO (model/sso.py): each refusal named and worded, valid forms kept."""

from __future__ import annotations

from typing import Any

import pytest

from model.idp import certificate_fingerprint, secret_reference_name
from model.limits import SSO_DOMAINS, SSO_GROUPS
from model.sso import (
    SSOConfigurationSpec,
    TenantSSO,
    sso_configuration_problems,
    tenant_sso_problems,
)
from tests.support.sso import certificate, certificate_body, oidc, saml

SECRET_LOOKALIKE = "s3cr3t-value-typed-in-the-yaml"


def problems(data: Any) -> dict[str, str]:
    return {p.field: p.message for p in tenant_sso_problems(data)}


def with_oidc(**changes: Any) -> dict[str, Any]:
    return {"oidc": {**oidc(), "clientSecret": "${acmeSecret}", **changes}}


# --- SAML ---------------------------------------------------------------------------------------


def test_saml_by_metadata_url_is_valid() -> None:
    sso = TenantSSO.model_validate({"saml": {"metadataUrl": "https://idp.acme.example/md"}})
    assert sso.saml is not None
    assert sso.saml.by_metadata


def test_saml_by_hand_keeps_the_certificate_as_canonical_pem() -> None:
    pem = certificate()
    body = certificate_body(pem)
    sso = TenantSSO.model_validate({"saml": saml(certificate=body)})
    assert sso.saml is not None
    assert sso.saml.certificate == pem


def test_saml_by_hand_names_what_is_missing() -> None:
    found = problems({"saml": {"ssoUrl": "https://idp.acme.example/sso"}})
    assert "missing: certificate, entityId" in found["saml"]


def test_saml_metadata_and_by_hand_together_are_refused() -> None:
    found = problems({"saml": {**saml(), "metadataUrl": "https://idp.acme.example/md"}})
    assert "metadataUrl and ssoUrl, certificate are two ways" in found["saml"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not a certificate", "is not an X.509 certificate"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "does not parse"),
        (certificate() + certificate("other.example"), "more than one certificate"),
    ],
)
def test_saml_certificate_must_parse_as_x509(value: str, words: str) -> None:
    found = problems({"saml": saml(certificate=value)})
    assert words in found["saml.certificate"]


def test_saml_additional_certificates_are_checked_each() -> None:
    found = problems(
        {"saml": saml(additionalCertificates=[certificate("b.example"), "not base64!"])}
    )
    assert "is not an X.509 certificate" in found["saml.additionalCertificates[1]"]


def test_idp_urls_must_be_https_and_whole() -> None:
    found = problems({"saml": saml(ssoUrl="http://idp.acme.example/sso")})
    assert found["saml.ssoUrl"].endswith(
        "must use https: an identity provider is reached over TLS only."
    )
    found = problems({"saml": {"metadataUrl": "idp.acme.example/md"}})
    assert "is not a URL" in found["saml.metadataUrl"]


def test_the_redirect_url_may_be_http_for_a_local_app() -> None:
    assert problems({"saml": saml(), "redirectUrl": "http://localhost:3000/cb"}) == {}


# --- OIDC ---------------------------------------------------------------------------------------


def test_oidc_needs_the_issuer_or_its_endpoints() -> None:
    found = problems({"oidc": {"clientId": "c", "clientSecret": "${s}"}})
    assert "OIDC needs the issuer, or the endpoints authUrl and tokenUrl" in found["oidc"]
    endpoints = {
        "clientId": "c",
        "clientSecret": "${s}",
        "authUrl": "https://idp.example/auth",
        "tokenUrl": "https://idp.example/token",
    }
    assert problems({"oidc": endpoints}) == {}


def test_oidc_scopes_must_include_openid() -> None:
    found = problems(with_oidc(scopes=["profile"]))
    assert 'scopes must include "openid"' in found["oidc"]


def test_a_literal_client_secret_is_refused_without_showing_it() -> None:
    found = problems(with_oidc(clientSecret=SECRET_LOOKALIKE))
    message = found["oidc.clientSecret"]
    assert "a client secret is never written in this file" in message
    assert "pulumi config set --secret descope-config:<name>" in message
    assert SECRET_LOOKALIKE not in message


@pytest.mark.parametrize("written", ["${a} ", "x${a}", "${a}${b}", "$${a}", "${}", 7])
def test_a_client_secret_is_exactly_one_reference(written: Any) -> None:
    assert "oidc.clientSecret" in problems(with_oidc(clientSecret=written))


def test_secret_reference_name_reads_the_name() -> None:
    assert secret_reference_name("${globex.oidc-Secret_1}") == "globex.oidc-Secret_1"
    with pytest.raises(ValueError, match="not a"):
        secret_reference_name("plain")


# --- mappings, domains, limits ------------------------------------------------------------------


def test_a_role_is_mapped_once() -> None:
    mappings = [{"role": "a", "groups": ["x"]}, {"role": "a", "groups": ["y"]}]
    found = problems({"saml": saml(), "groupMappings": mappings})
    assert 'groupMappings maps role "a" twice' in found[""]


def test_a_group_mapping_lists_groups_once_and_at_least_one() -> None:
    found = problems({"saml": saml(), "groupMappings": [{"role": "a", "groups": []}]})
    assert "groupMappings[0].groups" in found
    found = problems({"saml": saml(), "groupMappings": [{"role": "a", "groups": ["x", "x"]}]})
    assert "lists x more than once" in found["groupMappings[0].groups"]


def test_sso_domains_are_domains_and_capped() -> None:
    found = problems({"saml": saml(), "domains": ["ACME.com"]})
    assert 'must be written in lowercase: "acme.com"' in found["domains[0]"]
    many = [f"d{i}.example.com" for i in range(SSO_DOMAINS.value + 1)]
    assert f"at most {SSO_DOMAINS.value}" in problems({"saml": saml(), "domains": many})["domains"]
    groups = [f"g{i}" for i in range(SSO_GROUPS.value + 1)]
    found = problems({"saml": saml(), "groupMappings": [{"role": "a", "groups": groups}]})
    assert "groupMappings[0].groups" in found


# --- the tenant's sso: --------------------------------------------------------------------------


def test_customer_managed_declares_nothing_else() -> None:
    assert problems({"managedBy": "customer"}) == {}
    found = problems({"managedBy": "customer", "saml": saml(), "domains": []})
    assert "remove saml, domains, or set managedBy: code" in found[""]


def test_code_managed_declares_exactly_one_protocol() -> None:
    assert "neither saml nor oidc" in problems({"domains": ["acme.com"]})[""]
    both = {"saml": saml(), **with_oidc()}
    assert "declares both saml and oidc" in problems(both)[""]


def test_further_configurations_need_an_sso_id_and_display_name_each_once() -> None:
    extra = {"ssoId": "b2b", "displayName": "Partners", "saml": saml()}
    assert problems({"additional": [extra]}) == {}
    found = problems({"saml": saml(), "additional": [extra, extra]})
    assert 'additional lists ssoId "b2b" twice' in found[""]
    found = problems({"saml": saml(), "additional": [{"ssoId": "bad id", "saml": saml()}]})
    assert "additional[0].displayName" in found
    assert 'ssoId "bad id" is not allowed' in found["additional[0].ssoId"]


def test_specs_are_one_per_configuration_with_the_secret_name() -> None:
    sso = TenantSSO.model_validate(
        {
            **with_oidc(),
            "domains": ["acme.com"],
            "additional": [{"ssoId": "b2b", "displayName": "Partners", "saml": saml()}],
        }
    )
    (default, secret), (extra, none) = sso.specs("acme", adopt=True)
    assert (default.tenantId, default.ssoId, default.auth_type, secret) == (
        "acme",
        "",
        "oidc",
        "acmeSecret",
    )
    assert "clientSecret" not in default.canonical()["oidc"]
    assert default.adopt
    assert default.domains == ["acme.com"]
    assert (extra.ssoId, extra.displayName, extra.auth_type, none) == (
        "b2b",
        "Partners",
        "saml",
        None,
    )


def test_only_further_configurations_leave_the_default_unmanaged() -> None:
    sso = TenantSSO.model_validate(
        {"additional": [{"ssoId": "b2b", "displayName": "Partners", "saml": saml()}]}
    )
    assert not sso.manages_default
    assert [s.ssoId for s, _ in sso.specs("acme")] == ["b2b"]
    assert TenantSSO.model_validate({"managedBy": "customer"}).specs("acme") == []


# --- the resource's form ------------------------------------------------------------------------


def test_resource_inputs_need_one_protocol_and_a_display_name_when_further() -> None:
    base = {"tenantId": "acme", "saml": saml()}
    assert sso_configuration_problems(base) == []
    messages = [p.message for p in sso_configuration_problems({**base, "ssoId": "x"})]
    assert any("needs a displayName" in m for m in messages)
    messages = [p.message for p in sso_configuration_problems({"tenantId": "acme"})]
    assert any("exactly one of saml and oidc" in m for m in messages)
    assert SSOConfigurationSpec.model_validate({**base, "oidc": None}).auth_type == "saml"


def test_certificate_fingerprints_match_across_forms_and_differ_between_certificates() -> None:
    pem = certificate()
    assert certificate_fingerprint(pem) == certificate_fingerprint(certificate_body(pem))
    assert certificate_fingerprint(pem) != certificate_fingerprint(certificate("other.example"))
    assert certificate_fingerprint(" not one ") == "not one"
