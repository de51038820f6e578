"""Roles and permissions (`model.roles`): each entry's rules, and what may refer to what."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from model.problems import problems_from_validation_error
from model.roles import (
    BUILTIN_PERMISSIONS,
    BUILTIN_ROLES,
    PermissionSpec,
    RoleSpec,
    authorization_problems,
    default_role_problems,
    tenant_roles_problems,
)


def entry_problems(model: type[RoleSpec] | type[PermissionSpec], data: Any) -> dict[str, str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return {p.field: p.message for p in problems_from_validation_error(exc, model)}
    return {}


def found(problems: list[Any]) -> dict[str, str]:
    return {p.field: p.message for p in problems}


# --- one entry --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [RoleSpec, PermissionSpec])
def test_a_name_is_non_empty_plain_trimmed_and_at_most_100_characters(
    model: type[RoleSpec] | type[PermissionSpec],
) -> None:
    assert entry_problems(model, {"name": "n" * 100}) == {}
    assert entry_problems(model, {"name": ""}) == {"name": "must not be empty."}
    assert entry_problems(model, {"name": "n" * 101}) == {
        "name": "is 101 characters long; at most 100 are accepted. Shorten it."
    }
    assert entry_problems(model, {"name": " admin"}) == {
        "name": '" admin" has leading or trailing spaces; remove them.'
    }
    assert "U+0000 (NUL)" in entry_problems(model, {"name": "ad\x00min"})["name"]
    assert (
        "U+200B (ZERO WIDTH SPACE)"
        in entry_problems(model, {"name": "x", "description": "\u200b"})["description"]
    )


@pytest.mark.parametrize("model", [RoleSpec, PermissionSpec])
def test_a_description_is_at_most_254_characters(
    model: type[RoleSpec] | type[PermissionSpec],
) -> None:
    assert entry_problems(model, {"name": "x", "description": "d" * 254}) == {}
    assert (
        "at most 254"
        in entry_problems(model, {"name": "x", "description": "d" * 255})["description"]
    )


@pytest.mark.parametrize("model", [RoleSpec, PermissionSpec])
def test_previous_name_must_differ_from_name(model: type[RoleSpec] | type[PermissionSpec]) -> None:
    assert entry_problems(model, {"name": "x", "previousName": "x"}) == {
        "": "previousName is the same as name: previousName is the name to rename from. "
        "Remove it, or write the old name there."
    }


def test_a_roles_permissions_are_listed_once_each_and_capped() -> None:
    assert entry_problems(RoleSpec, {"name": "r", "permissions": ["a", "b", "a"]}) == {
        "permissions": "lists a more than once; list each value once."
    }
    many = [f"p{n}" for n in range(1001)]
    assert (
        "at most 1,000"
        in entry_problems(RoleSpec, {"name": "r", "permissions": many})["permissions"]
    )


def test_tenant_roles_are_capped_and_misspelt_keys_get_a_did_you_mean() -> None:
    assert (
        "at most 100" in found(tenant_roles_problems([{"name": f"r{n}"} for n in range(101)]))[""]
    )
    assert found(tenant_roles_problems([{"name": "r", "permisions": ["a"]}])) == {
        "[0].permisions": 'unknown key "permisions". Did you mean "permissions"? Remove it or '
        "fix its spelling."
    }


# --- declarations across entries --------------------------------------------------------------


def test_the_built_ins_are_tenant_admin_and_its_three_permissions() -> None:
    assert dict(BUILTIN_ROLES) == {"Tenant Admin": ("Impersonate", "SSO Admin", "User Admin")}
    assert BUILTIN_PERMISSIONS == ("Impersonate", "SSO Admin", "User Admin")


@pytest.mark.parametrize("name", ["User Admin", "user admin"])
def test_a_built_in_permission_may_not_be_declared(name: str) -> None:
    message = found(authorization_problems([{"name": name}], None))["permissions[0].name"]
    assert "one of Descope's built-in permissions (Impersonate, SSO Admin, User Admin)" in message
    assert "remove it from permissions: (it may be named without being declared)" in message


@pytest.mark.parametrize("where", ["project", "tenant"])
def test_a_built_in_role_may_not_be_declared_in_any_scope(where: str) -> None:
    if where == "project":
        problems = authorization_problems(None, [{"name": "Tenant Admin"}])
        field, section = "roles[0].name", "roles:"
    else:
        problems = authorization_problems(
            None, [], {"acme": (("tenants", 0, "roles"), [{"name": "tenant admin"}])}
        )
        field, section = "tenants[0].roles[0].name", 'the roles: of tenant "acme"'
    message = found(problems)[field]
    assert "one of Descope's built-in roles (Tenant Admin)" in message
    assert f"remove it from {section}" in message


def test_names_declared_twice_or_differing_only_in_case_are_refused_naming_the_first() -> None:
    problems = found(
        authorization_problems(
            [{"name": "billing.read"}, {"name": "billing.read"}, {"name": "Billing.Read"}],
            [{"name": "member"}, {"name": "MEMBER"}],
            {"acme": (("tenants", 0, "roles"), [{"name": "auditor"}, {"name": "auditor"}])},
        )
    )
    assert problems == {
        "permissions[1].name": 'the permission "billing.read" is already declared at '
        "permissions[0]. Declare each permission once.",
        "permissions[2].name": 'the permission "Billing.Read" differs only in case from '
        '"billing.read" declared at permissions[0]. Descope does not publish whether names are '
        "compared with or without case: use one spelling.",
        "roles[1].name": 'the role "MEMBER" differs only in case from "member" declared at '
        "roles[0]. Descope does not publish whether names are compared with or without case: "
        "use one spelling.",
        "tenants[0].roles[1].name": 'the role "auditor" is already declared at '
        "tenants[0].roles[0]. Declare each role once.",
    }


@pytest.mark.parametrize("name", ["member", "Member"])
def test_a_tenant_role_may_not_share_a_project_roles_name(name: str) -> None:
    problems = authorization_problems(
        None, [{"name": "member"}], {"acme": (("tenants", 2, "roles"), [{"name": name}])}
    )
    message = found(problems)["tenants[2].roles[0].name"]
    assert f'the role "{name}" of tenant "acme" has the name of the project role declared at ' in (
        message
    )
    assert "rename the tenant's role" in message


def test_two_tenants_may_each_have_a_role_of_the_same_name() -> None:
    scoped = {
        "acme": (("tenants", 0, "roles"), [{"name": "auditor"}]),
        "globex": (("tenants", 1, "roles"), [{"name": "auditor"}]),
    }
    assert authorization_problems(None, [], scoped) == []


def test_a_previous_name_that_is_built_in_declared_or_claimed_twice_is_refused() -> None:
    problems = found(
        authorization_problems(
            None,
            [
                {"name": "viewer", "previousName": "reader"},
                {"name": "reader"},
                {"name": "watcher", "previousName": "looker"},
                {"name": "observer", "previousName": "looker"},
                {"name": "boss", "previousName": "Tenant Admin"},
            ],
        )
    )
    assert problems == {
        "roles[0].previousName": '"reader" is the name of the role declared at roles[1]: a role '
        "cannot be renamed from one that is still declared. Remove previousName, or the other "
        "one.",
        "roles[3].previousName": '"looker" is also the previousName of the role "watcher" at '
        "roles[2]: two roles cannot both be renamed from one. Keep previousName on one of them.",
        "roles[4].previousName": '"Tenant Admin" is one of Descope\'s built-in roles: it cannot '
        "be renamed from here. Remove previousName.",
    }


def test_a_role_naming_no_declared_permission_is_refused_with_a_did_you_mean() -> None:
    problems = found(
        authorization_problems(
            [{"name": "billing.read"}],
            [{"name": "viewer", "permissions": ["billing.read", "billing.raed", "SSO Admin"]}],
        )
    )
    assert problems == {
        "roles[0].permissions[1]": 'permission "billing.raed" is not declared in permissions: '
        '(removed?); role "viewer" still lists it at roles[0].permissions[1]: remove it there or '
        'declare the permission. Did you mean "billing.read"? Names are matched exactly.'
    }


def test_a_role_naming_a_permission_by_its_old_name_is_told_the_new_one() -> None:
    problems = found(
        authorization_problems(
            [{"name": "billing.read", "previousName": "invoices.read"}],
            [],
            {"acme": (("tenants", 0, "roles"), [{"name": "a", "permissions": ["invoices.read"]}])},
        )
    )
    assert problems == {
        "tenants[0].roles[0].permissions[0]": 'permission "invoices.read" is being renamed to '
        '"billing.read" (previousName at permissions[0].previousName); role "a" of tenant '
        '"acme" still lists the old name at tenants[0].roles[0].permissions[0]: list '
        '"billing.read" instead.'
    }


def test_without_permissions_a_roles_permissions_are_unchecked() -> None:
    assert authorization_problems(None, [{"name": "r", "permissions": ["anything"]}]) == []
    assert (
        "is not declared in permissions"
        in found(authorization_problems([], [{"name": "r", "permissions": ["anything"]}]))[
            "roles[0].permissions[0]"
        ]
    )


def test_the_locate_function_words_every_location() -> None:
    problems = authorization_problems(
        [{"name": "p"}, {"name": "p"}], None, locate=lambda path: f"on line {len(path) * 10}"
    )
    assert "is already declared on line 20." in problems[0].message


# --- default roles ----------------------------------------------------------------------------

ROLES = [
    {"name": "member"},
    {"name": "billing-viewer", "previousName": "billing-reader"},
]
SCOPED = {
    "acme": (("tenants", 0, "roles"), [{"name": "acme-auditor"}]),
    "globex": (("tenants", 1, "roles"), []),
}


def defaults_of(tenant: str, *names: str) -> dict[str, str]:
    written = [(("tenants", 5, "defaultRoles", k), n) for k, n in enumerate(names)]
    return found(default_role_problems(tenant, written, ROLES, SCOPED))


def test_a_tenant_may_be_given_project_roles_its_own_roles_and_built_ins() -> None:
    assert defaults_of("acme", "member", "billing-viewer", "acme-auditor", "Tenant Admin") == {}


def test_a_default_role_naming_no_role_says_it_may_have_been_removed() -> None:
    assert defaults_of("acme", "member", "auditor") == {
        "tenants[5].defaultRoles[1]": 'role "auditor" is not declared in roles: (removed?); '
        'tenant "acme" still lists it in defaultRoles at tenants[5].defaultRoles[1]: remove it '
        'there or declare the role. Did you mean "acme-auditor"? Names are matched exactly.'
    }


def test_a_default_role_differing_in_case_is_told_the_exact_name() -> None:
    message = defaults_of("globex", "tenant admin")["tenants[5].defaultRoles[0]"]
    assert message.endswith('Did you mean "Tenant Admin"? Names are matched exactly.')


def test_another_tenants_role_is_not_a_default_role_here() -> None:
    assert defaults_of("globex", "acme-auditor") == {
        "tenants[5].defaultRoles[0]": 'role "acme-auditor" is a role of tenant "acme" only '
        '(declared at tenants[0].roles[0]); tenant "globex" lists it in defaultRoles at '
        "tenants[5].defaultRoles[0]: declare it under roles: for the whole project, or among "
        "this tenant's own roles."
    }


def test_a_default_role_naming_a_roles_old_name_is_told_the_new_one() -> None:
    assert defaults_of("acme", "billing-reader") == {
        "tenants[5].defaultRoles[0]": 'role "billing-reader" is being renamed to '
        '"billing-viewer" (previousName at roles[1].previousName); tenant "acme" still lists '
        'the old name in defaultRoles at tenants[5].defaultRoles[0]: list "billing-viewer" '
        "instead."
    }


def test_without_project_roles_default_roles_are_unchecked() -> None:
    written = [(("defaultRoles", 0), "anything")]
    assert default_role_problems("acme", written, None, SCOPED) == []
    assert default_role_problems("acme", written, [], SCOPED) != []


# --- Unicode normalization (NFC) --------------------------------------------------------------

GERANT_NFC = "g\u00e9rant"
GERANT_NFD = "ge\u0301rant"
"""One role name, two ways to write it."""


def test_names_are_normalized_to_nfc_when_validated() -> None:
    assert GERANT_NFC != GERANT_NFD
    role = RoleSpec.model_validate(
        {"name": GERANT_NFD, "permissions": [f"{GERANT_NFD}.read"], "previousName": "old"}
    )
    assert (role.name, role.permissions) == (GERANT_NFC, [f"{GERANT_NFC}.read"])
    assert PermissionSpec.model_validate({"name": GERANT_NFD}).name == GERANT_NFC
    listed = entry_problems(RoleSpec, {"name": "x", "permissions": [GERANT_NFC, GERANT_NFD]})
    assert "more than once" in listed["permissions"]


def test_names_equal_in_nfc_are_one_name() -> None:
    problems = found(
        authorization_problems(
            [{"name": GERANT_NFC}, {"name": GERANT_NFD}],
            [{"name": GERANT_NFC, "permissions": [GERANT_NFD]}, {"name": GERANT_NFD.upper()}],
            {"acme": (("tenants", 0, "roles"), [{"name": GERANT_NFD}])},
        )
    )
    assert problems == {
        "permissions[1].name": f'the permission "{GERANT_NFC}" is already declared at '
        "permissions[0]. Declare each permission once.",
        "roles[1].name": f'the role "{GERANT_NFC.upper()}" differs only in case from '
        f'"{GERANT_NFC}" declared at roles[0]. Descope does not publish whether names are '
        "compared with or without case: use one spelling.",
        "tenants[0].roles[0].name": f'the role "{GERANT_NFC}" of tenant "acme" has the name of '
        "the project role declared at roles[0] (or differs from it only in case). Default "
        "roles name roles by name only, so the two could not be told apart: rename the "
        "tenant's role.",
    }


def test_a_default_role_written_in_another_form_names_the_role() -> None:
    roles = [{"name": GERANT_NFC}]
    written = [(("tenants", 0, "defaultRoles", 0), GERANT_NFD)]
    assert default_role_problems("acme", written, roles) == []
