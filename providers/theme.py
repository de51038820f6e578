"""The project theme as a Pulumi resource: the theme object of Descope's theme export.

The same pattern as `providers.flow`: inputs hold the normalised theme (without ``version``,
which Descope raises by one on every import) and its hash, `diff` compares hashes, and
Descope's theme is saved to the backup folder before it is overwritten whenever it differs
from what Pulumi last deployed. A project always has a theme, so removing the resource only
stops managing it. As for flows, ``deployedInputHash`` records the contentHash deployed: a
refresh while Descope holds the deployed theme reports that hash, and a state holding drift
makes the next `up` an update that records the deployment anew.

API calls per operation: check and diff none; create and update one export, plus one import
unless Descope already holds the desired theme; read one export; delete none.
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
from providers import calls, client
from providers.errors import DescopeApiError, content_problem
from providers.flow import recorded_hash, save_snapshot, state_drifted
from providers.runtime import DescopeProvider, has_unknowns

__all__ = ["THEME_ID", "Theme", "ThemeProvider"]

THEME_ID = "theme"
"""The resource id: a project has exactly one theme."""
SUBJECT = "The Descope project theme"
INPUT_KEYS = ("content", "contentHash")
OUTPUT_ONLY_KEYS = ("version", "deployedHash", "deployedInputHash", "lastSnapshot")


def _theme_of(answer: Mapping[str, Any]) -> dict[str, Any]:
    theme = answer.get("theme")
    return dict(theme) if isinstance(theme, Mapping) else {}


def _exported_theme(answer: Any) -> dict[str, Any]:
    """The theme object of an export answer; raises when the answer holds none."""
    theme = answer.get("theme") if isinstance(answer, Mapping) else None
    if not isinstance(theme, Mapping):
        keys = ", ".join(sorted(map(str, answer))) if isinstance(answer, Mapping) else ""
        found = f"an object with keys {keys}" if keys else f"{type(answer).__name__} {answer!r}"
        raise DescopeApiError(
            "Unable to export the Descope theme.",
            f'Descope\'s answer has no "theme" object: expected {{"theme": {{...}}}}, got '
            f"{found[:200]}.",
            action="Check descope:baseUrl points at the Descope management API, then run "
            "again; if it does, report this answer to Descope support.",
        )
    return dict(theme)


def _version(theme: Mapping[str, Any]) -> int | None:
    version = theme.get("version")
    return int(version) if isinstance(version, int | float) else None


def export_theme() -> dict[str, Any]:
    """Descope's current theme object (the inside of the export).

    Raises `DescopeApiError` when the answer has no ``"theme"`` object, rather than taking an
    empty theme for the project's.
    """
    api = client.management()
    answer = calls.call(api.flow.export_theme, doing="export the Descope theme", repeatable=True)
    return _exported_theme(answer)


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
            answer = calls.call(
                lambda: api.flow.import_theme(content),
                doing="import the Descope theme",
                repeatable=True,
            )
            stored = _theme_of(answer)
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
