"""Role endpoints and tenant default roles, driven through the real SDK (HTTP and in-process)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from descope import AuthException

from tests.emulator.conftest import Sdk, error_body

TENANT_ADMIN_PERMISSIONS = ["User Admin", "SSO Admin", "Impersonate"]


def roles(sdk: Sdk) -> list[tuple[str, str]]:
    """(tenantId, name) of every role, in load_all order."""
    return [(r["tenantId"], r["name"]) for r in sdk.role.load_all()["roles"]]


def role(sdk: Sdk, name: str, tenant_id: str = "") -> dict[str, Any]:
    found = [
        r for r in sdk.role.load_all()["roles"] if r["name"] == name and r["tenantId"] == tenant_id
    ]
    assert len(found) == 1
    answer: dict[str, Any] = found[0]
    return answer


def refused(err: pytest.ExceptionInfo[AuthException], code: str) -> str:
    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == code
    message = body["errorMessage"]
    assert isinstance(message, str)
    return message


@pytest.fixture
def project(sdk: Sdk) -> Sdk:
    """Two tenants and two permissions."""
    sdk.tenant.create("Acme", "acme")
    sdk.tenant.create("Globex", "globex")
    sdk.permission.create("billing.read")
    sdk.permission.create("billing.write")
    return sdk


def test_role_load_all__a_fresh_project_has_tenant_admin_with_the_system_permissions(
    sdk: Sdk,
) -> None:
    assert sdk.role.load_all()["roles"] == [
        {
            "id": role(sdk, "Tenant Admin")["id"],
            "name": "Tenant Admin",
            "description": "",
            "permissionNames": TENANT_ADMIN_PERMISSIONS,
            "createdTime": role(sdk, "Tenant Admin")["createdTime"],
            "tenantId": "",
            "default": False,
            "private": False,
        }
    ]


def test_role_create__load_all_shows_every_field(
    project: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(project.app.backend, "now", lambda: 1726067547.9)

    project.role.create("billing", "Billing staff", ["billing.read"], "acme", True, True)

    created = role(project, "billing", "acme")
    assert re.fullmatch(r"ROL[0-9A-Za-z]{28}", created["id"])
    assert created == {
        "id": created["id"],
        "name": "billing",
        "description": "Billing staff",
        "permissionNames": ["billing.read"],
        "createdTime": 1726067547,
        "tenantId": "acme",
        "default": True,
        "private": True,
    }


def test_role_create__answers_the_role(project: Sdk) -> None:
    answer = project.app.backend.authz.create_role({"name": "member", "description": "M"})

    assert answer == role(project, "member")


def test_role_create__duplicate_name_in_the_project_is_refused(project: Sdk) -> None:
    project.role.create("member")

    with pytest.raises(AuthException) as err:
        project.role.create("member", "again")

    message = refused(err, "E011003")
    assert message == "Role with name 'member' already exists in the project"
    assert roles(project).count(("", "member")) == 1


def test_role_create__duplicate_name_in_one_tenant_is_refused(project: Sdk) -> None:
    project.role.create("member", tenant_id="acme")

    with pytest.raises(AuthException) as err:
        project.role.create("member", tenant_id="acme")

    assert refused(err, "E011003") == "Role with name 'member' already exists in tenant 'acme'"


def test_role_create__one_name_in_the_project_and_in_several_tenants_is_fine(
    project: Sdk,
) -> None:
    project.role.create("member")
    project.role.create("member", tenant_id="acme")
    project.role.create("member", tenant_id="globex")

    assert roles(project)[1:] == [("", "member"), ("acme", "member"), ("globex", "member")]


def test_role_create__an_unknown_permission_is_refused_naming_it(project: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        project.role.create("billing", permission_names=["billing.read", "billing.delete"])

    message = refused(err, "E011004")
    assert message == "Permission 'billing.delete' not found; create the permission first"
    assert roles(project) == [("", "Tenant Admin")]


def test_role_create__in_an_unknown_tenant_is_tenant_not_found(project: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        project.role.create("member", tenant_id="ghost")

    assert error_body(err)["errorCode"] == "E099001"
    assert roles(project) == [("", "Tenant Admin")]


def test_role_create__empty_or_over_long_name_is_refused(project: Sdk) -> None:
    with pytest.raises(AuthException) as empty:
        project.role.create("")
    with pytest.raises(AuthException) as long_name:
        project.role.create("r" * 101)

    assert refused(empty, "E011002") == "The name field is required"
    assert "at most 100 characters" in refused(long_name, "E011004")


def test_role_update__replaces_every_field_omitted_ones_cleared(project: Sdk) -> None:
    project.role.create("billing", "Billing", ["billing.read"], None, True, True)
    before = role(project, "billing")

    project.role.update("billing", "accounts", permission_names=["billing.write"])

    after = role(project, "accounts")
    assert (after["id"], after["createdTime"]) == (before["id"], before["createdTime"])
    assert after["description"] == ""
    assert after["permissionNames"] == ["billing.write"]
    assert (after["default"], after["private"]) == (False, False)
    assert ("", "billing") not in roles(project)


def test_role_update__a_tenant_role_by_name_and_tenant(project: Sdk) -> None:
    project.role.create("member")
    project.role.create("member", tenant_id="acme")

    project.role.update("member", "acme-member", "Acme's", tenant_id="acme")

    assert roles(project)[1:] == [("", "member"), ("acme", "acme-member")]
    assert role(project, "acme-member", "acme")["description"] == "Acme's"


def test_role_update__by_id(project: Sdk) -> None:
    project.role.create("member", tenant_id="acme")
    role_id = role(project, "member", "acme")["id"]

    project.role.update_by_id(role_id, "staff", permission_names=["billing.read"])

    assert role(project, "staff", "acme")["permissionNames"] == ["billing.read"]


def test_role_update__answers_the_role(project: Sdk) -> None:
    project.role.create("member")

    answer = project.app.backend.authz.update_role({"name": "member", "newName": "staff"})

    assert answer == role(project, "staff")


def test_role_update__the_built_in_tenant_admin_can_be_edited(project: Sdk) -> None:
    project.role.update("Tenant Admin", "Admin", permission_names=["User Admin"])

    assert role(project, "Admin")["permissionNames"] == ["User Admin"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.update("ghost", "x"), "Role 'ghost' not found in the project"),
        (lambda r: r.update("member", "x", tenant_id="globex"), "in tenant 'globex'"),
        (lambda r: r.update_by_id("ROLghost", "x"), "Role 'ROLghost' not found"),
        (lambda r: r.delete("ghost"), "Role 'ghost' not found in the project"),
        (lambda r: r.delete("member"), "Role 'member' not found in the project"),
        (lambda r: r.delete_by_id("ROLghost"), "Role 'ROLghost' not found"),
    ],
)
def test_role_update_and_delete__missing_is_not_found(
    project: Sdk, call: Any, message: str
) -> None:
    project.role.create("member", tenant_id="acme")

    with pytest.raises(AuthException) as err:
        call(project.role)

    assert err.value.status_code == 400
    body = error_body(err)
    assert (body["errorCode"], body["errorDescription"]) == ("E099002", "Role not found")
    assert message in body["errorMessage"]


def test_role_delete_by_id__with_another_tenant_is_not_found(project: Sdk) -> None:
    project.role.create("member", tenant_id="acme")
    role_id = role(project, "member", "acme")["id"]

    with pytest.raises(AuthException) as err:
        project.role.delete_by_id(role_id, tenant_id="globex")

    assert error_body(err)["errorCode"] == "E099002"
    assert ("acme", "member") in roles(project)


def test_role_delete__missing_follows_the_not_found_status_option(project: Sdk) -> None:
    project.app.set_options(notFoundStatus=404)

    with pytest.raises(AuthException) as err:
        project.role.delete("ghost")

    assert err.value.status_code == 404


def test_role_update__to_a_name_taken_in_its_scope_is_refused(project: Sdk) -> None:
    project.role.create("member")
    project.role.create("staff")
    project.role.create("staff", tenant_id="acme")

    with pytest.raises(AuthException) as err:
        project.role.update("member", "staff")
    project.role.update("staff", "member", tenant_id="acme")  # another scope: fine

    assert refused(err, "E011003") == "Role with name 'staff' already exists in the project"
    assert roles(project)[1:] == [("", "member"), ("", "staff"), ("acme", "member")]


def test_role_update__an_unknown_permission_or_empty_new_name_changes_nothing(
    project: Sdk,
) -> None:
    project.role.create("member", "M", ["billing.read"])

    with pytest.raises(AuthException) as unknown:
        project.role.update("member", "staff", permission_names=["ghost"])
    with pytest.raises(AuthException) as empty:
        project.role.update("member", "")

    assert "Permission 'ghost' not found" in refused(unknown, "E011004")
    assert refused(empty, "E011002") == "The newName field is required"
    assert role(project, "member")["description"] == "M"


def test_role_delete__by_name_in_the_project_and_in_a_tenant_and_by_id(project: Sdk) -> None:
    for tenant_id in (None, "acme", "globex"):
        project.role.create("member", tenant_id=tenant_id)

    project.role.delete("member")
    project.role.delete("member", tenant_id="acme")
    project.role.delete_by_id(role(project, "member", "globex")["id"])

    assert roles(project) == [("", "Tenant Admin")]


def test_role_create_batch__creates_them_all_and_answers_them(project: Sdk) -> None:
    backend = project.app.backend
    project.role.create_batch(
        [
            {"name": "a", "description": "A", "permissionNames": ["billing.read"]},
            {"name": "b", "tenantId": "acme", "default": True},
        ]
    )

    assert roles(project)[1:] == [("", "a"), ("acme", "b")]
    assert role(project, "b", "acme")["default"] is True
    answer = backend.authz.create_roles({"roles": [{"name": "c"}]})
    assert answer == {"roles": [role(project, "c")]}


@pytest.mark.parametrize(
    "batch",
    [
        [{"name": "a"}, {"name": "a"}],
        [{"name": "a"}, {"name": "taken"}],
        [{"name": "a"}, {"name": "b", "permissionNames": ["ghost"]}],
        [{"name": "a"}, {"name": "b", "tenantId": "ghost"}],
    ],
)
def test_role_create_batch__one_failure_creates_nothing(
    project: Sdk, batch: list[dict[str, Any]]
) -> None:
    project.role.create("taken")

    with pytest.raises(AuthException):
        project.role.create_batch(batch)

    assert roles(project) == [("", "Tenant Admin"), ("", "taken")]


def test_role_update_batch__by_name_and_by_id_and_answers_them(project: Sdk) -> None:
    project.role.create_batch([{"name": "a"}, {"name": "b", "tenantId": "acme"}])
    b_id = role(project, "b", "acme")["id"]

    project.role.update_batch(
        [
            {"name": "a", "newName": "a2", "permissionNames": ["billing.read"]},
            {"id": b_id, "newName": "b2", "description": "B"},
        ]
    )

    assert roles(project)[1:] == [("", "a2"), ("acme", "b2")]
    assert role(project, "b2", "acme")["description"] == "B"
    answer = project.app.backend.authz.update_roles({"roles": [{"name": "a2", "newName": "a3"}]})
    assert answer == {"roles": [role(project, "a3")]}


def test_role_update_batch__one_failure_changes_nothing(project: Sdk) -> None:
    project.role.create_batch([{"name": "a", "description": "A"}, {"name": "b"}])

    with pytest.raises(AuthException) as err:
        project.role.update_batch([{"name": "a", "newName": "a2"}, {"name": "b", "newName": "a2"}])

    assert "already exists" in refused(err, "E011003")
    assert roles(project)[1:] == [("", "a"), ("", "b")]
    assert role(project, "a")["description"] == "A"


def test_role_batches__an_empty_or_malformed_list_is_400(project: Sdk) -> None:
    authz = project.app.backend.authz
    with pytest.raises(AuthException) as err:
        project.role.create_batch([])
    with pytest.raises(Exception, match="must be a list of objects"):
        authz.update_roles({"roles": [1]})

    assert refused(err, "E011002") == "The roles field is required"


def test_role_delete_batch__by_names_in_a_scope_and_by_ids(project: Sdk) -> None:
    for tenant_id in (None, "acme", "globex"):
        project.role.create_batch(
            [{"name": "a", "tenantId": tenant_id}, {"name": "b", "tenantId": tenant_id}]
        )

    project.role.delete_batch(["a", "ghost"], tenant_id="acme")
    project.role.delete_batch([{"name": "b", "tenantId": "globex"}])
    project.role.delete_batch(["a"])
    project.role.delete_batch_by_ids([role(project, "b")["id"], "ROLghost"])

    assert roles(project) == [("", "Tenant Admin"), ("acme", "b"), ("globex", "a")]


def test_role_delete_batch__without_names_or_ids_deletes_every_role_of_its_scope(
    project: Sdk,
) -> None:
    for tenant_id in ("", "acme", "globex"):
        project.role.create("member", tenant_id=tenant_id or None)
    authz = project.app.backend.authz

    authz.delete_roles({"roleNames": [], "tenantId": "acme"})
    assert ("acme", "member") not in roles(project)
    assert len(roles(project)) == 3

    authz.delete_roles({"roleNames": [], "tenantId": None})
    assert roles(project) == []


def _search_project(sdk: Sdk) -> None:
    sdk.role.create("Member", "Regular member", ["billing.read"])
    sdk.role.create("Billing", "Pays invoices", ["billing.read", "billing.write"], "acme")
    sdk.role.create("Viewer", "Looks only", [], "globex")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["Tenant Admin", "Member", "Billing", "Viewer"]),
        ({"tenant_ids": ["acme"]}, ["Billing"]),
        ({"tenant_ids": ["acme", "globex"]}, ["Billing", "Viewer"]),
        (
            {"tenant_ids": ["acme"], "include_project_roles": True},
            ["Tenant Admin", "Member", "Billing"],
        ),
        ({"include_project_roles": False}, ["Tenant Admin", "Member", "Billing", "Viewer"]),
        ({"role_names": ["Viewer", "Member"]}, ["Member", "Viewer"]),
        ({"role_names": ["member"]}, []),
        ({"role_name_like": "mem"}, ["Member"]),
        ({"role_name_like": "E"}, ["Tenant Admin", "Member", "Viewer"]),
        ({"permission_names": ["billing.write"]}, ["Billing"]),
        (
            {"permission_names": ["billing.read", "User Admin"]},
            ["Tenant Admin", "Member", "Billing"],
        ),
        ({"tenant_ids": ["globex"], "role_names": ["Billing"]}, []),
    ],
)
def test_role_search__filters(project: Sdk, kwargs: dict[str, Any], expected: list[str]) -> None:
    _search_project(project)

    found = project.role.search(**kwargs)["roles"]

    assert [r["name"] for r in found] == expected
    if found:
        assert set(found[0]) == set(role(project, "Tenant Admin"))


def test_role_search__by_ids(project: Sdk) -> None:
    _search_project(project)
    viewer = role(project, "Viewer", "globex")

    assert project.role.search(role_ids=[viewer["id"], "ROLghost"]) == {"roles": [viewer]}


def test_role_search__text_and_sort_of_other_sdks(project: Sdk) -> None:
    _search_project(project)
    authz = project.app.backend.authz

    def names(body: dict[str, Any]) -> list[str]:
        return [r["name"] for r in authz.search_roles(body)["roles"]]

    assert names({"text": "INVOICE"}) == ["Billing"]
    assert names({"text": "viewer"}) == ["Viewer"]
    assert names({"sort": [{"field": "name"}]}) == ["Billing", "Member", "Tenant Admin", "Viewer"]
    assert names({"sort": [{"field": "tenantId", "desc": True}, {"field": "name"}]}) == [
        "Viewer",
        "Billing",
        "Member",
        "Tenant Admin",
    ]
    for bad in ({"sort": [{"field": "color"}]}, {"sort": "name"}):
        with pytest.raises(Exception, match="sort field"):
            authz.search_roles(bad)


def test_tenant_delete__deletes_its_roles_and_its_successors_roles(project: Sdk) -> None:
    project.app.backend.create_tenant({"name": "Acme EU", "id": "acme-eu", "parent": "acme"})
    for tenant_id in ("acme", "acme-eu", "globex"):
        project.role.create("member", tenant_id=tenant_id)

    project.tenant.delete("acme", cascade=True)

    assert roles(project) == [("", "Tenant Admin"), ("globex", "member")]


# --- tenant default roles ------------------------------------------------------------------


def test_update_default_roles__project_roles_and_the_tenants_own_are_accepted(
    project: Sdk,
) -> None:
    project.role.create("member")
    project.role.create("acme-only", tenant_id="acme")

    project.tenant.update_default_roles("acme", ["member", "acme-only", "Tenant Admin"])

    assert project.tenant.load("acme")["defaultRoles"] == ["member", "acme-only", "Tenant Admin"]


@pytest.mark.parametrize("missing", ["ghost", "globex-only"])
def test_update_default_roles__a_role_that_is_not_the_projects_nor_the_tenants_is_refused(
    project: Sdk, missing: str
) -> None:
    project.role.create("member")
    project.role.create("globex-only", tenant_id="globex")
    project.tenant.update_default_roles("acme", ["member"])

    with pytest.raises(AuthException) as err:
        project.tenant.update_default_roles("acme", ["member", missing])

    message = refused(err, "E011004")
    assert message.startswith(f"Role {missing!r} not found in the project or in tenant 'acme'")
    assert project.tenant.load("acme")["defaultRoles"] == ["member"]


def test_option_require_existing_roles_off__any_default_role_is_stored(project: Sdk) -> None:
    project.app.set_options(requireExistingRoles=False)

    project.tenant.update_default_roles("acme", ["ghost"])

    assert project.tenant.load("acme")["defaultRoles"] == ["ghost"]
