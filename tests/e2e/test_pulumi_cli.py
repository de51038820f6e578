"""The scenarios with the real pulumi CLI: the same ones `make test` plays with the stand-in.

Runs only where `pulumi` is on PATH (it cannot be installed from any registry reachable where
this project is developed): a copy of the project in a temp folder per stack, a local file
backend (no account), an empty passphrase, the management key set with ``--secret``, and the
emulator on a free port standing in for Descope. Below the minimum CLI version the test fails
(it does not skip): the project does not work there.

What a command did to each resource is read the way a user reads it: ``pulumi preview --json``
just before ``up``/``destroy`` (the plan the command then carries out), and ``pulumi stack
export`` before and after ``refresh`` (what changed in the state). A delete of a resource
whose state says ``retainOnDelete`` is reported as ``retain``, as the stand-in reports it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.server import EmulatorServer
from tests.support.project import PROGRAM_PROJECT
from tests.support.scenarios import SCENARIOS, Outcome, cases
from tests.support.standin import OIDC_SECRET, OIDC_SECRET_KEY, OnEmulator

REPO = Path(__file__).resolve().parents[2]
PROJECT_ID = "Pe2e0000000000000000000000000"
MANAGEMENT_KEY = "K-e2e-local-key-0123456789"
MINIMUM_CLI = (3, 160, 0)
"""`--run-program` (the README's workflow) and the full config in Configure (3.139)."""
SECRET_KEY = "descope:managementKey"

pytestmark = [
    pytest.mark.cli,
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="needs the pulumi CLI on PATH; install it: https://www.pulumi.com/docs/install/",
    ),
]


def cli_version() -> tuple[int, int, int]:
    text = subprocess.run(
        ["pulumi", "version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    print(f"pulumi version: {text}")
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    assert found, f"cannot read `pulumi version`: {text!r}"
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


@pytest.fixture(scope="module", autouse=True)
def _recent_enough_cli() -> None:
    version = cli_version()
    if version < MINIMUM_CLI:
        pytest.fail(
            f"pulumi CLI {'.'.join(map(str, version))} is older than the minimum this project "
            f"needs ({'.'.join(map(str, MINIMUM_CLI))}): upgrade it (see the README)."
        )


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **PROGRAM_PROJECT
    ).start()
    try:
        yield server
    finally:
        server.stop()


class PulumiCli(OnEmulator):
    """One example stack, deployed by the real pulumi CLI to `emulator`."""

    def __init__(self, stack: str, *, emulator: EmulatorServer, workdir: Path) -> None:
        super().__init__(stack, emulator=emulator, workdir=workdir)
        self.project = workdir / "project"
        self.project.mkdir()
        for name in ("Pulumi.yaml", "__main__.py", "requirements.txt"):
            shutil.copy(REPO / name, self.project / name)
        for package in ("model", "config", "providers"):
            shutil.copytree(
                REPO / package, self.project / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        (self.project / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
        state = workdir / "state"
        state.mkdir()
        self.env = {
            **os.environ,
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
        self._run("stack", "init", stack, check=True)
        for key, value in self.config.items():
            self.set_config(key, value)

    def _run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        command = ["pulumi", *args, "--non-interactive"]
        if args[:2] != ("stack", "init"):
            command += ["--stack", self.stack]
        done = subprocess.run(
            command,
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    # --- the stack's surroundings ------------------------------------------------------------

    def set_config(self, key: str, value: str) -> None:
        super().set_config(key, value)
        secret = ["--secret"] if key in (SECRET_KEY, OIDC_SECRET_KEY) else []
        self._run("config", "set", *secret, key, value, check=True)

    def export(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._run("stack", "export", check=True).stdout)
        return data

    def _resources(self) -> dict[str, dict[str, Any]]:
        resources = self.export().get("deployment", {}).get("resources") or []
        return {
            str(r["urn"]).rsplit("::", 1)[-1]: r
            for r in resources
            if r.get("custom") and not str(r.get("type", "")).startswith("pulumi:providers:")
        }

    def state_names(self) -> list[str]:
        return list(self._resources())

    # --- the commands --------------------------------------------------------------------------

    @staticmethod
    def _flags(refresh: bool, run_program: bool) -> list[str]:
        return [*(["--refresh"] if refresh else []), *(["--run-program"] if run_program else [])]

    def _plan(self, *args: str) -> Outcome:
        done = self._run("preview", "--json", *args)
        try:
            digest = json.loads(done.stdout)
        except ValueError:
            return Outcome(errors=[done.stdout + done.stderr])
        retained = {n for n, r in self._resources().items() if r.get("retainOnDelete")}
        ops: dict[str, str] = {}
        for step in digest.get("steps") or []:
            urn, op = str(step.get("urn", "")), str(step.get("op", ""))
            kind, name = urn.rsplit("::", 2)[-2], urn.rsplit("::", 1)[-1]
            if kind == "pulumi:pulumi:Stack" or op in ("delete-replaced", "discard-replaced"):
                continue
            if kind.startswith("pulumi:providers:"):
                name = "default"
            op = {"create-replacement": "replace"}.get(op, op)
            ops[name] = "retain" if op == "delete" and name in retained else op
        errors = [
            str(d.get("message", ""))
            for d in digest.get("diagnostics") or []
            if d.get("severity") == "error"
        ]
        if done.returncode != 0 and not errors:
            errors = [done.stdout + done.stderr]
        return Outcome(ops, errors)

    def preview(self, *, refresh: bool = False, run_program: bool = False) -> Outcome:
        return self._plan(*self._flags(refresh, run_program))

    def up(self, *, refresh: bool = False, run_program: bool = False) -> Outcome:
        flags = self._flags(refresh, run_program)
        plan = self._plan(*flags)
        done = self._run("up", "--yes", "--skip-preview", *flags)
        errors = [] if done.returncode == 0 else [done.stdout + done.stderr]
        return Outcome(plan.ops, errors, log=(done.stdout + done.stderr).splitlines())

    def refresh(self, *, run_program: bool = False) -> Outcome:
        before = self._resources()
        done = self._run("refresh", "--yes", *self._flags(False, run_program))
        if done.returncode != 0:
            return Outcome(errors=[done.stdout + done.stderr])
        after = self._resources()
        ops = {
            name: "gone"
            if name not in after
            else "drift"
            if after[name].get("outputs") != old.get("outputs")
            else "read"
            for name, old in before.items()
        }
        return Outcome(ops)

    def destroy(self, *, run_program: bool = False) -> Outcome:
        flags = ["--run-program"] if run_program else []
        before = self._resources()
        done = self._run("destroy", "--yes", *flags)
        if done.returncode != 0:
            return Outcome(errors=[done.stdout + done.stderr])
        ops = {n: "retain" if r.get("retainOnDelete") else "delete" for n, r in before.items()}
        return Outcome(ops)


@pytest.mark.parametrize(("scenario", "stack"), cases())
def test_scenario(scenario: str, stack: str, emulator: EmulatorServer, tmp_path: Path) -> None:
    play, _ = SCENARIOS[scenario]
    play(PulumiCli(stack, emulator=emulator, workdir=tmp_path))


def test_the_key_is_in_the_stack_export_only_encrypted(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    driver = PulumiCli("dev", emulator=emulator, workdir=tmp_path)
    assert driver.up().ok
    text = json.dumps(driver.export())
    assert MANAGEMENT_KEY not in text
    assert "ciphertext" in text
    assert OIDC_SECRET not in text  # the SSO client secret, a secret input, too
