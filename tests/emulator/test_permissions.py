"""Permission endpoints, driven through the real SDK (over HTTP and in-process)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from descope import AuthException

from tests.emulator.conftest import Sdk, error_body

SYSTEM = ["User Admin", "SSO Admin", "Impersonate"]


def names(sdk: Sdk) -> list[str]:
    return [p["name"] for p in sdk.permission.load_all()["permissions"]]


def permission(sdk: Sdk, name: str) -> dict[str, Any]:
    found = [p for p in sdk.permission.load_all()["permissions"] if p["name"] == name]
    assert len(found) == 1
    answer: dict[str, Any] = found[0]
    return answer


def role_permissions(sdk: Sdk, role: str) -> list[str]:
    found = [r for r in sdk.role.load_all()["roles"] if r["name"] == role]
    assert len(found) == 1
    return list(found[0]["permissionNames"])


def refused(err: pytest.ExceptionInfo[AuthException], code: str) -> str:
    assert err.value.status_code == 400
    body = error_body(err)
    assert body["errorCode"] == code
    message = body["errorMessage"]
    assert isinstance(message, str)
    return message


def test_permission_load_all__a_fresh_project_has_the_system_permissions(sdk: Sdk) -> None:
    permissions = sdk.permission.load_all()["permissions"]

    assert [p["name"] for p in permissions] == SYSTEM
    assert all(p["systemDefault"] is True for p in permissions)
    assert all(re.fullmatch(r"PERM[0-9A-Za-z]{28}", p["id"]) for p in permissions)


def test_permission_create__load_all_shows_it_with_every_field(sdk: Sdk) -> None:
    sdk.permission.create("billing.read", "Read invoices")
    sdk.permission.create("billing.write")

    created = permission(sdk, "billing.read")
    assert set(created) == {"id", "name", "description", "systemDefault"}
    assert (created["description"], created["systemDefault"]) == ("Read invoices", False)
    assert permission(sdk, "billing.write")["description"] == ""
    assert names(sdk) == [*SYSTEM, "billing.read", "billing.write"]


@pytest.mark.parametrize("name", ["billing.read", "User Admin"])
def test_permission_create__duplicate_name_is_refused(sdk: Sdk, name: str) -> None:
    sdk.permission.create("billing.read")

    with pytest.raises(AuthException) as err:
        sdk.permission.create(name, "again")

    assert refused(err, "E011003") == f"Permission with name {name!r} already exists"
    assert names(sdk).count(name) == 1


def test_permission_create__empty_name_is_400_name_required(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as err:
        sdk.permission.create("")

    assert refused(err, "E011002") == "The name field is required"


def test_permission_create__over_long_name_or_description_is_refused(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as name_err:
        sdk.permission.create("p" * 101)
    with pytest.raises(AuthException) as description_err:
        sdk.permission.create("p", "d" * 255)

    assert "at most 100 characters" in refused(name_err, "E011004")
    assert "at most 254 characters" in refused(description_err, "E011004")
    assert names(sdk) == SYSTEM


def test_permission_update__renames_and_replaces_the_description(sdk: Sdk) -> None:
    sdk.permission.create("billing.read", "Read invoices")
    old_id = permission(sdk, "billing.read")["id"]

    sdk.permission.update("billing.read", "invoices.read")

    assert names(sdk) == [*SYSTEM, "invoices.read"]
    renamed = permission(sdk, "invoices.read")
    assert (renamed["id"], renamed["description"]) == (old_id, "")  # omitted: cleared


def test_permission_update__by_id(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")
    permission_id = permission(sdk, "billing.read")["id"]

    sdk.permission.update_by_id(permission_id, "invoices.read", "Read them")

    assert permission(sdk, "invoices.read")["description"] == "Read them"


def test_permission_update__rename_reaches_the_roles_carrying_it(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")
    sdk.role.create("billing", permission_names=["billing.read"])

    sdk.permission.update("billing.read", "invoices.read")

    assert role_permissions(sdk, "billing") == ["invoices.read"]


def test_option_cascade_permission_changes_off__roles_keep_the_old_names(sdk: Sdk) -> None:
    sdk.app.set_options(cascadePermissionChanges=False)
    sdk.permission.create("billing.read")
    sdk.permission.create("billing.write")
    sdk.role.create("billing", permission_names=["billing.read", "billing.write"])

    sdk.permission.update("billing.read", "invoices.read")
    sdk.permission.delete("billing.write")

    assert role_permissions(sdk, "billing") == ["billing.read", "billing.write"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.update("ghost", "x"), "Permission 'ghost' not found"),
        (lambda p: p.update_by_id("PERMghost", "x"), "Permission 'PERMghost' not found"),
        (lambda p: p.delete("ghost"), "Permission 'ghost' not found"),
        (lambda p: p.delete_by_id("PERMghost"), "Permission 'PERMghost' not found"),
    ],
)
def test_permission_update_and_delete__missing_is_not_found(
    sdk: Sdk, call: Any, message: str
) -> None:
    with pytest.raises(AuthException) as err:
        call(sdk.permission)

    assert err.value.status_code == 400
    body = error_body(err)
    assert (body["errorCode"], body["errorDescription"]) == ("E099003", "Permission not found")
    assert body["errorMessage"] == message


def test_permission_delete__missing_follows_the_not_found_status_option(sdk: Sdk) -> None:
    sdk.app.set_options(notFoundStatus=404)

    with pytest.raises(AuthException) as err:
        sdk.permission.delete("ghost")

    assert err.value.status_code == 404


def test_permission_update__to_a_taken_name_is_refused(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")
    sdk.permission.create("billing.write")

    with pytest.raises(AuthException) as err:
        sdk.permission.update("billing.write", "billing.read")

    assert "'billing.read' already exists" in refused(err, "E011003")
    assert names(sdk) == [*SYSTEM, "billing.read", "billing.write"]


def test_permission_update__keeping_its_name_is_fine(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")

    sdk.permission.update("billing.read", "billing.read", "Now described")

    assert permission(sdk, "billing.read")["description"] == "Now described"


def test_permission_update__empty_new_name_is_400_required(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")

    with pytest.raises(AuthException) as err:
        sdk.permission.update("billing.read", "")

    assert refused(err, "E011002") == "The newName field is required"


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.update("User Admin", "Admins"),
        lambda p: p.delete("SSO Admin"),
        lambda p: p.delete_batch(["Impersonate"]),
    ],
)
def test_permission__system_permissions_cannot_be_changed_or_deleted(sdk: Sdk, call: Any) -> None:
    with pytest.raises(AuthException) as err:
        call(sdk.permission)

    assert "is a system permission and cannot be changed or deleted" in refused(err, "E011003")
    assert names(sdk) == SYSTEM


def test_permission_delete__removes_it_from_the_project_and_its_roles(sdk: Sdk) -> None:
    sdk.permission.create("billing.read")
    sdk.permission.create("billing.write")
    sdk.role.create("billing", permission_names=["billing.read", "billing.write"])

    sdk.permission.delete("billing.read")
    sdk.permission.delete_by_id(permission(sdk, "billing.write")["id"])

    assert names(sdk) == SYSTEM
    assert role_permissions(sdk, "billing") == []


def test_permission_create_batch__creates_them_all(sdk: Sdk) -> None:
    sdk.permission.create_batch(
        [{"name": "a", "description": "A"}, {"name": "b"}, {"name": "c", "description": "C"}]
    )

    assert names(sdk) == [*SYSTEM, "a", "b", "c"]
    assert permission(sdk, "a")["description"] == "A"


@pytest.mark.parametrize(
    "batch", [[{"name": "a"}, {"name": "a"}], [{"name": "b"}, {"name": "taken"}]]
)
def test_permission_create_batch__one_duplicate_refuses_the_whole_batch(
    sdk: Sdk, batch: list[dict[str, str]]
) -> None:
    sdk.permission.create("taken")

    with pytest.raises(AuthException) as err:
        sdk.permission.create_batch(batch)

    assert "already exists" in refused(err, "E011003")
    assert names(sdk) == [*SYSTEM, "taken"]


def test_permission_batches__an_empty_list_is_400_required(sdk: Sdk) -> None:
    with pytest.raises(AuthException) as create_err:
        sdk.permission.create_batch([])
    with pytest.raises(AuthException) as update_err:
        sdk.permission.update_batch([])
    with pytest.raises(AuthException) as delete_err:
        sdk.permission.delete_batch([])

    assert refused(create_err, "E011002") == "The permissions field is required"
    assert refused(update_err, "E011002") == "The permissions field is required"
    assert refused(delete_err, "E011002") == "The names field is required"


def test_permission_update_batch__by_name_and_by_id(sdk: Sdk) -> None:
    sdk.permission.create_batch([{"name": "a"}, {"name": "b"}])
    b_id = permission(sdk, "b")["id"]

    sdk.permission.update_batch(
        [{"name": "a", "newName": "a2", "description": "A"}, {"id": b_id, "newName": "b2"}]
    )

    assert names(sdk) == [*SYSTEM, "a2", "b2"]
    assert permission(sdk, "a2")["description"] == "A"


def test_permission_update_batch__one_failure_changes_nothing(sdk: Sdk) -> None:
    sdk.permission.create_batch([{"name": "a", "description": "A"}, {"name": "b"}])

    with pytest.raises(AuthException) as err:
        sdk.permission.update_batch(
            [{"name": "a", "newName": "a2"}, {"name": "ghost", "newName": "g"}]
        )

    assert err.value.status_code == 400
    assert error_body(err)["errorCode"] == "E099003"
    assert names(sdk) == [*SYSTEM, "a", "b"]
    assert permission(sdk, "a")["description"] == "A"


def test_permission_delete_batch__by_names_and_by_ids_unknown_ones_ignored(sdk: Sdk) -> None:
    sdk.permission.create_batch([{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}])
    c_id = permission(sdk, "c")["id"]

    sdk.permission.delete_batch(["a", "ghost"])
    sdk.permission.delete_batch_by_ids([c_id, "PERMghost"])

    assert names(sdk) == [*SYSTEM, "b", "d"]


def test_permission_batches__items_must_be_objects(sdk: Sdk) -> None:
    backend = sdk.app.backend

    with pytest.raises(Exception, match="must be a list of objects"):
        backend.authz.create_permissions({"permissions": ["a"]})
    assert names(sdk) == SYSTEM
