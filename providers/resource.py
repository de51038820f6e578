"""The skeleton every resource provider shares: load-or-none, create-or-adopt, snapshot,
compare, and what a provider needs to know about its inputs.

A resource module (``providers/tenant.py``, ``role.py``, ...) reads top-down as a resource file:
its docstring, its inputs model and replace keys, then check, diff, create, read, update and
delete, then the ``Resource`` class. What they all do the same way lives here, once:

- `inputs_of`: a property bag without the pickled provider (``__provider``);
- `same`: two comparable forms (see each resource's ``comparable``) describe the same thing;
- `project_or_none`: the project id for a snapshot, None when no connection is configured;
- `load_or_none`: a repeatable GET whose "not found" means "there is none";
- `confirmed_gone`: a write or delete told "not found", and one more look shows it gone;
- `create_or_adopt`: send a create once; on a refusal or a lost answer, look, adopt what is
  exactly as declared, refuse what differs, try again (bounded) when nothing is there;
- `snapshot` and `snapshot_before`: save what Descope holds before a destructive step
  (`providers.backups`), with the project id; the latter refuses the step when the backups
  folder cannot take it;
- `rolled_back`: undo what a create made when a later step of it failed, and say so.

Nothing here is pickled into state: the providers (their module path and class name are in
every resource's ``__provider``) stay in their resource modules.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from providers import backups, calls, client, errors
from providers.errors import DescopeApiError

__all__ = [
    "PROVIDER_KEY",
    "Entry",
    "already_exists",
    "confirmed_gone",
    "create_or_adopt",
    "inputs_of",
    "load_or_none",
    "project_or_none",
    "rolled_back",
    "same",
    "snapshot",
    "snapshot_before",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E", bound=Exception)

PROVIDER_KEY = "__provider"
"""The property the host adds to every resource's inputs: the pickled provider."""
Entry = dict[str, Any]
"""An entry as Descope answers it (a role, a permission)."""


def inputs_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` without the pickled provider: what the resource itself declares or records."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def same(a: Any, b: Any) -> bool:
    """Whether two comparable forms are alike: they serialise to the same JSON."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def project_or_none() -> str | None:
    """The configured project id (recorded in snapshots); None when none is configured."""
    try:
        return client.current_settings().project_id
    except errors.ConfigurationError:
        return None


def load_or_none(fetch: Callable[[], T]) -> T | None:
    """`fetch()` (a repeatable load), or None when Descope says what it loads does not exist.
    An answer that does not fit raises (`providers.errors.AnswerNotUnderstood`): it never reads
    as "not there"."""
    try:
        return fetch()
    except DescopeApiError as exc:
        if exc.is_not_found:
            return None
        raise


def confirmed_gone(cause: DescopeApiError, look: Callable[[], object | None]) -> bool:
    """Whether a write or delete that Descope refused with `cause` found nothing to act on: it
    said "not found", and one more look (`look`: a find or a load, None when absent) shows the
    entry gone. The refusal alone is not trusted: a proxy's 404 says "not found" too."""
    return cause.is_not_found and look() is None


def already_exists(
    subject: str, held: str, declared: str, cause: DescopeApiError, stack: str
) -> DescopeApiError:
    """Create found an entry of that name that differs from the declared one."""
    export = f"python -m ops export --stack {stack}" if stack else "python -m ops export"
    return errors.explain(
        cause,
        f"Descope already has {subject}, and it differs from the declaration (Descope holds "
        f"{held}; declared: {declared}); nothing was changed",
        action=f"To manage it, declare it as Descope holds it (`{export}` writes it), run "
        "`pulumi up`, then change it in the configuration: the next `pulumi up` updates it. Or "
        "give the declared one another name.",
    )


def create_or_adopt(
    *,
    subject: str,
    create: Callable[[], Any],
    find: Callable[[], Entry | None],
    matches: Callable[[Entry], bool],
    describe: Callable[[Entry], str],
    declared: str,
    doing: str,
    stack: str,
    told: Callable[[DescopeApiError], DescopeApiError] = lambda cause: cause,
) -> Entry | None:
    """Create once; on a refusal or a lost answer, `find` the entry: adopt it when it
    `matches` the declaration (returned), refuse it when it differs, try again (bounded, with
    backoff) when absent after a 5xx or no answer. None: created. A refusal of the create
    itself is raised as `told` words it."""
    policy = calls.current_policy()
    attempt = 1
    while True:
        try:
            calls.call(create, doing=doing, repeatable=False)
            return None
        except DescopeApiError as exc:
            if exc.status in (401, 403, 429):
                raise
            held = find()
            if held is not None:
                if matches(held):
                    log.info("%s already existed exactly as declared: managing it.", subject)
                    return held
                raise already_exists(subject, describe(held), declared, exc, stack) from None
            if not exc.is_retryable or attempt >= policy.max_attempts:
                raise told(exc) from None
            calls.sleep(calls.backoff_delay(policy, attempt))
            attempt += 1


def snapshot(
    backup_dir: str | os.PathLike[str],
    *,
    kind: backups.Kind,
    resource_id: str,
    reason: backups.Reason,
    content: Mapping[str, Any],
    warning: Callable[[Path], str] | None = None,
) -> Path:
    """Save `content` (what Descope holds, loaded and understood) before `reason`, with the
    project id (`providers.backups.write_snapshot`)."""
    return backups.write_snapshot(
        backup_dir,
        kind=kind,
        resource_id=resource_id,
        reason=reason,
        content=content,
        project_id=project_or_none(),
        warning=warning,
    )


def snapshot_before(
    backup_dir: str | os.PathLike[str],
    *,
    refusing: str,
    subject: str,
    kind: backups.Kind,
    resource_id: str,
    reason: backups.Reason,
    content: Mapping[str, Any],
    warning: Callable[[Path], str] | None = None,
    outcome: str = errors.NOTHING_CHANGED,
) -> Path:
    """`snapshot`, refusing the step (`refusing`) of `subject` when the backups folder cannot
    take it (`providers.backups.snapshot_before`); `outcome` says what that leaves."""
    return backups.snapshot_before(
        backup_dir,
        refusing=refusing,
        subject=subject,
        kind=kind,
        resource_id=resource_id,
        reason=reason,
        content=content,
        project_id=project_or_none(),
        warning=warning,
        outcome=outcome,
    )


def rolled_back(
    cause: DescopeApiError,
    undo: Callable[[], None],
    *,
    failed: Callable[[E], DescopeApiError],
    undone: Callable[[], DescopeApiError],
    undo_errors: tuple[type[E], ...],
) -> DescopeApiError:
    """A create made something, then a later step failed with `cause`: `undo` it. The error to
    raise: `failed(error)` when undoing failed too (it says exactly what is left), else
    `undone()` (nothing is left in Descope). `undo_errors`: the failures of `undo` to catch."""
    try:
        undo()
    except undo_errors as rollback:
        return failed(rollback)
    log.info("Undone after a failed create: %s", cause)
    return undone()
