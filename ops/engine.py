"""A stand-in for the Pulumi engine: a program's registrations played through the real
dynamic-provider host (`ops.host`), by the engine's rules.

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

Not played: ``--target`` for refresh and destroy, ``ignoreChanges``, ``replaceOnChanges``,
imports, component resources, and the dependents a delete-before-replace would also replace
(this program has none).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from ops.errors import OpsError
from ops.files import write_atomic
from ops.host import PROJECT_DIR, HostError, ProviderHost
from ops.program import Registration, urn_of

__all__ = [
    "DEFAULT_PROVIDER_TYPE",
    "Engine",
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
        )


@dataclass
class StackState:
    """A stack's state: its resources, and the config recorded at the last ``up``."""

    stack: str
    project: str = "descope-config"
    config: dict[str, str] | None = None
    """The default provider's inputs at the last up (None: no up yet)."""
    secret_keys: tuple[str, ...] = ()
    resources: list[ResourceState] = field(default_factory=list)

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
        )

    # --- the state file (the stand-in's; Pulumi keeps its own in its backend) ---------------

    def save(self, path: Path) -> None:
        """Write the state to `path` atomically (mode 0600). Secret config values are written
        as fingerprints only: a file never holds a credential."""
        config = None
        if self.config is not None:
            config = {
                key: {"fingerprint": _fingerprint(value)} if key in self.secret_keys else value
                for key, value in self.config.items()
            }
        body = {
            "format": "descope-config-standin-state/1",
            "stack": self.stack,
            "project": self.project,
            "config": config,
            "secretKeys": list(self.secret_keys),
            "resources": [r.to_json() for r in self.resources],
        }
        write_atomic(path, json.dumps(body, indent=2, sort_keys=True) + "\n", mode=0o600)

    @classmethod
    def load(cls, path: Path, stack: str, current_config: Mapping[str, str]) -> StackState:
        """The state in `path`, or an empty one for `stack` if there is no file.

        A secret recorded as a fingerprint takes the current value when it matches; otherwise
        the recorded value is unknown, as it would be to anyone but Pulumi's secrets provider.
        """
        if not path.exists():
            return cls(stack)
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
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
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OpsError(
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

    @property
    def errors(self) -> list[str]:
        return [step.error for step in self.steps if step.error]

    @property
    def ok(self) -> bool:
        return not self.errors

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
        raise OpsError(
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


class _StepFailed(Exception):
    """A step failed; `deleted`: the resource was deleted first (a delete-before-replace)."""

    def __init__(self, op: Op, message: str, *, deleted: bool = False) -> None:
        super().__init__(message)
        self.op, self.deleted = op, deleted


@dataclass(frozen=True)
class _Outcome:
    step: Step
    resource: ResourceState | None
    """What the state records for the registration (None: nothing)."""
    pending: ResourceState | None = None
    """The old copy of a resource replaced create-before-delete: deleted with the deletes."""


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


class Engine:
    """Plays preview, up, refresh and destroy for one project; see the module docstring.

    `env` is added to the provider host's environment (the engine's own environment reaches
    the host the same way); `parallel` is ``--parallel`` (Pulumi's default: 4 x CPUs).
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
        return self._deploy(
            state, registrations, config, secret_keys, preview=True, refresh=refresh,
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
    ) -> Result:
        """``pulumi up [--refresh] [--run-program] [--target T]...``; the result's state is the
        new state. `targets`: see `targeted`."""
        return self._deploy(
            state, registrations, config, secret_keys, preview=False, refresh=refresh,
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
        program's current config: ``--run-program``)."""
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
    ) -> Result:
        """``pulumi destroy``: every resource, in reverse dependency order; configured as
        `refresh` is."""
        used, secrets = self._config_for(state, config, secret_keys)
        new_state = state.copy()
        log: list[str] = []
        with self._host(used, secrets, log) as host:
            steps = self._delete_all(host, new_state, list(new_state.resources), preview=preview)
        if not preview and not any(s.error for s in steps):
            new_state.config = None
        return Result("destroy", steps, state if preview else new_state, log)

    # --- internals ---------------------------------------------------------------------------

    def _config_for(
        self, state: StackState, config: Mapping[str, str] | None, secret_keys: Iterable[str]
    ) -> tuple[dict[str, str], tuple[str, ...]]:
        if config is not None:
            return dict(config), tuple(secret_keys)
        if state.config is None:
            raise OpsError(
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
        state: StackState,
        registrations: Sequence[Registration],
        config: Mapping[str, str],
        secret_keys: Iterable[str],
        *,
        preview: bool,
        refresh: bool,
        run_program: bool,
        targets: Collection[str] = (),
    ) -> Result:
        chosen = targeted(state, registrations, targets)
        secrets = tuple(secret_keys)
        operation: Operation = "preview" if preview else "up"
        steps: list[Step] = []
        log: list[str] = []
        start = state.copy()
        if refresh:
            used, used_secrets = self._config_for(
                state, config if run_program or state.config is None else None, secrets
            )
            with self._host(used, used_secrets, log) as host:
                refreshed = self._refresh(host, start)
            steps.extend(s for s in refreshed.steps if s.op != "read" or s.error)
            if not refreshed.ok:
                return Result(operation, steps, state, log)
            start = refreshed.state
        provider_step: Op = (
            "create"
            if start.config is None
            else "same"
            if start.config == dict(config) and set(start.secret_keys) == set(secrets)
            else "update"
        )
        steps.append(Step(self._provider_urn(state), provider_step))
        with self._host(config, secrets, log) as host:
            new_state, resource_steps, doomed = self._register(
                host, start, registrations, preview, chosen
            )
            steps.extend(resource_steps)
            if not any(s.error for s in steps):
                steps.extend(self._delete_all(host, new_state, doomed, preview=preview))
        new_state.config, new_state.secret_keys = dict(config), secrets
        return Result(operation, steps, state.copy() if preview else new_state, log)

    def _register(
        self,
        host: ProviderHost,
        old: StackState,
        registrations: Sequence[Registration],
        preview: bool,
        chosen: frozenset[str] | None = None,
    ) -> tuple[StackState, list[Step], list[ResourceState]]:
        """The create, update, same and replace steps, as registrations arrive.

        Returns the new state, the steps, and what is due for deletion: resources no longer
        registered, and the old copies of resources replaced create-before-delete. With
        `chosen` (the URNs of ``--target`` and their dependencies) the others are left as the
        state records them: no step, no delete."""
        matched = self._match(old, registrations)
        failed = threading.Event()
        outcomes: dict[str, _Outcome] = {}
        futures: dict[str, Future[None]] = {}

        def run(registration: Registration, needs: list[Future[None]]) -> None:
            wait(needs)
            if failed.is_set() or (chosen is not None and registration.urn not in chosen):
                return
            previous = matched[registration.urn]
            try:
                outcomes[registration.urn] = self._step(host, registration, previous, preview)
            except _StepFailed as exc:
                failed.set()
                step = Step(registration.urn, exc.op, f"{registration.urn}: {exc}")
                kept = None if exc.deleted or previous is None else replace(previous)
                outcomes[registration.urn] = _Outcome(step, kept)

        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            for registration in registrations:
                needs = [futures[d] for d in registration.dependencies if d in futures]
                futures[registration.urn] = pool.submit(run, registration, needs)
        for future in futures.values():
            future.result()

        new = StackState(old.stack, old.project, old.config, old.secret_keys)
        steps: list[Step] = []
        doomed: list[ResourceState] = []
        for registration in registrations:
            previous = matched[registration.urn]
            outcome = outcomes.get(registration.urn)
            if outcome is None:  # never started: a step before it failed
                if previous is not None:
                    new.resources.append(replace(previous))
                continue
            steps.append(outcome.step)
            if outcome.resource is not None:
                new.resources.append(outcome.resource)
            if outcome.pending is not None:
                pending = replace(outcome.pending, pending_delete=True)
                new.resources.append(pending)
                doomed.append(pending)
        claimed = {r.urn for r in matched.values() if r is not None}
        for resource in old.resources:
            if resource.urn not in claimed:
                leftover = replace(resource)
                new.resources.append(leftover)
                if chosen is None or resource.urn in chosen:
                    doomed.append(leftover)
        return new, steps, doomed

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

    def _step(
        self,
        host: ProviderHost,
        registration: Registration,
        previous: ResourceState | None,
        preview: bool,
    ) -> _Outcome:
        """One registration's step."""
        urn = registration.urn
        news = _unwrap(registration.inputs)
        secrets = _secret_paths(registration.inputs)

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

        def call(op: Op, fn: Callable[[], Any], *, deleted: bool = False) -> Any:
            try:
                return fn()
            except HostError as exc:
                raise _StepFailed(op, _error_text(exc), deleted=deleted) from None

        def step(op: Op, new_inputs: Mapping[str, Any], replaces: Sequence[str] = ()) -> Step:
            olds = previous.inputs if previous is not None else None
            return Step(urn, op, "", olds, new_inputs, tuple(replaces), secrets)

        if previous is None:
            inputs = check({}, "create")
            if preview:
                return _Outcome(step("create", inputs), state("", inputs, {}))
            id_, outputs = call("create", lambda: host.create(urn, inputs))
            return _Outcome(step("create", inputs), state(id_, inputs, outputs))

        inputs = check(previous.inputs, "update")
        diff = call(
            "update",
            lambda: host.diff(previous.id, urn, previous.outputs, inputs, previous.inputs),
        )
        if diff.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
            changed = inputs != previous.inputs
        else:
            changed = diff.changes == provider_pb2.DiffResponse.DIFF_SOME
        if not changed:
            return _Outcome(step("same", inputs), state(previous.id, inputs, previous.outputs))
        if not diff.replaces:
            if preview:
                return _Outcome(
                    step("update", inputs), state(previous.id, inputs, previous.outputs)
                )
            outputs = call(
                "update",
                lambda: host.update(previous.id, urn, previous.outputs, inputs, previous.inputs),
            )
            return _Outcome(step("update", inputs), state(previous.id, inputs, outputs))

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
        replaced = step("replace", inputs, diff.replaces)
        if preview:
            return _Outcome(replaced, state(previous.id, inputs, previous.outputs))
        if delete_first:
            if not previous.retain_on_delete:
                call("replace", lambda: host.delete(previous.id, previous.urn, previous.outputs))
            id_, outputs = call("replace", lambda: host.create(urn, inputs), deleted=True)
            return _Outcome(replaced, state(id_, inputs, outputs))
        id_, outputs = call("replace", lambda: host.create(urn, inputs))
        return _Outcome(replaced, state(id_, inputs, outputs), pending=previous)

    def _delete_all(
        self,
        host: ProviderHost,
        state: StackState,
        doomed: list[ResourceState],
        *,
        preview: bool,
    ) -> list[Step]:
        """Delete `doomed` from `state` in reverse dependency order, one group of resources
        nothing else depends on at a time; stop after a group with a failure."""
        remaining = list(doomed)
        steps: list[Step] = []
        while remaining:
            urns = {r.urn for r in remaining}
            depended_on = {d for r in remaining for d in r.dependencies if d in urns}
            group = [r for r in reversed(remaining) if r.urn not in depended_on]
            outcomes = self._delete_group(host, group, preview)
            steps.extend(outcomes)
            for resource, step in zip(group, outcomes, strict=True):
                remaining.remove(resource)
                if not step.error and not preview:
                    state.resources = [r for r in state.resources if r is not resource]
            if any(step.error for step in outcomes):
                break
        return steps

    def _delete_group(
        self, host: ProviderHost, group: list[ResourceState], preview: bool
    ) -> list[Step]:
        def delete(resource: ResourceState) -> Step:
            if resource.protect and not resource.pending_delete:
                return Step(
                    resource.urn,
                    "delete",
                    f'resource "{resource.urn}" cannot be deleted because it is protected. To '
                    "unprotect the resource, either remove the `protect` flag from the resource "
                    "in your Pulumi program and run `pulumi up`, or use the command: "
                    f"`pulumi state unprotect '{resource.urn}'`",
                )
            if resource.retain_on_delete:
                return Step(resource.urn, "retain", olds=resource.inputs)
            if not preview and resource.id:
                try:
                    host.delete(resource.id, resource.urn, resource.outputs)
                except HostError as exc:
                    return Step(resource.urn, "delete", f"{resource.urn}: {_error_text(exc)}")
            return Step(resource.urn, "delete", olds=resource.inputs)

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
        return Result("refresh", [s for s, _ in outcomes], new_state)
