"""Deploying a tenants file as `pulumi up` would: the program's registrations, played by the
stand-in engine through the real provider host."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ops.stack import load_stack
from standin.engine import Engine
from standin.host import PROJECT_DIR
from standin.program import registrations
from standin.results import Result
from standin.snapshot import ResourceState, StackState
from tests.ops.conftest import Project

STACK = "test"
SECRET_KEYS = ("descope:managementKey",)
"""Besides every variable given to `Deployment.of` as a secret."""


@dataclass
class Deployment:
    """One stack's program and state, deployed against a running emulator."""

    config: dict[str, str]
    engine: Engine
    state: StackState
    secret_keys: tuple[str, ...] = SECRET_KEYS

    @classmethod
    def of(
        cls,
        tenants_file: Path,
        *,
        flows_dir: Path,
        backup_dir: Path,
        connection: dict[str, str],
        variables: dict[str, str] | None = None,
        secrets: dict[str, str] | None = None,
    ) -> Deployment:
        """`secrets`: stack variables set as secrets (an OIDC client secret the YAML names)."""
        config = {
            **connection,
            "descope-config:tenantsFile": str(tenants_file),
            "descope-config:flowsDir": str(flows_dir),
            "descope-config:backupDir": str(backup_dir),
            "descope-config:protect": "false",
            "descope-config:retainOnDelete": "false",
            **{f"descope-config:{k}": v for k, v in (variables or {}).items()},
            **{f"descope-config:{k}": v for k, v in (secrets or {}).items()},
        }
        secret_keys = (*SECRET_KEYS, *(f"descope-config:{k}" for k in secrets or {}))
        return cls(config, Engine(), StackState(STACK), secret_keys)

    def up(self) -> dict[str, str]:
        """`pulumi up`; resource name -> create/update/same/replace/delete. Fails on errors."""
        run = registrations(
            PROJECT_DIR, stack=STACK, config=self.config, secret_keys=self.secret_keys
        )
        result = self.engine.up(self.state, run.registrations, self.config, self.secret_keys)
        self.state = result.state
        return self._ops(result)

    def preview(self) -> dict[str, str]:
        run = registrations(
            PROJECT_DIR, stack=STACK, config=self.config, secret_keys=self.secret_keys
        )
        return self._ops(
            self.engine.preview(self.state, run.registrations, self.config, self.secret_keys)
        )

    def refresh(self) -> dict[str, str]:
        result = self.engine.refresh(self.state)
        self.state = result.state
        return self._ops(result)

    def resource(self, name: str) -> ResourceState:
        return self.state.by_name(name)

    @staticmethod
    def _ops(result: Result) -> dict[str, str]:
        assert result.ok, result.errors
        return {step.name: step.op for step in result.steps if step.name != "default"}


def deploy(project: Project) -> Deployment:
    """`pulumi up` of the test project's stack (the program through the stand-in engine)."""
    stack = load_stack(STACK, project.root)
    deployment = Deployment.of(
        project.tenants_file,
        flows_dir=project.flows_dir,
        backup_dir=project.root / "backups" / STACK,
        connection=stack.provider_config(),
        variables=stack.variables,
    )
    deployment.up()
    return deployment
