"""backup and restore: a content backup, then the backup put back into code and deployed."""

from __future__ import annotations

import difflib
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from descope import DescopeClient

from emulator.server import EmulatorServer
from model import normalise_theme
from ops.files import json_text
from ops.stack import load_stack, load_stack_configuration
from providers.backups import write_snapshot
from tests.ops.conftest import OIDC_SECRET, PROJECT_ID, REPO, Project, Run, stack_yaml
from tests.ops.deploy import Deployment, deploy

STACK_URN = "urn:pulumi:test::descope-config::pulumi:pulumi:Stack::descope-config-test"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"


def comparable(backup: dict[str, Any]) -> dict[str, Any]:
    """What must be equal between two backups of the same content."""
    tenants = [
        {
            "tenant": {k: v for k, v in t["tenant"].items() if k != "createdTime"},
            "settings": t["settings"],
        }
        for t in backup["tenants"]
    ]
    flows = [
        {
            "flow": {
                k: v for k, v in f["flow"].items() if k not in ("version", "etag", "modifiedTime")
            },
            "screens": sorted(
                ({k: v for k, v in s.items() if k != "version"} for s in f["screens"]),
                key=lambda s: s["id"],
            ),
        }
        for f in backup["flows"]
    ]
    theme = {k: v for k, v in backup["theme"].items() if k != "version"}
    return {"tenants": tenants, "flows": flows, "theme": theme}


def take_backup(ops: Run, project: Project) -> Path:
    code, out, err = ops("backup", "--stack", "test")
    assert code == 0, err
    files = sorted((project.root / "backups" / "test").glob("*-full-backup.json"))
    assert str(files[-1]) in out
    return files[-1]


def test_backup__writes_one_private_file_of_the_documented_format(
    ops: Run, project: Project
) -> None:
    deploy(project)

    path = take_backup(ops, project)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["format"] == "descope-config-backup/1"
    assert data["projectId"] == PROJECT_ID
    assert data["takenAt"].endswith("Z")
    assert [t["tenant"]["id"] for t in data["tenants"]] == [
        "acme",
        "acme-labs",
        "globex",
        "initech",
    ]
    assert data["tenants"][0]["settings"]["authType"] == "saml"
    assert [f["flow"]["id"] for f in data["flows"]] == ["sign-up-or-in"]
    assert data["theme"]["cssTemplate"]


def test_backup__lists_declared_tenants_missing_from_descope(ops: Run) -> None:
    code, out, _ = ops("backup", "--stack", "test")
    assert code == 0
    assert (
        "Declared but not in Descope, so not in the backup: acme, acme-labs, globex, initech."
        in out
    )


def test_restore__after_out_of_band_changes_deploys_descope_back_to_the_backup(
    ops: Run,
    project: Project,
    descope: DescopeClient,
    emulator: EmulatorServer,
) -> None:
    found = deploy(project)
    backup = take_backup(ops, project)
    descope.mgmt.tenant.delete("globex")
    flow = descope.mgmt.flow.export_flow("sign-up-or-in")
    flow["flow"]["name"] = "Edited in the console"
    descope.mgmt.flow.import_flow("sign-up-or-in", flow["flow"], flow["screens"])
    # ...and someone also dropped globex from the code.
    document = yaml.safe_load(project.tenants_file.read_text())
    document["tenants"] = [t for t in document["tenants"] if t["id"] != "globex"]
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))
    git(project, "init", "-q")
    git(project, "add", "config")
    git(project, "commit", "-q", "-m", "drop globex")

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all")

    assert code == 0, err
    assert f"tenant globex: restored -> {project.tenants_file}" in out
    assert "tenant acme: unchanged" in out
    assert "flow sign-up-or-in: unchanged" in out  # the code still holds what was backed up
    assert "theme: unchanged" in out
    assert "pulumi preview --stack test" in out
    # Its SSO came back, but not its client secret, which no backup holds: set it, as said.
    assert "pulumi config set --secret descope-config:oidcClientSecret_globex" in out
    assert "clientSecret: ${oidcClientSecret_globex}" in project.tenants_file.read_text()
    assert OIDC_SECRET not in project.tenants_file.read_text()
    project.write_stack(
        stack_yaml(emulator.url, extra=f"  descope-config:oidcClientSecret_globex: {OIDC_SECRET}\n")
    )
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert sorted(t.id for t in configuration.tenants) == ["acme", "acme-labs", "globex", "initech"]
    # pulumi refresh, then pulumi up, with the restored code:
    found.config["descope-config:oidcClientSecret_globex"] = OIDC_SECRET
    found.secret_keys = (*found.secret_keys, "descope-config:oidcClientSecret_globex")
    found.refresh()
    actions = found.up()
    assert actions["tenant-globex"] == "create"
    assert actions["sso-globex"] == "create"
    assert actions["sso-globex/contractors"] == "create"
    assert actions["flow-sign-up-or-in"] == "update"
    after = json.loads(take_backup(ops, project).read_text())
    assert comparable(after) == comparable(json.loads(backup.read_text()))


def tenant_snapshot(project: Project, name: str = "Acme Restored") -> Path:
    return write_snapshot(
        project.root / "snaps",
        kind="tenant",
        resource_id="acme",
        reason="delete",
        content={
            "tenant": {
                "id": "acme",
                "name": name,
                "selfProvisioningDomains": ["acme.dev.example.com"],
                "customAttributes": {"environment": "dev", "plan": "business"},
                "defaultRoles": ["member"],
            },
            "settings": {"authType": "oidc", "domains": ["acme.dev.example.com"]},
        },
        project_id=PROJECT_ID,
    )


def git(project: Project, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=project.root,
        check=True,
        capture_output=True,
    )


def test_restore__refuses_a_file_with_uncommitted_changes_unless_forced(
    ops: Run, project: Project
) -> None:
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")
    edited = project.tenants_file.read_text().replace("name: Initech", "name: Initech Local")
    project.tenants_file.write_text(edited)
    snapshot = tenant_snapshot(project)

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme")

    assert code == 1
    assert str(project.tenants_file) in err
    assert "uncommitted changes" in err
    assert project.tenants_file.read_text() == edited
    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme", "--force")
    assert code == 0, err
    tenants = {t.id: t for t in load_stack_configuration(load_stack("test", project.root)).tenants}
    assert tenants["acme"].name == "Acme Restored"
    assert tenants["acme"].settings is not None
    # The snapshot's auth type is not restored into settings: the entry's sso: owns it.
    assert tenants["acme"].settings.authType == "none"
    assert "authType:" not in project.tenants_file.read_text()
    assert tenants["initech"].name == "Initech Local"  # other entries kept


def test_restore__into_a_clean_git_file_overwrites_the_entry(ops: Run, project: Project) -> None:
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")

    code, out, err = ops(
        "restore", str(tenant_snapshot(project)), "--stack", "test", "--tenant", "acme"
    )

    assert code == 0, err
    assert "tenant snapshot (delete)" in out


def test_restore__outside_git_refuses_an_entry_that_differs_unless_forced(
    ops: Run, project: Project
) -> None:
    snapshot = tenant_snapshot(project)
    before = project.tenants_file.read_text()

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme")

    assert code == 1
    assert 'tenant "acme"' in err
    assert "not in git" in err
    assert "--force" in err
    assert project.tenants_file.read_text() == before
    code, _, _ = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme", "--force")
    assert code == 0
    tenants = {t.id: t for t in load_stack_configuration(load_stack("test", project.root)).tenants}
    assert tenants["acme"].name == "Acme Restored"
    assert tenants["acme"].customAttributes == {"environment": "dev", "plan": "business"}
    assert tenants["acme"].settings is not None
    assert tenants["acme"].settings.sessionTokenExpiration is None  # defaults: did not leak in


def test_restore__same_content_changes_nothing(ops: Run, project: Project) -> None:
    snapshot = tenant_snapshot(project)
    assert ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme", "--force")[0] == 0
    text = project.tenants_file.read_text()

    code, out, _ = ops("restore", str(snapshot), "--stack", "test", "--tenant", "acme")

    assert code == 0
    assert "no file changed" in out
    assert project.tenants_file.read_text() == text


def test_restore__a_flow_snapshot_adds_the_flow_entry_and_file(ops: Run, project: Project) -> None:
    export = {"flow": {"id": "new-flow", "name": "New", "version": 3}, "screens": [{"id": "s"}]}
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="flow",
        resource_id="new-flow",
        reason="overwrite",
        content=export,
    )

    code, out, err = ops("restore", str(snapshot), "--stack", "test", "--flow", "new-flow")

    assert code == 0, err
    assert f"flow new-flow: restored -> {project.flows_dir / 'new-flow.json'}" in out
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert [f.id for f in configuration.flows] == ["sign-up-or-in", "new-flow"]
    written = json.loads((project.flows_dir / "new-flow.json").read_text())
    assert written == {"flow": {"id": "new-flow", "name": "New"}, "screens": [{"id": "s"}]}


def stack_export(found: Deployment) -> dict[str, Any]:
    """The shape `pulumi stack export` writes, from the deployment's state."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2025-01-01T00:00:00Z"},
            "resources": [
                {
                    "urn": STACK_URN,
                    "type": "pulumi:pulumi:Stack",
                    "custom": False,
                },
                *(
                    {
                        "urn": resource.urn,
                        "custom": True,
                        "id": resource.id,
                        "type": resource.type,
                        "inputs": {**resource.inputs, "__provider": "secret-blob"},
                        "outputs": {
                            **resource.outputs,
                            "__provider": {
                                SECRET_SIG: SECRET_VALUE,
                                "ciphertext": "v1:abc",
                            },
                        },
                    }
                    for resource in found.state.resources
                ),
            ],
        },
    }


def test_restore__from_a_stack_export(ops: Run, project: Project) -> None:
    found = deploy(project)
    expected = {t.id: t for t in load_stack_configuration(load_stack("test", project.root)).tenants}
    export_file = project.root / "stack.json"
    export_file.write_text(json.dumps(stack_export(found)))
    document = yaml.safe_load(project.tenants_file.read_text())
    document["tenants"] = [t for t in document["tenants"] if t["id"] != "initech"]
    del document["flows"]
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))
    (project.flows_dir / "sign-up-or-in.json").unlink()

    code, out, err = ops(
        "restore",
        str(export_file),
        "--stack",
        "test",
        "--tenant",
        "initech",
        "--flow",
        "sign-up-or-in",
    )

    assert code == 0, err
    assert "pulumi stack export" in out
    configuration = load_stack_configuration(load_stack("test", project.root))
    restored = {t.id: t for t in configuration.tenants}["initech"]
    assert restored.adopt
    assert restored.model_dump(exclude={"adopt"}) == expected["initech"].model_dump(
        exclude={"adopt"}
    )
    assert [f.id for f in configuration.flows] == ["sign-up-or-in"]
    assert (
        configuration.flows[0].content_hash
        == found.resource("flow-sign-up-or-in").outputs["contentHash"]
    )


def test_restore__refuses_encrypted_stack_export_outputs(ops: Run, project: Project) -> None:
    secret = {
        SECRET_SIG: SECRET_VALUE,
        "ciphertext": "x",
    }
    data = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": "urn:f",
                    "type": "pulumi-python:dynamic/descope:Flow",
                    "outputs": {"flowId": "f", "content": secret},
                }
            ]
        },
    }
    path = project.root / "secret.json"
    path.write_text(json.dumps(data))

    code, _, err = ops("restore", str(path), "--stack", "test", "--all")

    assert code == 1
    assert "encrypted outputs" in err
    assert "--show-secrets" in err


def test_restore__rolls_back_when_defaults_would_change_the_tenant(
    ops: Run, project: Project
) -> None:
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="tenant",
        resource_id="newco",
        reason="delete",
        content={"tenant": {"id": "newco", "name": "NewCo"}, "settings": None},
    )
    before = project.tenants_file.read_text()

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--tenant", "newco")

    assert code == 1
    assert 'tenant "newco"' in err
    assert "defaults: merge into it" in err
    assert project.tenants_file.read_text() == before


def commit_all(project: Project) -> None:
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")


def git_status(project: Project) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=project.root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_restore__an_unchanged_project_changes_no_file(ops: Run, project: Project) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    commit_all(project)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all")

    assert code == 0, err
    for line in (
        "tenant acme: unchanged",
        "tenant globex: unchanged",
        "tenant initech: unchanged",
        "flow sign-up-or-in: unchanged",
        "theme: unchanged",
    ):
        assert f"  {line}\n" in out
    assert "no file changed" in out
    assert git_status(project) == ""


def test_restore__rewrites_only_what_differs(ops: Run, project: Project) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    flow_file = project.flows_dir / "sign-up-or-in.json"
    flow = json.loads(flow_file.read_text())
    flow["flow"]["name"] = "Edited locally"
    flow_file.write_text(json.dumps(flow))  # one line, unsorted: not the export's form
    commit_all(project)
    yaml_before = project.tenants_file.read_text()

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all")

    assert code == 0, err
    assert f"flow sign-up-or-in: restored -> {flow_file}" in out
    assert "tenant acme: unchanged" in out
    assert project.tenants_file.read_text() == yaml_before
    assert git_status(project) == " M config/flows/sign-up-or-in.json\n"
    # Written in the form export writes: the example file as it was committed.
    assert flow_file.read_bytes() == (REPO / "config" / "flows" / "sign-up-or-in.json").read_bytes()


def test_restore__the_theme_of_a_full_backup(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    theme_file = project.flows_dir / "theme.json"
    theme_file.write_text(json.dumps({"theme": {"cssTemplate": {"light": {}}}}))
    commit_all(project)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--theme")

    assert code == 0, err
    assert f"  theme: restored -> {theme_file}\n" in out
    assert "tenant " not in out
    held = json.loads(backup.read_text())["theme"]
    assert theme_file.read_text() == json_text({"theme": normalise_theme(held)})
    assert theme_file.read_bytes() == (REPO / "config" / "flows" / "theme.json").read_bytes()
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert configuration.theme is not None
    assert configuration.theme.content == normalise_theme(held)


def theme_snapshot(project: Project) -> Path:
    return write_snapshot(
        project.root / "snaps",
        kind="theme",
        resource_id="theme",
        reason="overwrite",
        content={"version": 7, "cssTemplate": {"light": {"primary": "#abcdef"}}},
        project_id=PROJECT_ID,
    )


def test_restore__a_theme_snapshot_adds_the_theme_entry_and_file(
    ops: Run, project: Project
) -> None:
    document = yaml.safe_load(project.tenants_file.read_text())
    del document["theme"]
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))
    (project.flows_dir / "theme.json").unlink()

    code, out, err = ops("restore", str(theme_snapshot(project)), "--stack", "test", "--all")

    assert code == 0, err
    assert "theme snapshot (overwrite)" in out
    assert f"  theme: restored -> {project.flows_dir / 'theme.json'}\n" in out
    assert yaml.safe_load(project.tenants_file.read_text())["theme"] == {"file": "theme.json"}
    assert json.loads((project.flows_dir / "theme.json").read_text()) == {
        "theme": {"cssTemplate": {"light": {"primary": "#abcdef"}}}
    }
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert configuration.theme is not None
    code, out, _ = ops("restore", str(theme_snapshot(project)), "--stack", "test", "--theme")
    assert code == 0
    assert "  theme: unchanged\n" in out
    assert "no file changed" in out


def test_restore__refuses_to_overwrite_a_local_theme_edit_unless_forced(
    ops: Run, project: Project
) -> None:
    theme_file = project.flows_dir / "theme.json"
    before = theme_file.read_text()
    snapshot = theme_snapshot(project)

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--theme")

    assert code == 1
    assert f"the theme in {theme_file} exists with other content" in err
    assert "not in git" in err
    assert theme_file.read_text() == before
    commit_all(project)
    theme_file.write_text(before.replace("#1f4fd8", "#000000"))
    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--theme")
    assert code == 1
    assert f"{theme_file} has uncommitted changes" in err
    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--theme", "--force")
    assert code == 0, err
    assert "#abcdef" in theme_file.read_text()


def test_restore__says_when_the_source_has_no_theme(ops: Run, project: Project) -> None:
    snapshot = tenant_snapshot(project)

    code, out, err = ops("restore", str(snapshot), "--stack", "test", "--all", "--force")

    assert code == 0, err
    assert "  theme: not in this backup\n" in out
    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--theme")
    assert code == 1
    assert "The theme is not in" in err
    assert "theme: no" in err


def test_restore__writes_the_stacks_variables_back_into_a_shared_flow_file(
    ops: Run, project: Project
) -> None:
    deploy(project)
    backup = take_backup(ops, project)
    flow_file = project.flows_dir / "sign-up-or-in.json"
    shared = flow_file.read_text()
    assert "https://app.${domainSuffix}/terms" in shared
    flow_file.write_text(shared.replace("${domainSuffix}", "elsewhere.example.com"))
    commit_all(project)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--flow", "sign-up-or-in")

    assert code == 0, err
    assert f"flow sign-up-or-in: restored -> {flow_file}" in out
    assert flow_file.read_text() == shared
    code, out, err = ops("restore", str(backup), "--stack", "test", "--flow", "sign-up-or-in")
    assert "flow sign-up-or-in: unchanged" in out


# Editing the tenants YAML in place -------------------------------------------------------------

DEV_SETTINGS = {
    "enabled": True,
    "sessionTokenExpiration": 30,
    "sessionTokenExpirationUnit": "minutes",
    "refreshTokenExpiration": 7,
    "refreshTokenExpirationUnit": "days",
}
"""What the dev file's defaults give every tenant's settings, as Descope's settings hold it."""


def wire_tenant(
    tenant_id: str,
    name: str,
    *,
    domains: list[str] | None = None,
    attributes: dict[str, Any] | None = None,
    roles: list[str] | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A tenant as a full backup holds it (Descope's load and settings answers)."""
    return {
        "tenant": {
            "id": tenant_id,
            "name": name,
            "selfProvisioningDomains": domains or [],
            "customAttributes": {"environment": "dev", **(attributes or {})},
            "defaultRoles": roles or [],
        },
        "settings": {**DEV_SETTINGS, **(settings or {})},
    }


ACME = wire_tenant(
    "acme",
    "Acme Corp",
    domains=["acme.dev.example.com"],
    attributes={"plan": "enterprise", "seats": 250},
    roles=["member"],
    settings={
        "domains": ["acme.dev.example.com"],
        "authType": "saml",
        "enableInactivity": True,
        "inactivityTime": 60,
        "inactivityTimeUnit": "minutes",
    },
)
GLOBEX = wire_tenant(
    "globex",
    "Globex Corporation",
    domains=["globex.dev.example.com", "globex-labs.dev.example.com"],
    attributes={"plan": "business", "seats": 40, "region": "eu-west"},
    roles=["member", "billing-viewer"],
    settings={"domains": ["globex.dev.example.com"], "authType": "oidc"},
)
INITECH = wire_tenant(
    "initech",
    "Initech",
    domains=["initech.dev.example.com"],
    attributes={"plan": "starter", "seats": 5},
    roles=["member"],
    settings={"sessionTokenExpiration": 2, "sessionTokenExpirationUnit": "hours"},
)
"""The three tenants of config/tenants/dev.yaml, as Descope holds them once deployed."""


def globex_without_sso(text: str) -> str:
    """The dev file with globex's SSO declared the way it was before sso: (tenant settings)."""
    start = text.index("    sso:                   # OIDC")
    end = text.index("\n\n  - id: initech")
    settings = '    settings:\n      domains: ["globex.${domainSuffix}"]\n      authType: oidc'
    return text[:start] + settings + text[end:]


def full_backup(project: Project, *tenants: dict[str, Any]) -> Path:
    path = project.root / "full-backup.json"
    path.write_text(
        json.dumps({"format": "descope-config-backup/1", "tenants": list(tenants), "flows": []})
    )
    return path


def changed_lines(before: str, after: str) -> set[int]:
    """The 1-based lines of `before` that a diff to `after` touches (an insertion touches the
    line it goes before)."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    touched: set[int] = set()
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            touched.update(range(i1 + 1, max(i2, i1 + 1) + 1))
    return touched


def entry_lines(text: str, tenant_id: str) -> set[int]:
    """The 1-based lines of a tenant's entry in the dev file: its ``- id:`` line to the line
    before the next entry or section."""
    lines = text.splitlines()
    start = lines.index(f"  - id: {tenant_id}")
    end = next(
        i for i in range(start + 1, len(lines)) if lines[i].startswith(("  - id:", "flows:"))
    )
    return set(range(start + 1, end + 1))


def declare(
    project: Project, attributes: tuple[str, ...] = (), roles: tuple[str, ...] = ()
) -> None:
    """Add string attributes and project roles to the project's declarations, as a user would
    before restoring tenants that use them (the configuration refuses undeclared ones)."""
    text = project.tenants_file.read_text()
    for name in attributes:
        text = text.replace(
            "tenantAttributes:", f"tenantAttributes:\n  {name}: {{type: string}}", 1
        )
    for name in roles:
        text = text.replace("\nroles:", f"\nroles:\n  - name: {name}", 1)
    project.tenants_file.write_text(text)


def restored_tenants(project: Project) -> dict[str, Any]:
    configuration = load_stack_configuration(load_stack("test", project.root))
    return {t.id: t for t in configuration.tenants}


def test_restore__one_tenant_changes_only_that_tenants_lines(ops: Run, project: Project) -> None:
    before = project.tenants_file.read_text()
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["customAttributes"]["plan"] = "business"
    acme["settings"]["inactivityTime"] = 15

    code, _, err = ops(
        "restore", str(full_backup(project, acme)), "--stack", "test", "--tenant", "acme", "--force"
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    touched = changed_lines(before, after)
    assert touched  # the restore did change something...
    assert touched <= entry_lines(before, "acme")  # ...and only acme's lines
    assert "    customAttributes: {plan: business, seats: 250}\n" in after  # flow style kept
    assert "      inactivityTime: 15\n" in after
    assert restored_tenants(project)["acme"].customAttributes["plan"] == "business"


def test_restore__keeps_comments_in_and_around_the_restored_entry(
    ops: Run, project: Project
) -> None:
    text = project.tenants_file.read_text()
    text = text.replace("  - id: acme\n", "  # Our first customer.\n  - id: acme  # since 2019\n")
    text = text.replace(
        "      enableInactivity: true\n",
        "      enableInactivity: true  # their policy\n    # seats: 300\n",
    )
    text = text.replace("  - id: globex\n", "  # Globex pays yearly.\n  - id: globex\n")
    project.tenants_file.write_text(text)
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["name"] = "Acme Corporation"

    code, _, err = ops(
        "restore", str(full_backup(project, acme)), "--stack", "test", "--tenant", "acme", "--force"
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    assert changed_lines(text, after) == {text.splitlines().index("    name: Acme Corp") + 1}
    assert "  # Our first customer.\n  - id: acme  # since 2019\n" in after
    assert "      enableInactivity: true  # their policy\n" in after
    assert "  # Globex pays yearly.\n  - id: globex\n" in after


def test_restore__a_new_entry_goes_where_the_backup_has_it_in_the_files_style(
    ops: Run, project: Project
) -> None:
    text = globex_without_sso(project.tenants_file.read_text())
    text = text[: text.index("  - id: acme-labs")] + text[text.index("flows:") :]
    project.tenants_file.write_text(text)
    without_globex = text[: text.index("  - id: globex")] + text[text.index("  - id: initech") :]
    project.tenants_file.write_text(without_globex)
    backup = full_backup(project, ACME, GLOBEX, INITECH)

    code, _, err = ops("restore", str(backup), "--stack", "test", "--tenant", "globex")

    assert code == 0, err
    after = project.tenants_file.read_text()
    # Between acme and initech, as in the backup; flow lists, quotes and ${...} as in the file.
    assert after == text.replace(
        "    customAttributes: {plan: business, seats: 40, region: eu-west}\n",
        "    customAttributes: {plan: business, region: eu-west, seats: 40}\n",
    ).replace("      authType: oidc\n", "      authType: oidc\n    adopt: true\n").replace(
        # no other entry writes settings.domains (their sso: owns it): block style
        '      domains: ["globex.${domainSuffix}"]\n',
        "      domains:\n        - globex.${domainSuffix}\n",
    )
    assert restored_tenants(project)["globex"].adopt


def test_restore__keeps_and_writes_variable_references(ops: Run, project: Project) -> None:
    declare(project, attributes=("team", "note"))
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["selfProvisioningDomains"] = ["acme.dev.example.com", "shop.dev.example.com"]
    acme["tenant"]["customAttributes"]["team"] = "dev-team"
    newco = wire_tenant(
        "newco", "NewCo", domains=["newco.dev.example.com"], attributes={"note": "${not a var}"}
    )

    code, _, err = ops(
        "restore",
        str(full_backup(project, acme, newco)),
        "--stack",
        "test",
        "--all",
        "--force",
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    assert (
        '    selfProvisioningDomains: ["acme.${domainSuffix}", "shop.${domainSuffix}"]\n' in after
    )
    assert "team: dev-team" in after  # "dev" is ${environment}, but not written that way here
    assert '    selfProvisioningDomains: ["newco.${domainSuffix}"]\n' in after
    assert "    customAttributes: {note: '$${not a var}'}\n" in after  # a literal ${ escaped
    tenants = restored_tenants(project)
    assert tenants["acme"].selfProvisioningDomains == [
        "acme.dev.example.com",
        "shop.dev.example.com",
    ]
    assert tenants["newco"].customAttributes["note"] == "${not a var}"


def test_restore__writes_no_defaults_and_no_nulls(ops: Run, project: Project) -> None:
    newco = wire_tenant("newco", "NewCo", settings={"authType": "oidc", "JITDisabled": True})

    code, _, err = ops(
        "restore", str(full_backup(project, newco)), "--stack", "test", "--tenant", "newco"
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    entry = after[after.index("  - id: newco") :]
    entry = entry[: entry.index("\n\n")]
    assert entry == (
        "  - id: newco\n"
        "    name: NewCo\n"
        "    settings:\n"
        "      authType: oidc\n"
        "      JITDisabled: true\n"
        "    adopt: true"
    )
    restored = restored_tenants(project)["newco"]
    assert restored.customAttributes == {"environment": "dev"}
    assert restored.settings is not None
    assert restored.settings.sessionTokenExpiration == 30


def test_restore__overrides_a_default_with_null_only_where_it_must(
    ops: Run, project: Project
) -> None:
    initech = json.loads(json.dumps(INITECH))
    initech["settings"] = None  # settings not managed: the defaults must not give it any

    code, _, err = ops(
        "restore", str(full_backup(project, initech)), "--stack", "test", "--all", "--force"
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    assert after.count("null") == 1
    assert "    defaultRoles: [member]\n    settings: null\n    sso:" in after
    assert restored_tenants(project)["initech"].settings is None


def test_restore__leaves_other_entries_as_written_whatever_their_formatting(
    ops: Run, project: Project
) -> None:
    declare(project, roles=("admin",))
    text = project.tenants_file.read_text()
    odd = text.replace(
        "    defaultRoles: [member, billing-viewer]\n",
        "    defaultRoles:   [ member,billing-viewer ]\n",
    )
    odd = odd.replace("    name: Initech\n", "    name:    'Initech'\n")
    project.tenants_file.write_text(odd)
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["defaultRoles"] = ["member", "admin"]

    code, _, err = ops(
        "restore", str(full_backup(project, acme)), "--stack", "test", "--tenant", "acme", "--force"
    )

    assert code == 0, err
    after = project.tenants_file.read_text()
    assert changed_lines(odd, after) == {odd.splitlines().index("    defaultRoles: [member]") + 1}
    assert "    defaultRoles: [member, admin]\n" in after


def test_restore__quotes_strings_the_loader_would_read_as_something_else(
    ops: Run, project: Project
) -> None:
    declare(project, attributes=("opens", "tier", "n"))
    newco = wire_tenant("newco", "yes", attributes={"opens": "12:30", "tier": "on", "n": "3"})

    code, _, err = ops(
        "restore", str(full_backup(project, newco)), "--stack", "test", "--tenant", "newco"
    )

    assert code == 0, err
    restored = restored_tenants(project)["newco"]
    assert restored.name == "yes"
    assert restored.customAttributes == {
        "environment": "dev",
        "n": "3",
        "opens": "12:30",
        "tier": "on",
    }


def test_restore__puts_every_file_back_when_the_result_does_not_validate(
    ops: Run, project: Project
) -> None:
    flow_file = project.flows_dir / "sign-up-or-in.json"
    flow_before = flow_file.read_text()
    yaml_before = project.tenants_file.read_text()
    thief = wire_tenant("thief", "Thief", domains=["acme.dev.example.com"])  # acme's domain
    export = json.loads(flow_before)
    export["flow"]["name"] = "Changed"
    backup = project.root / "bad-backup.json"
    backup.write_text(
        json.dumps({"format": "descope-config-backup/1", "tenants": [thief], "flows": [export]})
    )

    code, _, err = ops("restore", str(backup), "--stack", "test", "--all", "--force")

    assert code == 1
    assert "does not validate, so it was put back as it was" in err
    assert 'tenant "thief"' in err
    assert 'is claimed by two tenants: tenant "thief" here' in err
    assert 'and tenant "acme" at ' in err
    assert project.tenants_file.read_text() == yaml_before
    assert flow_file.read_text() == flow_before


def test_restore__into_a_missing_tenants_file_writes_a_new_one(ops: Run, project: Project) -> None:
    project.tenants_file.unlink()

    code, out, err = ops(
        "restore", str(full_backup(project, ACME)), "--stack", "test", "--tenant", "acme"
    )

    assert code == 0, err
    assert f"tenant acme: restored -> {project.tenants_file}" in out
    assert project.tenants_file.read_text().startswith("tenants:\n  - id: acme\n")
    restored = restored_tenants(project)["acme"]
    assert restored.adopt
    assert restored.settings is not None
    assert restored.settings.sessionTokenExpiration == 30  # written out: there are no defaults


# Writing safely ------------------------------------------------------------------------------


def backup_with_a_flow(project: Project) -> Path:
    """A full backup whose acme and flow both differ from the code."""
    acme = json.loads(json.dumps(ACME))
    acme["tenant"]["name"] = "Acme Restored"
    export = json.loads((project.flows_dir / "sign-up-or-in.json").read_text())
    export["flow"]["name"] = "Restored flow"
    path = project.root / "flow-backup.json"
    path.write_text(
        json.dumps({"format": "descope-config-backup/1", "tenants": [acme], "flows": [export]})
    )
    return path


def temp_files(project: Project) -> list[Path]:
    return sorted(p for p in (project.root / "config").rglob("*") if p.name.endswith(".tmp"))


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_restore__a_failure_before_the_yaml_leaves_every_file_as_it_was(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    backup = backup_with_a_flow(project)
    flow_file = project.flows_dir / "sign-up-or-in.json"
    flow_before = flow_file.read_text()
    yaml_before = project.tenants_file.read_text()
    renamed: list[Path] = []
    real_replace = os.replace

    def replace(source: str, target: str | Path) -> None:
        if Path(target) == project.tenants_file:
            assert temp_files(project)  # the YAML's temp file is there when it fails...
            raise failure
        renamed.append(Path(target))
        real_replace(source, target)

    monkeypatch.setattr("standin.files.os.replace", replace)

    code, _, err = ops("restore", str(backup), "--stack", "test", "--all", "--force")

    assert code != 0
    assert renamed[0] == flow_file  # the flow file was written before the YAML
    assert project.tenants_file.read_text() == yaml_before
    assert flow_file.read_text() == flow_before  # ...and put back when the YAML failed
    assert temp_files(project) == []  # ...and no temp file remains
    if isinstance(failure, OSError):
        assert f"Cannot write {project.tenants_file}: No space left on device." in err
        assert "Nothing was restored. The files written before it were put back" in err


def test_restore__writes_flow_files_before_the_yaml_that_names_them(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = {"flow": {"id": "new-flow", "name": "New"}, "screens": []}
    snapshot = write_snapshot(
        project.root / "snaps", kind="flow", resource_id="new-flow", reason="delete", content=export
    )
    new_flow = project.flows_dir / "new-flow.json"
    seen: list[tuple[Path, bool]] = []
    real_replace = os.replace

    def replace(source: str, target: str | Path) -> None:
        if Path(target) == project.tenants_file:
            seen.append((Path(target), new_flow.exists()))
        real_replace(source, target)

    monkeypatch.setattr("standin.files.os.replace", replace)

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--flow", "new-flow")

    assert code == 0, err
    assert seen == [(project.tenants_file, True)]  # the file was there before the YAML named it


def test_restore__removes_temp_files_an_interrupted_restore_left(
    ops: Run, project: Project
) -> None:
    stale = [
        project.flows_dir / ".sign-up-or-in.json.restore-k2j4h_x1.tmp",
        project.tenants_file.parent / ".test.yaml.restore-abc123.tmp",
    ]
    others = [
        project.flows_dir / ".theme.json.q8w7e6.tmp",  # another command's temp file
        project.tenants_file.parent / "notes.restore-1.tmp",
        project.flows_dir / ".sign-up-or-in.json.restore-.tmp",
    ]
    for path in stale + others:
        path.write_text("partial")
    backup = full_backup(project, ACME)

    code, out, err = ops("restore", str(backup), "--stack", "test", "--tenant", "acme")

    assert code == 0, err
    assert "tenant acme: unchanged" in out
    assert f"Removed 2 temp file(s) an interrupted restore left behind: {stale[1]}" in out
    assert str(stale[0]) in out
    assert [p.exists() for p in stale] == [False, False]
    assert [p.exists() for p in others] == [True, True, True]


def test_restore__an_access_key_snapshot_says_the_key_cannot_come_back(
    ops: Run, project: Project
) -> None:
    snapshot = write_snapshot(
        project.root / "snaps",
        kind="accessKey",
        resource_id="acme/ci",
        reason="delete",
        content={"accessKey": {"id": "K1", "name": "ci", "status": "active"}},
        project_id=PROJECT_ID,
    )

    code, _, err = ops("restore", str(snapshot), "--stack", "test", "--all")

    assert code == 1
    assert 'is a snapshot of access key "acme/ci"' in err
    assert "not its secret" in err
    assert "Declare it again under its tenant's accessKeys" in err
