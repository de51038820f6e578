"""A stand-in for the Pulumi engine: a program's registrations played through the real
dynamic-provider host (`standin.host`), by the engine's rules.

The Pulumi CLI (a Go binary) cannot be installed everywhere this project is tried; the tests and
``make demo`` use this instead. It is only as good as its rules, so here they are, as read from
pulumi/pulumi's engine (``pkg/resource/deploy/step_generator.go``, ``step.go``,
``pkg/engine/refresh.go``; see the project's reference notes on dynamic providers):

- Identity is the URN (type token + resource name). A registration whose URN the state lacks,
  but one of whose aliases it holds, *is* that resource (``pulumi.Alias``).
- Per registration: Check(olds = old inputs, news = registered inputs); a new resource is
  created; else Diff(olds = old *outputs*, news = checked inputs, old inputs). DIFF_UNKNOWN is
  decided by comparing old and new inputs. Steps run as registrations arrive, up to `parallel`
  at once, each after the steps of the resources it depends on; the host serves at most 4 calls
  at once and queues the rest. After a failed step no new step starts.
- Replace (Diff returned replaces): refused when the resource is protected (before and after);
  Check runs again with empty olds; with delete-before-replace (the provider's answer, unless
  the resource option says otherwise) the old one is deleted (no Delete call under
  retainOnDelete) and the new one created; otherwise the new one is created and the old one
  deleted with the deletes.
- Deletes come after every other step, and only when none failed: resources no longer
  registered, and replaced ones, in reverse dependency order (groups of independent resources,
  each group at once). A protected resource is refused ("cannot be deleted because it is
  protected"), in a preview too; retainOnDelete, as recorded in the state, drops the resource
  from the state without a Delete call.
- A preview makes no Create, Update or Delete call.
- Refresh: Read(id, properties = old outputs, inputs = old inputs); an empty id drops the
  resource; ReadResponse.inputs replace the inputs; drift is Diff(olds = refreshed outputs,
  news = old inputs).
- Configure receives the whole stack config, secrets wrapped. The state records it (it is the
  default provider's inputs): a config change is an update of the default provider, so
  ``--expect-no-changes`` fails on it. Refresh and destroy configure the host with the
  recorded config, unless run with the program's current config (``--run-program``).
- ``--target`` (preview and up): only the targets and what they depend on are played; every
  other resource stays as the state records it (not created, updated nor deleted).

Checkpoints, as the engine's snapshot manager keeps them (``pkg/backend/snapshot.go``): an ``up``
or ``destroy`` given a `checkpoint` writer hands it the whole state, as its steps finish, after
recording each Create, Update and Delete (each half of a replace) as a pending operation before
the call and its result after it; the writer saves it (`standin.state` writes the state file
atomically). A run stopped at any point (Ctrl-C, SIGKILL, a lost host, a full disk) thus leaves
a state in which every call made is either recorded or pending. The next run resolves what is
pending, without the user's help:

- a pending create is made again, marked as resumed (`RESUMED_CREATE_KEY`, the
  time the first one began): each provider recognises what that first create made by its own
  ownership rules (a tenant created since then holding exactly what was sent or configured is
  taken as ours; permissions, roles and SSO configurations holding exactly what is declared are
  adopted; flows and the theme are written whole), and anything else stays someone else's;
- a resource with a pending update or delete is read first (as a refresh reads it), and its
  step is decided from what Descope holds: updated again, found unchanged, or found gone (then
  created again, or dropped when it was being deleted).

A call that failed with the provider's error leaves no pending operation (the providers undo
a failed create, or say what is left); one whose answer was lost with the host (the host
killed, the call timed out) stays pending. A `stop` event set (Ctrl-C) starts no new step;
the steps under way finish and are recorded, and the result says which did not start.

Not played: ``--target`` for refresh and destroy, ``ignoreChanges``, ``replaceOnChanges``,
imports, component resources, and the dependents a delete-before-replace would also replace
(this program has none).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import grpc
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from standin import sealed
from standin.errors import StandinError
from standin.files import write_atomic
from standin.host import PROJECT_DIR, PROVIDER_KEY, HostError, ProviderHost
from standin.program import Registration, urn_of

__all__ = [
    "DEFAULT_PROVIDER_TYPE",
    "RESUMED_CREATE_KEY",
    "Checkpoint",
    "Engine",
    "PendingOperation",
    "ResourceState",
    "Result",
    "StackState",
    "Step",
    "targeted",
]

DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-python"
"""The default provider the engine registers for dynamic resources (its inputs: the config)."""
Operation = Literal["preview", "up", "refresh", "destroy"]
Op = Literal["create", "update", "same", "replace", "delete", "retain", "drift", "gone", "read"]
"""What a step did: ``retain`` left the state without a Delete call; ``drift`` and ``gone``
are a refresh's findings; ``read`` a refresh that found nothing changed."""
Pending = Literal["creating", "updating", "deleting"]
Checkpoint = Callable[["StackState"], None]
"""Saves the state it is given (a `StandinError` when it cannot); called with the engine's lock
held, so one save at a time and never a state being changed."""
STATE_FORMAT = "descope-config-standin-state/1"
RESUMED_CREATE_KEY = "__resumedCreate"
"""The input added to a create made again after a run that recorded it as pending and never
learnt its result: the Unix time that first create began. It is the stand-in's word to the
providers, who know it by the same name (`providers.calls.RESUMED_CREATE_KEY`, pinned equal by
a test) without either side importing the other."""
UNCERTAIN = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED,
)
"""A call failing so never got the provider's answer (the host died, or hung): whether it
acted is unknown, so its operation stays pending."""


def _unwrap(value: Any) -> Any:
    """`value` with every secret wrapper removed (the host does not accept secrets)."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _secret_paths(value: Any, prefix: str = "") -> frozenset[str]:
    """The dotted paths in `value` (registered inputs) that hold a wrapped secret."""
    if rpc.is_rpc_secret(value):
        return frozenset({prefix})
    if isinstance(value, Mapping):
        found: set[str] = set()
        for key, item in value.items():
            found |= _secret_paths(item, f"{prefix}.{key}" if prefix else str(key))
        return frozenset(found)
    return frozenset()


def _fingerprint(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@dataclass
class ResourceState:
    """One resource as the stack records it."""

    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    dependencies: tuple[str, ...] = ()
    pending_delete: bool = False
    """Replaced (create before delete); its delete is still due."""
    secrets: tuple[str, ...] = ()
    """The properties whose values are secret, in the inputs and the outputs (a secret input,
    and the outputs of that name or named by ``additional_secret_outputs``, as the engine
    marks them): the state file holds them encrypted (`StackState.save`)."""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "dependencies": list(self.dependencies),
            "pendingDelete": self.pending_delete,
            "secretProperties": list(self.secrets),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceState:
        return cls(
            urn=str(data["urn"]),
            type=str(data["type"]),
            id=str(data["id"]),
            inputs=dict(data["inputs"]),
            outputs=dict(data["outputs"]),
            protect=bool(data.get("protect")),
            retain_on_delete=bool(data.get("retainOnDelete")),
            dependencies=tuple(data.get("dependencies") or ()),
            pending_delete=bool(data.get("pendingDelete")),
            secrets=tuple(data.get("secretProperties") or ()),
        )


@dataclass
class PendingOperation:
    """A Create, Update or Delete begun and not known to have finished: recorded before the
    call, removed with its result (Pulumi's ``pendingOperations``)."""

    urn: str
    type: str
    operation: Pending
    inputs: dict[str, Any]
    id: str = ""
    started: float = 0.0
    """Unix time the call began (a resumed create's `RESUMED_CREATE_KEY`)."""
    secrets: tuple[str, ...] = ()
    """As `ResourceState.secrets`, of the inputs."""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "operation": self.operation,
            "inputs": self.inputs,
            "id": self.id,
            "started": self.started,
            "secretProperties": list(self.secrets),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PendingOperation:
        operation = str(data["operation"])
        if operation not in ("creating", "updating", "deleting"):
            raise ValueError(f"unknown pending operation {operation!r}")
        return cls(
            urn=str(data["urn"]),
            type=str(data["type"]),
            operation=operation,  # type: ignore[arg-type]
            inputs=dict(data.get("inputs") or {}),
            id=str(data.get("id") or ""),
            started=float(data.get("started") or 0.0),
            secrets=tuple(data.get("secretProperties") or ()),
        )


@dataclass
class StackState:
    """A stack's state: its resources, the config recorded at the last ``up``, and the
    operations begun and not known to have finished (`PendingOperation`)."""

    stack: str
    project: str = "descope-config"
    config: dict[str, str] | None = None
    """The default provider's inputs at the last up (None: no up yet)."""
    secret_keys: tuple[str, ...] = ()
    resources: list[ResourceState] = field(default_factory=list)
    pending: list[PendingOperation] = field(default_factory=list)

    def find(self, urn: str) -> ResourceState | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def by_name(self, name: str) -> ResourceState:
        """The resource registered under `name` (tests read state this way)."""
        found = [r for r in self.resources if r.name == name and not r.pending_delete]
        if len(found) != 1:
            raise KeyError(name)
        return found[0]

    def names(self) -> list[str]:
        return [r.name for r in self.resources if not r.pending_delete]

    def copy(self) -> StackState:
        return StackState(
            self.stack,
            self.project,
            dict(self.config) if self.config is not None else None,
            self.secret_keys,
            [replace(r) for r in self.resources],
            [replace(p) for p in self.pending],
        )

    # --- the state file (the stand-in's; Pulumi keeps its own in its backend) ---------------

    def save(self, path: Path) -> None:
        """Write the state to `path` atomically (mode 0600), as one compact JSON document (as
        Pulumi's file backend writes it: a checkpoint rewrites it at every step). A file never
        holds a credential or a customer's secret in plain text: secret config values are
        written as fingerprints, secret resource properties encrypted (`standin.sealed`, with the
        key beside the state, as Pulumi's passphrase secrets provider seals them)."""
        document = sealed.seal(self.to_json(), sealed.key_file(path))
        text = json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n"
        write_atomic(path, text, mode=0o600, tag="checkpoint")

    def to_json(self) -> dict[str, Any]:
        """The state file's document."""
        config = None
        if self.config is not None:
            config = {
                key: {"fingerprint": _fingerprint(value)} if key in self.secret_keys else value
                for key, value in self.config.items()
            }
        return {
            "format": STATE_FORMAT,
            "stack": self.stack,
            "project": self.project,
            "config": config,
            "secretKeys": list(self.secret_keys),
            "resources": [r.to_json() for r in self.resources],
            "pendingOperations": [p.to_json() for p in self.pending],
        }

    @classmethod
    def load(cls, path: Path, stack: str, current_config: Mapping[str, str]) -> StackState:
        """The state in `path`, or an empty one for `stack` if there is no file.

        A secret recorded as a fingerprint takes the current value when it matches; otherwise
        the recorded value is unknown, as it would be to anyone but Pulumi's secrets provider.
        """
        if not path.exists():
            return cls(stack)
        try:
            body = sealed.unseal(json.loads(path.read_text(encoding="utf-8")), path)
            config: dict[str, str] | None = None
            if body.get("config") is not None:
                config = {}
                for key, value in body["config"].items():
                    if isinstance(value, Mapping):
                        now = current_config.get(key)
                        same = now is not None and _fingerprint(now) == value["fingerprint"]
                        config[key] = now if same and now is not None else ""
                    else:
                        config[key] = str(value)
            return cls(
                stack=str(body["stack"]),
                project=str(body.get("project") or "descope-config"),
                config=config,
                secret_keys=tuple(body.get("secretKeys") or ()),
                resources=[ResourceState.from_json(r) for r in body["resources"]],
                pending=[PendingOperation.from_json(p) for p in body.get("pendingOperations", [])],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StandinError(
                f"The stand-in's state file {path} is not readable ({exc}). Delete it to start "
                "from an empty state (the next run then creates or adopts everything)."
            ) from None


@dataclass(frozen=True)
class Step:
    """What happened to one resource (or, in a preview, what would).

    `olds` and `news` are the resource's inputs before and after the step (None where there is
    none: no olds for a create, no news for a delete; a refresh's drift: as the state recorded
    them, and as Descope holds them now); `replaces` the inputs whose change makes the provider
    replace the resource (the Diff response's ``replaces``); `secrets` the paths of inputs the
    program registered as secrets. These are for printing the step.
    """

    urn: str
    op: Op
    error: str = ""
    olds: Mapping[str, Any] | None = field(default=None, compare=False)
    news: Mapping[str, Any] | None = field(default=None, compare=False)
    replaces: tuple[str, ...] = ()
    secrets: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def type(self) -> str:
        return self.urn.rsplit("::", 2)[-2]


@dataclass
class Result:
    """One engine run: its steps in the order the resources were registered or recorded, and
    the state afterwards (for a preview: the state the run would leave)."""

    operation: Operation
    steps: list[Step]
    state: StackState
    log: list[str] = field(default_factory=list)
    """What the provider host printed (the providers' warnings: where snapshots went, ...),
    which the pulumi CLI shows as the run goes."""
    not_started: list[str] = field(default_factory=list)
    """The URNs whose step never started: a step before failed, the run was stopped (`stop`),
    or the state could not be saved."""
    interrupted: bool = False
    """The run was stopped (`stop` set) before every step had started."""
    save_error: str = ""
    """Why the state could not be saved (the checkpoint's error); no step started after it."""

    @property
    def errors(self) -> list[str]:
        return [step.error for step in self.steps if step.error]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted and not self.save_error

    @property
    def done(self) -> list[Step]:
        """The steps that ran to their end (successfully or not), the default provider's
        excepted."""
        return [s for s in self.steps if s.type != DEFAULT_PROVIDER_TYPE]

    @property
    def changes(self) -> list[Step]:
        """Steps that change something (what ``--expect-no-changes`` refuses)."""
        return [s for s in self.steps if s.op not in ("same", "read") and not s.error]

    def ops(self, op: Op) -> list[str]:
        """The names of the resources whose step was `op`."""
        return [s.name for s in self.steps if s.op == op and not s.error]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for step in self.steps:
            key = "failed" if step.error else step.op
            counts[key] = counts.get(key, 0) + 1
        return ", ".join(f"{n} {op}" for op, n in counts.items()) or "nothing to do"


class _StepFailed(Exception):
    """A step failed; `deleted`: the resource was deleted first (a delete-before-replace)."""

    def __init__(self, op: Op, message: str, *, deleted: bool = False) -> None:
        super().__init__(message)
        self.op, self.deleted = op, deleted


class _NotStarted(Exception):
    """The step's pending operation could not be saved, so its call was not made."""


def _error_text(exc: HostError) -> str:
    """The provider's own words: the host prefixes the exception's class."""
    text = exc.message.strip()
    for prefix in (
        "providers.errors.DescopeApiError: ",
        "providers.errors.TenantAlreadyExists: ",
        "providers.errors.PartialFailure: ",
        "providers.errors.InvalidInputError: ",
        "providers.errors.ConfigurationError: ",
        "Exception calling application: ",
    ):
        text = text.replace(prefix, "")
    return text


def _swap(state: StackState, old: ResourceState, new: ResourceState) -> None:
    """Record `new` in `old`'s place (`old`: the very object the state holds)."""
    index = next(i for i, resource in enumerate(state.resources) if resource is old)
    state.resources[index] = new


def _drop(state: StackState, gone: ResourceState) -> None:
    state.resources = [r for r in state.resources if r is not gone]


class _Journal:
    """The state of one run as its steps finish, behind one lock, and its checkpoints.

    Every change to the state goes through here. `begin` records a pending operation and saves
    before its call; `end` records the call's result, drops the pending operation and saves.
    `checkpoint` None (a preview, or a caller that saves at the end) saves nothing. A save that
    fails is remembered (`save_error`) and stops the run: no step starts after it, and the step
    whose pending operation could not be saved does not make its call (`_NotStarted`).
    """

    def __init__(
        self, state: StackState, checkpoint: Checkpoint | None, stop: threading.Event | None
    ) -> None:
        self.state = state
        self.checkpoint = checkpoint
        self.stop = stop or threading.Event()
        self.save_error = ""
        self.inherited = list(state.pending)
        """What an earlier run left pending, resolved by this one."""
        self._lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        """No step may start: the run was stopped, or the state could not be saved."""
        return self.stop.is_set() or bool(self.save_error)

    def _save(self) -> bool:
        if self.checkpoint is None:
            return True
        if self.save_error:
            return False
        try:
            self.checkpoint(self.state)
        except StandinError as exc:
            self.save_error = str(exc)
            return False
        return True

    def change(self, edit: Callable[[StackState], None], *, save: bool = False) -> None:
        """Apply `edit` to the state (and save, for a step that changed what Descope holds)."""
        with self._lock:
            edit(self.state)
            if save:
                self._save()

    def earlier(self, urn: str, *operations: Pending) -> PendingOperation | None:
        """What an earlier run left pending for `urn` (one of `operations`), if still pending."""
        with self._lock:
            return next(
                (
                    p
                    for p in self.inherited
                    if p.urn == urn
                    and p.operation in operations
                    and any(q is p for q in self.state.pending)
                ),
                None,
            )

    def begin(
        self, operation: Pending, resource: ResourceState, *, started: float | None = None
    ) -> PendingOperation:
        """Record `operation` on `resource` as pending and save; it supersedes what an earlier
        run left pending for the resource. Raises `_NotStarted` when it cannot be saved."""
        pending = PendingOperation(
            resource.urn,
            resource.type,
            operation,
            dict(resource.inputs),
            resource.id,
            time.time() if started is None else started,
            resource.secrets,
        )
        with self._lock:
            before = self.state.pending
            self.state.pending = [
                *(p for p in before if not (p.urn == resource.urn and self._inherited(p))),
                pending,
            ]
            if not self._save():
                self.state.pending = before
                raise _NotStarted
        return pending

    def end(self, pending: PendingOperation, edit: Callable[[StackState], None] | None) -> None:
        """`pending`'s call answered: record its result (`edit`), drop it, save."""
        with self._lock:
            self.state.pending = [p for p in self.state.pending if p is not pending]
            if edit is not None:
                edit(self.state)
            self._save()

    def resolve(self, *urns: str) -> None:
        """The step of these resources is done: what an earlier run left pending for them is
        resolved (saved with the next checkpoint)."""
        with self._lock:
            self.state.pending = [
                p for p in self.state.pending if not (p.urn in urns and self._inherited(p))
            ]

    def _inherited(self, pending: PendingOperation) -> bool:
        return any(pending is p for p in self.inherited)

    def leftovers(self) -> list[PendingOperation]:
        """What an earlier run left pending that this run did not resolve."""
        with self._lock:
            return [p for p in self.inherited if any(p is q for q in self.state.pending)]


@dataclass(frozen=True)
class _Outcome:
    step: Step
    replaced: ResourceState | None = None
    """The old copy of a resource replaced create-before-delete: deleted with the deletes."""


def targeted(
    state: StackState, registrations: Sequence[Registration], targets: Collection[str]
) -> frozenset[str] | None:
    """The URNs ``--target`` plays: each target (a URN, or a resource's name) and, as the
    registrations record them, what it depends on, transitively. None when `targets` is empty
    (everything is played). A target neither the program registers nor the state holds is
    refused, as pulumi refuses it, before anything runs."""
    if not targets:
        return None
    known: dict[str, set[str]] = {}
    for urn in [r.urn for r in registrations] + [r.urn for r in state.resources]:
        for key in (urn, urn.rsplit("::", 1)[-1]):
            known.setdefault(key, set()).add(urn)
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise StandinError(
            f"--target {unknown[0]}: neither the program nor the stack's state has a resource "
            "with that URN or name. Name a resource as `preview` lists it (for example "
            "tenant-acme), or give its URN."
        )
    dependencies = {r.urn: r.dependencies for r in registrations}
    chosen: set[str] = set()
    pending = [urn for t in targets for urn in known[t]]
    while pending:
        urn = pending.pop()
        if urn not in chosen:
            chosen.add(urn)
            pending.extend(dependencies.get(urn, ()))
    return frozenset(chosen)


class Engine:
    """Plays preview, up, refresh and destroy for one project; see the module docstring.

    `env` is added to the provider host's environment (the engine's own environment reaches
    the host the same way); `parallel` is ``--parallel`` (Pulumi's default: 4 x CPUs).

    ``up`` and ``destroy`` take a `checkpoint` (called with the whole state after each change
    to Descope, before and after each call: see the module docstring) and a `stop` event (set
    it, from a signal handler for instance, and no further step starts). Without a checkpoint
    nothing is saved: the caller saves the result's state.
    """

    def __init__(
        self,
        project_dir: Path = PROJECT_DIR,
        *,
        env: Mapping[str, str] | None = None,
        parallel: int | None = None,
        project: str = "descope-config",
        host_factory: Callable[..., ProviderHost] = ProviderHost,
    ) -> None:
        self.project_dir = project_dir
        self.env = dict(env or {})
        self.parallel = parallel or 4 * (os.cpu_count() or 1)
        self.project = project
        self.host_factory = host_factory

    # --- the operations ----------------------------------------------------------------------

    def preview(
        self,
        state: StackState,
        registrations: Sequence[Registration],
        config: Mapping[str, str],
        secret_keys: Iterable[str] = (),
        *,
        refresh: bool = False,
        run_program: bool = False,
        targets: Collection[str] = (),
    ) -> Result:
        """``pulumi preview [--refresh] [--run-program] [--target T]...``: no Create, Update or
        Delete call. With `refresh`, the refresh's Reads are made and the preview starts from
        their state, which is not kept. `targets`: see `targeted`."""
        journal = _Journal(state.copy(), None, None)
        return self._deploy(
            journal, registrations, config, secret_keys, preview=True, refresh=refresh,
            run_program=run_program, targets=targets,
        )  # fmt: skip

    def up(
        self,
        state: StackState,
        registrations: Sequence[Registration],
        config: Mapping[str, str],
        secret_keys: Iterable[str] = (),
        *,
        refresh: bool = False,
        run_program: bool = False,
        targets: Collection[str] = (),
        checkpoint: Checkpoint | None = None,
        stop: threading.Event | None = None,
    ) -> Result:
        """``pulumi up [--refresh] [--run-program] [--target T]...``; the result's state is the
        new state (the one the last checkpoint saved). `state` itself is not changed.
        `targets`: see `targeted`."""
        journal = _Journal(state.copy(), checkpoint, stop)
        return self._deploy(
            journal, registrations, config, secret_keys, preview=False, refresh=refresh,
            run_program=run_program, targets=targets,
        )  # fmt: skip

    def refresh(
        self,
        state: StackState,
        *,
        config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
    ) -> Result:
        """``pulumi refresh``: with the config recorded at the last up, or with `config` (the
        program's current config: ``--run-program``). What an earlier run left pending on a
        resource it reads is resolved by the read; pending creates stay for the next up."""
        used, secrets = self._config_for(state, config, secret_keys)
        log: list[str] = []
        with self._host(used, secrets, log) as host:
            result = self._refresh(host, state)
        result.log = log
        return result

    def destroy(
        self,
        state: StackState,
        *,
        config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
        preview: bool = False,
        checkpoint: Checkpoint | None = None,
        stop: threading.Event | None = None,
    ) -> Result:
        """``pulumi destroy``: every resource, in reverse dependency order; configured as
        `refresh` is. Checkpoints and `stop` as for `up`."""
        used, secrets = self._config_for(state, config, secret_keys)
        journal = _Journal(state.copy(), None if preview else checkpoint, stop)
        log: list[str] = []
        with self._host(used, secrets, log) as host:
            doomed = list(journal.state.resources)
            steps, waiting = self._delete_all(host, journal, doomed, preview=preview)
        if preview:
            return Result("destroy", steps, state, log)
        if not any(s.error for s in steps) and not waiting:
            journal.change(lambda s: setattr(s, "config", None), save=True)
        return self._result("destroy", journal, steps, waiting, log)

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _result(
        operation: Operation,
        journal: _Journal,
        steps: list[Step],
        waiting: list[str],
        log: list[str],
    ) -> Result:
        return Result(
            operation,
            steps,
            journal.state,
            log,
            not_started=waiting,
            interrupted=journal.stop.is_set(),
            save_error=journal.save_error,
        )

    def _config_for(
        self, state: StackState, config: Mapping[str, str] | None, secret_keys: Iterable[str]
    ) -> tuple[dict[str, str], tuple[str, ...]]:
        if config is not None:
            return dict(config), tuple(secret_keys)
        if state.config is None:
            raise StandinError(
                f"Stack {state.stack} has no recorded configuration (no `up` yet): nothing to "
                "refresh or destroy."
            )
        return dict(state.config), state.secret_keys

    @contextmanager
    def _host(
        self, config: Mapping[str, str], secret_keys: Iterable[str], log: list[str]
    ) -> Iterator[ProviderHost]:
        """A provider host for one operation, configured; what it printed goes to `log`."""
        host = self.host_factory(env=self.env, project=self.project, project_dir=self.project_dir)
        try:
            host.configure(config, secret_keys)
            yield host
        finally:
            log.extend(line for line in host.stderr_text().splitlines() if line.strip())
            host.close()

    def _provider_urn(self, state: StackState) -> str:
        return urn_of(state.stack, self.project, DEFAULT_PROVIDER_TYPE, "default")

    def _deploy(
        self,
        journal: _Journal,
        registrations: Sequence[Registration],
        config: Mapping[str, str],
        secret_keys: Iterable[str],
        *,
        preview: bool,
        refresh: bool,
        run_program: bool,
        targets: Collection[str] = (),
    ) -> Result:
        chosen = targeted(journal.state, registrations, targets)
        secrets = tuple(secret_keys)
        operation: Operation = "preview" if preview else "up"
        steps: list[Step] = []
        log: list[str] = []
        state = journal.state.copy()
        if refresh:
            used, used_secrets = self._config_for(
                state, config if run_program or state.config is None else None, secrets
            )
            with self._host(used, used_secrets, log) as host:
                refreshed = self._refresh(host, journal.state)
            steps.extend(s for s in refreshed.steps if s.op != "read" or s.error)
            if not refreshed.ok:
                return Result(operation, steps, state, log)
            journal = _Journal(refreshed.state, journal.checkpoint, journal.stop)
        start = journal.state
        provider_step: Op = (
            "create"
            if start.config is None
            else "same"
            if start.config == dict(config) and set(start.secret_keys) == set(secrets)
            else "update"
        )
        steps.append(Step(self._provider_urn(state), provider_step))

        def record_config(target: StackState) -> None:
            target.config, target.secret_keys = dict(config), secrets

        if not preview:  # the default provider's step comes first, as in the engine
            journal.change(record_config, save=True)
        with self._host(config, secrets, log) as host:
            resource_steps, doomed, waiting = self._register(
                host, journal, registrations, preview, chosen
            )
            steps.extend(resource_steps)
            if any(s.error for s in steps):
                waiting.extend(r.urn for r in doomed)
            else:
                delete_steps, not_deleted = self._delete_all(host, journal, doomed, preview=preview)
                steps.extend(delete_steps)
                waiting.extend(not_deleted)
        if preview:
            return Result(operation, steps, state, log)
        self._finish(
            journal,
            registrations,
            complete=not waiting and not any(s.error for s in steps),
            log=log,
        )
        return self._result(operation, journal, steps, waiting, log)

    @staticmethod
    def _finish(
        journal: _Journal, registrations: Sequence[Registration], *, complete: bool, log: list[str]
    ) -> None:
        """Put the state in registration order and save it; after a complete run, drop what an
        earlier run left pending and this one had no step for (saying so)."""
        rank = {r.urn: i for i, r in enumerate(registrations)}
        leftovers = journal.leftovers() if complete else []
        for pending in leftovers:
            if pending.operation == "creating":
                log.append(
                    f"warning: {pending.urn} was being created when an earlier run stopped, and "
                    "is no longer declared: if that create happened, Descope holds it unmanaged "
                    "(`python -m ops report` lists what Descope holds that the stack does not)."
                )

        def order(state: StackState) -> None:
            state.resources.sort(key=lambda r: (rank.get(r.urn, len(rank)), r.pending_delete))
            state.pending = [p for p in state.pending if not any(p is q for q in leftovers)]

        journal.change(order, save=True)

    def _register(
        self,
        host: ProviderHost,
        journal: _Journal,
        registrations: Sequence[Registration],
        preview: bool,
        chosen: frozenset[str] | None = None,
    ) -> tuple[list[Step], list[ResourceState], list[str]]:
        """The create, update, same and replace steps, as registrations arrive; each records
        its result in the journal's state as it finishes.

        Returns the steps, what is due for deletion (resources no longer registered, and the
        old copies of resources replaced create-before-delete), and the URNs whose step never
        started (a step before failed, or the run was stopped). With `chosen` (the URNs of
        ``--target`` and their dependencies) the others are left as the state records them: no
        step, no delete."""
        matched = self._match(journal.state, registrations)
        claimed = {r.urn for r in matched.values() if r is not None}
        leftovers = [
            r
            for r in journal.state.resources
            if r.urn not in claimed and (chosen is None or r.urn in chosen)
        ]
        failed = threading.Event()
        outcomes: dict[str, _Outcome] = {}
        futures: dict[str, Future[None]] = {}

        def run(registration: Registration, needs: list[Future[None]]) -> None:
            wait(needs)
            if chosen is not None and registration.urn not in chosen:
                return
            if failed.is_set() or journal.stopped:
                return
            previous = matched[registration.urn]
            try:
                outcome = self._step(host, journal, registration, previous, preview)
            except _NotStarted:
                return
            except _StepFailed as exc:
                failed.set()
                step = Step(registration.urn, exc.op, f"{registration.urn}: {exc}")
                outcomes[registration.urn] = _Outcome(step)
                return
            outcomes[registration.urn] = outcome
            if not preview:
                journal.resolve(registration.urn, *([previous.urn] if previous else []))

        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            for registration in registrations:
                needs = [futures[d] for d in registration.dependencies if d in futures]
                futures[registration.urn] = pool.submit(run, registration, needs)
        for future in futures.values():
            future.result()

        done = [outcomes[r.urn] for r in registrations if r.urn in outcomes]
        waiting = [
            r.urn
            for r in registrations
            if r.urn not in outcomes and (chosen is None or r.urn in chosen)
        ]
        replaced = [o.replaced for o in done if o.replaced is not None]
        return [o.step for o in done], [*replaced, *leftovers], waiting

    @staticmethod
    def _match(
        old: StackState, registrations: Sequence[Registration]
    ) -> dict[str, ResourceState | None]:
        """Each registration's resource in the old state: by URN, else by an alias."""
        matched: dict[str, ResourceState | None] = {}
        claimed: set[str] = set()
        for registration in registrations:
            candidates = [registration.urn, *registration.aliases]
            previous = next(
                (
                    r
                    for urn in candidates
                    if (r := old.find(urn)) is not None
                    and not r.pending_delete
                    and r.urn not in claimed
                ),
                None,
            )
            if previous is not None:
                claimed.add(previous.urn)
            matched[registration.urn] = previous
        return matched

    @staticmethod
    def _call(
        journal: _Journal,
        pending: PendingOperation,
        op: Op,
        fn: Callable[[], Any],
        *,
        deleted: bool = False,
    ) -> Any:
        """Make `pending`'s call. A failure with the provider's answer ends the pending
        operation; one without (the host lost) leaves it pending for the next run."""
        try:
            return fn()
        except HostError as exc:
            if exc.code not in UNCERTAIN:
                journal.end(pending, None)
            raise _StepFailed(op, _error_text(exc), deleted=deleted) from None

    def _reread(
        self, host: ProviderHost, journal: _Journal, resource: ResourceState, op: Op
    ) -> ResourceState | None:
        """`resource` as Descope holds it (None: gone), for a resource an earlier run left an
        update or delete pending on; the state records what was read."""
        try:
            id_, outputs, inputs = host.read(
                resource.id, resource.urn, resource.outputs, resource.inputs
            )
        except HostError as exc:
            raise _StepFailed(op, _error_text(exc)) from None
        if not id_:
            journal.change(lambda s: _drop(s, resource), save=True)
            return None
        read = replace(resource, id=id_, outputs=outputs, inputs=inputs or resource.inputs)
        journal.change(lambda s: _swap(s, resource, read))
        return read

    def _step(
        self,
        host: ProviderHost,
        journal: _Journal,
        registration: Registration,
        previous: ResourceState | None,
        preview: bool,
    ) -> _Outcome:
        """One registration's step, its result recorded in the journal's state."""
        urn = registration.urn
        news = _unwrap(registration.inputs)
        secrets = _secret_paths(registration.inputs)

        # The provider blob is registered as a secret too (the SDK's rule); it holds nothing
        # secret (tests/security), so the state keeps it readable.
        secret_properties = tuple(
            sorted(
                ({path.split(".", 1)[0] for path in secrets} - {PROVIDER_KEY})
                | set(registration.additional_secret_outputs)
            )
        )

        def state(id_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> ResourceState:
            return ResourceState(
                urn=urn,
                type=registration.type,
                id=id_,
                inputs=inputs,
                outputs=outputs,
                protect=registration.protect,
                retain_on_delete=registration.retain_on_delete,
                dependencies=registration.dependencies,
                secrets=secret_properties,
            )

        def check(olds: Mapping[str, Any], op: Op) -> dict[str, Any]:
            try:
                inputs, failures = host.check(urn, olds, news)
            except HostError as exc:
                raise _StepFailed(op, _error_text(exc)) from None
            if failures:
                reasons = "; ".join(f"{p}: {r}" if p else r for p, r in failures)
                raise _StepFailed(op, f"check failed: {reasons}")
            return inputs

        def step(op: Op, new_inputs: Mapping[str, Any], replaces: Sequence[str] = ()) -> Step:
            olds = previous.inputs if previous is not None else None
            return Step(urn, op, "", olds, new_inputs, tuple(replaces), secrets)

        if previous is not None and journal.earlier(previous.urn, "updating", "deleting"):
            previous = self._reread(host, journal, previous, "update")

        if previous is None:
            inputs = check({}, "create")
            if preview:
                return _Outcome(step("create", inputs))
            pending, created = self._create(host, journal, state("", inputs, {}), "create")
            journal.end(pending, lambda s: s.resources.append(created))
            return _Outcome(step("create", inputs))

        inputs = check(previous.inputs, "update")
        diff = self._diff(host, previous, urn, inputs)
        if diff is None:
            same = state(previous.id, inputs, previous.outputs)
            if not preview:
                journal.change(lambda s: _swap(s, previous, same))
            return _Outcome(step("same", inputs))
        if not diff.replaces:
            if preview:
                return _Outcome(step("update", inputs))
            pending = journal.begin("updating", state(previous.id, inputs, previous.outputs))
            outputs = self._call(
                journal,
                pending,
                "update",
                lambda: host.update(previous.id, urn, previous.outputs, inputs, previous.inputs),
            )
            updated = state(previous.id, inputs, outputs)
            journal.end(pending, lambda s: _swap(s, previous, updated))
            return _Outcome(step("update", inputs))

        if registration.protect and previous.protect:
            raise _StepFailed(
                "replace",
                f'unable to replace resource "{urn}" as it is currently marked for protection. '
                "To unprotect the resource, remove the `protect` flag from the resource in your "
                "Pulumi program and run `pulumi up`",
            )
        inputs = check({}, "replace")
        delete_first = (
            registration.delete_before_replace
            if registration.delete_before_replace is not None
            else diff.deleteBeforeReplace
        )
        replacing = step("replace", inputs, diff.replaces)
        if preview:
            return _Outcome(replacing)
        if delete_first:
            self._delete_resource(host, journal, previous, "replace")
            pending, created = self._create(
                host, journal, state("", inputs, {}), "replace", deleted=True
            )
            journal.end(pending, lambda s: s.resources.append(created))
            return _Outcome(replacing)
        pending, created = self._create(host, journal, state("", inputs, {}), "replace")

        def replaced(target: StackState) -> None:
            previous.pending_delete = True
            target.resources.append(created)

        journal.end(pending, replaced)
        return _Outcome(replacing, replaced=previous)

    def _create(
        self,
        host: ProviderHost,
        journal: _Journal,
        new: ResourceState,
        op: Op,
        *,
        deleted: bool = False,
    ) -> tuple[PendingOperation, ResourceState]:
        """Create `new` (resumed, when an earlier run left its create pending: the provider
        is told when that create began); returns its pending operation, still to end, and the
        resource as created."""
        earlier = journal.earlier(new.urn, "creating")
        sent = (
            new.inputs if earlier is None else {**new.inputs, RESUMED_CREATE_KEY: earlier.started}
        )
        pending = journal.begin(
            "creating", new, started=earlier.started if earlier is not None else None
        )
        id_, outputs = self._call(
            journal, pending, op, lambda: host.create(new.urn, sent), deleted=deleted
        )
        return pending, replace(new, id=id_, outputs=outputs)

    @staticmethod
    def _diff(
        host: ProviderHost, previous: ResourceState, urn: str, inputs: dict[str, Any]
    ) -> provider_pb2.DiffResponse | None:
        """The provider's Diff of the recorded resource and `inputs`; None: no change."""
        try:
            diff = host.diff(previous.id, urn, previous.outputs, inputs, previous.inputs)
        except HostError as exc:
            raise _StepFailed("update", _error_text(exc)) from None
        if diff.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
            changed = inputs != previous.inputs
        else:
            changed = diff.changes == provider_pb2.DiffResponse.DIFF_SOME
        return diff if changed else None

    def _delete_resource(
        self, host: ProviderHost, journal: _Journal, resource: ResourceState, op: Op
    ) -> None:
        """Delete `resource` (no call under retainOnDelete, or without an id) and drop it
        from the state; pending and result recorded as for any call."""
        if resource.retain_on_delete or not resource.id:
            journal.change(lambda s: _drop(s, resource), save=True)
            return
        pending = journal.begin("deleting", resource)
        self._call(
            journal,
            pending,
            op,
            lambda: host.delete(resource.id, resource.urn, resource.outputs),
        )
        journal.end(pending, lambda s: _drop(s, resource))

    def _delete_all(
        self,
        host: ProviderHost,
        journal: _Journal,
        doomed: list[ResourceState],
        *,
        preview: bool,
    ) -> tuple[list[Step], list[str]]:
        """Delete `doomed` in reverse dependency order, one group of resources nothing else
        depends on at a time; stop after a group with a failure, or when the run is stopped.

        Returns the steps and the URNs whose delete never started."""
        remaining = list(doomed)
        steps: list[Step] = []
        while remaining and not journal.stopped:
            urns = {r.urn for r in remaining}
            depended_on = {d for r in remaining for d in r.dependencies if d in urns}
            group = [r for r in reversed(remaining) if r.urn not in depended_on]
            outcomes = self._delete_group(host, journal, group, preview)
            for resource, step in zip(group, outcomes, strict=True):
                if step is not None:
                    steps.append(step)
                    remaining.remove(resource)
            if any(step is not None and step.error for step in outcomes):
                break
        return steps, [r.urn for r in remaining]

    def _delete_group(
        self, host: ProviderHost, journal: _Journal, group: list[ResourceState], preview: bool
    ) -> list[Step | None]:
        """Each resource's delete step (None: not started)."""

        def delete(resource: ResourceState) -> Step | None:
            if journal.stopped:
                return None
            if resource.protect and not resource.pending_delete:
                return Step(
                    resource.urn,
                    "delete",
                    f'resource "{resource.urn}" cannot be deleted because it is protected. To '
                    "unprotect the resource, either remove the `protect` flag from the resource "
                    "in your Pulumi program and run `pulumi up`, or use the command: "
                    f"`pulumi state unprotect '{resource.urn}'`",
                )
            op: Op = "retain" if resource.retain_on_delete else "delete"
            if preview:
                return Step(resource.urn, op, olds=resource.inputs)
            try:
                if journal.earlier(resource.urn, "updating", "deleting"):
                    found = self._reread(host, journal, resource, "delete")
                    if found is None:  # the earlier run's delete happened
                        journal.resolve(resource.urn)
                        return Step(resource.urn, op, olds=resource.inputs)
                    resource = found
                self._delete_resource(host, journal, resource, "delete")
            except _NotStarted:
                return None
            except _StepFailed as exc:
                return Step(resource.urn, "delete", f"{resource.urn}: {exc}")
            journal.resolve(resource.urn)
            return Step(resource.urn, op, olds=resource.inputs)

        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(pool.map(delete, group))

    def _refresh(self, host: ProviderHost, state: StackState) -> Result:
        new_state = state.copy()

        def read(resource: ResourceState) -> tuple[Step, ResourceState | None]:
            try:
                id_, outputs, inputs = host.read(
                    resource.id, resource.urn, resource.outputs, resource.inputs
                )
            except HostError as exc:
                return Step(resource.urn, "read", f"{resource.urn}: {_error_text(exc)}"), resource
            if not id_:
                return Step(resource.urn, "gone", olds=resource.inputs), None
            refreshed = replace(resource, id=id_, outputs=outputs, inputs=inputs or resource.inputs)
            try:
                diff = host.diff(id_, resource.urn, outputs, resource.inputs, resource.inputs)
            except HostError as exc:
                return Step(resource.urn, "read", f"{resource.urn}: {_error_text(exc)}"), resource
            if diff.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
                drifted = refreshed.inputs != resource.inputs
            else:
                drifted = diff.changes == provider_pb2.DiffResponse.DIFF_SOME
            op: Op = "drift" if drifted else "read"
            return Step(resource.urn, op, "", resource.inputs, refreshed.inputs), refreshed

        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            outcomes = list(pool.map(read, new_state.resources))
        new_state.resources = [r for _, r in outcomes if r is not None]
        unread = {s.urn for s, _ in outcomes if s.error}
        new_state.pending = [  # a read resolves an update or delete left pending
            p for p in new_state.pending if p.operation == "creating" or p.urn in unread
        ]
        return Result("refresh", [s for s, _ in outcomes], new_state)
