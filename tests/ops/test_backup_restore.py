"""backup and restore: a content backup, then the backup put back into code and deployed."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import yaml
from descope import DescopeClient

from model import normalise_theme
from ops.files import json_text
from ops.stack import load_stack, load_stack_configuration
from providers.backups import write_snapshot
from tests.ops.conftest import PROJECT_ID, REPO, Project, Run
from tests.ops.deploy import resources, up
from tests.support.host import ProviderHost, ResourceUnderTest

STACK_URN = "urn:pulumi:test::descope-config::pulumi:pulumi:Stack::descope-config-test"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
Deployed = dict[str, tuple[ResourceUnderTest, dict[str, object]]]


def deploy(project: Project, host: ProviderHost) -> Deployed:
    configuration = load_stack_configuration(load_stack("test", project.root))
    found = resources(host, configuration, project.root / "backups" / "test")
    up(found)
    return found


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
    ops: Run, project: Project, host: ProviderHost
) -> None:
    deploy(project, host)

    path = take_backup(ops, project)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["format"] == "descope-config-backup/1"
    assert data["projectId"] == PROJECT_ID
    assert data["takenAt"].endswith("Z")
    assert [t["tenant"]["id"] for t in data["tenants"]] == ["acme", "globex", "initech"]
    assert data["tenants"][0]["settings"]["authType"] == "saml"
    assert [f["flow"]["id"] for f in data["flows"]] == ["sign-up-or-in"]
    assert data["theme"]["cssTemplate"]


def test_backup__lists_declared_tenants_missing_from_descope(ops: Run) -> None:
    code, out, _ = ops("backup", "--stack", "test")
    assert code == 0
    assert "Declared but not in Descope, so not in the backup: acme, globex, initech." in out


def test_restore__after_out_of_band_changes_deploys_descope_back_to_the_backup(
    ops: Run, project: Project, host: ProviderHost, descope: DescopeClient
) -> None:
    found = deploy(project, host)
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
    configuration = load_stack_configuration(load_stack("test", project.root))
    assert sorted(t.id for t in configuration.tenants) == ["acme", "globex", "initech"]
    # pulumi refresh, then pulumi up, with the restored code:
    for resource, _ in found.values():
        resource.refresh()
    found.update(
        {k: v for k, v in resources(host, configuration, project.root).items() if k not in found}
    )
    actions = up(found)
    assert actions["tenant:globex"] == "create"
    assert actions["flow:sign-up-or-in"] == "update"
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
    assert tenants["acme"].settings.authType == "oidc"
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


def stack_export(found: Deployed) -> dict[str, Any]:
    """The shape `pulumi stack export` writes, from what the host returned."""
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
                        "type": resource.type_token,
                        "inputs": {**resource.inputs, "__provider": "secret-blob"},
                        "outputs": {
                            **resource.outputs,
                            "__provider": {
                                SECRET_SIG: SECRET_VALUE,
                                "ciphertext": "v1:abc",
                            },
                        },
                    }
                    for resource, _ in found.values()
                ),
            ],
        },
    }


def test_restore__from_a_stack_export(ops: Run, project: Project, host: ProviderHost) -> None:
    found = deploy(project, host)
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
        configuration.flows[0].content_hash == found["flow:sign-up-or-in"][0].outputs["contentHash"]
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


def test_restore__an_unchanged_project_changes_no_file(
    ops: Run, project: Project, host: ProviderHost
) -> None:
    deploy(project, host)
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


def test_restore__rewrites_only_what_differs(
    ops: Run, project: Project, host: ProviderHost
) -> None:
    deploy(project, host)
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
    ops: Run, project: Project, host: ProviderHost, descope: DescopeClient
) -> None:
    deploy(project, host)
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
