"""One resource's step through the provider host, by the engine's rules: Check, Diff, then
Create, Update, a replace (create-before-delete, or delete-before-replace), or nothing; a
Delete; a refresh's Read.

Contract: each function makes the provider calls of one step and records them in the run's
journal (`standin.journal.Journal`: pending before the call, the answer after it); a step that
fails raises `standin.journal.StepFailed` with the provider's own words. In a preview no
Create, Update or Delete call is made. A create that an earlier run left pending is made again
with `RESUMED_CREATE_KEY`, so the provider can tell what that first create made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from standin.host import PROVIDER_KEY, HostError, ProviderHost
from standin.journal import Journal, StepFailed, call, drop, error_text, swap
from standin.program import Registration
from standin.results import Op, Step
from standin.snapshot import PendingOperation, ResourceState, StackState

__all__ = [
    "RESUMED_CREATE_KEY",
    "Outcome",
    "create",
    "delete_resource",
    "diff_resource",
    "differs",
    "refresh_or_raise",
    "refresh_resource",
    "reread",
    "secret_paths",
    "step_resource",
    "unwrap",
]

RESUMED_CREATE_KEY = "__resumedCreate"
"""The input added to a create made again after a run that recorded it as pending and never
learnt its result: the Unix time that first create began. It is the stand-in's word to the
providers, who know it by the same name (`providers.calls.RESUMED_CREATE_KEY`, pinned equal by
a test) without either side importing the other."""


@dataclass(frozen=True)
class Outcome:
    """A registration's step, and what it leaves due for deletion."""

    step: Step
    replaced: ResourceState | None = None
    """The old copy of a resource replaced create-before-delete: deleted with the deletes."""


def unwrap(value: Any) -> Any:
    """`value` with every secret wrapper removed (the host does not accept secrets)."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def secret_paths(value: Any, prefix: str = "") -> frozenset[str]:
    """The dotted paths in `value` (registered inputs) that hold a wrapped secret."""
    if rpc.is_rpc_secret(value):
        return frozenset({prefix})
    if isinstance(value, Mapping):
        found: set[str] = set()
        for key, item in value.items():
            found |= secret_paths(item, f"{prefix}.{key}" if prefix else str(key))
        return frozenset(found)
    return frozenset()


def step_resource(
    host: ProviderHost,
    journal: Journal,
    registration: Registration,
    previous: ResourceState | None,
    preview: bool,
) -> Outcome:
    """One registration's step, its result recorded in the journal's state."""
    urn = registration.urn
    news = unwrap(registration.inputs)
    secrets = secret_paths(registration.inputs)

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
            raise StepFailed(op, error_text(exc), host_error=exc) from None
        if failures:
            reasons = "; ".join(f"{p}: {r}" if p else r for p, r in failures)
            raise StepFailed(op, f"check failed: {reasons}", failures=failures)
        return inputs

    def step(op: Op, new_inputs: Mapping[str, Any], replaces: Sequence[str] = ()) -> Step:
        olds = previous.inputs if previous is not None else None
        return Step(urn, op, "", olds, new_inputs, tuple(replaces), secrets)

    if previous is not None and journal.earlier(previous.urn, "updating", "deleting"):
        previous = reread(host, journal, previous, "update")

    if previous is None:
        inputs = check({}, "create")
        if preview:
            return Outcome(step("create", inputs))
        pending, created = create(host, journal, state("", inputs, {}), "create")
        journal.end(pending, lambda s: s.resources.append(created))
        return Outcome(step("create", inputs))

    inputs = check(previous.inputs, "update")
    diff = diff_resource(host, previous, urn, inputs)
    if diff is None:
        same = state(previous.id, inputs, previous.outputs)
        if not preview:
            journal.change(lambda s: swap(s, previous, same))
        return Outcome(step("same", inputs))
    if not diff.replaces:
        if preview:
            return Outcome(step("update", inputs))
        pending = journal.begin("updating", state(previous.id, inputs, previous.outputs))
        outputs = call(
            journal,
            pending,
            "update",
            lambda: host.update(previous.id, urn, previous.outputs, inputs, previous.inputs),
        )
        updated = state(previous.id, inputs, outputs)
        journal.end(pending, lambda s: swap(s, previous, updated))
        return Outcome(step("update", inputs))

    if registration.protect and previous.protect:
        raise StepFailed(
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
        return Outcome(replacing)
    if delete_first:
        delete_resource(host, journal, previous, "replace")
        pending, created = create(host, journal, state("", inputs, {}), "replace", deleted=True)
        journal.end(pending, lambda s: s.resources.append(created))
        return Outcome(replacing)
    pending, created = create(host, journal, state("", inputs, {}), "replace")

    def replaced(target: StackState) -> None:
        previous.pending_delete = True
        target.resources.append(created)

    journal.end(pending, replaced)
    return Outcome(replacing, replaced=previous)


def reread(
    host: ProviderHost, journal: Journal, resource: ResourceState, op: Op
) -> ResourceState | None:
    """`resource` as Descope holds it (None: gone), for a resource an earlier run left an
    update or delete pending on; the state records what was read."""
    try:
        id_, outputs, inputs = host.read(
            resource.id, resource.urn, resource.outputs, resource.inputs
        )
    except HostError as exc:
        raise StepFailed(op, error_text(exc), host_error=exc) from None
    if not id_:
        journal.change(lambda s: drop(s, resource), save=True)
        return None
    read = replace(resource, id=id_, outputs=outputs, inputs=inputs or resource.inputs)
    journal.change(lambda s: swap(s, resource, read))
    return read


def create(
    host: ProviderHost,
    journal: Journal,
    new: ResourceState,
    op: Op,
    *,
    deleted: bool = False,
) -> tuple[PendingOperation, ResourceState]:
    """Create `new` (resumed, when an earlier run left its create pending: the provider
    is told when that create began); returns its pending operation, still to end, and the
    resource as created."""
    earlier = journal.earlier(new.urn, "creating")
    sent = new.inputs if earlier is None else {**new.inputs, RESUMED_CREATE_KEY: earlier.started}
    pending = journal.begin(
        "creating", new, started=earlier.started if earlier is not None else None
    )
    id_, outputs = call(journal, pending, op, lambda: host.create(new.urn, sent), deleted=deleted)
    return pending, replace(new, id=id_, outputs=outputs)


def differs(
    diff: provider_pb2.DiffResponse, before: Mapping[str, Any], after: Mapping[str, Any]
) -> bool:
    """Whether `diff` says the resource changed; DIFF_UNKNOWN is decided, as the engine decides
    it, by comparing the inputs `before` and `after`."""
    if diff.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
        return before != after
    return bool(diff.changes == provider_pb2.DiffResponse.DIFF_SOME)


def diff_resource(
    host: ProviderHost, previous: ResourceState, urn: str, inputs: dict[str, Any]
) -> provider_pb2.DiffResponse | None:
    """The provider's Diff of the recorded resource and `inputs`; None: no change."""
    try:
        diff = host.diff(previous.id, urn, previous.outputs, inputs, previous.inputs)
    except HostError as exc:
        raise StepFailed("update", error_text(exc), host_error=exc) from None
    return diff if differs(diff, previous.inputs, inputs) else None


def delete_resource(host: ProviderHost, journal: Journal, resource: ResourceState, op: Op) -> None:
    """Delete `resource` (no call under retainOnDelete, or without an id) and drop it
    from the state; pending and result recorded as for any call."""
    if resource.retain_on_delete or not resource.id:
        journal.change(lambda s: drop(s, resource), save=True)
        return
    pending = journal.begin("deleting", resource)
    call(
        journal,
        pending,
        op,
        lambda: host.delete(resource.id, resource.urn, resource.outputs),
    )
    journal.end(pending, lambda s: drop(s, resource))


def refresh_resource(
    host: ProviderHost, resource: ResourceState
) -> tuple[Step, ResourceState | None]:
    """`pulumi refresh` of one resource: Read it, then Diff what Descope holds against the
    recorded inputs. Returns the step (``read``: nothing changed, or the read failed, with its
    error; ``drift``; ``gone``) and the resource as refreshed (None: gone; as recorded after an
    error). No journal: the refresh keeps the state it builds from these, whole, at its end."""
    try:
        return refresh_or_raise(host, resource)
    except HostError as exc:
        return Step(resource.urn, "read", f"{resource.urn}: {error_text(exc)}"), resource


def refresh_or_raise(
    host: ProviderHost, resource: ResourceState
) -> tuple[Step, ResourceState | None]:
    """`refresh_resource`'s calls, the host's error (`HostError`) raised as it came."""
    id_, outputs, inputs = host.read(resource.id, resource.urn, resource.outputs, resource.inputs)
    if not id_:
        return Step(resource.urn, "gone", olds=resource.inputs), None
    refreshed = replace(resource, id=id_, outputs=outputs, inputs=inputs or resource.inputs)
    diff = host.diff(id_, resource.urn, outputs, resource.inputs, resource.inputs)
    drifted = differs(diff, resource.inputs, refreshed.inputs)
    op: Op = "drift" if drifted else "read"
    return Step(resource.urn, op, "", resource.inputs, refreshed.inputs), refreshed
