"""The skeleton the resources deployed by import share (`providers.flow`, `providers.theme`).

Such a resource's inputs are exported content, normalised, and its hash; Descope keeps no
history of console edits, so what it holds is saved to the backup folder before it is
overwritten whenever it differs from what Pulumi last deployed. What both do the same way
lives here, once:

- `Target`: how a resource reaches its content (export, import, normalise) and names it;
- `deploy`: export, snapshot what differs from both the recorded and the desired hash, import
  unless Descope already holds the desired content; an import whose answer is not understood
  counts as made only when an export shows the new content (`settle_import`);
- `recorded`: what a read records, given Descope's content and the last deployment;
- `recorded_hash`, `state_drifted`: the last deployment, as the outputs record it;
- `holds`, `kept_in`, `save_snapshot`: a copy holding the desired values, the sentence naming
  a snapshot, and the snapshot with its warning.

The outputs record two hashes of the last deployment: ``deployedInputHash``, the contentHash
that was deployed, and ``deployedHash``, the hash of what Descope stored. Nothing here is
pickled into state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from model.flow import content_hash
from providers.errors import (
    AnswerNotUnderstood,
    DescopeApiError,
    answer_of,
    snapshot_warning,
    when_not_understood,
)
from providers.resource import snapshot_before

__all__ = [
    "OUTPUT_ONLY_KEYS",
    "Deployed",
    "Target",
    "deploy",
    "holds",
    "kept_in",
    "recorded",
    "recorded_hash",
    "save_snapshot",
    "settle_import",
    "state_drifted",
]

log = logging.getLogger(__name__)

OUTPUT_ONLY_KEYS = ("version", "deployedHash", "deployedInputHash", "lastSnapshot")
"""What the provider adds: Descope's version of the content, the hash of what Pulumi deployed
as Descope stored it, the contentHash that was deployed, and the path of the last snapshot
taken (or None)."""
Content = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """One piece of content Descope exports and imports, as a resource reaches it."""

    kind: Literal["flow", "theme"]
    """The snapshot's kind, and the noun of the messages ("exporting the flow")."""
    resource_id: str
    subject: str
    """How messages name it (``Descope flow "sign-up"``)."""
    new: str
    """What the messages call the desired content ("the new content")."""
    export: Callable[[], Content | None]
    """Descope's export (through its wire shape), None when it does not hold it."""
    normalise: Callable[[Mapping[str, Any]], Content]
    found_other: str
    """The warning's words when create finds other content (it ``... will be overwritten``)."""


@dataclass(frozen=True)
class Deployed:
    """What a deployment leaves: what Descope stored, its hash, the snapshot taken (or None)."""

    stored: Mapping[str, Any] | None
    deployed_hash: str
    snapshot: str | None


def recorded_hash(outputs: Mapping[str, Any]) -> str | None:
    """The hash of what Pulumi last deployed, from a resource's outputs (state)."""
    value = outputs.get("deployedHash") or outputs.get("contentHash")
    return str(value) if value else None


def state_drifted(outputs: Mapping[str, Any]) -> bool:
    """Whether the state holds content other than what was last deployed.

    True after a refresh recorded a change made outside Pulumi: contentHash is then Descope's
    hash, not the deployed one (``deployedInputHash``). States written before
    ``deployedInputHash`` existed never count as drifted.
    """
    current, deployed = outputs.get("contentHash"), outputs.get("deployedInputHash")
    return bool(current and deployed and current != deployed)


def holds(remote: Any, desired: Any) -> bool:
    """Whether Descope's normalised copy holds every value of the desired one (Descope adds
    defaults, so its copy may have more keys; lists must match item for item)."""
    if isinstance(desired, Mapping):
        return isinstance(remote, Mapping) and all(
            key in remote and holds(remote[key], value) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(remote, list)
            and len(remote) == len(desired)
            and all(holds(r, d) for r, d in zip(remote, desired, strict=True))
        )
    return bool(remote == desired)


def kept_in(snapshot: str | None) -> str:
    """The sentence saying where Descope's previous content was saved ("" when it was not)."""
    return f" The version Descope held is saved in {snapshot}." if snapshot else ""


def save_snapshot(
    backup_dir: str,
    *,
    kind: Literal["flow", "theme"],
    resource_id: str,
    reason: Literal["delete", "overwrite"],
    content: Mapping[str, Any],
    subject: str,
    event: str,
) -> str:
    """Write Descope's current content (an answer that fitted its shape) to the backup folder
    and warn; returns the file's path. A folder that cannot take it refuses the `reason`
    (`SnapshotRefused`, naming the folder and ``descope-config:backupDir``)."""
    path = snapshot_before(
        backup_dir,
        refusing=reason,
        subject=subject,
        kind=kind,
        resource_id=resource_id,
        reason=reason,
        content=content,
        warning=lambda saved: snapshot_warning(subject, event, str(saved)),
    )
    return str(path)


def recorded(
    target: Target, remote: Mapping[str, Any], props: Mapping[str, Any]
) -> tuple[Content, str, str]:
    """(content, contentHash, deployedHash) a read records for what Descope holds (`remote`).

    While Descope holds what Pulumi deployed, the content is Descope's normalised content with
    the deployed contentHash (``deployedInputHash``), so a console edit that was reverted
    leaves no trace; states without ``deployedInputHash`` keep their content. Otherwise it is
    Descope's content and its hash: drift, which the next `up` shows as an update.
    """
    content = target.normalise(remote)
    remote_hash = content_hash(content)
    deployed = recorded_hash(props) or remote_hash
    deployed_input = props.get("deployedInputHash")
    if remote_hash == deployed and deployed_input:
        return content, str(deployed_input), deployed
    if remote_hash == deployed and "content" in props:
        kept = target.normalise(props["content"])
        return kept, content_hash(kept), deployed
    return content, remote_hash, deployed


def deploy(
    target: Target,
    content: Content,
    send: Callable[[], Mapping[str, Any]],
    *,
    expected_remote: str,
    creating: bool,
    backup_dir: str,
) -> Deployed:
    """Deploy `content` with `send` (the import; it returns what Descope stored): snapshot
    Descope's content first when it differs from both `expected_remote` (the last deployment)
    and the desired content, and import only when Descope does not already hold the latter."""
    desired = content_hash(content)
    with when_not_understood(
        f"{target.subject} was not changed: nothing is overwritten without a snapshot of what "
        "Descope holds."
    ):
        remote = target.export()
    snapshot: str | None = None
    stored: Mapping[str, Any] | None = remote
    remote_hash = content_hash(target.normalise(remote)) if remote is not None else None
    if remote is not None and remote_hash not in (expected_remote, desired):
        snapshot = save_snapshot(
            backup_dir,
            kind=target.kind,
            resource_id=target.resource_id,
            reason="overwrite",
            content=remote,
            subject=target.subject,
            event=(
                target.found_other
                if creating
                else "was changed outside Pulumi and will be overwritten"
            ),
        )
    if remote_hash != desired:
        try:
            stored = send()
        except AnswerNotUnderstood as exc:
            stored = settle_import(target, content, remote_hash, exc, snapshot)
    deployed = content_hash(target.normalise(stored)) if stored else desired
    return Deployed(stored, deployed, snapshot)


def settle_import(
    target: Target,
    content: Content,
    before: str | None,
    cause: AnswerNotUnderstood,
    snapshot: str | None,
) -> Content:
    """An import whose answer was not understood: export to see what Descope holds. The new
    content (or a changed copy that holds all of it, Descope adding defaults) means the import
    was made, and the export is what Descope stored; anything else raises `cause`, saying the
    import was not made (or that it is not known)."""
    try:
        now = target.export()
    except DescopeApiError as check:
        raise cause.told(
            f"Exporting the {target.kind} to see whether the import was made failed too "
            f"({answer_of(check)}), so it is not known whether Descope holds {target.new}; "
            "`pulumi refresh` then records what it holds." + kept_in(snapshot)
        ) from None
    if now is not None:
        held = target.normalise(now)
        now_hash = content_hash(held)
        if now_hash == content_hash(content) or (now_hash != before and holds(held, content)):
            log.warning(
                "%s: Descope's answer to the import was not understood (%s), but exporting the "
                "%s shows it holds %s.",
                target.subject,
                cause.excerpt,
                target.kind,
                target.new,
            )
            return now
    raise cause.told(
        f"Exporting the {target.kind} shows Descope does not hold {target.new}: the import was "
        "not made." + kept_in(snapshot)
    ) from None
