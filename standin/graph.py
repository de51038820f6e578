"""Which resources a run plays, and in which order: the parts of the engine's rules that read
only the registrations and the state, never the provider host.

Contract: `targeted` gives the URNs ``--target`` plays (or refuses an unknown target before
anything runs); `match` finds each registration's resource in the old state (by URN, else by an
alias); `deletion_group` gives the next resources to delete, none of which anything still due
for deletion depends on.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from standin.errors import StandinError
from standin.program import Registration
from standin.snapshot import ResourceState, StackState

__all__ = ["deletion_group", "match", "targeted"]


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


def match(
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


def deletion_group(remaining: Sequence[ResourceState]) -> list[ResourceState]:
    """The resources of `remaining` that nothing else in it depends on, the last recorded
    first: they can be deleted at once, before the resources they depend on."""
    urns = {r.urn for r in remaining}
    depended_on = {d for r in remaining for d in r.dependencies if d in urns}
    return [r for r in reversed(remaining) if r.urn not in depended_on]
