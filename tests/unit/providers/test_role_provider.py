"""RoleProvider against the real SDK over the in-process emulator (no sockets, no host)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from descope import DescopeClient
from descope.exceptions import AuthException
from pulumi.runtime import rpc

from emulator.app import EmulatorApp
from providers import role
from providers.backups import read_snapshot
from providers.errors import DescopeApiError
from providers.role import RoleProvider
from tests.unit.providers import authz_fakes, tenant_fakes
from tests.unit.providers.authz_fakes import auditor, checked, created
from tests.unit.providers.tenant_fakes import counts, warnings_logged

app = tenant_fakes.app
backup_dir = tenant_fakes.backup_dir
descope = tenant_fakes.descope
sleeps = tenant_fakes.sleeps
roles = authz_fakes.roles

CREATE = "POST /v1/mgmt/role/create"
UPDATE = "POST /v1/mgmt/role/update"
DELETE = "POST /v1/mgmt/role/delete"
SEARCH = "POST /v1/mgmt/role/search"
LIST = "GET /v1/mgmt/role/all"


def held(app: EmulatorApp, name: str, tenant_id: str = "") -> dict[str, Any] | None:
    """The role as the emulator holds it, or None."""
    for found in app.backend.authz.load_roles()["roles"]:
        if found["name"] == name and found["tenantId"] == tenant_id:
            return dict(found)
    return None


@pytest.fixture
def acme_tenant(descope: DescopeClient, app: EmulatorApp) -> str:
    descope.mgmt.tenant.create("Acme", "acme")
    app.counters.reset()
    return "acme"


# --- check -----------------------------------------------------------------------------------


def test_check__returns_canonical_inputs(roles: RoleProvider) -> None:
    inputs = checked(roles, auditor(permissions=["User Admin", "SSO Admin"], tenantDefault=None))
    assert inputs == {
        "name": "auditor",
        "tenantId": "",
        "description": "Reads everything",
        "permissions": ["SSO Admin", "User Admin"],
        "tenantDefault": False,
    }


def test_check__one_failure_per_bad_field_in_model_words(roles: RoleProvider) -> None:
    result = roles.check(
        {},
        auditor(
            name="audit\u200bor",
            description="x" * 300,
            permissions=["a", "a"],
            colour="red",
            tenantId="not an id",
        ),
    )
    reasons = {f.property: f.reason for f in result.failures}
    assert set(reasons) == {"name", "description", "permissions", "colour", "tenantId"}
    assert "\\u200b" in reasons["name"]
    assert "254" in reasons["description"]
    assert '"not an id" is not a tenant id' in reasons["tenantId"]
    assert "Traceback" not in json.dumps(reasons)


@pytest.mark.parametrize("tenant_id", ["", "acme"])
def test_check__a_built_in_role_cannot_be_declared(roles: RoleProvider, tenant_id: str) -> None:
    result = roles.check({}, auditor(name="Tenant Admin", tenantId=tenant_id))
    assert [f.property for f in result.failures] == ["name"]
    assert "built-in" in result.failures[0].reason


def test_check__values_not_known_yet_are_not_judged(roles: RoleProvider) -> None:
    result = roles.check({}, auditor(description=rpc.UNKNOWN))
    assert result.failures == []


# --- diff ------------------------------------------------------------------------------------


def test_diff__none_right_after_create_and_permission_order_ignored(roles: RoleProvider) -> None:
    inputs, outputs = created(roles, auditor())
    assert roles.diff("auditor", outputs, inputs).changes is False
    reordered = {**inputs, "permissions": ["User Admin", "SSO Admin"]}
    assert roles.diff("auditor", outputs, reordered).changes is False


def test_diff__a_rename_is_an_update_and_another_tenant_a_replace(roles: RoleProvider) -> None:
    inputs, outputs = created(roles, auditor())
    renamed = roles.diff("auditor", outputs, {**inputs, "name": "reviewer"})
    assert (renamed.changes, renamed.replaces) == (True, [])
    moved = roles.diff("auditor", outputs, {**inputs, "tenantId": "acme"})
    assert (moved.changes, moved.replaces) == (True, ["tenantId"])


def test_diff__the_tenants_default_roles_are_not_the_roles_business(roles: RoleProvider) -> None:
    inputs, outputs = created(roles, auditor())
    assert roles.diff("auditor", outputs, {**inputs, "tenantDefault": True}).changes is False


# --- create ----------------------------------------------------------------------------------


def test_create__is_one_call_and_descope_holds_the_role(
    roles: RoleProvider, app: EmulatorApp
) -> None:
    _, outputs = created(roles, auditor())
    assert counts(app) == {CREATE: 1}
    found = held(app, "auditor")
    assert found is not None
    assert (found["description"], sorted(found["permissionNames"])) == (
        "Reads everything",
        ["SSO Admin", "User Admin"],
    )
    assert (outputs["default"], outputs["private"]) == (False, False)


def test_create__a_tenant_role_belongs_to_its_tenant(
    roles: RoleProvider, app: EmulatorApp, acme_tenant: str
) -> None:
    result = roles.create(checked(roles, auditor(tenantId=acme_tenant)))
    assert result.id == "acme/auditor"
    assert held(app, "auditor", "acme") is not None
    assert held(app, "auditor") is None


def test_create__a_tenant_default_role_adds_itself_to_the_tenants_default_roles(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient, acme_tenant: str
) -> None:
    descope.mgmt.tenant.update_default_roles("acme", ["member"])
    app.counters.reset()
    created(roles, auditor(tenantId="acme", tenantDefault=True))
    assert counts(app) == {
        CREATE: 1,
        "GET /v1/mgmt/tenant": 1,
        "POST /v1/mgmt/tenant/updateDefaultRoles": 1,
    }
    assert descope.mgmt.tenant.load("acme")["defaultRoles"] == ["member", "auditor"]


def test_create__adopts_a_role_descope_holds_exactly_as_declared(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.role.create("auditor", "Reads everything", ["User Admin", "SSO Admin"])
    app.counters.reset()
    _, outputs = created(roles, auditor())
    assert counts(app) == {CREATE: 1, SEARCH: 1}
    assert outputs["name"] == "auditor"


def test_create__refuses_a_role_that_differs_saying_what_descope_holds(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    descope.mgmt.role.create("auditor", "Made in the console", ["User Admin"])
    with pytest.raises(DescopeApiError) as caught:
        created(roles, auditor())
    text = str(caught.value)
    assert 'Unable to create Descope role "auditor"' in text
    assert 'Descope holds description "Made in the console" and permissions ["User Admin"]' in text
    assert 'declared: description "Reads everything"' in text
    assert "python -m ops export --stack dev" in text
    found = held(app, "auditor")
    assert found is not None
    assert found["description"] == "Made in the console"  # untouched


def test_create__a_lost_answer_of_a_create_that_happened_is_success(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = descope.mgmt.role.create

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_create(*args, **kwargs)
        raise AuthException(503, "server error", '{"errorCode":"E010009"}')

    monkeypatch.setattr(descope.mgmt.role, "create", create_then_fail)
    _, outputs = created(roles, auditor())
    assert outputs["description"] == "Reads everything"
    assert counts(app)[CREATE] == 1


def test_create__a_5xx_before_anything_happened_is_tried_again(
    roles: RoleProvider, app: EmulatorApp
) -> None:
    app.set_faults({"fail500": {"count": 1, "path": "/v1/mgmt/role/create"}})
    created(roles, auditor())
    assert counts(app) == {CREATE: 2, SEARCH: 1}
    assert held(app, "auditor") is not None


def test_create__a_permission_descope_lacks_is_named_with_what_to_do(
    roles: RoleProvider, app: EmulatorApp
) -> None:
    with pytest.raises(DescopeApiError) as caught:
        created(roles, auditor(permissions=["billing.read"]))
    text = str(caught.value)
    assert 'Descope does not have the permission "billing.read" that the role grants' in text
    assert "Declare it under permissions:" in text
    assert held(app, "auditor") is None


# --- read ------------------------------------------------------------------------------------


def test_read__alone_is_one_listing_and_sees_console_edits(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    inputs, outputs = created(roles, auditor())
    descope.mgmt.role.update("auditor", "auditor", "Edited", ["User Admin"], private=True)
    app.counters.reset()
    result = roles.read("auditor", outputs)
    assert counts(app) == {LIST: 1}
    assert result.inputs is not None
    assert result.inputs["description"] == "Edited"
    assert result.outs is not None
    assert result.outs["private"] is True
    assert roles.diff("auditor", result.outs, inputs).changes is True


def test_read__a_role_gone_is_dropped(roles: RoleProvider, descope: DescopeClient) -> None:
    _, outputs = created(roles, auditor())
    descope.mgmt.role.delete("auditor")
    assert roles.read("auditor", outputs).id is None


def test_read__a_tenant_role_whose_tenant_is_gone_is_dropped(
    roles: RoleProvider, descope: DescopeClient, acme_tenant: str
) -> None:
    _, outputs = created(roles, auditor(tenantId=acme_tenant))
    descope.mgmt.tenant.delete(acme_tenant)
    assert roles.read("acme/auditor", outputs).id is None


def test_refresh_of_many_roles_shares_one_listing(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient, acme_tenant: str
) -> None:
    recorded = [created(roles, auditor(name=f"r{i}"))[1] for i in range(4)]
    recorded.append(created(roles, auditor(name="r0", tenantId=acme_tenant))[1])
    descope.mgmt.role.update("r2", "r2", "Edited", [])
    app.counters.reset()
    with role.roles.reading():  # another read in flight, as in a refresh
        results = [roles.read(o["name"], o) for o in recorded]
    assert counts(app) == {LIST: 1}
    assert [r.outs["description"] for r in results if r.outs] == [
        "Reads everything",
        "Reads everything",
        "Edited",
        "Reads everything",
        "Reads everything",
    ]
    assert results[-1].outs is not None
    assert results[-1].outs["tenantId"] == "acme"


# --- update ----------------------------------------------------------------------------------


def test_update__a_rename_keeps_the_role_and_what_the_configuration_does_not_manage(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    _, outputs = created(roles, auditor())
    role_id = held(app, "auditor")["id"]  # type: ignore[index]
    descope.mgmt.role.update(
        "auditor", "auditor", "Reads everything", ["SSO Admin", "User Admin"], private=True
    )
    outputs = roles.read("auditor", outputs).outs or {}
    app.counters.reset()
    news = checked(roles, auditor(name="reviewer", description="Reviews"))
    result = roles.update("auditor", outputs, news)
    assert counts(app) == {UPDATE: 1}
    found = held(app, "reviewer")
    assert found is not None
    assert (found["id"], found["description"], found["private"]) == (role_id, "Reviews", True)
    assert held(app, "auditor") is None
    assert roles.diff("auditor", result.outs or {}, news).changes is False


def test_update__a_renamed_tenant_default_role_follows_in_the_tenants_default_roles(
    roles: RoleProvider, descope: DescopeClient, acme_tenant: str
) -> None:
    _, outputs = created(roles, auditor(tenantId="acme", tenantDefault=True))
    news = checked(roles, auditor(name="reviewer", tenantId="acme", tenantDefault=True))
    roles.update("acme/auditor", outputs, news)
    assert descope.mgmt.tenant.load("acme")["defaultRoles"] == ["reviewer"]


def test_update__a_role_gone_says_refresh(roles: RoleProvider, descope: DescopeClient) -> None:
    inputs, outputs = created(roles, auditor())
    descope.mgmt.role.delete("auditor")
    with pytest.raises(DescopeApiError) as caught:
        roles.update("auditor", outputs, {**inputs, "description": "x"})
    assert "no longer exists in Descope" in str(caught.value)
    assert "pulumi refresh" in str(caught.value)


# --- delete ----------------------------------------------------------------------------------


def test_delete__snapshots_then_deletes(
    roles: RoleProvider, app: EmulatorApp, backup_dir: Path, acme_tenant: str
) -> None:
    _, outputs = created(roles, auditor(tenantId=acme_tenant))
    app.counters.reset()
    roles.delete("acme/auditor", outputs)
    assert counts(app) == {SEARCH: 1, DELETE: 1}
    assert held(app, "auditor", "acme") is None
    (path,) = backup_dir.glob("*.json")
    snapshot = read_snapshot(path)
    assert (snapshot.kind, snapshot.id, snapshot.reason) == ("role", "acme/auditor", "delete")
    assert snapshot.content["role"]["description"] == "Reads everything"


def test_delete__a_role_already_gone_is_done_without_a_snapshot(
    roles: RoleProvider, descope: DescopeClient, backup_dir: Path, acme_tenant: str
) -> None:
    _, outputs = created(roles, auditor(tenantId=acme_tenant))
    descope.mgmt.tenant.delete(acme_tenant)  # Descope deletes its roles with it
    with warnings_logged() as warnings:
        roles.delete("acme/auditor", outputs)
    assert any("was not found in Descope" in w for w in warnings)
    assert not backup_dir.exists() or list(backup_dir.glob("*.json")) == []


# --- names -----------------------------------------------------------------------------------


def test_registered_names_tell_scopes_apart() -> None:
    assert role.registered_name("member") == "role-member"
    assert role.registered_name("member", "acme") == "tenant-role-acme/member"
    assert role.registered_name("acme/member") != role.registered_name("member", "acme")
    assert "::" not in role.registered_name("a::b")


def test_check__tenant_default_must_be_true_or_false(roles: RoleProvider) -> None:
    result = roles.check({}, auditor(tenantDefault="yes"))
    assert [(f.property, f.reason) for f in result.failures] == [
        ("tenantDefault", "must be true or false.")
    ]


def test_diff__values_not_known_yet_are_an_update(roles: RoleProvider) -> None:
    inputs, outputs = created(roles, auditor())
    result = roles.diff("auditor", outputs, {**inputs, "description": rpc.UNKNOWN})
    assert (result.changes, result.replaces) == (True, [])


def test_create__a_default_role_its_tenant_cannot_take_says_run_again(
    roles: RoleProvider, app: EmulatorApp, acme_tenant: str
) -> None:
    app.set_faults({"fail500": {"count": 10, "path": "/v1/mgmt/tenant/updateDefaultRoles"}})
    with pytest.raises(DescopeApiError) as caught:
        created(roles, auditor(tenantId=acme_tenant, tenantDefault=True))
    text = str(caught.value)
    assert 'making it a default role of tenant "acme" failed' in text
    assert "Run `pulumi up` again" in text
    app.set_faults({})
    created(roles, auditor(tenantId=acme_tenant, tenantDefault=True))  # taken over, then set
    assert app.backend.tenants["acme"].default_roles == ["auditor"]


def test_update__a_permission_descope_lacks_is_named(roles: RoleProvider) -> None:
    inputs, outputs = created(roles, auditor())
    with pytest.raises(DescopeApiError, match=r'the permission "billing\.read" that the role'):
        roles.update("auditor", outputs, {**inputs, "permissions": ["billing.read"]})


def test_delete__a_refusal_other_than_gone_is_raised(roles: RoleProvider, app: EmulatorApp) -> None:
    _, outputs = created(roles, auditor())
    app.set_faults({"fail500": {"count": 10, "path": "/v1/mgmt/role/delete"}})
    with pytest.raises(DescopeApiError) as caught:
        roles.delete("auditor", outputs)
    assert caught.value.status == 500
    assert held(app, "auditor") is not None


# --- names in another Unicode form -----------------------------------------------------------

GERANT_NFC = "g\u00e9rant"
GERANT_NFD = "ge\u0301rant"


def test_a_role_descope_holds_in_another_unicode_form_is_the_declared_role(
    roles: RoleProvider, app: EmulatorApp, descope: DescopeClient
) -> None:
    """Descope holds "gérant" with a combining accent (renamed in the console, say); the
    configuration declares it precomposed: the same role, read, compared, updated and deleted
    by the name Descope holds."""
    inputs, outputs = created(roles, auditor(name=GERANT_NFD))
    assert inputs["name"] == outputs["name"] == GERANT_NFC  # what is sent is NFC
    descope.mgmt.role.update(GERANT_NFC, GERANT_NFD, "Reads everything", inputs["permissions"])

    read = roles.read(GERANT_NFC, outputs)
    assert read.outs is not None
    assert read.outs["name"] == GERANT_NFD
    assert roles.diff(GERANT_NFC, read.outs, inputs).changes is False

    news = checked(roles, auditor(name=GERANT_NFC, description="Edited"))
    roles.update(GERANT_NFC, read.outs, news)
    assert held(app, GERANT_NFC) is not None
    assert held(app, GERANT_NFD) is None

    descope.mgmt.role.update(GERANT_NFC, GERANT_NFD, "Edited", inputs["permissions"])
    roles.delete(GERANT_NFC, read.outs)
    assert held(app, GERANT_NFD) is None
