"""Drive one resource through Pulumi's own dynamic-provider host, a call at a time.

`ProviderHost` (in `standin.host`, shared with the stand-in engine) is the host process.
`ResourceUnderTest` keeps one resource's state across calls the way the engine keeps it in the
stack: outputs as recorded state, checked inputs as the last inputs. It serves tests about one
provider's answers (faults, adopt, concurrency); what a whole `pulumi up` does is played by
`standin.engine` (tests/engine/test_program_engine.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ResourceProvider
from pulumi.runtime.proto import provider_pb2

from standin.host import (
    PROJECT_DIR,
    PROVIDER_KEY,
    UNKNOWN,
    HostError,
    ProviderHost,
    from_struct,
    provider_blob,
    to_struct,
)

REPO_ROOT = PROJECT_DIR

__all__ = [
    "PROVIDER_KEY",
    "REPO_ROOT",
    "UNKNOWN",
    "CheckFailed",
    "HostError",
    "ProviderHost",
    "ResourceUnderTest",
    "from_struct",
    "provider_blob",
    "to_struct",
]


class CheckFailed(Exception):
    """`check` returned failures; `failures` holds (property, reason) pairs."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {r}" for p, r in failures))
        self.failures = failures


@dataclass
class ResourceUnderTest:
    """One resource's life as the engine would lead it: state kept between calls."""

    host: ProviderHost
    provider: ResourceProvider
    type_token: str
    name: str
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:test::descope-config::{self.type_token}::{self.name}"

    def _with_provider(self, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: provider_blob(self.provider)}

    def check(self, props: dict[str, Any]) -> dict[str, Any]:
        """Check `props` as new inputs; raise `CheckFailed` on failures."""
        inputs, failures = self.host.check(self.urn, self.inputs, self._with_provider(props))
        if failures:
            raise CheckFailed(failures)
        return inputs

    def preview(self, props: dict[str, Any]) -> provider_pb2.DiffResponse | None:
        """Check and diff as `pulumi preview` does; None when the resource would be created."""
        inputs = self.check(props)
        if not self.id:
            return None
        return self.host.diff(self.id, self.urn, self.outputs, inputs)

    def up(self, props: dict[str, Any]) -> str:
        """Check, diff and create/update/replace as `pulumi up` does; returns what happened."""
        inputs = self.check(props)
        if not self.id:
            self.id, self.outputs = self.host.create(self.urn, inputs)
            self.inputs = inputs
            return "create"
        diff = self.host.diff(self.id, self.urn, self.outputs, inputs)
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            self.inputs = inputs
            return "same"
        if diff.replaces:
            old_id, old_outputs = self.id, self.outputs
            if diff.deleteBeforeReplace:
                self.host.delete(old_id, self.urn, old_outputs)
                self.id, self.outputs = self.host.create(self.urn, inputs)
            else:
                self.id, self.outputs = self.host.create(self.urn, inputs)
                self.host.delete(old_id, self.urn, old_outputs)
            self.inputs = inputs
            return "replace"
        self.outputs = self.host.update(self.id, self.urn, self.outputs, inputs)
        self.inputs = inputs
        return "update"

    def refresh(self) -> bool:
        """Read as `pulumi refresh` does; False when the resource is gone (then forgotten)."""
        new_id, outputs, inputs = self.host.read(self.id, self.urn, self.outputs, self.inputs)
        if not new_id:
            self.id, self.outputs, self.inputs = "", {}, {}
            return False
        self.id, self.outputs = new_id, outputs
        if inputs is not None:
            self.inputs = inputs
        return True

    def destroy(self) -> None:
        self.host.delete(self.id, self.urn, self.outputs)
        self.id, self.outputs, self.inputs = "", {}, {}
