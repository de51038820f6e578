"""Writing configuration back: valid, stable text that loads to the same values."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from config import dump_tenants_yaml, load_configuration
from config.variables import substitute_text
from model import AttributeDefinition, PermissionSpec, RoleSpec, SessionSettings, TenantSpec
from tests.unit.config.conftest import REPO

TENANTS = [
    TenantSpec(
        id="acme",
        name="Acme ${not a variable}",
        selfProvisioningDomains=["acme.com"],
        customAttributes={"seats": 250, "plan": "enterprise", "tags": ["a", "b"]},
        enforceSSO=True,
        enforceSSOExclusions=["U1"],
        defaultRoles=["member"],
        settings=SessionSettings(
            domains=["acme.com"],
            authType="saml",
            sessionTokenExpiration=30,
            sessionTokenExpirationUnit="minutes",
        ),
        adopt=True,
        protect=False,
    ),
    TenantSpec(id="globex", name="Globex", settings=SessionSettings()),
    TenantSpec(id="initech", name="Initech: yes", customAttributes={"on": True, "n": "3"}),
]


def test_dumped_configuration_loads_back_to_the_same_tenants(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    path.write_text(dump_tenants_yaml(TENANTS), encoding="utf-8")
    assert load_configuration(path).tenants == TENANTS


def test_dumping_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "tenants.yaml"
    first = dump_tenants_yaml(TENANTS, comment="Exported from P2abc.\n\nDo not edit by hand.")
    path.write_text(first, encoding="utf-8")
    again = dump_tenants_yaml(
        load_configuration(path).tenants, comment="Exported from P2abc.\n\nDo not edit by hand."
    )
    assert again == first
    assert first.splitlines()[:4] == [
        "# yaml-language-server: $schema=../tenants.schema.json",
        "# Exported from P2abc.",
        "#",
        "# Do not edit by hand.",
    ]


def test_custom_attributes_are_sorted_and_defaults_left_out() -> None:
    text = dump_tenants_yaml(TENANTS[:1], schema=None)
    assert text.index("plan:") < text.index("seats:") < text.index("tags:")
    assert "disabled" not in text
    assert "cascadeDelete" not in text
    assert text.startswith("tenants:\n")


def test_flows_theme_and_defaults_round_trip(tmp_path: Path) -> None:
    flows_dir = REPO / "config" / "flows"
    example = load_configuration(
        REPO / "config" / "tenants" / "dev.yaml",
        variables={"domainSuffix": "dev.example.com", "environment": "dev"},
        flows_dir=flows_dir,
        secret_variables=["globexOidcClientSecret"],
    )
    text = dump_tenants_yaml(
        example.tenants,
        example.flows,
        example.theme,
        defaults={"disabled": False},
        tenant_sso=example.tenant_sso,
        files_relative_to=flows_dir,
    )
    assert "file: sign-up-or-in.json" in text
    assert "file: theme.json" in text
    path = tmp_path / "tenants.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_configuration(
        path,
        variables={"domainSuffix": "dev.example.com"},
        flows_dir=flows_dir,
        secret_variables=["globexOidcClientSecret"],
    )
    assert loaded.tenants == example.tenants
    assert loaded.tenant_sso == example.tenant_sso
    assert "clientSecret: ${globexOidcClientSecret}" in text
    assert loaded.flows == example.flows
    assert loaded.theme == example.theme


def test_delete_on_remove_is_written_only_when_set(tmp_path: Path) -> None:
    flows_dir = REPO / "config" / "flows"
    example = load_configuration(
        REPO / "config" / "tenants" / "prod.yaml",
        variables={"domainSuffix": "example.com", "environment": "prod"},
        secret_variables=["globexOidcClientSecret"],
        flows_dir=flows_dir,
    )
    flow = example.flows[0]
    flagged = type(flow)(flow.id, flow.file, True, flow.content, flow.content_hash)
    text = dump_tenants_yaml([], [flagged])
    assert f"file: {flow.file.as_posix()}" in text
    assert "deleteOnRemove: true" in text


@given(st.text())
def test_escaping_round_trips_any_text(text: str) -> None:
    escaped = text.replace("${", "$${")
    assert substitute_text(escaped, {}) == (text, None)


def test_a_tenant_given_as_a_mapping_is_written_unchecked_in_model_order() -> None:
    """What export writes for a tenant the model refuses: as Descope holds it, to fix by hand."""
    text = dump_tenants_yaml(
        [
            {
                "disabled": False,
                "selfProvisioningDomains": ["Big.COM"],
                "name": "Big",
                "id": "big",
                "settings": {"authType": "none", "JITDisabled": True},
                "adopt": True,
            }
        ],
        schema=None,
    )
    assert text == (
        "tenants:\n"
        "- id: big\n"
        "  name: Big\n"
        "  selfProvisioningDomains:\n"
        "  - Big.COM\n"
        "  settings:\n"
        "    JITDisabled: true\n"
        "  adopt: true\n"
    )


def test_attributes_roles_and_tenant_roles_round_trip(tmp_path: Path) -> None:
    definitions = {
        "plan": AttributeDefinition(type="singleselect", options=["starter", "enterprise"]),
        "seats": AttributeDefinition(type="number", displayName="Seats"),
    }
    permissions = [PermissionSpec(name="billing.read", description="Read ${x} invoices")]
    roles = [
        RoleSpec(name="member"),
        RoleSpec(name="billing-viewer", permissions=["billing.read"], previousName="billing"),
    ]
    own = {"acme": [RoleSpec(name="acme-auditor", permissions=["User Admin"])]}
    tenant = TenantSpec(
        id="acme",
        name="Acme",
        customAttributes={"plan": "starter", "seats": 3},
        defaultRoles=["member", "acme-auditor"],
    )
    text = dump_tenants_yaml(
        [tenant],
        tenant_attributes=definitions,
        permissions=permissions,
        roles=roles,
        tenant_roles=own,
        schema=None,
    )
    assert text.index("tenantAttributes:") < text.index("permissions:") < text.index("roles:")
    assert text.index("roles:") < text.index("tenants:")
    path = tmp_path / "tenants.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_configuration(path)
    assert loaded.tenants == [tenant]
    assert loaded.tenant_attributes == definitions
    assert loaded.permissions == permissions
    assert loaded.roles == roles
    assert loaded.tenant_roles == own
    assert "options" not in text.split("seats:")[1]  # unset values are left out


def test_sections_not_given_are_left_out_as_unmanaged() -> None:
    text = dump_tenants_yaml([TenantSpec(id="a", name="A")], schema=None)
    assert text == "tenants:\n- id: a\n  name: A\n"
