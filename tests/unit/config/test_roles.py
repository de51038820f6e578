"""``permissions``, ``roles`` and tenants' own roles: declared, validated, cross-referenced."""

from __future__ import annotations

from config import load_configuration
from model import PermissionSpec, RoleSpec
from tests.unit.config.conftest import Problems, WriteYaml

AUTHORIZATION = """
permissions:
  - name: billing.read
    description: Read invoices
  - name: billing.write
roles:
  - name: member
  - name: billing-viewer
    description: Sees invoices
    permissions: [billing.read]
"""


def test_roles_and_permissions_load_and_tenant_roles_are_split_off_the_tenant(
    write_yaml: WriteYaml,
) -> None:
    path = write_yaml(
        AUTHORIZATION
        + """
tenants:
  - id: acme
    name: Acme
    defaultRoles: [member, acme-auditor, Tenant Admin]
    roles:
      - name: acme-auditor
        permissions: [billing.read, User Admin]
  - id: globex
    name: Globex
"""
    )
    configuration = load_configuration(path)
    assert configuration.permissions == [
        PermissionSpec(name="billing.read", description="Read invoices"),
        PermissionSpec(name="billing.write"),
    ]
    assert configuration.roles == [
        RoleSpec(name="member"),
        RoleSpec(name="billing-viewer", description="Sees invoices", permissions=["billing.read"]),
    ]
    assert configuration.tenant_roles == {
        "acme": [RoleSpec(name="acme-auditor", permissions=["billing.read", "User Admin"])],
        "globex": [],
    }
    assert configuration.permission_lines == {"billing.read": 3, "billing.write": 5}
    assert configuration.role_lines == {"member": 7, "billing-viewer": 8}
    assert configuration.tenant_role_lines == {"acme": {"acme-auditor": 17}, "globex": {}}
    acme = configuration.tenants[0]
    assert acme.defaultRoles == ["member", "acme-auditor", "Tenant Admin"]
    assert "roles" not in acme.model_dump()


def test_without_a_roles_key_default_roles_are_unchecked(write_yaml: WriteYaml) -> None:
    path = write_yaml("tenants:\n  - {id: a, name: A, defaultRoles: [whatever, member]}\n")
    configuration = load_configuration(path)
    assert configuration.roles is None
    assert configuration.permissions is None
    assert configuration.tenants[0].defaultRoles == ["whatever", "member"]


def test_with_empty_roles_only_tenant_and_built_in_roles_may_be_default_roles(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
roles: []
tenants:
  - id: a
    name: A
    defaultRoles: [Tenant Admin, own, member]
    roles: [{name: own}]
"""
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.subject, problem.field) == (6, 'tenant "a"', "defaultRoles[2]")
    assert problem.message.startswith('role "member" is not declared in roles: (removed?)')


def test_a_default_role_naming_no_role_names_file_line_and_what_to_do(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        AUTHORIZATION
        + """
tenants:
  - id: acme
    name: Acme
    defaultRoles:
      - member
      - billing-veiwer
"""
    )
    [problem] = problems_of(path)
    assert str(problem) == (
        f'{path}:17: tenant "acme", field defaultRoles[1]: role "billing-veiwer" is not declared '
        'in roles: (removed?); tenant "acme" still lists it in defaultRoles on line 17: remove it '
        'there or declare the role. Did you mean "billing-viewer"? Names are matched exactly.'
    )


def test_a_role_removed_while_a_tenant_uses_it_is_refused_before_anything_runs(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    tenants = """
tenants:
  - id: acme
    name: Acme
    defaultRoles: [member, billing-viewer]
"""
    assert load_configuration(write_yaml(AUTHORIZATION + tenants)).roles is not None
    without = AUTHORIZATION.replace(
        "  - name: billing-viewer\n"
        "    description: Sees invoices\n"
        "    permissions: [billing.read]\n",
        "",
    )
    [problem] = problems_of(write_yaml(without + tenants))
    assert (problem.line, problem.subject, problem.field) == (
        12,
        'tenant "acme"',
        "defaultRoles[1]",
    )
    assert problem.message == (
        'role "billing-viewer" is not declared in roles: (removed?); tenant "acme" still lists it '
        "in defaultRoles on line 12: remove it there or declare the role."
    )


def test_a_default_role_from_defaults_is_reported_at_the_defaults_for_each_tenant(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
roles: [{name: member}]
defaults:
  defaultRoles: [member, auditor]
tenants:
  - {id: a, name: A, roles: [{name: auditor}]}
  - {id: b, name: B}
"""
    )
    [problem] = problems_of(path)
    assert (problem.line, problem.subject, problem.field) == (4, "defaults", "defaultRoles[1]")
    assert problem.message.startswith(
        'role "auditor" is a role of tenant "a" only (declared on line 6)'
    )
    assert 'tenant "b" lists it in defaultRoles on line 4' in problem.message


def test_a_role_naming_no_permission_names_file_line_and_what_to_do(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        AUTHORIZATION.replace("[billing.read]", "[billing.read, billing.delete]")
        + "tenants:\n  - id: acme\n    name: Acme\n    roles:\n      - name: x\n"
        "        permissions: [invoices.read]\n"
    )
    problems = problems_of(path)
    assert [(p.line, p.subject, p.field) for p in problems] == [
        (10, 'role "billing-viewer"', "permissions[1]"),
        (16, 'tenant "acme"', "roles[0].permissions[0]"),
    ]
    assert problems[0].message == (
        'permission "billing.delete" is not declared in permissions: (removed?); role '
        '"billing-viewer" still lists it on line 10: remove it there or declare the permission. '
        'Did you mean "billing.write"? Names are matched exactly.'
    )
    assert 'role "x" of tenant "acme" still lists it on line 16' in problems[1].message


def test_declarations_that_collide_are_reported_with_the_line_of_the_first(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        """
permissions:
  - name: SSO Admin
roles:
  - name: member
  - name: Member
  - name: viewer
    previousName: member
tenants:
  - id: acme
    name: Acme
    roles:
      - name: member
"""
    )
    found = {(p.line, p.subject, p.field): p.message for p in problems_of(path)}
    assert set(found) == {
        (3, 'permission "SSO Admin"', "name"),
        (6, 'role "Member"', "name"),
        (8, 'role "viewer"', "previousName"),
        (13, 'tenant "acme"', "roles[0].name"),
    }
    assert "built-in permissions" in found[(3, 'permission "SSO Admin"', "name")]
    assert (
        'differs only in case from "member" declared on line 5'
        in found[(6, 'role "Member"', "name")]
    )
    assert "the name of the role declared on line 5" in found[(8, 'role "viewer"', "previousName")]
    assert (
        "the name of the project role declared on line 5"
        in found[(13, 'tenant "acme"', "roles[0].name")]
    )


def test_a_bad_tenant_role_is_reported_under_its_tenant(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml(
        "tenants:\n  - id: a\n    name: A\n    roles:\n      - {name: '', perms: []}\n"
    )
    found = {(p.line, p.subject, p.field): p.message for p in problems_of(path)}
    assert found == {
        (5, 'tenant "a"', "roles[0].name"): "must not be empty.",
        (5, 'tenant "a"', "roles[0].perms"): 'unknown key "perms". Did you mean "permissions"? '
        "Remove it or fix its spelling.",
    }


def test_empty_roles_and_permissions_keys_are_refused_saying_both_choices(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    found = {
        p.field: p.message for p in problems_of(write_yaml("permissions:\nroles:\ntenants: []\n"))
    }
    assert found == {
        "permissions": "is empty: write permissions: [] to declare none (roles may then name only "
        "Descope's built-in permissions), or remove the key to leave permissions unmanaged.",
        "roles": "is empty: write roles: [] to declare none (default roles may then name only "
        "tenant roles and Descope's built-in roles), or remove the key to leave roles unmanaged.",
    }


def test_roles_cannot_be_given_to_every_tenant_through_defaults(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    [problem] = problems_of(write_yaml("defaults:\n  roles: [{name: x}]\ntenants: []\n"))
    assert (problem.subject, problem.field) == ("defaults", "roles")
    assert problem.message.startswith('unknown key "roles".')


def test_default_roles_are_checked_also_on_a_tenant_refused_for_another_reason(
    write_yaml: WriteYaml, problems_of: Problems
) -> None:
    path = write_yaml("roles: []\ntenants:\n  - {id: a, name: '', defaultRoles: [gone, 3]}\n")
    found = {(p.line, p.field): p.message for p in problems_of(path)}
    assert set(found) == {(3, "name"), (3, "defaultRoles[0]"), (3, "defaultRoles[1]")}
    assert found[(3, "defaultRoles[0]")].startswith('role "gone" is not declared in roles:')
    assert found[(3, "defaultRoles[1]")] == (
        "must be text; put quotes around it if it looks like a number or true/false."
    )
