"""demo: the emulator, the dev configuration deployed, and the proof that nothing is left to do."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from ops.apply import Outcome, table
from tests.ops.conftest import Project, Run, free_port, stack_yaml
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
    assert "tenant  acme           created" in out
    assert "flow    sign-up-or-in  created" in out
    assert out.count("no changes") == 5
    assert "No changes: all 5 resources match the configuration." in out
    assert "Stopped the emulator." in out
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1)


@pytest.mark.usefixtures("no_pulumi")
def test_demo__uses_an_emulator_that_already_answers(ops: Run) -> None:
    assert ops("demo", "--stack", "test")[0] == 0

    code, out, _ = ops("demo", "--stack", "test")

    assert code == 0
    assert "already answers" in out
    assert "tenant  acme           unchanged" in out
    assert "No changes: all 5 resources" in out


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
    project.write_stack(stack_yaml("https://api.descope.com"))
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
