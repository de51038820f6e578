"""`ops` on a stack that leaves kinds to another tool (``descope-config:leaveUnmanaged``):
the report does not compare them (nor read them), export does not write them, restore refuses
to write them into code."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from descope import DescopeClient

from emulator.server import EmulatorServer
from tests.ops.conftest import Project, Run, counters, reset_counters, stack_yaml
from tests.ops.deploy import deploy

FLOW_LISTING = "POST /v1/mgmt/flow/list"
PROJECT_KINDS = ("tenantAttributes", "permissions", "roles", "flows", "theme")


def leave(project: Project, emulator: EmulatorServer, kinds: str) -> None:
    project.write_stack(
        stack_yaml(emulator.url, extra=f"  descope-config:leaveUnmanaged: {kinds}\n")
    )


def without(project: Project, *keys: str) -> None:
    """The stack's file without the top-level `keys`."""
    document = yaml.safe_load(project.tenants_file.read_text())
    for key in keys:
        document.pop(key, None)
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))


def test_report__left_kinds_are_named_and_not_compared(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    deploy(project)  # Descope holds the dev stack's flows, theme, roles and permissions
    without(project, *PROJECT_KINDS)
    leave(project, emulator, "[" + ", ".join(PROJECT_KINDS) + "]")
    reset_counters(emulator)

    code, out, err = ops("report", "--stack", "test", "--fail-on-unmanaged", "--fail-on-drift")

    assert code == 0, out + err
    for kind in PROJECT_KINDS:
        assert f"{kind}: left to another tool on this stack (descope-config:leaveUnmanaged); " in (
            out
        )
    assert "Flows in Descope, not in the configuration" not in out
    assert "Roles: not managed" not in out
    assert "Tenant attributes:" not in out
    assert "Drift: none. The 4 managed tenant(s), 0 flow(s) in Descope" in out
    read = [e for e in counters(emulator) if "flow" in e or "theme" in e]
    assert read == [FLOW_LISTING]  # the listing only: no flow nor theme is exported

    code, out, _ = ops("report", "--stack", "test", "--json")
    document = json.loads(out)
    assert document["leftUnmanaged"] == sorted(PROJECT_KINDS)
    assert document["unmanaged"] == {"tenants": [], "flows": [], "roles": [], "permissions": []}


def test_report__tenants_left_are_not_listed(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    deploy(project)
    document = yaml.safe_load(project.tenants_file.read_text())
    document["tenants"] = []
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))
    leave(project, emulator, "tenants")

    code, out, _ = ops("report", "--stack", "test", "--json", "--fail-on-unmanaged")

    assert code == 0
    document = json.loads(out)
    assert document["unmanaged"]["tenants"] == []
    assert document["leftUnmanaged"] == ["tenants"]


def test_report__a_configuration_declaring_a_left_kind_is_refused(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    leave(project, emulator, "flows")

    code, out, err = ops("report", "--stack", "test")

    assert code == 1
    line = next(
        i
        for i, text in enumerate(project.tenants_file.read_text().splitlines(), 1)
        if text.startswith("flows:")
    )
    assert f"{project.tenants_file}:{line}: file, field flows: declares the flow(s) " in out + err
    assert "take flows out of leaveUnmanaged" in out + err


def test_report__an_unknown_kind_is_refused_with_the_closest(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    leave(project, emulator, "flows, themes")

    code, out, err = ops("report", "--stack", "test")

    assert code == 1
    assert 'names "themes", which is not a kind this program manages. Did you mean "theme"?' in (
        out + err
    )


def test_export__left_kinds_are_not_read_nor_written(
    ops: Run, project: Project, emulator: EmulatorServer, tmp_path: Path
) -> None:
    deploy(project)
    leave(project, emulator, "flows,theme,roles,permissions")
    out, flows = tmp_path / "out" / "tenants.yaml", tmp_path / "out" / "flows"
    reset_counters(emulator)

    code, stdout, err = ops(
        "export", "--stack", "test", "--out", str(out), "--flows-dir", str(flows)
    )

    assert code == 0, stdout + err
    assert "4 tenant(s), 1 role(s), 0 permission(s), 0 flow(s);" in stdout  # acme's own role
    assert "0 flow(s); the configuration validates." in stdout
    assert (
        "Not exported: flows, permissions, roles, theme, which stack test leaves to another "
        "tool (descope-config:leaveUnmanaged)."
    ) in stdout
    document = yaml.safe_load(out.read_text())
    assert not {"flows", "theme", "roles", "permissions"} & set(document)
    assert [t["id"] for t in document["tenants"]] == ["acme", "acme-labs", "globex", "initech"]
    [labs] = [t for t in document["tenants"] if t["id"] == "acme-labs"]  # a sub-tenant's fields
    assert (labs["parent"], labs["roleInheritance"]) == ("acme", "userOnly")
    assert not flows.exists() or list(flows.iterdir()) == []
    read = [e for e in counters(emulator) if "flow" in e or "theme" in e]
    assert read == [FLOW_LISTING]  # the listing only: no flow nor theme is exported


def test_restore__a_left_kind_is_refused_and_skipped_by_all(
    ops: Run, project: Project, emulator: EmulatorServer
) -> None:
    deploy(project)
    code, out, err = ops("backup", "--stack", "test")
    assert code == 0, err
    backup = sorted((project.root / "backups" / "test").glob("*-full-backup.json"))[-1]
    without(project, "flows", "theme")
    leave(project, emulator, "flows, theme")

    code, out, err = ops("restore", str(backup), "--stack", "test", "--flow", "sign-up-or-in")

    assert code == 1
    assert (
        "Stack test leaves flows to another tool (descope-config:leaveUnmanaged in "
        "Pulumi.test.yaml): written into its code, they would be refused"
    ) in out + err

    code, out, err = ops("restore", str(backup), "--stack", "test", "--all", "--force")

    assert code == 0, out + err
    assert "flow sign-up-or-in" not in out
    assert "theme:" not in out
    assert "tenant acme: unchanged" in out
    assert not {"flows", "theme"} & set(yaml.safe_load(project.tenants_file.read_text()))


def test_up__kinds_left_on_a_stack_that_managed_them_are_forgotten_not_deleted(
    project: Project, descope: DescopeClient
) -> None:
    deployment = deploy(project)
    before = holdings(descope)
    assert all(before.values())
    without(project, *PROJECT_KINDS)
    deployment.config["descope-config:leaveUnmanaged"] = ",".join(PROJECT_KINDS)

    steps = deployment.up()

    forgotten = {name: op for name, op in steps.items() if op == "delete"}
    assert forgotten
    assert {n.split("-")[0] for n in forgotten} <= {"role", "permission", "flow", "theme"}
    assert holdings(descope) == before  # Descope keeps every one of them
    assert not [n for n in deployment.state.names() if n in forgotten]
    assert deployment.up() == dict.fromkeys(deployment.state.names(), "same")


def test_up__the_same_removal_without_the_setting_deletes_them(
    project: Project, descope: DescopeClient
) -> None:
    """The contrast: what the setting prevents (a role removed from a file that still manages
    roles is deleted in Descope, after a snapshot)."""
    deployment = deploy(project)
    before = holdings(descope)
    without(project, "roles", "permissions")

    deployment.up()

    assert holdings(descope)["roles"] < before["roles"]


def holdings(descope: DescopeClient) -> dict[str, set[str]]:
    """Project roles, permissions and flows, by name or id, as Descope holds them."""
    return {
        "roles": {
            r["name"] for r in descope.mgmt.role.load_all()["roles"] if not r.get("tenantId")
        },
        "permissions": {p["name"] for p in descope.mgmt.permission.load_all()["permissions"]},
        "flows": {f["id"] for f in descope.mgmt.flow.list_flows()["flows"]},
    }
