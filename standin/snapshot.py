"""What a stack records (Pulumi's snapshot): its resources, the config of its last ``up``, and
the operations begun and not known to have finished; and the state file that holds them.

Contract: `StackState` is plain data that the engine changes only through its journal
(`standin.journal.Journal`); `StackState.save` writes it whole or not at all, without a secret
in plain text (secret config as fingerprints, secret properties sealed by `standin.sealed`), and
`StackState.load` reads it back, or names the file and says what to do when it cannot.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from standin import sealed
from standin.errors import StandinError
from standin.files import write_atomic

__all__ = [
    "STATE_FORMAT",
    "Checkpoint",
    "Pending",
    "PendingOperation",
    "ResourceState",
    "StackState",
]

Pending = Literal["creating", "updating", "deleting"]
Checkpoint = Callable[["StackState"], None]
"""Saves the state it is given (a `StandinError` when it cannot); called with the engine's lock
held, so one save at a time and never a state being changed."""
STATE_FORMAT = "descope-config-standin-state/1"


def _fingerprint(value: str) -> str:
    """The recorded form of a secret config value: its SHA-256, never the value."""
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
    """Unix time the call began (a resumed create's `standin.steps.RESUMED_CREATE_KEY`)."""
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
