"""demo: the emulator, the dev configuration deployed, and the proof that nothing is left to do."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from config import Configuration
from emulator import EmulatorApp, EmulatorServer
from model.tenant import TenantSpec
from ops.apply import Outcome, table
from ops.demo import project_needs
from ops.errors import OpsError
from tests.ops.conftest import MANAGEMENT_KEY, PROJECT_ID, Project, Run, free_port, stack_yaml
from tests.ops.test_cli import fake_pulumi


@pytest.fixture
def no_pulumi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.mark.usefixtures("no_pulumi")
def test_demo__without_pulumi_deploys_in_process_and_proves_no_changes(
    ops: Run, project: Project
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    project.write_stack(stack_yaml(url))

    code, out, err = ops("demo", "--stack", "test")

    assert code == 0, err
    assert "3 tenant(s) (acme, globex, initech), 1 flow(s) (sign-up-or-in), theme managed" in out
    assert f"Started the Descope emulator at {url}" in out
    assert "https://www.pulumi.com/docs/install/" in out
    assert re.search(r"^tenant +acme +created$", out, re.MULTILINE)
    assert re.search(r"^sso +globex/contractors +created$", out, re.MULTILINE)
    assert re.search(r"^flow +sign-up-or-in +created$", out, re.MULTILINE)
    assert out.count("no changes") == 8
    assert "No changes: all 8 resources match the configuration." in out
    assert "Stopped the emulator." in out
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1)


@pytest.mark.usefixtures("no_pulumi")
def test_demo__uses_an_emulator_that_already_answers(ops: Run) -> None:
    assert ops("demo", "--stack", "test")[0] == 0

    code, out, _ = ops("demo", "--stack", "test")

    assert code == 0
    assert "already answers" in out
    assert re.search(r"^tenant +acme +unchanged$", out, re.MULTILINE)
    assert "No changes: all 8 resources" in out


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


def test_apply__table_aligns_columns() -> None:
    text = table([Outcome("tenant", "a", "created"), Outcome("flow", "long-id", "updated")])
    assert text.splitlines() == [
        "KIND    ID       ACTION",
        "tenant  a        created",
        "flow    long-id  updated",
    ]


def _configuration(*tenants: TenantSpec) -> Configuration:
    return Configuration(Path("tenants.yaml"), list(tenants), [], None, {})


def test_project_needs__infers_each_attribute_type_from_the_tenants_values() -> None:
    configuration = _configuration(
        TenantSpec(
            id="a",
            name="A",
            customAttributes={"plan": "pro", "seats": 3, "trial": True, "tags": ["x", "y"]},
            defaultRoles=["member", "Tenant Admin"],
        ),
        TenantSpec(
            id="b",
            name="B",
            customAttributes={"seats": 2.5, "tags": ["z"], "region_code": "eu"},
            defaultRoles=["billing-viewer", "member"],
        ),
    )

    needs = project_needs(configuration)

    assert needs == {
        "tenant_attributes": {
            "plan": {"type": "string", "displayName": "Plan"},
            "seats": {"type": "number", "displayName": "Seats"},
            "trial": {"type": "boolean", "displayName": "Trial"},
            "tags": {"type": "multiselect", "displayName": "Tags", "options": ["x", "y", "z"]},
            "region_code": {"type": "string", "displayName": "Region code"},
        },
        "roles": {"roles": [{"name": "member"}, {"name": "billing-viewer"}]},
    }
    app = EmulatorApp(**needs)  # the emulator takes them as they are
    assert [r["name"] for r in app.backend.authz.load_roles()["roles"]] == [
        "Tenant Admin",
        "member",
        "billing-viewer",
    ]


def test_project_needs__an_empty_list_is_a_multiselect_with_a_placeholder_option() -> None:
    needs = project_needs(_configuration(TenantSpec(id="a", name="A", customAttributes={"l": []})))

    assert needs["tenant_attributes"]["l"]["options"] == ["l"]


def test_project_needs__values_of_different_kinds_are_an_error_naming_attribute_and_tenants() -> (
    None
):
    configuration = _configuration(
        TenantSpec(id="a", name="A", customAttributes={"seats": 3}),
        TenantSpec(id="b", name="B", customAttributes={"seats": "many"}),
        TenantSpec(id="c", name="C", customAttributes={"seats": 4}),
    )

    with pytest.raises(OpsError) as err:
        project_needs(configuration)

    assert "'seats' has values of different kinds (number in a, c; string in b)" in str(err.value)
    assert "tenants.yaml" in str(err.value)


@pytest.mark.usefixtures("no_pulumi")
def test_demo__an_emulator_that_lacks_the_attributes_and_roles_is_given_them(
    ops: Run, project: Project
) -> None:
    with EmulatorServer(project_id=PROJECT_ID, management_key=MANAGEMENT_KEY) as bare:
        project.write_stack(stack_yaml(bare.url))

        code, out, err = ops("demo", "--stack", "test")

        assert code == 0, err
        assert (
            "Added to it what the configuration uses: 4 tenant custom attribute(s), 2 role(s)."
            in out
        )
        assert set(bare.app.backend.tenant_attributes) == {"environment", "plan", "seats", "region"}
        roles = [r["name"] for r in bare.app.backend.authz.load_roles()["roles"]]
        assert roles == ["Tenant Admin", "member", "billing-viewer"]
        assert bare.app.backend.load_tenant("globex")["defaultRoles"] == [
            "member",
            "billing-viewer",
        ]


@pytest.mark.usefixtures("no_pulumi")
def test_demo__an_emulator_it_cannot_prepare_is_an_error_saying_what_to_do(
    ops: Run, project: Project
) -> None:
    with EmulatorServer(project_id=PROJECT_ID, management_key="K-another-key") as other:
        url = other.url
        project.write_stack(stack_yaml(url))

        code, _, err = ops("demo", "--stack", "test")

    assert code == 1
    assert f"The emulator at {url} could not be given the custom attributes" in err
    assert "Stop it and run the demo again" in err
    assert MANAGEMENT_KEY not in err
