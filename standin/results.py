"""What a run did: a `Step` per resource (or, in a preview, what it would do) and the `Result`
of the whole run, with the state it leaves.

Contract: a `Result` lists its steps in the order the resources were registered or recorded;
`Result.ok` is true only when no step failed, the run was not stopped and every checkpoint was
saved. The default provider's step (`DEFAULT_PROVIDER_TYPE`) comes first, as in the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from standin.snapshot import StackState

__all__ = ["DEFAULT_PROVIDER_TYPE", "Op", "Operation", "Result", "Step"]

DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-python"
"""The default provider the engine registers for dynamic resources (its inputs: the config)."""
Operation = Literal["preview", "up", "refresh", "destroy"]
Op = Literal["create", "update", "same", "replace", "delete", "retain", "drift", "gone", "read"]
"""What a step did: ``retain`` left the state without a Delete call; ``drift`` and ``gone``
are a refresh's findings; ``read`` a refresh that found nothing changed."""


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
        """Counts per step kind (``2 create, 1 failed``), in order of first appearance."""
        counts: dict[str, int] = {}
        for step in self.steps:
            key = "failed" if step.error else step.op
            counts[key] = counts.get(key, 0) + 1
        return ", ".join(f"{n} {op}" for op, n in counts.items()) or "nothing to do"
