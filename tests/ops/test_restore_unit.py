"""restore of a tenant as a unit: with its own roles and SSO, from a tenant snapshot that holds
them (and its sub-tenants), through a symlinked file, and only from this stack's own sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ops.stack import load_stack, load_stack_configuration
from providers.backups import write_snapshot
from tests.ops.conftest import PROJECT_ID, Project, Run
from tests.ops.test_backup_restore import ACME, GLOBEX, commit_all, git, wire_tenant
from tests.ops.test_restore_roles import backup_of, roles_of

AUDITOR = {
    "name": "acme-auditor",
    "description": "Acme's external auditors",
    "permissionNames": ["billing.read", "reports.read"],
    "tenantId": "acme",
}
ACME_ROLES_BLOCK = (
    "    roles:                 # exist in this tenant only\n"
    "      - name: acme-auditor\n"
    "        description: Acme's external auditors\n"
    "        permissions: [billing.read, reports.read]\n"
)
OTHER_PROJECT = "Pother000000000000000000000000"


def without_acme_roles(project: Project) -> str:
    """The dev file without acme's own role, committed (as if it had been removed)."""
    text = project.tenants_file.read_text()
    assert ACME_ROLES_BLOCK in text
    text = text.replace(ACME_ROLES_BLOCK, "")
    # Its access key named it too: give the key a project role, or the file would not load.
    assert "roles: [acme-auditor]" in text
    text = text.replace("roles: [acme-auditor]", "roles: [member]")
    project.tenants_file.write_text(text)
    commit_all(project)
    return text


def hooli_sso(tenant_id: str = "hooli") -> dict[str, Any]:
    """A SAML configuration by metadata URL, as Descope's SSO load answers it."""
    return {
        "tenant": {
            "id": tenant_id,
            "authType": "saml",
            "domains": [f"{tenant_id}.dev.example.com"],
        },
        "saml": {
            "idpMetadataUrl": f"https://idp.{tenant_id}.example/metadata",
            "idpEntityId": f"https://idp.{tenant_id}.example",
        },
        "ssoId": "",
    }


def hooli_snapshot(project: Project, *, project_id: str = PROJECT_ID) -> Path:
    """A tenant snapshot as a delete takes it: the tenant with its SSO, its own roles and its
    sub-tenant (which has its own SSO and role)."""
    xyz = wire_tenant("hooli-xyz", "Hooli XYZ")
    xyz["tenant"]["roleInheritance"] = "userOnly"  # its parent comes from the nesting
    child = {
        **xyz,
        "sso": [hooli_sso("hooli-xyz")],
        "roles": [{"name": "xyz-ops", "permissionNames": [], "tenantId": "hooli-xyz"}],
        "subTenants": [],
    }
    return write_snapshot(
        project.root / "snaps",
        kind="tenant",
        resource_id="hooli",
        reason="delete",
        content={
            **wire_tenant("hooli", "Hooli"),
            "sso": [hooli_sso()],
            "roles": [
                {
                    "name": "hooli-ops",
                    "description": "Runs Hooli",
                    "permissionNames": ["reports.read"],
                    "tenantId": "hooli",
                }
            ],
            "subTenants": [child],
        },
        project_id=project_id,
    )


# --- a tenant with its own roles and SSO ----------------------------------------------------


def test_restore__a_tenant_brings_its_own_roles(ops: Run, project: Project) -> None:
    without_acme_roles(project)
    backup = backup_of(project, tenants=[ACME], roles=[AUDITOR])

    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme")

    assert code == 0, err
    assert "role acme/acme-auditor: restored" in out
    assert roles_of(project)["acme/acme-auditor"] == (
        "Acme's external auditors",
        ["billing.read", "reports.read"],
    )


def test_restore__no_roles_leaves_the_tenants_roles_out_unless_named(
    ops: Run, project: Project
) -> None:
    before = without_acme_roles(project)
    backup = backup_of(project, tenants=[ACME], roles=[AUDITOR])

    code, out, err = ops(
        "restore", str(backup), "--stack", "test", "--tenant", "acme", "--no-roles"
    )

    assert code == 0, err
    assert "acme-auditor" not in out
    assert project.tenants_file.read_text() == before
    code, out, err = ops(
        "restore", str(backup), "--stack", "test", "--tenant", "acme", "--no-roles",
        "--role", "acme/acme-auditor",
    )  # fmt: skip
    assert code == 0, err
    assert "role acme/acme-auditor: restored" in out


def test_restore__no_sso_leaves_the_tenants_sso_as_it_is(ops: Run, project: Project) -> None:
    commit_all(project)
    before = project.tenants_file.read_text()
    acme = {**ACME, "sso": [hooli_sso("acme")]}  # Descope holds another SSO for acme
    backup = backup_of(project, tenants=[acme])

    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme", "--no-sso")

    assert code == 0, err
    assert "tenant acme: unchanged" in out
    assert project.tenants_file.read_text() == before
    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme")
    assert code == 0, err
    assert "tenant acme: restored" in out
    restored = load_stack_configuration(load_stack("test", project.root)).tenant_sso["acme"]
    assert restored.saml is not None
    assert restored.saml.metadataUrl == "https://idp.acme.example/metadata"


# --- a tenant snapshot that holds the tenant's SSO, roles and sub-tenants --------------------


def test_restore__a_tenant_snapshot_brings_its_sso_and_roles_and_lists_its_sub_tenants(
    ops: Run, project: Project
) -> None:
    commit_all(project)

    code, out, err = ops(
        "restore", str(hooli_snapshot(project)), "--stack", "test", "--tenant", "hooli"
    )

    assert code == 0, err
    assert "role hooli/hooli-ops: restored" in out
    assert "its sub-tenant hooli-xyz is in" in out
    assert "add --tenant hooli-xyz to restore it" in out
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert [t.id for t in configuration.tenants if t.id.startswith("hooli")] == ["hooli"]
    sso = configuration.tenant_sso["hooli"]
    assert sso.saml is not None
    assert sso.saml.metadataUrl == "https://idp.hooli.example/metadata"
    assert [r.name for r in configuration.tenant_roles["hooli"]] == ["hooli-ops"]
    entry = next(
        t for t in yaml.safe_load(project.tenants_file.read_text())["tenants"] if t["id"] == "hooli"
    )
    # Written in the file's forms, without what the model's defaults give:
    assert entry["sso"] == {
        "domains": ["hooli.${domainSuffix}"],
        "saml": {
            "metadataUrl": "https://idp.hooli.example/metadata",
            "entityId": "https://idp.hooli.example",
        },
    }


def test_restore__a_sub_tenant_from_a_snapshot_is_restored_as_an_entry_saying_so(
    ops: Run, project: Project
) -> None:
    commit_all(project)

    code, out, err = ops(
        "restore", str(hooli_snapshot(project)), "--stack", "test", "--tenant", "hooli-xyz"
    )

    assert code == 0, err
    assert (
        "tenant hooli-xyz: restored with parent: hooli; `pulumi up` creates a missing one under "
        "hooli, which must be declared in the file or exist in Descope"
    ) in out
    assert "role hooli-xyz/xyz-ops: restored" in out
    configuration = load_stack_configuration(load_stack("test", project.root))
    [xyz] = [t for t in configuration.tenants if t.id == "hooli-xyz"]
    assert (xyz.parent, xyz.roleInheritance) == ("hooli", "userOnly")
    assert "hooli" not in {t.id for t in configuration.tenants}
    assert configuration.tenant_sso["hooli-xyz"].saml is not None


# --- the file's own form: a symlinked tenants file ------------------------------------------


def test_restore__edits_a_symlinked_tenants_file_through_its_link(
    ops: Run, project: Project
) -> None:
    shared = project.root / "config" / "shared" / "tenants.yaml"
    shared.parent.mkdir()
    project.tenants_file.rename(shared)
    project.tenants_file.symlink_to(Path("..") / "shared" / "tenants.yaml")
    commit_all(project)
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["name"] = "Acme Corporation"

    code, _, err = ops(
        "restore", str(backup_of(project, tenants=[acme])), "--stack", "test", "--tenant", "acme"
    )

    assert code == 0, err
    assert project.tenants_file.is_symlink()
    assert project.tenants_file.readlink() == Path("..") / "shared" / "tenants.yaml"
    assert "    name: Acme Corporation\n" in shared.read_text()
    assert not [p.name for p in shared.parent.iterdir() if p.name != "tenants.yaml"]


# --- only this stack's own sources, unless asked ---------------------------------------------


def test_restore__refuses_a_backup_of_another_project_unless_asked(
    ops: Run, project: Project
) -> None:
    commit_all(project)
    before = project.tenants_file.read_text()
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["name"] = "Their Acme"
    backup = backup_of(project, tenants=[acme], projectId=OTHER_PROJECT, stack="prod")

    code, _, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme")

    assert code == 1
    assert f"Descope project {OTHER_PROJECT}, stack prod" in err
    assert f"not from stack test (Descope project {PROJECT_ID})" in err
    assert "--from-other-stack" in err
    assert "Traceback" not in err
    assert project.tenants_file.read_text() == before
    code, out, err = ops(
        "restore", str(backup), "--stack", "test", "--tenant", "acme", "--from-other-stack"
    )
    assert code == 0, err
    assert "tenant acme: restored" in out
    assert "    name: Their Acme\n" in project.tenants_file.read_text()


def test_restore__refuses_a_snapshot_of_another_project(ops: Run, project: Project) -> None:
    snapshot = hooli_snapshot(project, project_id=OTHER_PROJECT)

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "hooli")

    assert code == 1
    assert f"taken from Descope project {OTHER_PROJECT}, not from stack test" in err


def test_restore__refuses_a_stack_export_of_another_stack(ops: Run, project: Project) -> None:
    export = project.root / "stack.json"
    resource = {
        "urn": "urn:pulumi:prod::descope-config::pulumi-python:dynamic:Resource::permission-x",
        "type": "pulumi-python:dynamic/descope:Permission",
        "outputs": {"name": "x", "description": "X"},
    }
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": [resource]}}))

    code, _, err = ops("restore", str(export), "--stack", "test", "--all")

    assert code == 1
    assert "taken from stack prod, not from stack test" in err
    assert "--from-other-stack" in err


# --- duplicate entries ----------------------------------------------------------------------


def test_restore__refuses_a_backup_with_duplicate_entries_naming_them(
    ops: Run, project: Project
) -> None:
    commit_all(project)
    before = project.tenants_file.read_text()
    other_acme = json.loads(json.dumps(ACME))
    other_acme["tenant"]["name"] = "Acme Twin"
    backup = backup_of(
        project,
        tenants=[ACME, GLOBEX, other_acme],
        roles=[AUDITOR, {"name": "member", "tenantId": ""}, AUDITOR],
    )

    code, _, err = ops("restore", str(backup), "--stack", "test", "--tenant", "globex")

    assert code == 1
    assert 'tenant "acme" (tenants[0], tenants[2])' in err
    assert 'role "acme/acme-auditor" (roles[0], roles[2])' in err
    assert "Traceback" not in err
    assert project.tenants_file.read_text() == before


def test_restore__refuses_a_snapshot_holding_a_sub_tenant_twice(ops: Run, project: Project) -> None:
    child = wire_tenant("hooli-xyz", "Hooli XYZ")
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="tenant",
        resource_id="hooli",
        reason="delete",
        content={**wire_tenant("hooli", "Hooli"), "subTenants": [child, child]},
        project_id=PROJECT_ID,
    )

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "hooli")

    assert code == 1
    assert 'tenant "hooli-xyz" (content.subTenants[0], content.subTenants[1])' in err


def test_restore__refuses_a_stack_export_holding_a_configuration_twice(
    ops: Run, project: Project
) -> None:
    resource = {
        "urn": "urn:pulumi:test::descope-config::pulumi-python:dynamic:Resource::sso-acme",
        "type": "pulumi-python:dynamic/descope:SSOConfiguration",
        "outputs": {"tenantId": "acme", "ssoId": ""},
    }
    export = project.root / "stack.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": [resource, resource]}}))
    git(project, "init", "-q")

    code, _, err = ops("restore", str(export), "--stack", "test", "--tenant", "acme")

    assert code == 1
    assert (
        'SSO configuration "acme/(default)" (deployment.resources[0], deployment.resources[1])'
        in err
    )


def test_restore__refuses_a_tenant_snapshot_whose_roles_are_not_roles(
    ops: Run, project: Project
) -> None:
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="tenant",
        resource_id="hooli",
        reason="delete",
        content={**wire_tenant("hooli", "Hooli"), "roles": [{"description": "no name"}]},
        project_id=PROJECT_ID,
    )

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "hooli")

    assert code == 1
    assert f"{snapshot} holds roles that are not Descope's entries" in err


def test_restore__a_stack_export_resource_pending_deletion_is_not_a_duplicate(
    ops: Run, project: Project
) -> None:
    commit_all(project)

    def permission(description: str, **extra: Any) -> dict[str, Any]:
        return {
            "urn": "urn:pulumi:test::descope-config::pulumi-python:dynamic:Resource::permission-x",
            "type": "pulumi-python:dynamic/descope:Permission",
            "outputs": {"name": "billing.read", "description": description},
            **extra,
        }

    export = project.root / "stack.json"
    resources = [permission("Replaced", delete=True), permission("Current words")]
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))

    code, _, err = ops("restore", str(export), "--stack", "test", "--permission", "billing.read")

    assert code == 0, err
    assert "    description: Current words\n" in project.tenants_file.read_text()
