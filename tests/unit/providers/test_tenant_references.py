"""What a tenant refers to (`providers.references`): the attribute definitions its check judges
custom attributes against, and default roles naming the tenant's own roles."""

from __future__ import annotations

from typing import Any

import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from model.attributes import AttributeDefinition
from providers import references
from providers.errors import DescopeApiError, PartialFailure
from providers.tenant import TenantProvider
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme, counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps

DEFINITIONS = {
    "tier": AttributeDefinition(type="singleselect", options=["gold", "silver"]).as_data("tier"),
    "seats": AttributeDefinition(type="number").as_data("seats"),
}


def checked(provider: TenantProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == [], result.failures
    return dict(result.inputs)


# --- attribute definitions -------------------------------------------------------------------


def test_check__custom_attributes_are_judged_against_the_definitions(
    provider: TenantProvider,
) -> None:
    result = provider.check(
        {},
        acme(
            customAttributes={"tier": "gould", "seats": "3", "teir": "x"},
            attributeDefinitions=DEFINITIONS,
        ),
    )
    reasons = [f.reason for f in result.failures]
    assert {f.property for f in result.failures} == {"customAttributes"}
    assert any(
        r.startswith("customAttributes.tier:") and 'Did you mean "gold"' in r for r in reasons
    )
    assert any("customAttributes.seats: must be a number" in r for r in reasons)
    assert any("customAttributes.teir: is not defined" in r for r in reasons)


def test_check__valid_values_keep_the_definitions_as_an_input(provider: TenantProvider) -> None:
    inputs = checked(provider, acme(attributeDefinitions=DEFINITIONS, ownRoles=["auditor"]))
    assert inputs["attributeDefinitions"] == DEFINITIONS
    assert inputs["ownRoles"] == ["auditor"]


def test_check__without_definitions_attributes_stay_free_form(provider: TenantProvider) -> None:
    inputs = checked(provider, acme(customAttributes={"anything": "goes"}))
    assert "attributeDefinitions" not in inputs


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("attributeDefinitions", {"tier": {"type": "colour"}}, "tier.type"),
        ("attributeDefinitions", ["tier"], "must be a mapping"),
        ("ownRoles", "auditor", "must be a list of role names"),
    ],
)
def test_check__malformed_side_inputs_are_refused(
    provider: TenantProvider, key: str, value: Any, words: str
) -> None:
    result = provider.check({}, acme(**{key: value}))
    assert [f.property for f in result.failures] == [key]
    assert words in result.failures[0].reason


def test_diff__a_changed_definition_or_own_role_changes_no_tenant(
    provider: TenantProvider,
) -> None:
    inputs = checked(provider, acme(attributeDefinitions=DEFINITIONS))
    outputs = provider.create(inputs).outs or {}
    changed = {
        **inputs,
        "attributeDefinitions": {**DEFINITIONS, "region": {"type": "string"}},
        "ownRoles": ["auditor"],
    }
    assert provider.diff("acme", outputs, changed).changes is False


def test_create__descope_refusing_an_attribute_names_it_the_tenant_and_where_to_define_it(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    with pytest.raises(DescopeApiError) as caught:
        provider.create(checked(provider, acme(customAttributes={"crmId": "C-1", "tier": "gold"})))
    text = str(caught.value)
    assert text.startswith('Unable to create Descope tenant "acme": Descope refused the custom ')
    assert 'attribute "crmId" of tenant "acme"' in text
    assert (
        "console: Tenants, Custom Attributes, or with descope-config:manageAttributeDefinitions"
        in text
    )
    assert "under tenantAttributes: in the stack's configuration file" in text
    assert "acme" not in app.backend.tenants


def test_update__descope_refusing_an_attribute_says_the_same(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    inputs = checked(provider, acme())
    outputs = provider.create(inputs).outs or {}
    news = checked(provider, acme(customAttributes={"tier": "gold", "crmId": "C-1"}))
    with pytest.raises(DescopeApiError, match='custom attribute "crmId" of tenant "acme"'):
        provider.update("acme", outputs, news)
    assert "crmId" not in app.backend.tenants["acme"].custom_attributes


def test_adopt__descope_refusing_an_attribute_says_where_the_snapshot_is(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    descope.mgmt.tenant.create("Acme", "acme")
    with pytest.raises(PartialFailure) as caught:
        provider.create(checked(provider, acme(adopt=True, customAttributes={"crmId": "C-1"})))
    assert 'custom attribute "crmId"' in str(caught.value)
    assert "saved in" in str(caught.value)


# --- default roles naming the tenant's own roles ---------------------------------------------


def test_create__own_roles_not_created_yet_are_left_to_them(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    props = acme(defaultRoles=["member", "auditor"], ownRoles=["auditor"])
    outputs = provider.create(checked(provider, props)).outs or {}
    assert descope.mgmt.tenant.load("acme")["defaultRoles"] == ["member"]
    assert outputs["defaultRoles"] == ["member", "auditor"]  # the role adds itself in this up
    assert counts(app)["POST /v1/mgmt/role/search"] == 1


def test_create__without_own_roles_among_the_defaults_no_search_is_made(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    provider.create(checked(provider, acme(defaultRoles=["member"], ownRoles=["auditor"])))
    assert "POST /v1/mgmt/role/search" not in counts(app)


def test_update__own_roles_that_exist_are_written(
    provider: TenantProvider, descope: DescopeClient
) -> None:
    outputs = provider.create(checked(provider, acme(ownRoles=["auditor", "later"]))).outs or {}
    descope.mgmt.role.create("auditor", tenant_id="acme")
    news = checked(
        provider, acme(defaultRoles=["member", "auditor", "later"], ownRoles=["auditor", "later"])
    )
    provider.update("acme", outputs, news)
    assert descope.mgmt.tenant.load("acme")["defaultRoles"] == ["member", "auditor"]


# --- the definitions' digest -----------------------------------------------------------------


def test_side_props__record_a_digest_of_the_used_definitions_not_the_definitions() -> None:
    props = references.side_props(DEFINITIONS, [], used=["tier", "undefined"])

    assert "attributeDefinitions" not in props
    digest = props[references.DIGEST_KEY]
    assert digest == references.definitions_digest({"tier": DEFINITIONS["tier"]})
    assert references.is_digest(digest)
    assert len(digest) == len("sha256:") + 16
    # The same definitions give the same digest; a changed one another.
    assert references.side_props(DEFINITIONS, [], used=["tier"])[references.DIGEST_KEY] == digest
    changed = {**DEFINITIONS, "tier": {**DEFINITIONS["tier"], "displayName": "Level"}}
    assert references.side_props(changed, [], used=["tier"])[references.DIGEST_KEY] != digest
    assert references.DIGEST_KEY not in references.side_props(None, [], used=["tier"])


def test_check__keeps_the_digest_and_refuses_one_not_written_by_the_program(
    provider: TenantProvider,
) -> None:
    digest = references.definitions_digest(DEFINITIONS)
    assert checked(provider, acme(attributeDefinitionsDigest=digest))[references.DIGEST_KEY] == (
        digest
    )
    for bad in ("sha256:XYZ", 42, "md5:0123456789abcdef", "sha256:0123456789abcdeg"):
        result = provider.check({}, acme(attributeDefinitionsDigest=bad))
        assert [f.property for f in result.failures] == [references.DIGEST_KEY]
        assert "hex digits" in result.failures[0].reason


def test_diff__a_state_holding_the_definitions_and_inputs_holding_the_digest_do_not_differ(
    provider: TenantProvider,
) -> None:
    """A tenant recorded before the digest (its inputs and outputs as that program wrote
    them) against today's inputs: no update, the definitions are not Descope's tenant."""
    old_inputs = checked(provider, acme(attributeDefinitions=DEFINITIONS))
    outputs = provider.create(old_inputs).outs or {}
    new_inputs = {k: v for k, v in old_inputs.items() if k != "attributeDefinitions"}
    new_inputs[references.DIGEST_KEY] = references.definitions_digest(DEFINITIONS)

    assert provider.diff("acme", outputs, checked(provider, new_inputs)).changes is False
    assert provider.diff("acme", {**outputs, **old_inputs}, new_inputs).changes is False
