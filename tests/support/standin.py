"""The scenarios' driver for ``make test``: the program played by the stand-in engine.

Each command runs ``__main__.py`` under Pulumi's mocks for its registrations (`standin.program`) and
plays them through the real provider host (`standin.engine`), against an emulator over HTTP. The
stack's config is its ``Pulumi.<stack>.yaml`` with the connection pointed at the emulator and
the tenants file, flows folder and backup folder in a temporary folder the test owns.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import httpx
from descope import DescopeClient

from config import config_text
from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.errors import StandinError
from standin.host import PROJECT_DIR
from standin.program import ProgramRun, registrations
from standin.results import Result
from standin.snapshot import StackState
from tests.support.first_up import FIRST_UPS
from tests.support.scenarios import Outcome
from tests.support.yaml_files import read_yaml

OIDC_SECRET_KEY = "descope-config:globexOidcClientSecret"
"""The stack secret the example configurations' OIDC tenant names for its client secret."""
OIDC_SECRET = "globex-oidc-client-secret-VALUE-7c1f"
"""Its value in the tests: set as a secret, as `pulumi config set --secret` does."""
SECRET_KEYS = ("descope:managementKey", OIDC_SECRET_KEY)


def example_config(stack: str) -> dict[str, str]:
    """The stack's ``Pulumi.<stack>.yaml`` config, as the engine holds it (values as text)."""
    document = read_yaml(PROJECT_DIR / f"Pulumi.{stack}.yaml")
    return {
        key: config_text(value)
        for key, value in document["config"].items()
        if not isinstance(value, dict | list)
    }


class OnEmulator:
    """What every driver shares: one example stack's config pointed at `emulator`, a copy of
    its tenants YAML in `workdir`, and out-of-band access to the emulator (the console)."""

    def __init__(self, stack: str, *, emulator: EmulatorServer, workdir: Path) -> None:
        self.stack, self.emulator = stack, emulator
        options = emulator.app.options
        self.tenants_file = workdir / f"{stack}.yaml"
        shutil.copy(PROJECT_DIR / "config" / "tenants" / f"{stack}.yaml", self.tenants_file)
        self.config = {
            **example_config(stack),
            "descope:projectId": options.project_id,
            "descope:managementKey": options.management_key,
            "descope:baseUrl": emulator.url,
            "descope-config:tenantsFile": str(self.tenants_file),
            "descope-config:flowsDir": str(PROJECT_DIR / "config" / "flows"),
            "descope-config:backupDir": str(workdir / "backups"),
            OIDC_SECRET_KEY: OIDC_SECRET,
        }
        self.descope = DescopeClient(
            project_id=options.project_id,
            management_key=options.management_key,
            base_url=emulator.url,
        )

    @property
    def backup_dir(self) -> Path:
        return Path(self.config["descope-config:backupDir"])

    def set_config(self, key: str, value: str) -> None:
        self.config[key] = value

    def rotate_key(self, new_key: str) -> None:
        app = self.emulator.app
        with app.backend.lock:
            app.backend.options = replace(app.backend.options, management_key=new_key)
        self.set_config("descope:managementKey", new_key)
        self.descope = DescopeClient(
            project_id=app.options.project_id, management_key=new_key, base_url=self.emulator.url
        )

    def calls(self) -> dict[str, int]:
        response = httpx.get(f"{self.emulator.url}/emulator/counters")
        response.raise_for_status()
        return {k: v for k, v in response.json()["requests"].items() if v}

    def reset_calls(self) -> None:
        httpx.post(f"{self.emulator.url}/emulator/counters/reset").raise_for_status()


class StandIn(OnEmulator):
    """One example stack, deployed by the stand-in engine to `emulator`.

    An ``up`` that starts from where another test's first ``up`` in this process started
    (`tests.support.first_up`) has what that ``up`` left restored instead of played again,
    unless `replay_first_up` is False (for the test about the first ``up`` itself); it is
    recorded either way.
    """

    def __init__(
        self,
        stack: str,
        *,
        emulator: EmulatorServer,
        workdir: Path,
        engine: Engine,
        replay_first_up: bool = True,
    ) -> None:
        super().__init__(stack, emulator=emulator, workdir=workdir)
        self.engine = engine
        self.state = StackState(stack)
        self.workdir = workdir
        self.replay_first_up = replay_first_up

    def state_names(self) -> list[str]:
        return self.state.names()

    # --- the commands --------------------------------------------------------------------------

    def _keep(self, result: Result) -> Outcome:
        self.state = result.state
        return _outcome(result)

    def _program(self) -> ProgramRun | Outcome:
        """The program's registrations, or the outcome of a program that stops the run."""
        try:
            return registrations(
                PROJECT_DIR, stack=self.stack, config=self.config, secret_keys=SECRET_KEYS
            )
        except StandinError as exc:
            return Outcome(errors=[str(exc)])

    def up(self, *, refresh: bool = False, run_program: bool = False) -> Outcome:
        key = None if refresh or run_program else self._first_up_key()
        if key is not None and self.replay_first_up:
            restored = FIRST_UPS.restore(
                key, workdir=self.workdir, emulator=self.emulator, backup_dir=self.backup_dir
            )
            if restored is not None:
                self.state, outcome = restored
                return outcome
        run = self._program()
        if isinstance(run, Outcome):
            return run
        result = self.engine.up(
            self.state,
            run.registrations,
            self.config,
            SECRET_KEYS,
            refresh=refresh,
            run_program=run_program,
        )
        outcome = self._keep(result)
        if key is not None and outcome.ok:
            FIRST_UPS.record(
                key,
                workdir=self.workdir,
                emulator=self.emulator,
                state=self.state,
                outcome=outcome,
                backup_dir=self.backup_dir,
            )
        return outcome

    def _first_up_key(self) -> str | None:
        return FIRST_UPS.key(
            stack=self.stack,
            config=self.config,
            tenants_file=self.tenants_file,
            workdir=self.workdir,
            state=self.state,
            emulator=self.emulator,
            engine=self.engine,
        )

    def preview(self, *, refresh: bool = False, run_program: bool = False) -> Outcome:
        run = self._program()
        if isinstance(run, Outcome):
            return run
        result = self.engine.preview(
            self.state,
            run.registrations,
            self.config,
            SECRET_KEYS,
            refresh=refresh,
            run_program=run_program,
        )
        return _outcome(result)

    def refresh(self, *, run_program: bool = False) -> Outcome:
        config = self.config if run_program else None
        return self._keep(self.engine.refresh(self.state, config=config, secret_keys=SECRET_KEYS))

    def destroy(self, *, run_program: bool = False) -> Outcome:
        config = self.config if run_program else None
        return self._keep(self.engine.destroy(self.state, config=config, secret_keys=SECRET_KEYS))


def _outcome(result: Result) -> Outcome:
    return Outcome(
        ops={step.name: step.op for step in result.steps},
        errors=[step.error for step in result.steps if step.error],
        log=list(result.log),
    )
