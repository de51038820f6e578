"""What the stand-in engine's steps carry for printing (old and new inputs, the inputs that
force a replace, the secret inputs) and ``--target``: only the targets and what they depend on
are played, through the real provider host against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.errors import StandinError
from standin.results import Result, Step
from tests.support.scenarios import Outcome, edit_tenants
from tests.support.standin import SECRET_KEYS, StandIn

pytestmark = pytest.mark.engine


def step(result: Result, name: str) -> Step:
    return next(s for s in result.steps if s.name == name)


def test_steps_carry_inputs_replaces_and_secrets_and_target_plays_a_part(
    program_emulator: EmulatorServer, tmp_path: Path
) -> None:
    dev = StandIn("dev", emulator=program_emulator, workdir=tmp_path, engine=Engine())
    assert dev.up().errors == []

    def edit(document: dict[str, object]) -> None:
        tenants = document["tenants"]
        assert isinstance(tenants, list)
        tenants[0]["name"] = "Acme Renamed"  # acme: an update
        tenants[1]["previousId"] = tenants[1]["id"]  # globex: a replace
        tenants[1]["id"] = "globex-renamed"
        document["tenants"] = [t for t in tenants if t["id"] != "initech"]  # a delete

    edit_tenants(dev, edit)
    program = dev._program()
    assert not isinstance(program, Outcome)
    every = dev.engine.preview(dev.state, program.registrations, dev.config, SECRET_KEYS)

    update = step(every, "tenant-acme")
    assert update.olds is not None
    assert update.news is not None, every.errors
    assert (update.op, update.olds["name"], update.news["name"]) == (
        "update",
        "Acme Corp",
        "Acme Renamed",
    )
    replaced = step(every, "tenant-globex-renamed")
    assert (replaced.op, replaced.replaces) == ("replace", ("tenantId",))
    assert replaced.olds is not None
    assert replaced.olds["tenantId"] == "globex"
    oidc = step(every, "sso-globex-renamed")
    assert "clientSecret" in oidc.secrets  # registered as a Pulumi secret
    assert step(every, "tenant-initech").op == "delete"

    targeted = dev.engine.preview(
        dev.state, program.registrations, dev.config, SECRET_KEYS, targets=["tenant-acme"]
    )

    names = {s.name: s.op for s in targeted.steps if s.op != "same"}
    assert names == {"tenant-acme": "update"}  # not the replace, not the delete
    assert {s.name for s in targeted.steps} <= {
        "default",
        "tenant-acme",
        "role-member",
        "permission-reports.read",
    }

    urn = dev.state.by_name("tenant-initech").urn
    up = dev.engine.up(
        dev.state, program.registrations, dev.config, SECRET_KEYS, targets=[urn]
    )  # a removed resource named by URN: only its delete

    assert {s.name: s.op for s in up.steps if s.op != "same"} == {"tenant-initech": "delete"}
    assert "tenant-initech" not in up.state.names()
    assert up.state.by_name("tenant-globex").inputs["tenantId"] == "globex"  # left as it was

    with pytest.raises(StandinError, match="--target nothing-like-it: neither the program"):
        dev.engine.preview(
            dev.state, program.registrations, dev.config, SECRET_KEYS, targets=["nothing-like-it"]
        )
