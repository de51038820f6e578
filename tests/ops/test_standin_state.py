"""The stand-in engine's checkpoints, pending operations, stop, lock and save failures
(`standin.engine`, `standin.state`), played against a provider host in this process that holds
its resources in a dict (`World`): fast, and every call can be watched or made to fail.

The real host, the emulator, SIGKILL and Ctrl-C: tests/engine/test_checkpoints.py.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from providers import calls
from providers.calls import RESUMED_CREATE_KEY
from standin import steps as standin_steps
from standin.engine import Engine
from standin.errors import Interrupted, StandinError
from standin.host import HostError, ProviderHost
from standin.program import Registration, urn_of
from standin.results import Result
from standin.snapshot import PendingOperation, ResourceState, StackState
from standin.state import LockHolder, cancel, lock_file, locked_state, state_file
from tests.ops.conftest import Project, Run

STACK = "ck"
TYPE = "test:index:Thing"
CONFIG = {"descope:projectId": "P1"}


def urn(name: str) -> str:
    return urn_of(STACK, "descope-config", TYPE, name)


def registration(name: str, value: str = "v1") -> Registration:
    return Registration(
        urn=urn(name),
        type=TYPE,
        name=name,
        inputs={"key": name, "value": value},
        protect=False,
        retain_on_delete=False,
        delete_before_replace=None,
        aliases=(),
        dependencies=(),
        additional_secret_outputs=(),
    )


class World:
    """What the fake provider holds (id -> inputs), the calls made, and a hook called before
    each write (`before(method, urn)`), which may fail the call or stop the run."""

    def __init__(self) -> None:
        self.held: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.resumed: dict[str, float] = {}
        self.before: Callable[[str, str], None] = lambda _method, _urn: None
        self.lock = threading.Lock()

    def host(self, **_: Any) -> FakeHost:
        return FakeHost(self)


class FakeHost:
    """The calls `standin.engine` makes of a provider host, answered from a `World`."""

    def __init__(self, world: World) -> None:
        self.world = world

    def configure(self, _config: Mapping[str, str], _secret_keys: Any = ()) -> None:
        pass

    def stderr_text(self) -> str:
        return ""

    def close(self) -> None:
        pass

    def _record(self, method: str, urn_: str) -> None:
        with self.world.lock:
            self.world.calls.append((method, urn_))

    def check(
        self, _urn: str, _olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return dict(news), []

    def diff(
        self, _id: str, _urn: str, olds: Mapping[str, Any], news: Mapping[str, Any], *_: Any
    ) -> provider_pb2.DiffResponse:
        same = olds.get("value") == news.get("value")
        kind = provider_pb2.DiffResponse.DIFF_NONE if same else provider_pb2.DiffResponse.DIFF_SOME
        return provider_pb2.DiffResponse(changes=kind)

    def create(self, urn_: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        self._record("create", urn_)
        self.world.before("create", urn_)
        props = dict(inputs)
        since = props.pop(RESUMED_CREATE_KEY, None)
        key = str(props["key"])
        if since is not None:
            self.world.resumed[key] = since
        elif key in self.world.held:
            raise HostError(grpc.StatusCode.UNKNOWN, f"{key} already exists")
        self.world.held[key] = props
        return key, dict(props)

    def read(
        self, id_: str, urn_: str, _outputs: Mapping[str, Any], _inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        self._record("read", urn_)
        if id_ not in self.world.held:
            return "", {}, None
        held = dict(self.world.held[id_])
        return id_, held, held

    def update(
        self, id_: str, urn_: str, _olds: Mapping[str, Any], news: Mapping[str, Any], *_: Any
    ) -> dict[str, Any]:
        self._record("update", urn_)
        self.world.before("update", urn_)
        self.world.held[id_] = dict(news)
        return dict(news)

    def delete(self, id_: str, urn_: str, _outputs: Mapping[str, Any]) -> None:
        self._record("delete", urn_)
        self.world.before("delete", urn_)
        self.world.held.pop(id_, None)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def engine(world: World) -> Engine:
    return Engine(
        Path("."), host_factory=cast("Callable[..., ProviderHost]", world.host), parallel=1
    )


def saved(path: Path) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(path.read_text())
    return body


def up(
    engine: Engine,
    state: StackState,
    names: list[str],
    *,
    value: str = "v1",
    checkpoint: Callable[[StackState], None] | None = None,
    stop: threading.Event | None = None,
) -> Result:
    regs = [registration(n, value) for n in names]
    return engine.up(state, regs, CONFIG, (), checkpoint=checkpoint, stop=stop)


# --- checkpoints -------------------------------------------------------------------------------


def test_each_write_is_saved_pending_before_its_call_and_with_its_result_after(
    tmp_path: Path, engine: Engine, world: World
) -> None:
    path = tmp_path / "state.json"
    seen: list[tuple[str, str, list[str], list[str]]] = []

    def before(method: str, urn_: str) -> None:  # what the file says while the call runs
        body = saved(path)
        pending = [
            f"{p['operation']} {p['urn']} {p['inputs'].get('value')}"
            for p in body["pendingOperations"]
        ]
        seen.append((method, urn_, pending, [r["urn"] for r in body["resources"]]))

    world.before = before
    first = up(engine, StackState(STACK), ["a", "b"], checkpoint=lambda s: s.save(path))
    assert first.ok
    second = up(engine, first.state, ["a"], value="v2", checkpoint=lambda s: s.save(path))
    assert second.ok

    assert seen == [
        ("create", urn("a"), [f"creating {urn('a')} v1"], []),
        ("create", urn("b"), [f"creating {urn('b')} v1"], [urn("a")]),
        ("update", urn("a"), [f"updating {urn('a')} v2"], [urn("a"), urn("b")]),
        ("delete", urn("b"), [f"deleting {urn('b')} v1"], [urn("a"), urn("b")]),
    ]
    final = StackState.load(path, STACK, CONFIG)
    assert final.names() == ["a"]
    assert final.pending == []
    assert final.by_name("a").outputs["value"] == "v2"
    assert final.config == CONFIG


def test_an_answer_lost_with_the_host_leaves_the_create_pending_and_the_next_up_resumes_it(
    engine: Engine, world: World
) -> None:
    def lose_b(method: str, urn_: str) -> None:
        if urn_ == urn("b"):
            world.held["b"] = {"key": "b", "value": "v1"}  # made, answer lost
            raise HostError(grpc.StatusCode.UNAVAILABLE, "Socket closed")

    world.before = lose_b
    broken = up(engine, StackState(STACK), ["a", "b", "c"])
    assert not broken.ok
    assert [(p.operation, p.name) for p in broken.state.pending] == [("creating", "b")]
    started = broken.state.pending[0].started
    assert broken.state.names() == ["a"]

    world.before = lambda _m, _u: None
    again = up(engine, broken.state, ["a", "b", "c"])

    assert again.ok, again.errors
    assert world.resumed == {"b": started}  # told when the first create began
    assert sorted(again.state.names()) == ["a", "b", "c"]
    assert again.state.pending == []


def test_the_engine_and_the_providers_name_the_resumed_create_alike() -> None:
    """The stand-in adds the input, the providers take it out: neither imports the other, so
    the one name they share is pinned here."""
    assert standin_steps.RESUMED_CREATE_KEY == calls.RESUMED_CREATE_KEY


def test_a_resumed_create_interrupted_again_keeps_the_first_start_time(
    engine: Engine, world: World
) -> None:
    state = StackState(STACK, pending=[PendingOperation(urn("b"), TYPE, "creating", {}, "", 42.0)])

    def lose(_method: str, _urn: str) -> None:
        raise HostError(grpc.StatusCode.UNAVAILABLE, "Socket closed")

    world.before = lose
    broken = up(engine, state, ["b"])

    assert [(p.name, p.started) for p in broken.state.pending] == [("b", 42.0)]


def test_a_provider_error_ends_the_pending_create(engine: Engine, world: World) -> None:
    world.held["b"] = {"key": "b", "value": "theirs"}  # someone else's: refused
    failed = up(engine, StackState(STACK), ["b"])
    assert failed.errors == [f"{urn('b')}: b already exists"]
    assert failed.state.pending == []


def test_a_pending_update_is_read_first_and_decided_from_what_is_held(
    engine: Engine, world: World
) -> None:
    world.held = {"a": {"key": "a", "value": "v2"}, "b": {"key": "b", "value": "v1"}}
    state = StackState(
        STACK,
        resources=[
            ResourceState(urn(n), TYPE, n, {"key": n, "value": "v1"}, {"key": n, "value": "v1"})
            for n in ("a", "b")
        ],
        pending=[
            PendingOperation(urn(n), TYPE, "updating", {"key": n, "value": "v1"}, n)
            for n in ("a", "b")
        ],
    )

    result = up(engine, state, ["a", "b"], value="v2")

    assert result.ok, result.errors
    assert {s.name: s.op for s in result.steps if s.type == TYPE} == {"a": "same", "b": "update"}
    assert ("update", urn("a")) not in world.calls  # the earlier run's update had happened
    assert result.state.pending == []
    assert result.state.by_name("a").outputs["value"] == "v2"


def test_a_pending_delete_of_a_resource_gone_makes_no_call(engine: Engine, world: World) -> None:
    state = StackState(
        STACK,
        resources=[ResourceState(urn("c"), TYPE, "c", {"key": "c"}, {"key": "c"})],
        pending=[PendingOperation(urn("c"), TYPE, "deleting", {"key": "c"}, "c")],
    )

    result = up(engine, state, [])

    assert result.ok, result.errors
    assert [(s.name, s.op) for s in result.steps if s.type == TYPE] == [("c", "delete")]
    assert ("delete", urn("c")) not in world.calls
    assert result.state.names() == []
    assert result.state.pending == []


def test_a_pending_create_no_longer_declared_is_dropped_with_a_warning(engine: Engine) -> None:
    state = StackState(STACK, pending=[PendingOperation(urn("x"), TYPE, "creating", {}, "", 1.0)])
    result = up(engine, state, ["a"])
    assert result.ok
    assert result.state.pending == []
    assert any("x was being created when an earlier run stopped" in line for line in result.log)


def test_a_refresh_resolves_pending_updates_and_keeps_pending_creates(
    engine: Engine, world: World
) -> None:
    world.held = {"a": {"key": "a", "value": "v1"}}
    state = StackState(
        STACK,
        config=CONFIG,
        resources=[ResourceState(urn("a"), TYPE, "a", {"key": "a"}, {"key": "a"})],
        pending=[
            PendingOperation(urn("a"), TYPE, "updating", {}, "a"),
            PendingOperation(urn("n"), TYPE, "creating", {}, "", 1.0),
        ],
    )
    result = engine.refresh(state)
    assert [(p.operation, p.name) for p in result.state.pending] == [("creating", "n")]


def test_stop_starts_no_new_step_and_lets_the_one_under_way_finish(
    engine: Engine, world: World
) -> None:
    stop = threading.Event()

    def stop_at_b(method: str, urn_: str) -> None:
        if urn_ == urn("b"):
            stop.set()  # Ctrl-C while b's create is under way

    world.before = stop_at_b
    result = up(engine, StackState(STACK), ["a", "b", "c", "d"], stop=stop)

    assert result.interrupted
    assert not result.ok
    assert result.state.names() == ["a", "b"]
    assert result.not_started == [urn("c"), urn("d")]
    assert result.state.pending == []


def test_stop_before_the_deletes_leaves_them_not_started(engine: Engine, world: World) -> None:
    first = up(engine, StackState(STACK), ["a", "b"])
    stop = threading.Event()
    world.before = lambda _m, _u: stop.set()
    result = up(engine, first.state, ["a"], value="v2", stop=stop)
    assert result.interrupted
    assert result.not_started == [urn("b")]
    assert sorted(result.state.names()) == ["a", "b"]


def test_destroy_saves_each_delete_and_forgets_the_config(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "state.json"
    created = up(engine, StackState(STACK), ["a", "b"])
    result = engine.destroy(created.state, checkpoint=lambda s: s.save(path))
    assert result.ok
    final = StackState.load(path, STACK, CONFIG)
    assert final.names() == []
    assert final.config is None


# --- a state that cannot be saved ------------------------------------------------------------


@pytest.fixture
def disk_full_after(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make the `n`-th file written from now on (and every later one) fail with ENOSPC when
    flushed to disk (`standin.files.write_atomic`'s fsync of the file; a folder's fsync works)."""
    real = os.fsync

    def arm(n: int) -> None:
        count = {"files": 0}

        def fsync(fd: int) -> None:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                count["files"] += 1
                if count["files"] >= n:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)  # standin.files writes through os

    return arm


def test_a_state_that_cannot_be_saved_stops_the_run_and_says_how_to_recover(
    tmp_path: Path, engine: Engine, world: World, disk_full_after: Callable[[int], None]
) -> None:
    names = ["a", "b", "c", "d"]
    with locked_state(tmp_path, STACK, CONFIG) as run:
        # saves: config, a pending, a done, b pending, b done (fails: b is applied)
        disk_full_after(5)
        result = up(engine, run.state, names, checkpoint=run.checkpoint, stop=run.stop)
        with pytest.raises(StandinError) as raised:
            run.finish(result)

    message = str(raised.value)
    assert "The stand-in's state could not be saved" in message
    assert "No space left on device" in message
    assert "Applied to Descope by this run: 2 create (a, b)" in message
    assert "run `up` again" in message
    assert sorted(world.held) == ["a", "b"]  # nothing started after the failed save
    on_disk = StackState.load(state_file(tmp_path, STACK), STACK, CONFIG)
    assert on_disk.names() == ["a"]
    assert [(p.operation, p.name) for p in on_disk.pending] == [("creating", "b")]

    disk_full_after(10**9)  # space freed
    with locked_state(tmp_path, STACK, CONFIG) as run:
        again = up(engine, run.state, names, checkpoint=run.checkpoint, stop=run.stop)
    assert again.ok, again.errors
    assert world.resumed.keys() == {"b"}
    assert sorted(StackState.load(run.path, STACK, CONFIG).names()) == names


def test_a_pending_operation_that_cannot_be_saved_is_not_started(
    tmp_path: Path, engine: Engine, world: World, disk_full_after: Callable[[int], None]
) -> None:
    with locked_state(tmp_path, STACK, CONFIG) as run:
        disk_full_after(2)  # the config's save works; a's pending does not
        result = up(engine, run.state, ["a", "b"], checkpoint=run.checkpoint, stop=run.stop)
    assert world.calls == []
    assert result.not_started == [urn("a"), urn("b")]
    assert "Cannot write" in result.save_error


# --- interrupts ------------------------------------------------------------------------------


def test_ctrl_c_sets_stop_and_the_finish_says_what_was_done(
    tmp_path: Path, engine: Engine, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = signal.getsignal(signal.SIGINT)
    with locked_state(tmp_path, STACK, CONFIG) as run:

        def ctrl_c_during_a(_method: str, urn_: str) -> None:
            if urn_ == urn("a"):
                os.kill(os.getpid(), signal.SIGINT)
                assert run.stop.wait(10)  # the main thread's handler ran

        world.before = ctrl_c_during_a
        result = up(engine, run.state, ["a", "b", "c"], checkpoint=run.checkpoint, stop=run.stop)
        with pytest.raises(Interrupted) as raised:
            run.finish(result)
    assert raised.value.exit_code == 130
    assert "Interrupted: 1 done, 2 not started: run `up` again" in str(raised.value)
    assert "Press Ctrl-C again to abandon" in capsys.readouterr().err
    assert StackState.load(run.path, STACK, CONFIG).names() == ["a"]
    assert signal.getsignal(signal.SIGINT) is handler  # put back


# --- the lock --------------------------------------------------------------------------------


def test_a_second_run_on_the_stack_fails_at_once_naming_the_lock(tmp_path: Path) -> None:
    with locked_state(tmp_path, STACK, CONFIG, command="python -m ops up --stack ck"):
        with pytest.raises(StandinError) as raised, locked_state(tmp_path, STACK, CONFIG):
            pass  # pragma: no cover - not reached
        holder = json.loads(lock_file(tmp_path, STACK).read_text())
    message = str(raised.value)
    assert f"Stack {STACK} is locked by another run" in message
    assert f"pid {os.getpid()} on host {socket.gethostname()}" in message
    assert f"started {holder['started']}" in message
    assert "`python -m ops up --stack ck`" in message
    assert str(lock_file(tmp_path, STACK)) in message
    assert not lock_file(tmp_path, STACK).exists()  # released


def test_the_lock_is_released_whatever_ends_the_run(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), locked_state(tmp_path, STACK, CONFIG):
        raise RuntimeError("boom")
    assert not lock_file(tmp_path, STACK).exists()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(path: Path, pid: int, host: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "pid": pid,
        "host": host or socket.gethostname(),
        "started": "2026-01-02T03:04:05Z",
        "command": "python -m ops demo --stack ck",
    }
    path.write_text(json.dumps(body))


def test_a_lock_left_by_a_dead_run_is_reported_with_the_command_that_clears_it(
    tmp_path: Path,
) -> None:
    pid = dead_pid()
    write_lock(lock_file(tmp_path, STACK), pid)
    with pytest.raises(StandinError) as raised, locked_state(tmp_path, STACK, CONFIG):
        pass  # pragma: no cover - not reached
    message = str(raised.value)
    assert "locked by a run that is no longer running" in message
    assert f"pid {pid}" in message
    assert "started 2026-01-02T03:04:05Z" in message
    assert "`python -m ops cancel --stack ck`" in message
    assert lock_file(tmp_path, STACK).exists()  # reported, not removed


def test_an_unreadable_lock_is_reported_with_the_command_that_clears_it(tmp_path: Path) -> None:
    lock_file(tmp_path, STACK).parent.mkdir(parents=True)
    lock_file(tmp_path, STACK).write_text("")
    with (
        pytest.raises(StandinError, match=r"cannot be read.*ops cancel --stack ck"),
        locked_state(tmp_path, STACK, CONFIG),
    ):
        pass  # pragma: no cover - not reached


def test_cancel_removes_a_dead_runs_lock_and_refuses_a_live_one(ops: Run, project: Project) -> None:
    path = lock_file(project.root, "test")
    assert ops("cancel", "--stack", "test")[1].startswith("Stack test is not locked")

    write_lock(path, dead_pid())
    code, out, err = ops("cancel", "--stack", "test")
    assert code == 0, err
    assert "Removed the lock of stack test" in out
    assert not path.exists()

    write_lock(path, os.getpid())
    code, _, err = ops("cancel", "--stack", "test")
    assert code == 1
    assert "still running" in err
    assert f"kill {os.getpid()}" in err
    assert path.exists()


def test_cancel_removes_a_lock_from_another_host(tmp_path: Path) -> None:
    write_lock(lock_file(tmp_path, STACK), 1, host="elsewhere.example")
    assert "Removed the lock" in cancel(tmp_path, STACK)


def test_stale_checkpoint_temp_files_are_removed_under_the_lock(tmp_path: Path) -> None:
    folder = state_file(tmp_path, STACK).parent
    folder.mkdir(parents=True)
    stale = folder / f".standin-{STACK}.json.checkpoint-abc123.tmp"
    stale.write_text("{")
    with locked_state(tmp_path, STACK, CONFIG):
        assert not stale.exists()


def test_a_lock_that_cannot_be_created_or_written_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk_full_after: Callable[[int], None]
) -> None:
    (tmp_path / ".pulumi-local").write_text("not a folder")
    with pytest.raises(StandinError, match=r"Cannot create the lock .*standin-ck\.lock"):
        locked_state(tmp_path, STACK, CONFIG).__enter__()
    (tmp_path / ".pulumi-local").unlink()

    disk_full_after(1)
    with pytest.raises(StandinError, match=r"Cannot write the lock .*No space left on device"):
        locked_state(tmp_path, STACK, CONFIG).__enter__()
    assert not lock_file(tmp_path, STACK).exists()

    def refused(*_: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(StandinError, match="Read-only file system"):
        locked_state(tmp_path, STACK, CONFIG).__enter__()


def test_the_lock_records_the_command_that_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["ops", "demo", "--stack", "ck"])
    with locked_state(tmp_path, STACK, CONFIG):
        holder = LockHolder.read(lock_file(tmp_path, STACK))
    assert holder is not None
    assert holder.command == "python -m ops demo --stack ck"
    assert holder.alive() is True


def test_a_live_process_of_someone_else_holds_its_lock() -> None:
    assert LockHolder(1, socket.gethostname(), "", "").alive() is True  # pid 1 always runs


def test_outside_the_main_thread_no_signal_handler_is_installed(tmp_path: Path) -> None:
    handler = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def run() -> None:
        with locked_state(tmp_path, STACK, CONFIG):
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [handler]


def test_a_pending_delete_of_a_resource_still_there_deletes_it(
    engine: Engine, world: World
) -> None:
    world.held = {"c": {"key": "c", "value": "v1"}}
    state = StackState(
        STACK,
        resources=[ResourceState(urn("c"), TYPE, "c", {"key": "c"}, {"key": "c"})],
        pending=[PendingOperation(urn("c"), TYPE, "deleting", {"key": "c"}, "c")],
    )
    result = up(engine, state, [])
    assert result.ok, result.errors
    assert world.calls == [("read", urn("c")), ("delete", urn("c"))]
    assert world.held == {}
    assert result.state.pending == []


def test_a_delete_whose_pending_operation_cannot_be_saved_is_not_started(
    tmp_path: Path, engine: Engine, world: World, disk_full_after: Callable[[int], None]
) -> None:
    created = up(engine, StackState(STACK), ["a", "b"])
    with locked_state(tmp_path, STACK, CONFIG) as run:
        disk_full_after(1)
        result = engine.destroy(created.state, checkpoint=run.checkpoint, stop=run.stop)
    assert ("delete", urn("a")) not in world.calls
    assert ("delete", urn("b")) not in world.calls
    assert sorted(result.not_started) == [urn("a"), urn("b")]
    assert "No space left on device" in result.save_error


def test_a_state_file_with_an_unknown_pending_operation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    body = StackState(STACK).to_json()
    body["pendingOperations"] = [{"urn": urn("a"), "type": TYPE, "operation": "importing"}]
    path.write_text(json.dumps(body))
    with pytest.raises(StandinError, match="unknown pending operation 'importing'"):
        StackState.load(path, STACK, CONFIG)


class Abandoned(Exception):
    """What `os._exit` raises in this test (the real one would end pytest)."""


def test_a_second_ctrl_c_releases_the_lock_and_exits_130_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exit_now(code: int) -> None:
        raise Abandoned(code)

    def ctrl_c_twice() -> None:
        with locked_state(tmp_path, STACK, CONFIG) as run:
            os.kill(os.getpid(), signal.SIGINT)
            assert run.stop.wait(10)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(10)  # pragma: no cover - the handler raises first

    monkeypatch.setattr(os, "_exit", exit_now)
    with pytest.raises(Abandoned) as raised:
        ctrl_c_twice()

    assert raised.value.args == (130,)
    assert not lock_file(tmp_path, STACK).exists()
    err = capsys.readouterr().err
    assert "Interrupted again: abandoning the run" in err
    assert str(state_file(tmp_path, STACK)) in err
