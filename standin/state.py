"""The stand-in engine's state file, its lock, its checkpoints and its Ctrl-C: what every offline
verb that changes a stack goes through (`locked_state`).

The state of stack S is one JSON document, ``.pulumi-local/standin-S.json`` in the project
(`standin.snapshot.StackState`), rewritten atomically at every checkpoint
(`standin.files.write_atomic`).
Beside it, ``standin-S.lock`` keeps two runs apart, as the file backend's ``.pulumi/locks/``
does: created with O_EXCL, it holds the run's pid, host name, start time and command, and is
removed when the run ends, however it ends short of SIGKILL. A second run fails at once naming
the lock and the run holding it; a lock whose process is gone (on this host) is reported with
the command that removes it, ``python -m ops cancel --stack S`` (`cancel`).

Ctrl-C during a run (`locked_state` installs the handler): the first stops starting steps and
lets the steps under way finish and be saved (the run then ends with `Interrupted`, exit 130:
"N done, M not started: run `up` again"); a second abandons the run at once: the state file is
as of its last checkpoint (the steps under way stay recorded as pending, and the next run
resolves them), the lock is removed, exit 130. The provider host never sees the Ctrl-C
(`standin.host`), so no call is cut short by it.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from standin.errors import Interrupted, StandinError
from standin.files import remove_stale_temp_files, utc_iso
from standin.results import Result
from standin.snapshot import StackState

__all__ = [
    "LockHolder",
    "StandinRun",
    "cancel",
    "lock_file",
    "locked_state",
    "stack_lock",
    "state_file",
]

CHECKPOINT_TAG = "checkpoint"
"""The tag of the state file's temp files (`standin.snapshot.StackState.save`)."""
SHOWN_NAMES = 8
"""How many resource names a message lists before "and N more"."""


def state_file(project_dir: Path, stack: str) -> Path:
    """``.pulumi-local/standin-<stack>.json``: the stand-in's state of `stack`."""
    return project_dir / ".pulumi-local" / f"standin-{stack}.json"


def lock_file(project_dir: Path, stack: str) -> Path:
    """``.pulumi-local/standin-<stack>.lock``, beside the state."""
    return state_file(project_dir, stack).with_suffix(".lock")


def cancel_command(stack: str) -> str:
    return f"python -m ops cancel --stack {stack}"


@dataclass(frozen=True)
class LockHolder:
    """The run a lock file names."""

    pid: int
    host: str
    started: str
    command: str

    @classmethod
    def read(cls, path: Path) -> LockHolder | None:
        """The holder `path` names; None when it cannot be read (gone, or cut short)."""
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(body["pid"]), str(body["host"]), str(body["started"]), body["command"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def alive(self) -> bool | None:
        """Whether the holder still runs; None when it runs on another host (cannot tell)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: alive
            return True
        return True

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}, started {self.started} (`{self.command}`)"


def _locked(path: Path, stack: str) -> StandinError:
    """Why stack `stack` cannot be locked: who holds `path`, and what to do."""
    holder = LockHolder.read(path)
    cancel = f"`{cancel_command(stack)}`"
    if holder is None:
        return StandinError(
            f"Stack {stack} is locked: the lock file {path} exists but cannot be read (a run "
            f"killed while taking it?). If no other run on stack {stack} is under way, remove "
            f"it with {cancel}, then run again."
        )
    if holder.alive() is False:
        return StandinError(
            f"Stack {stack} is locked by a run that is no longer running: {holder.describe()}; "
            f"lock file {path}. Its state file holds every operation that run began (the next "
            f"run resolves what it left pending). Remove the lock with {cancel}, then run again."
        )
    return StandinError(
        f"Stack {stack} is locked by another run: {holder.describe()}; lock file {path}. Wait "
        f"for it to finish, or stop it; if it is no longer running, remove the lock with "
        f"{cancel}."
    )


def _acquire(path: Path, stack: str, command: str) -> None:
    """Create the lock file `path` atomically for this process, or raise `_locked`."""
    cannot = f"Cannot create the lock {path}"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StandinError(f"{cannot}: {exc.strerror or exc}.") from None
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise _locked(path, stack) from None
    except OSError as exc:
        raise StandinError(f"{cannot}: {exc.strerror or exc}.") from None
    body = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": utc_iso(),
        "command": command,
    }
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(body) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        _release(path)
        raise StandinError(f"Cannot write the lock {path}: {exc.strerror or exc}.") from None


def _release(path: Path) -> None:
    """Remove the lock `path` if this process holds it (or it was cut short)."""
    holder = LockHolder.read(path)
    if holder is None or (holder.pid == os.getpid() and holder.host == socket.gethostname()):
        with suppress(FileNotFoundError):
            path.unlink()


def cancel(project_dir: Path, stack: str) -> str:
    """``python -m ops cancel --stack S``: remove the lock a run left on the stack; refused
    while that run is still running on this host. Returns what was done."""
    path = lock_file(project_dir, stack)
    if not path.exists():
        return f"Stack {stack} is not locked ({path} does not exist)."
    holder = LockHolder.read(path)
    if holder is not None and holder.alive():
        raise StandinError(
            f"Stack {stack} is locked by a run that is still running: {holder.describe()}. "
            f"Stop it (Ctrl-C in its terminal, or `kill {holder.pid}`) rather than removing its "
            "lock: two runs at once would each save their own state over the other's."
        )
    with suppress(FileNotFoundError):
        path.unlink()
    who = holder.describe() if holder is not None else "unreadable"
    return f"Removed the lock of stack {stack} ({who}). Run again: it resolves what is pending."


def _names(steps: list[str]) -> str:
    shown = ", ".join(steps[:SHOWN_NAMES])
    more = len(steps) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def applied(result: Result) -> str:
    """What a run changed in Descope, in one phrase: ``3 create (a, b, c), 1 delete (d)``."""
    by_op: dict[str, list[str]] = {}
    for step in result.changes:
        if step.type != "pulumi:providers:pulumi-python":
            by_op.setdefault(step.op, []).append(step.name)
    return "; ".join(f"{len(n)} {op} ({_names(n)})" for op, n in by_op.items()) or "nothing"


@dataclass
class StandinRun:
    """One run holding a stack's lock (`locked_state` yields it).

    `state`: the state as loaded; `checkpoint`: give it to `Engine.up` / `Engine.destroy`
    (it saves the state they hand it); `stop`: give it too (Ctrl-C sets it); `save`: save a
    state the engine did not (a refresh's); `finish`: raise what the result calls for.
    """

    stack: str
    path: Path
    state: StackState
    stop: threading.Event = field(default_factory=threading.Event)

    def checkpoint(self, state: StackState) -> None:
        """Save `state` (a `StandinError` naming the file when it cannot be written)."""
        state.save(self.path)

    save = checkpoint

    def reset(self) -> None:
        """Start from an empty state: the state file is removed."""
        with suppress(FileNotFoundError):
            self.path.unlink()
        self.state = StackState(self.stack)

    def finish(self, result: Result, *, verb: str = "up") -> None:
        """Raise what `result` calls for beyond its steps' errors: a `StandinError` when the state
        could not be saved (what was applied, and how to recover), `Interrupted` (exit 130)
        after Ctrl-C."""
        if result.save_error:
            raise StandinError(
                f"The stand-in's state could not be saved: {result.save_error} No step was "
                f"started after that. Applied to Descope by this run: {applied(result)}. "
                f"{self.path} holds the state as of its last save, with every operation begun "
                f"since recorded as pending. Free some space, then run `{verb}` again: it "
                "resolves what is pending (what this run created is recognised, not created "
                "twice)."
            )
        if result.interrupted:
            raise Interrupted(
                f"Interrupted: {len(result.done)} done, {len(result.not_started)} not started: "
                f"run `{verb}` again. The state ({self.path}) records every step that was done."
            )


def _default_command() -> str:
    return shlex.join(["python", "-m", "ops", *sys.argv[1:]])


@contextmanager
def _interrupts(run: StandinRun, lock: Path) -> Iterator[None]:
    """Ctrl-C sets `run.stop`; a second abandons the run (module docstring). Only the main
    thread receives signals: elsewhere nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(_signum: int, _frame: FrameType | None) -> None:
        if not run.stop.is_set():
            run.stop.set()
            print(
                "\nInterrupted: no new step starts; the steps under way finish and are saved. "
                "Press Ctrl-C again to abandon them.",
                file=sys.stderr,
                flush=True,
            )
            return
        print(
            f"\nInterrupted again: abandoning the run. {run.path} holds the state as of its "
            "last checkpoint; the steps that were under way stay recorded there as pending, "
            "and the next run resolves them.",
            file=sys.stderr,
            flush=True,
        )
        _release(lock)
        os._exit(130)

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stack_lock(project_dir: Path, stack: str, command: str | None = None) -> Iterator[Path]:
    """Hold stack `stack`'s lock for the block (no state loaded: for removing the state, say);
    a `StandinError` at once when another run holds it. Yields the lock file's path."""
    lock = lock_file(project_dir, stack)
    _acquire(lock, stack, command or _default_command())
    try:
        yield lock
    finally:
        _release(lock)


@contextmanager
def locked_state(
    project_dir: Path,
    stack: str,
    current_config: Mapping[str, str],
    *,
    command: str | None = None,
) -> Iterator[StandinRun]:
    """Lock stack `stack`, load its stand-in state, and hold both for the run.

    Raises a `StandinError` at once when another run holds the lock (naming its pid, host and
    start time; a dead one's with the command that clears it). Inside: Ctrl-C handling as the
    module docstring says; temp files a killed save left are removed. The lock is released
    whatever ends the block. `current_config` lets the state's secret fingerprints be matched
    (`StackState.load`); `command` is recorded in the lock (default: this process's).

    A verb that changes the stack::

        with locked_state(project_dir, stack, config) as run:
            result = engine.up(run.state, registrations, config, secret_keys,
                               checkpoint=run.checkpoint, stop=run.stop)
            ...print the steps...
            run.finish(result)           # save failure / Ctrl-C
            if not result.ok: ...        # the steps' own errors
    """
    path = state_file(project_dir, stack)
    with stack_lock(project_dir, stack, command) as lock:
        remove_stale_temp_files([path.parent], CHECKPOINT_TAG)
        run = StandinRun(stack, path, StackState.load(path, stack, current_config))
        with _interrupts(run, lock):
            yield run
