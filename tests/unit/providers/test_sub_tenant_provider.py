"""Sub-tenants through TenantProvider, the real SDK over the in-process emulator: the create
carries parent and roleInheritance, a changed parent replaces, roleInheritance updates in
place, a missing parent is named."""

from __future__ import annotations

from typing import Any

import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from model.tenant import TenantSpec
from providers.errors import DescopeApiError
from providers.sub_tenants import create_body
from providers.tenant import TenantProvider, tenant_props
from tests.unit.providers import tenant_fakes
from tests.unit.providers.tenant_fakes import acme, counts

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
provider = tenant_fakes.provider
sleeps = tenant_fakes.sleeps


def labs(**changes: Any) -> dict[str, Any]:
    """Acme's sub-tenant, as the resource's inputs."""
    props: dict[str, Any] = {
        "tenantId": "acme-labs",
        "name": "Acme Labs",
        "parent": "acme",
        "roleInheritance": "userOnly",
    }
    props.update(changes)
    return props


def created(
    provider: TenantProvider, props: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    result = provider.check({}, props)
    assert result.failures == []
    made = provider.create(result.inputs)
    assert made.outs is not None
    return result.inputs, made.outs


def test_the_create_carries_parent_and_role_inheritance_in_one_call(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme(defaultRoles=[]))
    app.counters.reset()
    inputs, outputs = created(provider, labs())
    assert counts(app) == {"POST /v1/mgmt/tenant/create": 1}
    assert app.requests()[-1].body == {
        "name": "Acme Labs",
        "id": "acme-labs",
        "selfProvisioningDomains": [],
        "enforceSSO": False,
        "disabled": False,
        "parent": "acme",
        "roleInheritance": "userOnly",
    }
    held = app.backend.tenants["acme-labs"]
    assert (held.parent, held.role_inheritance) == ("acme", "userOnly")
    assert (outputs["parent"], outputs["roleInheritance"]) == ("acme", "userOnly")
    assert provider.read("acme-labs", outputs).outs == outputs
    assert provider.diff("acme-labs", outputs, inputs).changes is False


def test_the_create_body_is_the_sdks_with_the_sub_tenant_fields() -> None:
    spec = TenantSpec(
        id="a", name="A", customAttributes={"k": 1}, enforceSSO=True, enforceSSOExclusions=["u"]
    )
    assert create_body(spec) == {
        "name": "A",
        "id": "a",
        "selfProvisioningDomains": [],
        "enforceSSO": True,
        "disabled": False,
        "customAttributes": {"k": 1},
        "enforceSSOExclusions": ["u"],
    }
    assert create_body(spec.model_copy(update={"roleInheritance": "none"}))["roleInheritance"] == (
        "none"
    )


def test_a_changed_or_removed_parent_replaces_and_role_inheritance_updates(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme(defaultRoles=[]))
    _, outputs = created(provider, labs())
    for news in (labs(parent="globex"), labs(parent=None)):
        result = provider.diff("acme-labs", outputs, tenant_props(news))
        assert (result.changes, result.replaces, result.delete_before_replace) == (
            True,
            ["parent"],
            True,
        )
    result = provider.diff("acme-labs", outputs, labs(roleInheritance="none"))
    assert (result.changes, result.replaces) == (True, [])
    app.counters.reset()
    outs = provider.update("acme-labs", outputs, labs(roleInheritance="none")).outs or {}
    assert counts(app) == {"PATCH /v1/mgmt/tenant/patch": 1}
    assert app.requests()[-1].body["roleInheritance"] == "none"
    assert app.backend.tenants["acme-labs"].role_inheritance == "none"
    assert outs["roleInheritance"] == "none"


def test_an_undeclared_role_inheritance_is_left_as_descope_holds_it(
    provider: TenantProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    created(provider, acme(defaultRoles=[]))
    _, outputs = created(provider, labs(roleInheritance=None))
    descope.mgmt.tenant.patch_tenant("acme-labs", role_inheritance="userOnly")
    refreshed = provider.read("acme-labs", outputs)
    assert refreshed.outs is not None
    assert refreshed.outs["roleInheritance"] == "userOnly"
    news = labs(roleInheritance=None)
    assert provider.diff("acme-labs", refreshed.outs, news).changes is False
    provider.update("acme-labs", refreshed.outs, {**news, "name": "Acme Labs 2"})
    assert "roleInheritance" not in app.requests()[-1].body
    assert app.backend.tenants["acme-labs"].role_inheritance == "userOnly"


def test_a_state_recorded_before_sub_tenants_shows_no_change(provider: TenantProvider) -> None:
    _, outputs = created(provider, acme(defaultRoles=[]))
    for key in ("parent", "roleInheritance"):
        del outputs[key]
    assert provider.diff("acme", outputs, tenant_props(acme(defaultRoles=[]))).changes is False


def test_a_missing_parent_is_named_with_what_to_do(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    with pytest.raises(DescopeApiError) as caught:
        created(provider, labs(parent="nowhere"))
    text = str(caught.value)
    assert text.startswith(
        'Unable to create Descope tenant "acme-labs": the parent it names, tenant "nowhere", '
        'does not exist in Descope; sub-tenant "acme-labs" was not created and nothing was '
        "changed (Descope answered 400 E099001:"
    ), text
    assert text.endswith(
        'Declare tenant "nowhere" in the same configuration file (it is then created first), '
        "or set parent to the id of a tenant that exists in Descope, or remove parent."
    )
    assert "acme-labs" not in app.backend.tenants


def test_a_parent_with_sub_tenants_is_deleted_only_with_cascade_and_snapshots_them(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    _, parent = created(provider, acme(defaultRoles=[]))
    created(provider, labs())
    with pytest.raises(DescopeApiError) as caught:
        provider.delete("acme", parent)
    assert "set cascadeDelete: true" in str(caught.value)
    provider.delete("acme", {**parent, "cascadeDelete": True})
    assert set(app.backend.tenants) == set()


@pytest.mark.parametrize(
    ("declared", "holds", "wants", "action"),
    [
        (None, 'is a sub-tenant of "acme"', "no parent", "Set parent: acme on the entry"),
        ("globex", 'is a sub-tenant of "acme"', 'parent "globex"', "Set parent: acme"),
    ],
)
def test_adopting_a_tenant_under_another_parent_is_refused_naming_both(
    provider: TenantProvider,
    descope: DescopeClient,
    app: EmulatorApp,
    declared: str | None,
    holds: str,
    wants: str,
    action: str,
) -> None:
    created(provider, acme(defaultRoles=[]))
    created(provider, labs())
    with pytest.raises(DescopeApiError) as caught:
        created(provider, labs(parent=declared, adopt=True, name="Acme Labs 2"))
    text = str(caught.value)
    assert text.startswith(
        f'Unable to adopt Descope tenant "acme-labs": the tenant {holds} in Descope, but its '
        f"entry declares {wants}; Descope sets a parent only when it creates a tenant, so "
        "adopting cannot change it. Nothing was changed."
    ), text
    assert action in text
    assert app.backend.tenants["acme-labs"].name == "Acme Labs"


def test_adopting_a_sub_tenant_as_declared_changes_nothing_of_its_parent(
    provider: TenantProvider, app: EmulatorApp
) -> None:
    created(provider, acme(defaultRoles=[]))
    created(provider, labs())
    inputs, outputs = created(provider, labs(adopt=True, roleInheritance=None))
    assert (outputs["parent"], outputs["roleInheritance"]) == ("acme", "userOnly")
    assert provider.diff("acme-labs", outputs, inputs).changes is False
    assert provider.read("acme-labs", outputs).outs == outputs
