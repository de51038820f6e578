"""A stack deployed by an earlier release still refreshes and previews clean.

The providers are pickled BY REFERENCE into every resource's ``__provider`` (module path, class
name and the instance's ``__dict__``), so a class moved or renamed breaks the refresh and destroy
of every stack already deployed. ``tests/fixtures/state/`` holds the dev stack as an earlier
release left it after ``up`` against the emulator: the stand-in's state file (with its key, for
the sealed secrets) and the emulator's data (`emulator.persistence`). The test restores both,
points the recorded connection at this run's emulator and folders, and plays ``refresh`` and a
``preview`` with the current code: no change, no error.

Regenerate (only when the state format itself changes; the README there names the release)::

    PYTHONPATH=$PWD python -m tests.engine.test_pickled_state
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from emulator.persistence import restore_state, state_json
from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.snapshot import StackState
from tests.engine.conftest import MANAGEMENT_KEY, PROJECT_ID
from tests.support.project import PROGRAM_PROJECT
from tests.support.scenarios import edit_tenants
from tests.support.standin import StandIn

pytestmark = pytest.mark.engine

FIXTURES = Path(__file__).parent.parent / "fixtures" / "state"
STACK = "dev"
STATE = FIXTURES / f"standin-{STACK}.json"
"""The stand-in's state file; its key (``standin-dev.key``) is beside it."""
EMULATOR_DATA = FIXTURES / f"emulator-{STACK}.json"
LOCAL_KEYS = (
    "descope:baseUrl",
    "descope-config:tenantsFile",
    "descope-config:flowsDir",
    "descope-config:backupDir",
)
"""The recorded config values bound to the machine and run that wrote the fixture."""


def test_a_state_written_by_an_earlier_release_refreshes_and_previews_clean(
    program_emulator: EmulatorServer, tmp_path: Path
) -> None:
    backend = program_emulator.app.backend
    restore_state(backend, json.loads(EMULATOR_DATA.read_text(encoding="utf-8")))
    stand_in = StandIn(STACK, emulator=program_emulator, workdir=tmp_path, engine=Engine())
    # The example as that release had it: no sub-tenant (acme-labs came later).
    edit_tenants(
        stand_in, lambda doc: doc.update(tenants=[t for t in doc["tenants"] if "parent" not in t])
    )
    state_copy = tmp_path / STATE.name
    shutil.copy(STATE, state_copy)
    shutil.copy(STATE.with_suffix(".key"), state_copy.with_suffix(".key"))
    state = StackState.load(state_copy, STACK, stand_in.config)
    assert state.config is not None
    assert set(state.config) == set(stand_in.config)
    state.config.update({key: stand_in.config[key] for key in LOCAL_KEYS})
    # every secret the recorded config fingerprints is the one this run holds
    assert all(state.config[key] == stand_in.config[key] for key in state.secret_keys)
    stand_in.state = state
    kinds = {r.urn.rsplit("::", 2)[-2] for r in state.resources}
    assert len(kinds) >= 7, kinds

    refreshed = stand_in.refresh()
    assert refreshed.errors == []
    assert set(refreshed.ops.values()) == {"read"}, refreshed.ops
    assert stand_in.state_names() == state.names()

    preview = stand_in.preview()
    assert preview.errors == []
    assert set(preview.ops.values()) == {"same"}, preview.ops

    again = stand_in.up()
    assert again.errors == []
    assert set(again.ops.values()) == {"same"}, again.ops


def write_fixture() -> None:
    """Deploy the dev stack with the code checked out and write the fixture files."""
    server = EmulatorServer(
        project_id=PROJECT_ID, management_key=MANAGEMENT_KEY, **PROGRAM_PROJECT
    ).start()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            stand_in = StandIn(STACK, emulator=server, workdir=Path(workdir), engine=Engine())
            outcome = stand_in.up()
            if outcome.errors:
                raise SystemExit(f"up failed: {outcome.errors}")
            written = Path(workdir) / STATE.name
            stand_in.state.save(written)
            FIXTURES.mkdir(parents=True, exist_ok=True)
            shutil.copy(written, STATE)
            key = written.with_suffix(".key")
            if key.exists():
                shutil.copy(key, STATE.with_suffix(".key"))
        with server.app.backend.lock:
            data = state_json(server.app.backend)
        EMULATOR_DATA.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", "utf-8")
    finally:
        server.stop()


if __name__ == "__main__":
    write_fixture()
