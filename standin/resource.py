"""One resource driven through the provider host by the engine's rules, an operation at a time.

`SingleResource` keeps one resource's record between operations as a stack records it (its
id, its outputs, its last checked inputs) and plays ``pulumi up``, ``preview``, ``refresh`` and
``destroy`` of that resource alone with the engine's own steps (`standin.steps`): Check, Diff,
then Create, Update, a replace (re-checked from empty olds; the old one deleted first when the
Diff asks for deleteBeforeReplace, else after the new one is created), or nothing; a refresh's
Read and inverted Diff; a Delete. The resource is registered without options (no protect, no
retainOnDelete, the provider's Diff decides deleteBeforeReplace).

It serves what drives one provider at a time (tests of a provider's answers, the benchmark's
workloads); what a whole program's run does is `standin.engine`'s.

Contract: the record changes only as the engine's state would (a step that fails part way
leaves what was done recorded). A failure comes as the caller can tell it apart: the host's
answer to a call as the `standin.host.HostError` it raised, Check's failures as `CheckFailed`,
a step the engine refuses itself as `standin.journal.StepFailed`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ResourceProvider

from standin.host import PROVIDER_KEY, ProviderHost, provider_blob
from standin.journal import Journal, StepFailed
from standin.program import Registration, urn_of
from standin.results import Op, Step
from standin.snapshot import ResourceState, StackState
from standin.steps import delete_resource, refresh_or_raise, step_resource

__all__ = ["CheckFailed", "ProviderBlobs", "SingleResource"]


class CheckFailed(Exception):
    """`check` returned failures; `failures` holds (property, reason) pairs."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {r}" for p, r in failures))
        self.failures = failures


class ProviderBlobs:
    """`provider_blob`, computed once per provider object, as a program computes it once per
    registration (each pickling by Pulumi's serializer also stacks one more wrapper on the
    pickler, and a few hundred exceed Python's recursion limit). Safe across threads."""

    def __init__(self) -> None:
        self._blobs: dict[int, tuple[ResourceProvider, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, provider: ResourceProvider) -> str:
        with self._lock:
            key = id(provider)
            if key not in self._blobs:
                # The provider is kept with its blob: an id is unique only while its object lives.
                self._blobs[key] = (provider, provider_blob(provider))
            return self._blobs[key][1]


@dataclass
class SingleResource:
    """One resource's life as the engine leads it: its record kept between operations.

    `blob` gives the ``__provider`` input registered with the resource (default: pickled
    afresh on each operation, as a program run registers it; a `ProviderBlobs` pickles once).
    """

    host: ProviderHost
    provider: ResourceProvider
    type_token: str
    name: str
    stack: str = "test"
    project: str = "descope-config"
    blob: Callable[[ResourceProvider], str] = provider_blob
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return urn_of(self.stack, self.project, self.type_token, self.name)

    def recorded(self) -> ResourceState | None:
        """The resource as the stack records it; None when there is none (not created, gone)."""
        if not self.id:
            return None
        return ResourceState(
            self.urn, self.type_token, self.id, dict(self.inputs), dict(self.outputs)
        )

    def check(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Check `props` as new inputs against the recorded ones; raise `CheckFailed` on
        failures. (Each operation checks as the engine does; this is Check alone.)"""
        inputs, failures = self.host.check(self.urn, self.inputs, self._news(props))
        if failures:
            raise CheckFailed(failures)
        return inputs

    def up(self, props: Mapping[str, Any]) -> Op:
        """``pulumi up`` of the resource with inputs `props`; what it did: ``create``,
        ``same``, ``update`` or ``replace``."""
        return self._step(props, preview=False).op

    def preview(self, props: Mapping[str, Any]) -> Step:
        """``pulumi preview`` of the resource with inputs `props` (Check and Diff, no Create,
        Update or Delete): the step it would take, with the inputs whose change replaces it."""
        return self._step(props, preview=True)

    def refresh(self) -> bool:
        """``pulumi refresh`` of the resource (Read, then the inverted Diff); False when it is
        gone, and then forgotten."""
        previous = self.recorded()
        if previous is None:
            return False
        _, refreshed = refresh_or_raise(self.host, previous)
        self._record(refreshed)
        return refreshed is not None

    def destroy(self) -> None:
        """``pulumi destroy`` of the resource: its Delete, then forgotten."""
        previous = self.recorded()
        if previous is None:
            return
        journal = self._journal(previous)
        try:
            delete_resource(self.host, journal, previous, "delete")
        except StepFailed as failed:
            raise _told_apart(failed) from None
        finally:
            self._record(self._current(journal))

    def _news(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: self.blob(self.provider)}

    def _step(self, props: Mapping[str, Any], *, preview: bool) -> Step:
        previous = self.recorded()
        registration = Registration(self.urn, self.type_token, self.name, self._news(props))
        journal = self._journal(previous)
        try:
            outcome = step_resource(self.host, journal, registration, previous, preview)
            if outcome.replaced is not None:
                # The old copy of a create-before-delete replace: deleted after the new one
                # is created, as the engine deletes it with the run's deletes.
                delete_resource(self.host, journal, outcome.replaced, "replace")
        except StepFailed as failed:
            raise _told_apart(failed) from None
        finally:
            self._record(self._current(journal))
        return outcome.step

    def _journal(self, previous: ResourceState | None) -> Journal:
        """A run's journal over a stack holding only this resource, saved nowhere."""
        resources = [previous] if previous is not None else []
        return Journal(StackState(self.stack, self.project, resources=resources), None, None)

    def _current(self, journal: Journal) -> ResourceState | None:
        """This resource as the run left it in the state (not an old copy due for delete)."""
        return next(
            (r for r in journal.state.resources if r.urn == self.urn and not r.pending_delete),
            None,
        )

    def _record(self, resource: ResourceState | None) -> None:
        if resource is None:
            self.id, self.outputs, self.inputs = "", {}, {}
        else:
            self.id, self.outputs, self.inputs = resource.id, resource.outputs, resource.inputs


def _told_apart(failed: StepFailed) -> Exception:
    """What `failed` is: the host's error, Check's failures, or a step the engine refused."""
    if failed.host_error is not None:
        return failed.host_error
    if failed.failures:
        return CheckFailed(failed.failures)
    return failed
