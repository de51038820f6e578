"""backup and restore of roles and permissions: in the backup, and back into the YAML in place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from descope import DescopeClient

from ops.stack import load_stack, load_stack_configuration
from providers.backups import write_snapshot
from tests.ops.conftest import PROJECT_ID, Project, Run
from tests.ops.deploy import deploy
from tests.ops.test_backup_restore import changed_lines, commit_all, git, take_backup


def roles_of(project: Project) -> dict[str, tuple[str, list[str]]]:
    configuration = load_stack_configuration(load_stack("test", project.root))
    found = {r.name: (r.description, sorted(r.permissions)) for r in configuration.roles or []}
    for tenant_id, own in configuration.tenant_roles.items():
        found |= {f"{tenant_id}/{r.name}": (r.description, sorted(r.permissions)) for r in own}
    return found


def permissions_of(project: Project) -> dict[str, str]:
    configuration = load_stack_configuration(load_stack("test", project.root))
    return {p.name: p.description for p in configuration.permissions or []}


def backup_of(project: Project, **content: Any) -> Path:
    path = project.root / "roles-backup.json"
    path.write_text(
        json.dumps({"format": "descope-config-backup/1", "tenants": [], "flows": [], **content})
    )
    return path


def test_backup__holds_the_roles_and_permissions_but_the_built_in_ones(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    descope.mgmt.tenant.create("Hand Made", "hand-made")
    descope.mgmt.role.create("theirs", tenant_id="hand-made")

    data = json.loads(take_backup(ops, project).read_text())

    assert [p["name"] for p in data["permissions"]] == [
        "billing.manage",
        "billing.read",
        "reports.read",
    ]
    assert sorted((r["tenantId"], r["name"]) for r in data["roles"]) == [
        ("", "billing-admin"),
        ("", "billing-viewer"),
        ("", "member"),
        ("acme", "acme-auditor"),
    ]


def test_restore__all_puts_a_removed_and_edited_role_back_as_it_was(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    declared = roles_of(project)
    text = project.tenants_file.read_text()
    edited = text.replace("    description: Sees invoices\n", "    description: Sees bills\n")
    edited = edited.replace(
        "  - name: billing-admin\n"
        "    description: Manages the plan and payment methods\n"
        "    permissions: [billing.read, billing.manage]\n",
        "",
    )
    project.tenants_file.write_text(edited)
    commit_all(project)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all")

    assert code == 0, err
    assert "role billing-viewer: restored" in out
    assert "role billing-admin: restored" in out
    assert "role member: unchanged" in out
    assert "role acme/acme-auditor: unchanged" in out
    assert "permission billing.read: unchanged" in out
    assert roles_of(project) == declared
    after = project.tenants_file.read_text()
    lines = edited.splitlines()
    assert changed_lines(edited, after) == {
        lines.index("    description: Sees bills") + 1,
        lines.index("defaults:") - 1 + 1,  # billing-admin goes at the end of roles:
    }
    assert "    permissions: [billing.manage, billing.read]\n" in after


def test_restore__a_role_snapshot_edits_the_entry_in_place_keeping_its_comment(
    ops: Run, project: Project
) -> None:
    text = project.tenants_file.read_text().replace(
        "  - name: billing-viewer\n", "  - name: billing-viewer   # finance asked for it\n"
    )
    project.tenants_file.write_text(text)
    commit_all(project)
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="role",
        resource_id="billing-viewer",
        reason="delete",
        content={
            "role": {
                "name": "billing-viewer",
                "description": "",
                "permissionNames": ["reports.read", "billing.read"],
                "tenantId": "",
            }
        },
        project_id=PROJECT_ID,
    )

    code, out, err = ops("restore", str(snapshot), "--stack", "test", "--role", "billing-viewer")

    assert code == 0, err
    assert "role billing-viewer: restored" in out
    after = project.tenants_file.read_text()
    assert "  - name: billing-viewer   # finance asked for it\n" in after
    assert "    permissions: [billing.read, reports.read]\n" in after
    assert roles_of(project)["billing-viewer"] == ("", ["billing.read", "reports.read"])
    assert len(changed_lines(text, after)) == 2  # the description went, the list changed


def test_restore__a_tenants_own_role_goes_into_the_tenants_entry(
    ops: Run, project: Project
) -> None:
    commit_all(project)
    backup = backup_of(
        project,
        roles=[
            {
                "name": "acme-helpdesk",
                "description": "Answers the phone",
                "permissionNames": ["reports.read"],
                "tenantId": "acme",
            }
        ],
    )

    code, _, err = ops("restore", str(backup), "--stack", "test", "--role", "acme/acme-helpdesk")

    assert code == 0, err
    assert roles_of(project)["acme/acme-helpdesk"] == ("Answers the phone", ["reports.read"])
    assert roles_of(project)["acme/acme-auditor"] == (
        "Acme's external auditors",
        ["billing.read", "reports.read"],
    )


def test_restore__a_role_of_a_tenant_the_file_lacks_says_to_restore_the_tenant(
    ops: Run, project: Project
) -> None:
    backup = backup_of(project, roles=[{"name": "x", "tenantId": "hooli"}])

    code, _, err = ops("restore", str(backup), "--stack", "test", "--role", "hooli/x")

    assert code == 1
    assert 'Role "x" belongs to tenant "hooli"' in err
    assert "--tenant hooli" in err


def test_restore__a_permission_into_a_file_that_manages_none_adds_the_section(
    ops: Run, project: Project
) -> None:
    project.tenants_file.write_text("tenants:\n  - {id: acme, name: Acme Corp}\n")
    git(project, "init", "-q")
    commit_all(project)
    backup = backup_of(
        project,
        permissions=[{"name": "billing.read", "description": "Read", "systemDefault": False}],
    )

    code, out, err = ops("restore", str(backup), "--stack", "test", "--permission", "billing.read")

    assert code == 0, err
    assert "permission billing.read: restored" in out
    assert permissions_of(project) == {"billing.read": "Read"}
    code, out, _ = ops("restore", str(backup), "--stack", "test", "--permission", "billing.read")
    assert "permission billing.read: unchanged" in out
    assert "no file changed" in out


def test_restore__roles_and_permissions_from_a_stack_export(ops: Run, project: Project) -> None:
    commit_all(project)
    export = project.root / "stack.json"
    export.write_text(
        json.dumps(
            {
                "version": 3,
                "deployment": {
                    "resources": [
                        {
                            "urn": "urn:...::permission-billing.read",
                            "type": "pulumi-python:dynamic/descope:Permission",
                            "outputs": {"name": "billing.read", "description": "Old words"},
                        },
                        {
                            "urn": "urn:...::role-member",
                            "type": "pulumi-python:dynamic/descope:Role",
                            "outputs": {
                                "name": "member",
                                "tenantId": "",
                                "description": "Old member",
                                "permissions": ["billing.read"],
                                "default": False,
                                "private": False,
                            },
                        },
                    ]
                },
            }
        )
    )

    code, _, err = ops("restore", str(export), "--stack", "test", "--all")

    assert code == 0, err
    assert permissions_of(project)["billing.read"] == "Old words"
    assert roles_of(project)["member"] == ("Old member", ["billing.read"])


def test_restore__a_role_naming_an_undeclared_permission_is_put_back_as_it_was(
    ops: Run, project: Project
) -> None:
    commit_all(project)
    before = project.tenants_file.read_text()
    backup = backup_of(
        project, roles=[{"name": "member", "permissionNames": ["gone.permission"], "tenantId": ""}]
    )

    code, _, err = ops("restore", str(backup), "--stack", "test", "--role", "member")

    assert code == 1
    assert 'permission "gone.permission" is not declared in permissions:' in err
    assert project.tenants_file.read_text() == before
