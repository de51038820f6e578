"""preview, up, refresh and destroy: by the stand-in engine against the emulator (without the
pulumi CLI), or by the real CLI (a fake one here) with the flags the workflow needs.

The stand-in runs start the provider host: each test reuses one deployment for its steps."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import httpx
import pytest
import yaml
from descope import DescopeClient

from emulator.server import EmulatorServer
from ops.deploy import verbs
from standin.snapshot import StackState
from tests.ops.conftest import OIDC_SECRET, REPO, Project, Run, counters, reset_counters, stack_yaml
from tests.ops.test_cli import fake_pulumi

READS = ("/list", "/export", "/load", "/search")
"""The POST endpoints that only read (the rest of the POSTs write)."""


@pytest.fixture
def played(project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Project:
    """The project copy with the program in it, on the session's emulator, no pulumi on PATH."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    (project.root / "__main__.py").symlink_to(REPO / "__main__.py")
    for package in ("model", "providers"):
        (project.root / package).symlink_to(REPO / package, target_is_directory=True)
    for module in (REPO / "config").glob("*.py"):
        (project.root / "config" / module.name).symlink_to(module)
    return project


def writes(emulator: EmulatorServer) -> dict[str, int]:
    """The write calls the emulator answered since its counters were reset."""
    return {
        endpoint: n
        for endpoint, n in counters(emulator).items()
        if not endpoint.startswith("GET ") and not endpoint.endswith(READS)
    }


def tenants(emulator: EmulatorServer) -> list[str]:
    response = httpx.get(f"{emulator.url}/emulator/state")
    response.raise_for_status()
    return sorted(t["id"] for t in response.json()["tenants"])


def state_of(project: Project) -> StackState:
    return StackState.load(project.root / ".pulumi-local" / "standin-test.json", "test", {})


def test_verbs__up_preview_and_refresh_are_honest_about_descope(
    ops: Run,
    played: Project,
    descope: DescopeClient,
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = ops("up", "--stack", "test")  # no terminal, no --yes

    assert code == 1
    assert "no terminal to ask on. Add --yes" in err
    assert not (played.root / ".pulumi-local" / "standin-test.json").exists()

    monkeypatch.setattr(verbs, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _question: "no")
    code, out, err = ops("up", "--stack", "test")  # asked, declined

    assert code == 1
    assert re.search(r"\+\s+Tenant\s+tenant-acme\s+create\n", out), out
    assert "Resources: 18 to create" in out
    assert "Confirmation declined: `up` did not run; nothing changed." in err
    assert tenants(emulator) == []

    code, out, err = ops("up", "--stack", "test", "--yes", "--target", "sso-acme")

    assert code == 0, err
    assert out.count("standing in for `pulumi up`") == 1
    assert out.count("The pulumi CLI is not on PATH") == 1
    assert sorted(state_of(played).names()) == [
        "permission-billing.read",
        "permission-reports.read",
        "role-billing-viewer",
        "role-member",
        "sso-acme",
        "tenant-acme",
    ], out  # its tenant, the tenant's default role, and that role's permissions
    assert "Only the --target resources and what they depend on were played" in out
    code, out, err = ops("up", "--stack", "test", "--yes")

    assert code == 0, err
    assert "Resources: 11 created, 7 unchanged" in out, out
    assert tenants(emulator) == ["acme", "acme-labs", "globex", "initech"]

    descope.mgmt.tenant.update("acme", "Acme Renamed", ["acme.dev.example.com"])
    descope.mgmt.tenant.delete("initech")
    code, out, err = ops("up", "--stack", "test", "--yes")  # no --refresh: the state only

    assert code == 0, err
    assert "Resources: 18 unchanged" in out
    assert "The stack's state matches the configuration. Descope itself was not read" in out
    assert "python -m ops preview --refresh --stack test" in out
    assert "match the configuration" not in out.replace("state matches the configuration", "")

    reset_counters(emulator)
    code, out, err = ops("preview", "--stack", "test", "--refresh")

    assert code == 0, err
    assert writes(emulator) == {}
    assert re.search(r"~\s+Tenant\s+tenant-acme\s+differs in Descope\n", out), out
    assert '       name: "Acme Corp" → "Acme Renamed"\n' in out
    assert re.search(r"-\s+Tenant\s+tenant-initech\s+gone from Descope\n", out), out
    assert re.search(r"~\s+Tenant\s+tenant-acme\s+update\n", out), out
    assert '       name: "Acme Renamed" → "Acme Corp"\n' in out
    assert re.search(r"\+\s+Tenant\s+tenant-initech\s+create\n", out), out
    assert "Descope was read (--refresh): it differs from the configuration." in out

    code, out, err = ops("preview", "--stack", "test", "--refresh", "--expect-no-changes")

    assert code == 1
    assert "--expect-no-changes:" in err
    assert writes(emulator) == {}

    monkeypatch.setattr("builtins.input", lambda _question: "yes")
    code, out, err = ops("refresh", "--stack", "test")  # asked, and confirmed

    assert code == 0, err
    assert "The state now records Descope as it is." in out
    assert state_of(played).by_name("tenant-acme").inputs["name"] == "Acme Renamed"
    assert "tenant-initech" not in state_of(played).names()

    code, out, err = ops("preview", "--stack", "test")  # the state now knows the edits

    assert code == 0, err
    assert '       name: "Acme Renamed" → "Acme Corp"\n' in out
    assert "Compared with the stack's state, not with Descope (no --refresh)." in out

    code, out, err = ops("up", "--stack", "test", "--yes")

    assert code == 0, err
    assert "Resources: 1 created, 1 updated, 16 unchanged" in out, out
    assert tenants(emulator) == ["acme", "acme-labs", "globex", "initech"]

    code, out, err = ops("preview", "--stack", "test", "--refresh", "--expect-no-changes")

    assert code == 0, err
    assert "Descope was read (--refresh): it matches the configuration." in out

    def no_question(question: str) -> str:
        raise AssertionError(f"asked {question!r} with nothing to do")

    monkeypatch.setattr("builtins.input", no_question)
    code, out, err = ops("up", "--stack", "test")  # nothing to do: nothing to ask

    assert code == 0, err
    assert "Resources: 18 unchanged" in out


def test_verbs__destroy_empties_the_stack_unless_a_resource_is_protected(
    ops: Run, played: Project, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = yaml.safe_load((played.root / "Pulumi.test.yaml").read_text())["config"][
        "descope:baseUrl"
    ]
    played.write_stack(stack_yaml(url, extra="  descope-config:protect: true\n"))
    assert ops("up", "--stack", "test", "--yes")[0] == 0

    code, out, err = ops("destroy", "--stack", "test", "--yes")

    assert code == 1
    assert re.search(r'resource "urn:pulumi:test::descope-config::[^"]+" cannot be deleted', err)
    assert "because it is protected" in err
    assert "tenant-" in err

    played.write_stack(stack_yaml(url))
    assert ops("up", "--stack", "test", "--yes")[0] == 0  # records that nothing is protected
    recorded = json.loads((played.root / ".pulumi-local" / "standin-test.json").read_text())
    secret = recorded["config"]["descope-config:globexOidcClientSecret"]
    assert secret == {"fingerprint": "sha256:" + hashlib.sha256(OIDC_SECRET.encode()).hexdigest()}
    monkeypatch.setattr(verbs, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _question: "yes")
    code, out, err = ops("destroy", "--stack", "test")  # asked, and confirmed

    assert code == 0, err
    assert re.search(r"-\s+Tenant\s+tenant-acme\s+delete\n", out), out
    assert "Resources: 17 to delete" in out  # the plan, then the question
    assert "Resources: 17 deleted" in out, out
    assert state_of(played).names() == []
    assert tenants(emulator) == []


def test_verbs__target_with_refresh_or_destroy_is_left_to_pulumi(ops: Run, played: Project) -> None:
    code, _, err = ops("destroy", "--stack", "test", "--yes", "--target", "tenant-acme")

    assert code == 1
    assert "--target with `destroy` is not played by the stand-in engine" in err


def test_verbs__the_stand_in_plays_only_the_emulator_s_stacks(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    project.write_stack(stack_yaml("https://api.descope.com", secure_secret=True))

    code, _, err = ops("preview", "--stack", "test")

    assert code == 1
    assert "Stack test is not the local emulator's (descope:baseUrl in Pulumi.test.yaml)" in err
    assert "`preview` needs the pulumi CLI here" in err
    assert not (project.root / ".pulumi-local").exists()


def test_verbs__an_unknown_target_is_refused_before_anything_runs(
    ops: Run, played: Project, emulator: EmulatorServer
) -> None:
    code, _, err = ops("preview", "--stack", "test", "--target", "tenant-nope")

    assert code == 1
    assert "--target tenant-nope: neither the program nor the stack's state" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["preview"], ["preview --stack test"]),
        (
            ["preview", "--refresh", "--expect-no-changes", "--diff"],
            ["preview --stack test --refresh --run-program --diff --expect-no-changes"],
        ),
        (
            ["up", "--yes", "--refresh", "--target", "urn:a", "--target", "urn:b"],
            ["up --stack test --yes --refresh --run-program --target urn:a --target urn:b"],
        ),
        (["refresh", "--yes"], ["refresh --stack test --yes --run-program"]),
        (
            ["destroy", "--yes", "--show-sames"],
            ["destroy --stack test --yes --run-program --show-sames"],
        ),
    ],
)
def test_verbs__with_pulumi_on_path_run_the_real_cli(
    ops: Run,
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    expected: list[str],
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", f'echo "$PULUMI_BACKEND_URL" > "{tmp_path}/backend"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    code, out, err = ops(args[0], "--stack", "test", *args[1:])

    assert code == 0, err
    calls = (bin_dir / "calls.log").read_text().splitlines()
    assert calls == ["stack select test --create", *expected]  # the emulator's local backend
    backend = (tmp_path / "backend").read_text().strip()
    assert backend == (project.root / ".pulumi-local").as_uri()
    assert "standing in" not in out


def test_verbs__with_pulumi_a_remote_stack_uses_the_logged_in_backend_and_reports_failure(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project.write_stack(stack_yaml("https://api.descope.com", secure_secret=True))
    bin_dir = fake_pulumi(tmp_path / "bin", "exit 255")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    code, _, err = ops("up", "--stack", "test", "--yes")

    assert code == 1
    assert (bin_dir / "calls.log").read_text().splitlines() == ["up --stack test --yes"]
    assert "`pulumi up --stack test --yes` failed (exit 255)" in err


def test_verbs__without_a_terminal_the_real_cli_is_not_started_either(
    ops: Run, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = fake_pulumi(tmp_path / "bin", "")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    code, _, err = ops("destroy", "--stack", "test")

    assert code == 1
    assert "`destroy` changes stack test and asks for confirmation first" in err
    assert not (bin_dir / "calls.log").exists()
