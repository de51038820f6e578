"""A data file written by an earlier emulator still loads, whole, and is written back unchanged.

``data/state-v1.json`` was written by the emulator of commit 967600c (before its resources were
split into :mod:`emulator.resources`): tenants with a parent, settings, custom attributes and
their definitions, default roles, seeded and tenant roles, a SAML default SSO configuration and
an OIDC one with a client secret (kept as its hash), XAA trust settings, an admin link, two
access keys, a flow with a screen and a theme. ``data/state-v1.snapshot.json`` is what that
emulator's ``GET /emulator/state`` answered after loading it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from emulator import EmulatorApp

DATA = Path(__file__).parent / "data"


def test_data_file__one_written_before_the_split_loads_whole_and_saves_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    shutil.copy(DATA / "state-v1.json", path)
    app = EmulatorApp(data_file=path)
    answer = app.handle("GET", "/emulator/state", "", {}, b"")
    assert answer.status == 200
    assert json.loads(answer.body) == json.loads((DATA / "state-v1.snapshot.json").read_text())
    assert path.read_bytes() == (DATA / "state-v1.json").read_bytes()
    assert "very-secret" not in path.read_text()
