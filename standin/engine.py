"""A stand-in for the Pulumi engine: a program's registrations played through the real
dynamic-provider host (`standin.host`), by the engine's rules.

`Engine` runs the operations (preview, up, refresh, destroy): it starts and configures the host,
plays the steps in parallel in dependency order and the deletes after them, and keeps the
state through a journal. Its parts: `standin.graph` (what is played, in which order),
`standin.steps` (one resource's step), `standin.journal` (the run's state and checkpoints),
`standin.snapshot` (what the stack records), `standin.results` (what a run did).

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

- a pending create is made again, marked as resumed (`standin.steps.RESUMED_CREATE_KEY`, the
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
(those whose inputs come from the replaced resource's outputs: this program links a tenant's
roles, SSO configurations and access keys to it with ``dependsOn`` only, which the engine does
not follow either; docs/configuration.md, "Sub-tenants", says what that means for a change of
``parent``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from standin.errors import StandinError
from standin.graph import deletion_group, match, targeted
from standin.host import PROJECT_DIR, ProviderHost
from standin.journal import Journal, NotStarted, StepFailed
from standin.program import Registration, urn_of
from standin.results import DEFAULT_PROVIDER_TYPE, Op, Operation, Result, Step
from standin.snapshot import Checkpoint, ResourceState, StackState
from standin.steps import Outcome, delete_resource, refresh_resource, reread, step_resource

__all__ = ["Engine"]


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
        journal = Journal(state.copy(), None, None)
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
        journal = Journal(state.copy(), checkpoint, stop)
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
        journal = Journal(state.copy(), None if preview else checkpoint, stop)
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
        journal: Journal,
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
        journal: Journal,
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
            journal = Journal(refreshed.state, journal.checkpoint, journal.stop)
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
        journal: Journal, registrations: Sequence[Registration], *, complete: bool, log: list[str]
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
        journal: Journal,
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
        matched = match(journal.state, registrations)
        claimed = {r.urn for r in matched.values() if r is not None}
        leftovers = [
            r
            for r in journal.state.resources
            if r.urn not in claimed and (chosen is None or r.urn in chosen)
        ]
        failed = threading.Event()
        outcomes: dict[str, Outcome] = {}
        futures: dict[str, Future[None]] = {}

        def run(registration: Registration, needs: list[Future[None]]) -> None:
            wait(needs)
            if chosen is not None and registration.urn not in chosen:
                return
            if failed.is_set() or journal.stopped:
                return
            previous = matched[registration.urn]
            try:
                outcome = step_resource(host, journal, registration, previous, preview)
            except NotStarted:
                return
            except StepFailed as exc:
                failed.set()
                step = Step(registration.urn, exc.op, f"{registration.urn}: {exc}")
                outcomes[registration.urn] = Outcome(step)
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

    def _delete_all(
        self,
        host: ProviderHost,
        journal: Journal,
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
            group = deletion_group(remaining)
            outcomes = self._delete_group(host, journal, group, preview)
            for resource, step in zip(group, outcomes, strict=True):
                if step is not None:
                    steps.append(step)
                    remaining.remove(resource)
            if any(step is not None and step.error for step in outcomes):
                break
        return steps, [r.urn for r in remaining]

    def _delete_group(
        self, host: ProviderHost, journal: Journal, group: list[ResourceState], preview: bool
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
                    found = reread(host, journal, resource, "delete")
                    if found is None:  # the earlier run's delete happened
                        journal.resolve(resource.urn)
                        return Step(resource.urn, op, olds=resource.inputs)
                    resource = found
                delete_resource(host, journal, resource, "delete")
            except NotStarted:
                return None
            except StepFailed as exc:
                return Step(resource.urn, "delete", f"{resource.urn}: {exc}")
            journal.resolve(resource.urn)
            return Step(resource.urn, op, olds=resource.inputs)

        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(pool.map(delete, group))

    def _refresh(self, host: ProviderHost, state: StackState) -> Result:
        """Every resource read at once (`standin.steps.refresh_resource`); the state kept whole:
        the resources as read, gone ones dropped, what the reads resolved no longer pending."""
        new_state = state.copy()
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            outcomes = list(pool.map(partial(refresh_resource, host), new_state.resources))
        new_state.resources = [r for _, r in outcomes if r is not None]
        unread = {s.urn for s, _ in outcomes if s.error}
        new_state.pending = [  # a read resolves an update or delete left pending
            p for p in new_state.pending if p.operation == "creating" or p.urn in unread
        ]
        return Result("refresh", [s for s, _ in outcomes], new_state)
