"""The project theme as a Pulumi resource: the theme object of Descope's theme export.

The same pattern as `providers.flow`: inputs hold the normalised theme (without ``version``,
which Descope raises by one on every import) and its hash, `diff` compares hashes, and
Descope's theme is saved to the backup folder before it is overwritten whenever it differs
from what Pulumi last deployed. A project always has a theme, so removing the resource only
stops managing it. As for flows, ``deployedInputHash`` records the contentHash deployed: a
refresh while Descope holds the deployed theme reports that hash, and a state holding drift
makes the next `up` an update that records the deployment anew.

Answers are read through their wire shape (`providers.wire`): an export without a ``theme``
object holding a ``cssTemplate`` is never taken for the project's theme (nor snapshotted or
overwritten on); an import whose answer is not understood counts as done only when an export
shows Descope holds the new theme.

API calls per operation: check and diff none; create and update one export, plus one import
unless Descope already holds the desired theme (plus one export when the import's answer is
not understood); read one export; delete none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from model.flow import content_hash, normalise_theme, theme_problems, unwrap_theme_export
from providers import calls, client, wire
from providers.errors import (
    AnswerNotUnderstood,
    DescopeApiError,
    answer_of,
    content_problem,
    when_not_understood,
)
from providers.flow import holds, kept_in, recorded_hash, save_snapshot, state_drifted
from providers.runtime import DescopeProvider, has_unknowns

__all__ = ["THEME_ID", "Theme", "ThemeProvider"]

THEME_ID = "theme"
"""The resource id: a project has exactly one theme."""
SUBJECT = "The Descope project theme"
INPUT_KEYS = ("content", "contentHash")
OUTPUT_ONLY_KEYS = ("version", "deployedHash", "deployedInputHash", "lastSnapshot")


def _version(theme: Mapping[str, Any]) -> int | None:
    version = theme.get("version")
    return int(version) if isinstance(version, int | float) else None


def export_theme() -> dict[str, Any]:
    """Descope's current theme object (the inside of the export), read through
    `wire.THEME_EXPORT`: an answer without a theme raises `AnswerNotUnderstood`, rather than
    an empty theme being taken for the project's."""
    api = client.management()
    answer = calls.ask(api.flow.export_theme, wire.THEME_EXPORT, doing="export the Descope theme")
    theme: dict[str, Any] = answer.wire()["theme"]
    return theme


def _settle_import(
    content: dict[str, Any], before: str, cause: AnswerNotUnderstood, snapshot: str | None
) -> dict[str, Any]:
    """An import whose answer was not understood: export the theme to see what Descope holds;
    the new theme means the import was made, anything else raises `cause` saying so."""
    try:
        now = export_theme()
    except DescopeApiError as check:
        raise cause.told(
            f"Exporting the theme to see whether the import was made failed too "
            f"({answer_of(check)}), so it is not known whether Descope holds the new theme; "
            "`pulumi refresh` then records what it holds." + kept_in(snapshot)
        ) from None
    held = normalise_theme(now)
    held_hash = content_hash(held)
    if held_hash == content_hash(content) or (held_hash != before and holds(held, content)):
        return now
    raise cause.told(
        "Exporting the theme shows Descope does not hold the new theme: the import was not made."
        + kept_in(snapshot)
    ) from None


class ThemeProvider(DescopeProvider):
    """Deploys and reads the project theme; never deletes it."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the theme and recompute normalised content and hash (unknowns pass)."""
        content = news.get("content")
        inputs = {k: news[k] for k in INPUT_KEYS if k in news}
        if has_unknowns(content):
            return CheckResult(inputs, [])
        failures = [
            CheckFailure(field, content_problem(SUBJECT, field, problem.message))
            for problem in theme_problems(content)
            for field in [".".join(p for p in ("content", problem.field) if p)]
        ]
        if failures:
            return CheckResult(inputs, failures)
        assert isinstance(content, Mapping)
        normalised = normalise_theme(content)
        return CheckResult({"content": normalised, "contentHash": content_hash(normalised)}, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """An update when the content hash changes or the state holds drift (`state_drifted`);
        the version is never compared."""
        changed = (
            _news.get("contentHash") != _olds.get("contentHash")
            or state_drifted(_olds)
            or has_unknowns(_news.get("content"))
        )
        return DiffResult(changes=changed, replaces=[], stables=[], delete_before_replace=False)

    @calls.operation("create")
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Import the theme, snapshotting the project's current theme first if it differs."""
        content = normalise_theme(props["content"])
        desired = content_hash(content)
        return CreateResult(THEME_ID, self._deploy(content, desired, desired, creating=True))

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Export the theme; edits made outside Pulumi become the inputs (drift).

        When Descope holds what Pulumi deployed, the inputs are Descope's normalised theme with
        the deployed contentHash (``deployedInputHash``; states without it keep their content).
        Otherwise they are Descope's theme and its hash.
        """
        with when_not_understood("Nothing was changed in Descope. The state is unchanged."):
            raw = export_theme()
        remote = normalise_theme(raw)
        remote_hash = content_hash(remote)
        deployed = recorded_hash(props) or remote_hash
        deployed_input = props.get("deployedInputHash")
        if remote_hash == deployed and deployed_input:
            inputs = {"content": remote, "contentHash": str(deployed_input)}
        else:
            if remote_hash == deployed and "content" in props:
                content = normalise_theme(props["content"])
            else:
                content = remote
            inputs = {"content": content, "contentHash": content_hash(content)}
        outs = {
            **inputs,
            "version": _version(raw),
            "deployedHash": deployed,
            "deployedInputHash": deployed_input,
            "lastSnapshot": props.get("lastSnapshot"),
        }
        return ReadResult(id_ or THEME_ID, outs, inputs)

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Import the new theme; snapshot Descope's theme first if it was edited outside Pulumi."""
        content = normalise_theme(_news["content"])
        desired = content_hash(content)
        deployed = recorded_hash(_olds) or ""
        previous = _olds.get("lastSnapshot")
        return UpdateResult(
            self._deploy(content, desired, deployed, creating=False, last_snapshot=previous)
        )

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Stop managing the theme: the project keeps it, no call is made."""

    def _deploy(
        self,
        content: dict[str, Any],
        desired: str,
        expected_remote: str,
        *,
        creating: bool,
        last_snapshot: str | None = None,
    ) -> dict[str, Any]:
        """Snapshot the project theme if it differs from both hashes, import unless it already
        is the desired theme; `last_snapshot` is kept when no snapshot is taken."""
        with when_not_understood(
            f"{SUBJECT} was not changed: nothing is overwritten without a snapshot of what "
            "Descope holds."
        ):
            remote = export_theme()
        remote_hash = content_hash(normalise_theme(remote))
        snapshot: str | None = None
        stored = remote
        if remote_hash not in (expected_remote, desired):
            event = (
                "differs from the configured theme and will be overwritten"
                if creating
                else "was changed outside Pulumi and will be overwritten"
            )
            snapshot = save_snapshot(
                self.backup_dir,
                kind="theme",
                resource_id=THEME_ID,
                reason="overwrite",
                content=remote,
                subject=SUBJECT,
                event=event,
            )
        if remote_hash != desired:
            api = client.management()
            try:
                answer = calls.ask(
                    lambda: api.flow.import_theme(content),
                    wire.THEME_IMPORTED,
                    doing="import the Descope theme",
                )
                stored = answer.wire()["theme"]
            except AnswerNotUnderstood as exc:
                stored = _settle_import(content, remote_hash, exc, snapshot)
        deployed = content_hash(normalise_theme(stored)) if stored else desired
        return {
            "content": content,
            "contentHash": desired,
            "version": _version(stored),
            "deployedHash": deployed,
            "deployedInputHash": desired,
            "lastSnapshot": snapshot or last_snapshot,
        }


class Theme(pulumi.dynamic.Resource, module="descope", name="Theme"):
    """The project's theme, deployed from the theme object of a theme export.

    `content` may also be a whole export (``{"theme": {...}}``). Outputs: ``content``
    (normalised theme), ``contentHash``, ``version``, ``deployedHash``, ``deployedInputHash``
    (the contentHash deployed), ``lastSnapshot`` (the last backup taken before an overwrite).
    """

    content: pulumi.Output[dict[str, Any]]
    contentHash: pulumi.Output[str]
    version: pulumi.Output[int | None]
    deployedHash: pulumi.Output[str | None]
    deployedInputHash: pulumi.Output[str | None]
    lastSnapshot: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        content: Mapping[str, Any],
        stack: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        theme = unwrap_theme_export(content)
        props: dict[str, Any] = {"content": dict(theme), "contentHash": None}
        if not theme_problems(theme):
            normalised = normalise_theme(theme)
            props.update(content=normalised, contentHash=content_hash(normalised))
        props.update(dict.fromkeys(OUTPUT_ONLY_KEYS))
        super().__init__(ThemeProvider(stack=stack), resource_name, props, opts)
