"""A Descope flow as a Pulumi resource: the content of one flow export, deployed by import.

Inputs hold the normalised export (`model.flow.normalise_flow_export`) and its content hash,
so the stack records exactly what was deployed and `diff` compares two hashes. Descope keeps
no history of console edits, so whenever Descope holds something other than what Pulumi last
deployed, the provider saves Descope's version to the backup folder before overwriting or
deleting it, and warns with the file's path.

A flow is missing only when Descope says so: HTTP 500 with errorCode E103003
(`DescopeApiError.is_missing_flow`). Any other error (a 404 from a proxy, another 500) is
raised, so refresh never drops a flow, and create, update and delete never act, on a guess.
Every answer is read through its wire shape first (`providers.wire`): an export that is not
``{"flow": {"id": <this flow>}, "screens": [...]}`` is never snapshotted, overwritten or
deleted on; an import or delete whose answer is not understood counts as done only when an
export shows Descope holds the new content (or no longer holds the flow).

The outputs record two hashes of the last deployment: ``deployedInputHash``, the contentHash
that was deployed, and ``deployedHash``, the hash of what Descope stored. While Descope holds
the deployed content, refresh reports contentHash = deployedInputHash (no diff against the
configuration); once the state holds drift (contentHash differs from deployedInputHash), the
next `up` updates even when the configuration now equals the drift, to record the new
deployment.

Removing a flow from the configuration only stops managing it unless ``deleteOnRemove`` is
true: applications depend on flows such as ``sign-up-or-in``.

What a flow shares with the theme (deploy by import, snapshot what differs, settle an import
whose answer was not understood, what a read records) is `providers.content`.

API calls per operation: check and diff none; create and update one export, plus one import
unless Descope already holds the desired content; read one export; delete none, or (with
``deleteOnRemove``) one export and one delete.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from descope.exceptions import AuthException
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)
from pulumi.output import Unknown

from model.flow import (
    FLOW_ID_PATTERN,
    content_hash,
    flow_export_problems,
    normalise_flow_export,
)
from providers import calls, client, wire
from providers.content import (
    OUTPUT_ONLY_KEYS,
    Target,
    deploy,
    kept_in,
    recorded,
    recorded_hash,
    save_snapshot,
    state_drifted,
)
from providers.errors import (
    AnswerNotUnderstood,
    DescopeApiError,
    answer_of,
    content_problem,
    is_missing_flow,
    when_not_understood,
)
from providers.runtime import DescopeProvider, has_unknowns

__all__ = ["INPUT_KEYS", "OUTPUT_ONLY_KEYS", "REPLACE_KEYS", "Flow", "FlowProvider"]

log = logging.getLogger(__name__)

INPUT_KEYS = ("flowId", "content", "contentHash", "deleteOnRemove")
"""The resource's inputs, all of which the outputs repeat (diff and update get old outputs);
the outputs add `providers.content.OUTPUT_ONLY_KEYS`."""
REPLACE_KEYS = ("flowId",)
_FLOW_ID_RE = re.compile(FLOW_ID_PATTERN)


def _subject(flow_id: Any) -> str:
    return f'Descope flow "{flow_id}"'


@dataclass(frozen=True)
class FlowInputs:
    """The checked inputs of a flow."""

    flow_id: str
    content: dict[str, Any]
    """The normalised flow export."""
    content_hash: str
    delete_on_remove: bool

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> FlowInputs:
        """Inputs from checked props; normalisation and hash are recomputed (both idempotent)."""
        content = normalise_flow_export(props["content"])
        return cls(
            flow_id=str(props["flowId"]),
            content=content,
            content_hash=content_hash(content),
            delete_on_remove=bool(props.get("deleteOnRemove", False)),
        )

    def to_props(self) -> dict[str, Any]:
        """The inputs as the resource records them."""
        return {
            "flowId": self.flow_id,
            "content": self.content,
            "contentHash": self.content_hash,
            "deleteOnRemove": self.delete_on_remove,
        }


def _version(export: Mapping[str, Any] | None) -> int | None:
    flow = export.get("flow") if export else None
    version = flow.get("version") if isinstance(flow, Mapping) else None
    return int(version) if isinstance(version, int | float) else None


_MISSING = object()
"""What `export_flow`'s call returns for Descope's answer "no such flow" (an answer of JSON
``null`` is not that: it is an answer not understood)."""


def export_flow(flow_id: str) -> dict[str, Any] | None:
    """Descope's export of the flow, read through `wire.FLOW_EXPORT`, or None when the flow
    does not exist.

    Descope answers a missing flow with HTTP 500 E103003 (and only that answer means missing,
    see `providers.errors.is_missing_flow`); it is recognised before the retry layer sees it,
    so it is not retried as a server error. Every other error is retried or raised by
    `calls.call`; an answer that is not an export of this flow raises `AnswerNotUnderstood`.
    """
    api = client.management()
    doing = f"export {_subject(flow_id)}"

    def fetch() -> object:
        try:
            return api.flow.export_flow(flow_id)
        except AuthException as exc:
            if is_missing_flow(exc):
                return _MISSING
            raise

    answer = calls.call(fetch, doing=doing, repeatable=True, shape=wire.FLOW_EXPORT, asked=flow_id)
    if answer is _MISSING:
        return None
    return wire.FLOW_EXPORT.read(answer, doing=doing, asked=flow_id).wire()


def _target(flow_id: str) -> Target:
    """The flow as `providers.content` deploys and reads it."""
    return Target(
        kind="flow",
        resource_id=flow_id,
        subject=_subject(flow_id),
        new="the new content",
        export=lambda: export_flow(flow_id),
        normalise=normalise_flow_export,
        found_other="already exists in Descope with other content and will be overwritten",
    )


def _deploy(
    inputs: FlowInputs,
    *,
    expected_remote: str,
    creating: bool,
    backup_dir: str,
    last_snapshot: str | None = None,
) -> dict[str, Any]:
    """The outputs of deploying `inputs` (`providers.content.deploy`: a snapshot when Descope's
    flow differs from both hashes, an import unless it holds the content); `last_snapshot` is
    kept when no snapshot is taken."""
    api = client.management()
    flow, screens = inputs.content["flow"], inputs.content["screens"]

    def send() -> dict[str, Any]:
        return calls.ask(
            lambda: api.flow.import_flow(inputs.flow_id, flow, screens),
            wire.FLOW_IMPORTED,
            doing=f"import {_subject(inputs.flow_id)}",
            asked=inputs.flow_id,
        ).wire()

    done = deploy(
        _target(inputs.flow_id),
        inputs.content,
        send,
        expected_remote=expected_remote,
        creating=creating,
        backup_dir=backup_dir,
    )
    return {
        **inputs.to_props(),
        "version": _version(done.stored),
        "deployedHash": done.deployed_hash,
        "deployedInputHash": inputs.content_hash,
        "lastSnapshot": done.snapshot or last_snapshot,
    }


class FlowProvider(DescopeProvider):
    """Creates, reads, updates and stops managing (or deletes) one Descope flow."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the export and recompute normalised content and hash.

        Values a preview does not know yet pass through unchanged.
        """
        flow_id = news.get("flowId")
        content = news.get("content")
        delete_on_remove = news.get("deleteOnRemove", False)
        subject = _subject(flow_id if isinstance(flow_id, str) else "?")
        failures: list[CheckFailure] = []
        if not isinstance(flow_id, Unknown):
            if not isinstance(flow_id, str) or not flow_id:
                failures.append(
                    CheckFailure("flowId", content_problem(subject, "flowId", "is required."))
                )
            elif not _FLOW_ID_RE.fullmatch(flow_id):
                failures.append(
                    CheckFailure(
                        "flowId",
                        content_problem(
                            subject,
                            "flowId",
                            'is not a valid flow id: use letters, digits, ".", "-" or "_".',
                        ),
                    )
                )
        if not isinstance(delete_on_remove, bool | Unknown):
            failures.append(
                CheckFailure(
                    "deleteOnRemove",
                    content_problem(subject, "deleteOnRemove", "must be true or false."),
                )
            )
        unknown = has_unknowns(content) or has_unknowns(flow_id)
        if not has_unknowns(content):
            expected = flow_id if isinstance(flow_id, str) and flow_id else None
            for problem in flow_export_problems(content, expected_id=expected):
                field = ".".join(p for p in ("content", problem.field) if p)
                failures.append(
                    CheckFailure(field, content_problem(subject, field, problem.message))
                )
        inputs = {k: news[k] for k in INPUT_KEYS if k in news}
        if failures or unknown or has_unknowns(delete_on_remove):
            return CheckResult(inputs, failures)
        assert isinstance(content, Mapping)
        normalised = normalise_flow_export(content)
        inputs.update(
            content=normalised,
            contentHash=content_hash(normalised),
            deleteOnRemove=bool(delete_on_remove),
        )
        return CheckResult(inputs, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Replace when the flow id changes; update when the content hash or deleteOnRemove do,
        or when the state holds drift (`state_drifted`): the update then records the deployment
        anew, without an import if Descope already holds the configured content."""
        replaces = [k for k in REPLACE_KEYS if _news.get(k) != _olds.get(k)]
        changed = [
            key
            for key in ("contentHash", "deleteOnRemove")
            if _news.get(key, False if key == "deleteOnRemove" else None)
            != _olds.get(key, False if key == "deleteOnRemove" else None)
        ]
        if state_drifted(_olds) and "contentHash" not in changed:
            changed.append("contentHash")
        if has_unknowns(_news.get("content")):
            changed.append("content")
        return DiffResult(
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=[],
            delete_before_replace=False,
        )

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Import the flow. If a flow with this id exists and differs, snapshot it first.

        If this call fails, the flow was not changed (the import is a single call).
        """
        inputs = FlowInputs.from_props(props)
        outs = _deploy(
            inputs,
            expected_remote=inputs.content_hash,
            creating=True,
            backup_dir=self.backup_dir,
        )
        return CreateResult(inputs.flow_id, outs)

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Export the flow: gone only when Descope says it is missing (500 E103003); any other
        error is raised. Console edits show as drift.

        When Descope holds what Pulumi deployed, the inputs are Descope's normalised content
        with the deployed contentHash (``deployedInputHash``), so a console edit that was
        reverted leaves no trace; states without ``deployedInputHash`` keep their content.
        Otherwise the inputs become Descope's normalised content and its hash, so the next `up`
        shows an update.
        """
        with when_not_understood("Nothing was changed in Descope. The state is unchanged."):
            remote = export_flow(id_)
        if remote is None:
            return ReadResult(None, {})
        held, held_hash, deployed = recorded(_target(id_), remote, props)
        inputs = FlowInputs(id_, held, held_hash, bool(props.get("deleteOnRemove", False)))
        outs = {
            **inputs.to_props(),
            "version": _version(remote),
            "deployedHash": deployed,
            "deployedInputHash": props.get("deployedInputHash"),
            "lastSnapshot": props.get("lastSnapshot"),
        }
        return ReadResult(id_, outs, inputs.to_props())

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Import the new content; snapshot Descope's version first if it was edited outside
        Pulumi (its hash differs from the one recorded at the last deployment)."""
        inputs = FlowInputs.from_props(_news)
        outs = _deploy(
            inputs,
            expected_remote=recorded_hash(_olds) or "",
            creating=False,
            backup_dir=self.backup_dir,
            last_snapshot=_olds.get("lastSnapshot"),
        )
        return UpdateResult(outs)

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Stop managing the flow; with deleteOnRemove, snapshot it and delete it in Descope.

        A flow that is already gone (500 E103003) counts as deleted; any other export error is
        raised, and an export that is not understood refuses the delete (nothing is deleted
        without a snapshot of it). If this call fails, the flow is assumed to still exist.
        """
        if not _props.get("deleteOnRemove", False):
            return
        subject = _subject(_id)
        with when_not_understood(
            f"{subject} was not deleted: nothing is deleted without a snapshot of what Descope "
            "holds."
        ):
            remote = export_flow(_id)
        if remote is None:
            return
        snapshot = save_snapshot(
            self.backup_dir,
            kind="flow",
            resource_id=_id,
            reason="delete",
            content=remote,
            subject=subject,
            event="is being deleted because deleteOnRemove is true",
        )
        api = client.management()
        try:
            calls.ask(
                lambda: api.flow.delete_flows([_id]),
                wire.FLOW_DELETED,
                doing=f"delete {subject}",
                asked=_id,
            )
        except AnswerNotUnderstood as exc:
            try:
                still = export_flow(_id)
            except DescopeApiError as check:
                raise exc.told(
                    f"Exporting the flow to see whether it was deleted failed too "
                    f"({answer_of(check)}), so it is not known whether it was." + kept_in(snapshot)
                ) from None
            if still is not None:
                raise exc.told(
                    "Exporting the flow shows it still exists: it was not deleted."
                    + kept_in(snapshot)
                ) from None
            log.warning(
                "%s: Descope's answer to the delete was not understood (%s), but the flow is gone.",
                subject,
                exc.excerpt,
            )


class Flow(pulumi.dynamic.Resource, module="descope", name="Flow"):
    """One Descope flow, deployed from the content of its export.

    Outputs: ``flowId``, ``content`` (normalised export), ``contentHash``, ``deleteOnRemove``,
    ``version`` (Descope's version after deployment), ``deployedHash`` (the hash of what
    Pulumi deployed, as Descope stored it), ``deployedInputHash`` (the contentHash that was
    deployed) and ``lastSnapshot`` (the path of the last backup taken before an overwrite, or
    None).
    """

    flowId: pulumi.Output[str]
    content: pulumi.Output[dict[str, Any]]
    contentHash: pulumi.Output[str]
    deleteOnRemove: pulumi.Output[bool]
    version: pulumi.Output[int | None]
    deployedHash: pulumi.Output[str | None]
    deployedInputHash: pulumi.Output[str | None]
    lastSnapshot: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        flow_id: str,
        content: Mapping[str, Any],
        delete_on_remove: bool = False,
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Registered as `resource_name`; `content` goes in normalised and hashed when it is
        a valid export of `flow_id` (else as given, for check to say what is wrong)."""
        props: dict[str, Any] = {
            "flowId": flow_id,
            "content": dict(content),
            "contentHash": None,
            "deleteOnRemove": delete_on_remove,
        }
        if not flow_export_problems(content, expected_id=flow_id):
            normalised = normalise_flow_export(content)
            props.update(content=normalised, contentHash=content_hash(normalised))
        props.update(dict.fromkeys(OUTPUT_ONLY_KEYS))
        super().__init__(FlowProvider(stack=stack), resource_name, props, opts)
