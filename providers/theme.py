"""The project theme as a Pulumi resource: the theme object of Descope's theme export.

The same pattern as `providers.flow`, through the same skeleton (`providers.content`): inputs
hold the normalised theme (without ``version``, which Descope raises by one on every import)
and its hash, `diff` compares hashes, and Descope's theme is saved to the backup folder before
it is overwritten whenever it differs from what Pulumi last deployed. A project always has a
theme, so removing the resource only stops managing it. As for flows, ``deployedInputHash``
records the contentHash deployed: a refresh while Descope holds the deployed theme reports that
hash, and a state holding drift makes the next `up` an update that records the deployment
anew.

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
from providers.content import (
    OUTPUT_ONLY_KEYS,
    Target,
    deploy,
    recorded,
    recorded_hash,
    state_drifted,
)
from providers.errors import content_problem, when_not_understood
from providers.runtime import DescopeProvider, has_unknowns

__all__ = ["INPUT_KEYS", "OUTPUT_ONLY_KEYS", "THEME_ID", "Theme", "ThemeProvider"]

THEME_ID = "theme"
"""The resource id: a project has exactly one theme."""
SUBJECT = "The Descope project theme"
INPUT_KEYS = ("content", "contentHash")
"""The resource's inputs; the outputs add `providers.content.OUTPUT_ONLY_KEYS`. Nothing
replaces the theme: a project has one."""


def _version(theme: Mapping[str, Any] | None) -> int | None:
    version = theme.get("version") if theme else None
    return int(version) if isinstance(version, int | float) else None


def export_theme() -> dict[str, Any]:
    """Descope's current theme object (the inside of the export), read through
    `wire.THEME_EXPORT`: an answer without a theme raises `AnswerNotUnderstood`, rather than
    an empty theme being taken for the project's."""
    api = client.management()
    answer = calls.ask(api.flow.export_theme, wire.THEME_EXPORT, doing="export the Descope theme")
    theme: dict[str, Any] = answer.wire()["theme"]
    return theme


TARGET = Target(
    kind="theme",
    resource_id=THEME_ID,
    subject=SUBJECT,
    new="the new theme",
    export=export_theme,
    normalise=normalise_theme,
    found_other="differs from the configured theme and will be overwritten",
)
"""The theme as `providers.content` deploys and reads it."""


def _deploy(
    content: dict[str, Any],
    *,
    expected_remote: str,
    creating: bool,
    backup_dir: str,
    last_snapshot: str | None = None,
) -> dict[str, Any]:
    """The outputs of deploying `content` (`providers.content.deploy`: a snapshot when the
    project's theme differs from both hashes, an import unless it is the desired theme);
    `last_snapshot` is kept when no snapshot is taken."""
    api = client.management()

    def send() -> dict[str, Any]:
        answer = calls.ask(
            lambda: api.flow.import_theme(content),
            wire.THEME_IMPORTED,
            doing="import the Descope theme",
        )
        stored: dict[str, Any] = answer.wire()["theme"]
        return stored

    done = deploy(
        TARGET,
        content,
        send,
        expected_remote=expected_remote,
        creating=creating,
        backup_dir=backup_dir,
    )
    desired = content_hash(content)
    return {
        "content": content,
        "contentHash": desired,
        "version": _version(done.stored),
        "deployedHash": done.deployed_hash,
        "deployedInputHash": desired,
        "lastSnapshot": done.snapshot or last_snapshot,
    }


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
        outs = _deploy(
            content,
            expected_remote=content_hash(content),
            creating=True,
            backup_dir=self.backup_dir,
        )
        return CreateResult(THEME_ID, outs)

    @calls.operation("read")
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Export the theme; edits made outside Pulumi become the inputs (drift).

        When Descope holds what Pulumi deployed, the inputs are Descope's normalised theme with
        the deployed contentHash (``deployedInputHash``; states without it keep their content).
        Otherwise they are Descope's theme and its hash.
        """
        with when_not_understood("Nothing was changed in Descope. The state is unchanged."):
            raw = export_theme()
        held, held_hash, deployed = recorded(TARGET, raw, props)
        inputs = {"content": held, "contentHash": held_hash}
        outs = {
            **inputs,
            "version": _version(raw),
            "deployedHash": deployed,
            "deployedInputHash": props.get("deployedInputHash"),
            "lastSnapshot": props.get("lastSnapshot"),
        }
        return ReadResult(id_ or THEME_ID, outs, inputs)

    @calls.operation("update")
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Import the new theme; snapshot Descope's theme first if it was edited outside Pulumi."""
        outs = _deploy(
            normalise_theme(_news["content"]),
            expected_remote=recorded_hash(_olds) or "",
            creating=False,
            backup_dir=self.backup_dir,
            last_snapshot=_olds.get("lastSnapshot"),
        )
        return UpdateResult(outs)

    @calls.operation("delete")
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Stop managing the theme: the project keeps it, no call is made."""


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
        """Registered as `resource_name`; `content` goes in normalised and hashed when it is
        a valid theme (else as given, for check to say what is wrong)."""
        theme = unwrap_theme_export(content)
        props: dict[str, Any] = {"content": dict(theme), "contentHash": None}
        if not theme_problems(theme):
            normalised = normalise_theme(theme)
            props.update(content=normalised, contentHash=content_hash(normalised))
        props.update(dict.fromkeys(OUTPUT_ONLY_KEYS))
        super().__init__(ThemeProvider(stack=stack), resource_name, props, opts)
