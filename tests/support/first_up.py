"""Each example stack's first ``up``, played once per test process and restored per test.

The first ``up`` of a stack onto a fresh emulator does the same in every test that starts that
way, and it is most of what an engine scenario costs (the program and a provider host for a
few dozen creates). `FirstUps` keeps, per process (one per xdist worker), what such an ``up``
left: the emulator's data (`emulator.persistence.state_json`), its request counters and log,
the stack's state and the backup folder, and the command's outcome. A later test whose ``up``
would start from exactly the same place (same stack, config, tenants YAML, engine settings and
emulator contents, options, faults and counters, no state and no backups yet) gets them restored
instead of played, its own folder's paths put in place of the recording test's; every command
after that goes through the engine as before.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from emulator.faults import Counters
from emulator.persistence import restore_state, state_json
from emulator.resources.sso.persistence import install_sso
from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.snapshot import StackState
from tests.support.scenarios import Outcome

__all__ = ["FIRST_UPS", "FirstUps", "RecordedUp"]

_WORKDIR_KEYS = ("descope-config:tenantsFile", "descope-config:backupDir")
"""The config values that name the test's own folder (each test has its own)."""


def _moved(value: Any, old: str, new: str) -> Any:
    """`value` with every text naming folder `old` naming folder `new` instead."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {key: _moved(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_moved(item, old, new) for item in value]
    if isinstance(value, tuple):
        return tuple(_moved(item, old, new) for item in value)
    return value


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by path relative to it (none when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _emulator_now(emulator: EmulatorServer) -> dict[str, Any]:
    """What the emulator would answer from: its data, switches, faults and counters. The ids
    and creation times the emulator gives the built-in roles and permissions at each reset
    are left out (a restore puts back the recorded ones)."""
    app = emulator.app
    with app.backend.lock:
        data = state_json(app.backend)
    for kind in ("roles", "permissions"):
        data[kind] = [
            {k: v for k, v in item.items() if k not in ("id", "createdTime")}
            for item in data.get(kind, [])
        ]
    return {
        "data": data,
        "options": repr(app.options),
        "faults": app.faults.to_json(),
        "counters": app.counters.snapshot(),
    }


@dataclass
class RecordedUp:
    """What one first ``up`` left, recorded in the folder `workdir`."""

    workdir: str
    emulator_data: dict[str, Any]
    sso: tuple[Any, Any]
    """The SSO configurations and links as held: the data file keeps an OIDC client secret as
    its SHA-256 only, and the restore must hold the secret itself, as the ``up`` left it."""
    counters: Counters
    requests: list[Any]
    state: StackState
    outcome: Outcome
    backups: dict[str, bytes]


@dataclass
class FirstUps:
    """The first ``up`` of each starting point seen in this process (see the module docstring)."""

    recorded: dict[str, RecordedUp] = field(default_factory=dict)
    reused: int = 0

    def key(
        self,
        *,
        stack: str,
        config: dict[str, str],
        tenants_file: Path,
        workdir: Path,
        state: StackState,
        emulator: EmulatorServer,
        engine: Engine,
    ) -> str | None:
        """The starting point of an ``up``, or None when it cannot be told apart from another
        test's (a config value naming something else in the test's folder, an emulator keeping
        a data file, a state or backups already there)."""
        folder = str(workdir)
        others = {k: v for k, v in config.items() if k not in _WORKDIR_KEYS}
        if any(folder in value for value in others.values()):
            return None
        backup_dir = Path(config.get("descope-config:backupDir", ""))
        if emulator.app.data_file is not None or state != StackState(stack) or _files(backup_dir):
            return None
        return json.dumps(
            {
                "stack": stack,
                "config": _moved(config, folder, "<workdir>"),
                "tenants": tenants_file.read_text(encoding="utf-8"),
                "engine": [
                    str(engine.project_dir),
                    engine.env,
                    engine.parallel,
                    engine.project,
                    getattr(engine.host_factory, "__qualname__", repr(engine.host_factory)),
                ],
                "emulator": [emulator.url, _emulator_now(emulator)],
            },
            sort_keys=True,
            default=repr,
        )

    def record(
        self,
        key: str,
        *,
        workdir: Path,
        emulator: EmulatorServer,
        state: StackState,
        outcome: Outcome,
        backup_dir: Path,
    ) -> None:
        """Keep what the ``up`` just played from `key` left."""
        app = emulator.app
        with app.backend.lock:
            data = state_json(app.backend)
            sso = copy.deepcopy((app.backend.sso.configurations, app.backend.sso.admin_links))
        self.recorded[key] = RecordedUp(
            workdir=str(workdir),
            emulator_data=data,
            sso=sso,
            counters=_copied(app.counters),
            requests=copy.deepcopy(list(app._log)),
            state=copy.deepcopy(state),
            outcome=copy.deepcopy(outcome),
            backups=_files(backup_dir),
        )

    def restore(
        self, key: str, *, workdir: Path, emulator: EmulatorServer, backup_dir: Path
    ) -> tuple[StackState, Outcome] | None:
        """Put back what the ``up`` from `key` left, in `workdir`: the emulator's data,
        counters and request log, the backups; returns the state and the outcome to keep
        (None when nothing was recorded from `key`)."""
        recorded = self.recorded.get(key)
        if recorded is None:
            return None
        old, new = recorded.workdir, str(workdir)
        app = emulator.app
        restore_state(app.backend, copy.deepcopy(recorded.emulator_data))
        install_sso(app.backend.sso, copy.deepcopy(recorded.sso))
        with app.backend.lock:
            assert state_json(app.backend) == recorded.emulator_data, "the restore is not exact"
        app.counters = _copied(recorded.counters)
        app._log.clear()
        app._log.extend(copy.deepcopy(recorded.requests))
        for name, content in recorded.backups.items():
            path = backup_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        state = recorded.state
        moved_state = replace(
            state,
            config=_moved(state.config, old, new),
            resources=[
                replace(r, inputs=_moved(r.inputs, old, new), outputs=_moved(r.outputs, old, new))
                for r in state.resources
            ],
            pending=list(state.pending),
        )
        outcome = recorded.outcome
        self.reused += 1
        return moved_state, Outcome(
            ops=dict(outcome.ops),
            errors=list(outcome.errors),
            log=_moved(list(outcome.log), old, new),
        )


FIRST_UPS = FirstUps()
"""This process's first ``up`` of each starting point."""


def _copied(counters: Counters) -> Counters:
    """A copy of `counters` (which keeps a lock, so `copy.deepcopy` cannot copy it)."""
    copied = Counters()
    copied._t = copy.deepcopy(counters._t)
    return copied
