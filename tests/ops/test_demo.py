"""demo: the emulator, the dev configuration deployed (by pulumi, or by the stand-in for it),
and the proof that nothing is left to do; a second demo changes nothing, a removal deletes."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml
from descope import DescopeClient

from config import Configuration
from emulator.server import EmulatorServer
from model.roles import RoleSpec
from model.tenant import TenantSpec
from ops.deploy.demo import project_needs, serve
from ops.stack import load_stack, load_stack_configuration
from standin.snapshot import StackState
from tests.ops.conftest import MANAGEMENT_KEY as KEY
from tests.ops.conftest import (
    OIDC_SECRET,
    PROJECT_ID,
    REPO,
    Project,
    Run,
    free_port,
    stack_yaml,
)
from tests.ops.test_cli import fake_pulumi


@pytest.fixture
def no_pulumi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture
def program(project: Project) -> Project:
    """The project copy with the program itself in it (the stand-in runs ``__main__.py`` and
    the provider host imports ``providers`` from the project folder)."""
    (project.root / "__main__.py").symlink_to(REPO / "__main__.py")
    for package in ("model", "providers"):
        (project.root / package).symlink_to(REPO / package, target_is_directory=True)
    for module in (REPO / "config").glob("*.py"):
        (project.root / "config" / module.name).symlink_to(module)
    url = f"http://127.0.0.1:{free_port()}"
    project.write_stack(stack_yaml(url))
    return project


def drop_tenant(project: Project, tenant_id: str) -> None:
    document = yaml.safe_load(project.tenants_file.read_text())
    document["tenants"] = [t for t in document["tenants"] if t["id"] != tenant_id]
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.usefixtures("no_pulumi")
def test_demo__without_pulumi_stands_in_for_pulumi_up_and_keeps_its_state(
    ops: Run, program: Project
) -> None:
    code, out, err = ops("demo", "--stack", "test")

    assert code == 0, err
    assert (
        "4 tenant(s) (acme, globex, initech, acme-labs), 1 flow(s) (sign-up-or-in), theme managed"
        in out
    )
    assert "Started the Descope emulator at" in out
    assert "https://www.pulumi.com/docs/install/" in out
    assert "standing in for `pulumi up`" in out
    for name in (
        "tenant-acme",
        "tenant-acme-labs",
        "tenant-globex",
        "tenant-initech",
        "flow-sign-up-or-in",
    ):
        assert re.search(rf"\+\s+\w+\s+{name}\s+create\n", out), out
    assert "Descope was read first (--refresh) and now holds the configuration." in out
    assert "a preview after this up finds nothing to do for the 17 Descope resources" in out
    assert "theme differs from the configured theme" in out  # the host's warnings are shown
    assert "Stopped the emulator." in out
    state_file = program.root / ".pulumi-local" / "standin-test.json"
    assert (program.root / ".pulumi-local" / "emulator-test.json").is_file()
    # No secret in the state's text: the OIDC client secret and the access key's are sealed.
    text = state_file.read_text()
    assert OIDC_SECRET not in text
    assert text.count('{"sealed":') >= 3  # the client secret in inputs and outputs, the key's
    state = StackState.load(state_file, "test", {})
    [sso] = [r for r in state.resources if r.name == "sso-globex"]
    assert sso.inputs["clientSecret"] == OIDC_SECRET
    assert sorted(state.names()) == [
        "access-key-acme/acme-ci",
        "flow-sign-up-or-in",
        "permission-billing.manage",
        "permission-billing.read",
        "permission-reports.read",
        "role-billing-admin",
        "role-billing-viewer",
        "role-member",
        "sso-acme",
        "sso-globex",
        "sso-globex/contractors",
        "tenant-acme",
        "tenant-acme-labs",
        "tenant-globex",
        "tenant-initech",
        "tenant-role-acme/acme-auditor",
        "theme",
    ]
    assert "K-ops-test" not in state_file.read_text()  # the key is kept as a fingerprint only

    code, out, err = ops("demo", "--stack", "test")  # the same Descope, the same state

    assert code == 0, err
    assert "Resources: 18 unchanged" in out  # the default provider too, as pulumi counts it

    drop_tenant(program, "initech")
    code, out, err = ops("demo", "--stack", "test")

    assert code == 0, err
    assert re.search(r"-\s+Tenant\s+tenant-initech\s+delete\n", out), out
    assert "tenant-initech" not in StackState.load(state_file, "test", {}).names()
    snapshots = list((program.root / "backups" / "test").glob("*-tenant-initech-delete.json"))
    assert len(snapshots) == 1


@pytest.mark.usefixtures("no_pulumi")
def test_demo__without_pulumi_honours_protect(ops: Run, program: Project) -> None:
    assert ops("demo", "--stack", "test")[0] == 0
    program.write_stack(stack_yaml(load_url(program), extra="  descope-config:protect: true\n"))
    assert ops("demo", "--stack", "test")[0] == 0  # records protect, changes nothing
    drop_tenant(program, "initech")

    code, _, err = ops("demo", "--stack", "test")

    assert code == 1
    assert "cannot be deleted because it is protected" in err
    assert "tenant-initech" in err


@pytest.mark.usefixtures("no_pulumi")
def test_demo__fresh_starts_from_an_empty_emulator_and_state(ops: Run, program: Project) -> None:
    assert ops("demo", "--stack", "test")[0] == 0

    code, out, err = ops("demo", "--stack", "test", "--fresh")

    assert code == 0, err
    assert "Removed .pulumi-local/emulator-test.json (--fresh)." in out
    assert "Removed .pulumi-local/standin-test.json (--fresh)." in out
    assert "Resources: 18 create" in out


@pytest.mark.usefixtures("no_pulumi")
def test_demo__a_lost_emulator_project_resets_the_stand_in_state(
    ops: Run, program: Project
) -> None:
    assert ops("demo", "--stack", "test")[0] == 0
    (program.root / ".pulumi-local" / "emulator-test.json").unlink()

    code, out, err = ops("demo", "--stack", "test")

    assert code == 0, err
    assert "starting from an empty state" in out
    assert "Resources: 18 create" in out


def load_url(project: Project) -> str:
    document = yaml.safe_load((project.root / "Pulumi.test.yaml").read_text())
    return str(document["config"]["descope:baseUrl"])


def test_demo__with_pulumi_runs_up_and_preview_on_a_local_backend(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", 'echo "PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    code, out, _ = ops("demo", "--stack", "test")

    assert code == 0
    calls = (bin_dir / "calls.log").read_text().splitlines()
    assert calls == [
        "stack select test --create",
        "up --yes --stack test",
        "preview --expect-no-changes --stack test",
    ]
    assert (project.root / ".pulumi-local").is_dir()
    assert "the preview after `pulumi up` shows no changes" in out


def test_demo__reports_a_failing_pulumi_step(
    ops: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", 'case "$1" in up) exit 255;; esac')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    code, _, err = ops("demo", "--stack", "test")
    assert code == 1
    assert "`pulumi up --yes --stack test` failed (exit 255)" in err


def test_demo__refuses_a_remote_descope(ops: Run, project: Project) -> None:
    project.write_stack(stack_yaml("https://api.descope.com", secure_secret=True))
    code, _, err = ops("demo", "--stack", "test")
    assert code == 1
    assert "runs against the local emulator" in err
    assert "https://api.descope.com" in err


def test_demo__port_taken_by_something_else(ops: Run, project: Project) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        project.write_stack(stack_yaml(f"http://127.0.0.1:{port}"))
        code, _, err = ops("demo", "--stack", "test")
    assert code == 1
    assert "Cannot start the emulator" in err


def test_project_needs__the_declared_definitions_and_the_default_roles(project: Project) -> None:
    configuration = load_stack_configuration(load_stack("test", project.root))
    needs = project_needs(configuration)
    assert needs["tenant_attributes"]["plan"] == {
        "type": "singleselect",
        "displayName": "Plan",
        "options": ["starter", "business", "enterprise"],
    }
    assert needs["roles"] == {"roles": []}  # declared under roles: the deploy creates them


def test_project_needs__free_form_values_turn_the_attribute_check_off(project: Project) -> None:
    document = yaml.safe_load(project.tenants_file.read_text())
    del document["tenantAttributes"]
    project.tenants_file.write_text(yaml.safe_dump(document, sort_keys=False))
    needs = project_needs(load_stack_configuration(load_stack("test", project.root)))
    assert needs["require_attribute_definitions"] is False
    assert "tenant_attributes" not in needs


def test_project_needs__declared_roles_are_left_to_the_deploy() -> None:
    configuration = Configuration(
        Path("tenants.yaml"),
        [TenantSpec(id="a", name="A", defaultRoles=["member"])],
        [],
        None,
        {},
        roles=[RoleSpec(name="member")],
    )

    assert project_needs(configuration)["roles"] == {"roles": []}


@pytest.mark.usefixtures("no_pulumi")
def test_demo__uses_an_emulator_that_already_answers_giving_it_what_the_project_needs(
    ops: Run, program: Project
) -> None:
    host, port = "127.0.0.1", int(load_url(program).rsplit(":", 1)[1])
    bare = EmulatorServer(host=host, port=port, project_id=PROJECT_ID, management_key=KEY)
    with bare:
        code, out, err = ops("demo", "--stack", "test")
        assert code == 0, err
        assert "already answers" in out
        assert "Added to it what the configuration uses: 4 tenant custom attribute(s)" in out
        assert "nothing to do for the 17 Descope resources" in out
        assert bare.app.backend.tenant_attributes.keys() == {
            "plan",
            "seats",
            "region",
            "environment",
        }

        # Edits made to Descope since (the console edits and an SDK delete) are seen
        # and undone: the demo's up reads Descope first.
        sdk = DescopeClient(PROJECT_ID, management_key=KEY, base_url=load_url(program))
        sdk.mgmt.tenant.update("acme", "Acme Renamed", ["acme.dev.example.com"])
        sdk.mgmt.tenant.delete("initech")
        code, out, err = ops("demo", "--stack", "test")

        assert code == 0, err
        assert '       name: "Acme Corp" → "Acme Renamed"\n' in out  # what the refresh found
        assert re.search(r"-\s+Tenant\s+tenant-initech\s+gone from Descope\n", out), out
        assert "Resources: 1 created, 1 updated, 1 differ in Descope, 1 gone from Descope" in out
        assert sdk.mgmt.tenant.load("acme")["name"] == "Acme Corp"
        assert sdk.mgmt.tenant.load("initech")["name"] == "Initech"


@pytest.mark.usefixtures("no_pulumi")
def test_demo__fresh_resets_an_emulator_that_already_answers(ops: Run, program: Project) -> None:
    host, port = "127.0.0.1", int(load_url(program).rsplit(":", 1)[1])
    with EmulatorServer(host=host, port=port, project_id=PROJECT_ID, management_key=KEY) as held:
        assert ops("demo", "--stack", "test")[0] == 0
        held.app.backend.create_tenant({"id": "left-over", "name": "Left over"})

        code, out, err = ops("demo", "--stack", "test", "--fresh")

        assert code == 0, err
        assert f"Reset the emulator running at {load_url(program)}" in out
        assert "Removed .pulumi-local/standin-test.json (--fresh)." in out
        assert "Resources: 18 create" in out
        assert "left-over" not in held.app.backend.tenants


@pytest.mark.usefixtures("no_pulumi")
def test_demo__fresh_leaves_another_projects_emulator_alone(ops: Run, program: Project) -> None:
    host, port = "127.0.0.1", int(load_url(program).rsplit(":", 1)[1])
    other = EmulatorServer(host=host, port=port, project_id=PROJECT_ID, management_key="K-other")
    with other:
        other.app.backend.create_tenant({"id": "theirs", "name": "Theirs"})

        code, _, err = ops("demo", "--stack", "test", "--fresh")

        assert code == 1
        assert "refused project" in err
        assert "Check descope:projectId and descope:managementKey" in err
        assert "theirs" in other.app.backend.tenants


@pytest.mark.usefixtures("no_pulumi")
def test_demo__a_wrong_key_for_a_running_emulator_says_to_check_the_key(
    ops: Run, program: Project
) -> None:
    host, port = "127.0.0.1", int(load_url(program).rsplit(":", 1)[1])
    with EmulatorServer(host=host, port=port, project_id=PROJECT_ID, management_key="K-other"):
        code, _, err = ops("demo", "--stack", "test")

    assert code == 1
    assert "refused project" in err
    assert "Check descope:projectId and descope:managementKey" in err
    assert "run the demo again to start a fresh one" not in err


def test_emulator_command__serves_the_stacks_project_until_stopped(
    program: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = load_stack("test", program.root)
    stop = threading.Event()
    served = threading.Thread(target=serve, args=(stack,), kwargs={"stop": stop})
    served.start()
    try:
        url = load_url(program)
        sdk = DescopeClient(PROJECT_ID, management_key=KEY, base_url=url)
        for _ in range(200):
            if "Serving stack test" in capsys.readouterr().out:
                break
            time.sleep(0.05)
        sdk.mgmt.tenant.create("Kept", "kept")
        # The definitions the configuration declares are there, as the demo gives them.
        attributes = httpx.get(f"{url}/emulator/tenant-attributes").json()
        assert set(attributes) == {"plan", "seats", "region", "environment"}
        assert serve(stack) == 0  # a second one finds it running and leaves it
        assert "already runs at" in capsys.readouterr().out
    finally:
        stop.set()
        served.join(timeout=30)
    assert not served.is_alive()
    # Its project was kept: the next start serves it again.
    stop = threading.Event()
    again = threading.Thread(target=serve, args=(stack,), kwargs={"stop": stop})
    again.start()
    try:
        for _ in range(200):
            if "Serving stack test" in capsys.readouterr().out:
                break
            time.sleep(0.05)
        assert sdk.mgmt.tenant.load("kept")["name"] == "Kept"
    finally:
        stop.set()
        again.join(timeout=30)


def test_report__no_answer_at_the_emulators_address_says_how_to_start_it(
    ops: Run, project: Project
) -> None:
    project.write_stack(stack_yaml(f"http://127.0.0.1:{free_port()}"))

    code, _, err = ops("report", "--stack", "test")

    assert code == 1
    assert "No emulator answers at http://127.0.0.1:" in err
    assert "`python -m ops emulator --stack test`" in err
    assert "`make emulator STACK=test`" in err


@pytest.mark.usefixtures("no_pulumi")
def test_demo__refuses_a_stack_another_run_holds(ops: Run, program: Project) -> None:
    lock = program.root / ".pulumi-local" / "standin-test.lock"
    lock.parent.mkdir()
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026", "command": "x"}
    lock.write_text(json.dumps(holder))

    code, _, err = ops("demo", "--stack", "test")

    assert code == 1
    assert "Stack test is locked by another run" in err
    assert f"pid {os.getpid()}" in err
    assert not (program.root / ".pulumi-local" / "standin-test.json").exists()
    assert lock.exists()  # someone else's: left alone


@pytest.mark.usefixtures("no_pulumi")
def test_demo__fresh_leaves_the_state_of_a_run_under_way_alone(ops: Run, program: Project) -> None:
    state = program.root / ".pulumi-local" / "standin-test.json"
    state.parent.mkdir()
    state.write_text("{}")
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026", "command": "x"}
    (state.parent / "standin-test.lock").write_text(json.dumps(holder))

    code, _, err = ops("demo", "--stack", "test", "--fresh")

    assert code == 1
    assert "Stack test is locked by another run" in err
    assert state.read_text() == "{}"
