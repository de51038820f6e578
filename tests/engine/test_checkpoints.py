"""A stand-in ``up`` of 150 tenants in its own process (`tests.engine.standin_driver`: the real
provider host, checkpoints, the lock, Ctrl-C), against the emulator over loopback, stopped the
hard ways: SIGKILL at seeded points, Ctrl-C once and twice at the whole process group (as a
terminal sends it), and a second run at the same time.

After each, the next run converges without anyone setting ``adopt``: Descope holds exactly the
declared tenants, the state records exactly those and nothing pending, and no provider host is
left running. ``CHECKPOINT_SEED=<n>`` replays a seed.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from standin.engine import Engine
from standin.host import PROJECT_DIR
from standin.snapshot import PendingOperation, StackState
from standin.state import cancel, lock_file, state_file
from tests.engine.standin_driver import HOST_ENV, STACK, config, tenant_ids, tenant_registrations

pytestmark = pytest.mark.engine

TENANTS = 150
KILLS = 3
SEED = int(os.environ.get("CHECKPOINT_SEED", "0") or 0) or random.SystemRandom().randrange(10**6)


def start(workdir: Path, emulator: EmulatorServer, count: int = TENANTS) -> subprocess.Popen[str]:
    """The driver in a process group of its own, as a shell starts a foreground job."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.engine.standin_driver",
            str(workdir),
            emulator.url,
            str(count),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(run: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = run.communicate(timeout=240)
    return run.returncode, out, err


def held(emulator: EmulatorServer) -> int:
    return len(emulator.app.backend.tenants)


def wait_until_held(emulator: EmulatorServer, run: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 120
    while held(emulator) < count:
        assert run.poll() is None, f"the run ended before {count} tenants: {run.communicate()}"
        assert time.monotonic() < deadline, f"never {count} tenants (seed {SEED})"
        time.sleep(0.002)


def running(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def assert_no_host_left(workdir: Path) -> None:
    pids = [int(p) for p in (workdir / "host-pids").read_text().split()]
    deadline = time.monotonic() + 10
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if running(p)] == [], "a provider host outlived its run"


def assert_converged(workdir: Path, emulator: EmulatorServer, outputs: str) -> None:
    """Descope holds exactly the declared tenants, the state exactly those, nothing pending."""
    declared = sorted(tenant_ids(TENANTS))
    assert sorted(emulator.app.backend.tenants) == declared
    state = StackState.load(state_file(workdir, STACK), STACK, config(workdir, emulator.url))
    assert sorted(state.names()) == [f"tenant-{i}" for i in declared]
    assert state.pending == []
    for tenant_id in declared:
        recorded = state.by_name(f"tenant-{tenant_id}")
        assert recorded.id == tenant_id
        assert recorded.outputs["name"] == emulator.app.backend.tenants[tenant_id].name
    assert "adopt" not in outputs
    assert not lock_file(workdir, STACK).exists()


@pytest.mark.timeout(600)
def test_sigkill_at_random_steps_then_the_next_run_converges_without_adopt(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    rng = random.Random(SEED)
    points = sorted(rng.sample(range(5, TENANTS - 5), KILLS))
    print(f"CHECKPOINT_SEED={SEED}: SIGKILL at {points} tenants")
    outputs = ""
    for point in points:
        run = start(tmp_path, emulator)
        wait_until_held(emulator, run, point)
        run.kill()  # SIGKILL: no handler, no finally, no cleanup of any kind
        _, out, err = finish(run)
        outputs += out + err
        assert_no_host_left(tmp_path)

        refused = start(tmp_path, emulator)  # the lock the killed run left
        code, out, err = finish(refused)
        assert code == 1
        assert "locked by a run that is no longer running" in err
        assert f"pid {run.pid} on host {socket.gethostname()}" in err
        assert f"`python -m ops cancel --stack {STACK}`" in err
        cancel(tmp_path, STACK)  # what that command does

    last = start(tmp_path, emulator)
    code, out, err = finish(last)
    assert code == 0, (SEED, err)
    assert_converged(tmp_path, emulator, outputs + out + err)
    assert_no_host_left(tmp_path)


@pytest.mark.timeout(300)
def test_ctrl_c_lets_the_steps_under_way_finish_saves_and_exits_130(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    run = start(tmp_path, emulator)
    wait_until_held(emulator, run, 40)
    os.killpg(run.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole foreground group

    code, out, err = finish(run)

    assert code == 130, err
    assert "Interrupted: no new step starts" in err
    assert "not started: run `up` again" in err
    done = int(err.split("Interrupted: ", 2)[2].split(" done", 1)[0])
    state = StackState.load(state_file(tmp_path, STACK), STACK, config(tmp_path, emulator.url))
    assert state.pending == []  # the steps under way finished: the host never saw the Ctrl-C
    assert sorted(state.names()) == sorted(f"tenant-{i}" for i in emulator.app.backend.tenants)
    assert len(state.names()) == done
    assert not lock_file(tmp_path, STACK).exists()
    assert_no_host_left(tmp_path)

    again = start(tmp_path, emulator)
    code, more, more_err = finish(again)
    assert code == 0, more_err
    assert_converged(tmp_path, emulator, out + err + more + more_err)


@pytest.mark.timeout(300)
def test_a_second_ctrl_c_abandons_the_run_and_the_next_run_converges(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    run = start(tmp_path, emulator)
    wait_until_held(emulator, run, 30)
    os.killpg(run.pid, signal.SIGINT)
    assert run.stderr is not None
    first = ""
    while "no new step starts" not in first:  # the first Ctrl-C was handled
        line = run.stderr.readline()
        assert line, "the run ended without handling the first Ctrl-C"
        first += line
    os.killpg(run.pid, signal.SIGINT)

    code, out, err = finish(run)
    err = first + err

    assert code == 130, err
    assert "Interrupted again: abandoning the run" in err
    assert "stay recorded there as pending, and the next run resolves them" in err
    assert not lock_file(tmp_path, STACK).exists()
    assert_no_host_left(tmp_path)

    again = start(tmp_path, emulator)
    code, more, more_err = finish(again)
    assert code == 0, more_err
    assert_converged(tmp_path, emulator, out + err + more + more_err)


@pytest.mark.timeout(300)
def test_two_runs_at_once_the_second_fails_at_once_naming_the_lock(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    first = start(tmp_path, emulator)
    assert first.stdout is not None
    assert first.stdout.readline() == "locked\n"

    second = start(tmp_path, emulator)
    code, _, err = finish(second)
    still_running = first.poll() is None

    assert code == 1
    assert f"Stack {STACK} is locked by another run" in err
    assert f"pid {first.pid} on host {socket.gethostname()}" in err
    assert "started 20" in err
    assert str(lock_file(tmp_path, STACK)) in err
    assert still_running
    code, out, err = finish(first)
    assert code == 0, err
    assert len((tmp_path / "host-pids").read_text().split()) == 1  # the second started none
    assert_converged(tmp_path, emulator, out + err)


def test_a_pending_create_is_resolved_by_the_tenant_providers_ownership_rule(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    """An earlier run began creating three tenants ten minutes ago and never recorded the
    results. Two were created just after (one with its settings, one without): they are taken
    as this stack's, whatever the time since. The third was there before that run began:
    someone else's, so its create still stops with the adopt message."""
    stack_config = config(tmp_path, emulator.url)
    regs = tenant_registrations(3)
    engine = Engine(env=HOST_ENV)
    earlier = engine.up(StackState(STACK), regs, stack_config, ("descope:managementKey",))
    assert earlier.ok, earlier.errors
    began = time.time() - 600
    tenants = emulator.app.backend.tenants
    for index, tenant_id in enumerate(tenant_ids(3)):
        tenants[tenant_id].created_time = int(began) + (10 if index < 2 else -300)
    state = StackState(
        STACK,
        config=earlier.state.config,
        secret_keys=earlier.state.secret_keys,
        pending=[
            PendingOperation(r.urn, r.type, "creating", r.inputs, r.id, began)
            for r in earlier.state.resources
        ],
    )

    result = engine.up(state, regs, stack_config, ("descope:managementKey",))

    assert [s.op for s in result.steps[1:]] == ["create", "create", "create"]
    assert result.errors == [result.errors[0]]
    assert "tenant-k00002" in result.errors[0]
    assert "holds exactly what the configuration declares" in result.errors[0]
    assert sorted(result.state.names()) == ["tenant-k00000", "tenant-k00001"]
    assert result.state.pending == []  # the provider answered: nothing left to resolve
