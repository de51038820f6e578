"""Tenants' ``sso:`` in a configuration file: split off, one owner per field, secrets only from
stack secrets, roles and domains cross-checked; every problem with file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from config import ConfigurationErrors, load_configuration, stack_options
from config.stack import is_emulator_stack, secret_variable_names
from config.writer import dump_tenants_yaml
from model import SessionSettings
from tests.support.sso import certificate
from tests.unit.config.conftest import Problems, WriteYaml

SECRET_VALUE = "super-secret-client-VALUE"


def cert_block(indent: int) -> str:
    pad = " " * indent
    return "|\n" + textwrap.indent(certificate(), pad)


SAML_TENANT = f"""
  - id: acme
    name: Acme
    settings:
      sessionTokenExpiration: 30
      sessionTokenExpirationUnit: minutes
    sso:
      domains: [acme.com]
      saml:
        ssoUrl: https://idp.acme.example/sso
        entityId: https://idp.acme.example
        certificate: {cert_block(10)}
      groupMappings:
        - {{role: admin, groups: [it]}}
      defaultRoles: [member]
"""
OIDC_TENANT = """
  - id: globex
    name: Globex
    sso:
      domains: [globex.com]
      oidc:
        issuer: https://globex.okta.example
        clientId: globex
        clientSecret: ${globexSecret}
"""


def test_sso_is_split_off_the_tenant_and_kept_by_tenant(write_yaml: WriteYaml) -> None:
    path = write_yaml("tenants:" + SAML_TENANT + OIDC_TENANT)
    configuration = load_configuration(path, secret_variables=["globexSecret"])
    acme, _globex = configuration.tenants
    assert "sso" not in acme.model_dump()
    assert set(configuration.tenant_sso) == {"acme", "globex"}
    saml = configuration.tenant_sso["acme"].saml
    assert saml is not None
    assert saml.certificate == certificate()
    assert configuration.tenant_sso["globex"].oidc is not None
    assert configuration.tenant_sso["globex"].oidc.clientSecret == "${globexSecret}"
    lines = path.read_text().splitlines()
    assert configuration.sso_lines == {
        "acme": lines.index("    sso:") + 1,
        "globex": len(lines) - lines[::-1].index("    sso:"),
    }
    # The tenant's settings keep the defaults for what its SSO owns.
    assert acme.settings == SessionSettings(
        sessionTokenExpiration=30, sessionTokenExpirationUnit="minutes"
    )


def test_settings_domains_and_auth_type_are_declared_once(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
        defaults:
          settings: {authType: saml}
        tenants:
          - id: acme
            name: Acme
            settings:
              domains: [acme.com]
            sso: {managedBy: customer}
        """
    )
    found = {(p.line, p.field): p.message for p in problems_of(path)}
    assert "the customer sets them up (sso.managedBy: customer)" in found[(8, "settings.domains")]
    # Written in defaults: the message names the tenant that declares sso:.
    assert (
        'tenant "acme" declares sso:, which owns its SSO authType'
        in found[(3, "settings.authType")]
    )
    assert "Remove settings.domains" in found[(8, "settings.domains")]


def test_a_literal_client_secret_is_refused_with_its_line_and_never_shown(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml("tenants:" + OIDC_TENANT.replace("${globexSecret}", SECRET_VALUE))
    (problem,) = problems_of(path)
    assert (problem.line, problem.subject, problem.field) == (
        9,
        'tenant "globex"',
        "sso.oidc.clientSecret",
    )
    assert SECRET_VALUE not in str(problem)


def test_a_client_secret_must_name_a_stack_secret(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml("tenants:" + OIDC_TENANT)
    (unknown,) = problems_of(path)
    assert "which the stack does not set as a secret" in unknown.message
    assert "pulumi config set --secret descope-config:globexSecret" in unknown.message
    (plain,) = problems_of(path, variables={"globexSecret": SECRET_VALUE})
    assert "is set in plain text" in plain.message
    assert SECRET_VALUE not in str(plain)
    # The emulator's stack may hold it in plain text; a stack secret is fine everywhere.
    load_configuration(path, variables={"globexSecret": SECRET_VALUE}, plain_secrets_allowed=True)
    load_configuration(path, secret_variables=["globexSecret"])


def test_a_stack_secret_may_be_named_by_a_client_secret_only(
    write_yaml: WriteYaml, problems_of: Problems, tmp_path: Path
) -> None:
    flow = tmp_path / "f.json"
    flow.write_text('{"flow": {"id": "f", "name": "${globexSecret}"}, "screens": []}')
    path = write_yaml(
        "tenants:"
        + OIDC_TENANT
        + '    customAttributes: {note: "${globexSecret}"}\nflows:\n  - {id: f, file: f.json}\n'
    )
    found = problems_of(
        path, variables={"globexSecret": SECRET_VALUE}, secret_variables=["globexSecret"]
    )
    messages = [p.message for p in found]
    assert len(found) == 2
    assert all(
        "a stack secret. A stack secret may only be an SSO clientSecret" in m for m in messages
    )
    assert all(SECRET_VALUE not in str(p) for p in found)


def test_role_names_of_sso_are_checked_when_roles_are_managed(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    text = "roles:\n  - name: member\n  - name: admins\ntenants:" + SAML_TENANT
    found = {p.field: p.message for p in problems_of(write_yaml(text))}
    message = found["sso.groupMappings[0].role"]
    assert 'role "admin" is not declared in roles:' in message
    assert "lists it in its SSO configuration on line" in message
    assert 'Did you mean "admins"?' in message
    # Without roles: the roles are managed outside the file, and names are not checked.
    load_configuration(write_yaml("tenants:" + SAML_TENANT))


def test_sso_domains_are_one_tenants_unless_the_project_allows_duplicates(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    text = (
        "tenants:"
        + SAML_TENANT
        + """
  - id: other
    name: Other
    settings: {domains: [acme.com]}
  - id: third
    name: Third
    sso:
      saml: {metadataUrl: "https://idp.third.example/md"}
      domains: [acme.com]
      additional:
        - ssoId: x
          displayName: X
          saml: {metadataUrl: "https://idp.third.example/md2"}
          domains: [acme.com]
"""
    )
    path = write_yaml(text)
    found = [(p.subject, p.field, p.message) for p in problems_of(path)]
    assert [f[:2] for f in found] == [
        ('tenant "other"', "settings.domains[0]"),
        ('tenant "third"', "sso.domains[0]"),
        ('tenant "third"', "sso.additional[0].domains[0]"),
    ]
    acme_line = text.splitlines().index("      domains: [acme.com]") + 1
    assert found[0][2] == (
        'the domain "acme.com" is claimed by two tenants: tenant "other" here, as an SSO domain, '
        f'and tenant "acme" at tenants.yaml:{acme_line}, as an SSO domain. Descope refuses an '
        "SSO domain another tenant holds: remove it from one of them (or, if the Descope "
        "project allows duplicate SSO domains, set descope-config:allowDuplicateSSODomains: "
        "true in the stack)."
    )
    assert 'tenant "third" here' in found[1][2]
    assert found[2][2].startswith(
        'the SSO domain "acme.com" is claimed twice by tenant "third": here and at tenants.yaml:'
    )
    assert found[2][2].endswith("list it in one of them.")
    found_allowed = [
        (p.field, p.message) for p in problems_of(path, allow_duplicate_sso_domains=True)
    ]
    assert found_allowed == [(f, m) for _, f, m in found[2:]]


def test_a_customer_managed_tenant_has_no_configurations(write_yaml: WriteYaml) -> None:
    path = write_yaml("tenants:\n  - {id: initech, name: Initech, sso: {managedBy: customer}}\n")
    sso = load_configuration(path).tenant_sso["initech"]
    assert sso.customer_managed
    assert sso.specs("initech") == []


def test_sso_in_defaults_is_an_unknown_key(write_yaml: WriteYaml, problems_of: Problems) -> None:
    path = write_yaml("defaults:\n  sso: {managedBy: customer}\ntenants: []\n")
    (problem,) = problems_of(path)
    assert problem.field == "sso"
    assert 'unknown key "sso"' in problem.message


def test_the_writer_writes_sso_back_with_its_secret_reference(write_yaml: WriteYaml) -> None:
    path = write_yaml("tenants:" + SAML_TENANT + OIDC_TENANT)
    configuration = load_configuration(path, secret_variables=["globexSecret"])
    text = dump_tenants_yaml(configuration.tenants, tenant_sso=configuration.tenant_sso)
    assert "clientSecret: ${globexSecret}" in text
    path.write_text(text, encoding="utf-8")
    again = load_configuration(path, secret_variables=["globexSecret"])
    assert again.tenant_sso == configuration.tenant_sso


# --- the stack's side ---------------------------------------------------------------------------


def test_stack_secret_names_and_the_emulator_exemption() -> None:
    keys = ["descope:managementKey", "descope-config:a", "descope-config:b.c", "other:x"]
    assert secret_variable_names(keys) == {"a", "b.c"}
    assert is_emulator_stack({"descope:baseUrl": "http://127.0.0.1:8787"})
    assert not is_emulator_stack({"descope:baseUrl": "https://api.descope.com"})
    assert not is_emulator_stack({})


@pytest.mark.parametrize(("text", "allowed"), [(None, False), ("true", True), ("false", False)])
def test_allow_duplicate_sso_domains_is_a_stack_setting(text: str | None, allowed: bool) -> None:
    values = {} if text is None else {"allowDuplicateSSODomains": text}
    options = stack_options("prod", values, source=Path("Pulumi.prod.yaml"), secret_variables=["s"])
    assert options.allow_duplicate_sso_domains is allowed
    assert options.secret_variables == {"s"}
    assert "allowDuplicateSSODomains" not in options.variables


def test_a_bad_allow_duplicate_sso_domains_value_is_refused() -> None:
    with pytest.raises(ConfigurationErrors, match='is "maybe": write true or false'):
        stack_options("dev", {"allowDuplicateSSODomains": "maybe"}, source=Path("P.yaml"))


@pytest.mark.parametrize(
    "stack",
    [
        {"variables": {"globexSecret": SECRET_VALUE, "env": "dev"}, "plain_secrets_allowed": True},
        {"variables": {"env": "dev"}, "secret_variables": ["globexSecret"]},
    ],
    ids=["emulator stack, plain", "stack secret"],
)
def test_an_unknown_variable_never_lists_a_client_secret_among_the_known(
    write_yaml: WriteYaml, problems_of: Problems, stack: dict[str, Any]
) -> None:
    path = write_yaml("tenants:" + OIDC_TENANT + '    customAttributes: {note: "${globexSecrt}"}\n')
    (problem,) = problems_of(path, **stack)
    assert 'unknown variable "globexSecrt"' in problem.message
    assert "Known variables: env." in problem.message
    assert "globexSecret" not in problem.message.replace("globexSecrt", "")
