"""The state of one run as its steps finish, behind one lock, with its checkpoints.

Contract: every change a run makes to its state goes through a `Journal`. Before a Create,
Update or Delete call the operation is recorded as pending and saved (`Journal.begin`); the
call's answer is recorded, the pending operation dropped and the state saved (`Journal.end`).
A call that failed with the provider's answer ends its pending operation; one whose answer was
lost with the host (`UNCERTAIN`) leaves it pending for the next run (`call`). A step raises
`StepFailed` (its error, worded for the user) or `NotStarted` (its pending operation could not
be saved, so its call was not made).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import grpc

from standin.errors import StandinError
from standin.host import HostError
from standin.results import Op
from standin.snapshot import Checkpoint, Pending, PendingOperation, ResourceState, StackState

__all__ = [
    "UNCERTAIN",
    "Journal",
    "NotStarted",
    "StepFailed",
    "call",
    "drop",
    "error_text",
    "swap",
]

UNCERTAIN = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED,
)
"""A call failing so never got the provider's answer (the host died, or hung): whether it
acted is unknown, so its operation stays pending."""


class StepFailed(Exception):
    """A step failed; `deleted`: the resource was deleted first (a delete-before-replace).

    What failed, for a caller that tells failures apart (`standin.resource`): `host_error`,
    the host's answer to a call; `failures`, Check's (property, reason) pairs; neither, a step
    the engine refused itself (a protected resource)."""

    def __init__(
        self,
        op: Op,
        message: str,
        *,
        deleted: bool = False,
        host_error: HostError | None = None,
        failures: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.op, self.deleted = op, deleted
        self.host_error, self.failures = host_error, list(failures)


class NotStarted(Exception):
    """The step's pending operation could not be saved, so its call was not made."""


def error_text(exc: HostError) -> str:
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


def swap(state: StackState, old: ResourceState, new: ResourceState) -> None:
    """Record `new` in `old`'s place (`old`: the very object the state holds)."""
    index = next(i for i, resource in enumerate(state.resources) if resource is old)
    state.resources[index] = new


def drop(state: StackState, gone: ResourceState) -> None:
    """Forget `gone` (the very object the state holds)."""
    state.resources = [r for r in state.resources if r is not gone]


class Journal:
    """The state of one run as its steps finish, behind one lock, and its checkpoints.

    Every change to the state goes through here. `begin` records a pending operation and saves
    before its call; `end` records the call's result, drops the pending operation and saves.
    `checkpoint` None (a preview, or a caller that saves at the end) saves nothing. A save that
    fails is remembered (`save_error`) and stops the run: no step starts after it, and the step
    whose pending operation could not be saved does not make its call (`NotStarted`).
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
        run left pending for the resource. Raises `NotStarted` when it cannot be saved."""
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
                raise NotStarted
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


def call(
    journal: Journal,
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
        raise StepFailed(op, error_text(exc), deleted=deleted, host_error=exc) from None
