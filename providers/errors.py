"""Every error a user of the providers can meet, and the words it is told in.

    DescopeProviderError          summary, detail, what to do; str() is the whole message
    ├── ConfigurationError        a setting is missing or malformed (names the setting)
    ├── InvalidInputError         the resource's inputs are not valid (names the field)
    ├── SnapshotRefused           a snapshot could not be written: the step it guards was not taken
    └── DescopeApiError           Descope answered an error (status, errorCode, hint)
        ├── TenantAlreadyExists   create hit an existing id (hint: adopt)
        ├── PartialFailure        an operation stopped half-way (says what was undone)
        └── AnswerNotUnderstood   a 2xx answer that does not fit its call's wire shape

Messages never contain the management key: the SDK's exceptions carry only the status and
Descope's response body, and the settings object hides the key from `repr`.

A message quotes what Descope answered (error descriptions, names, ids, excerpts of bodies):
its text (`DescopeProviderError.text`, hence ``str()``) is passed through `model.text.shown`,
so a control character or a bidirectional override Descope holds or sends never reaches the
terminal as itself. `detail` keeps Descope's words as they came, for the code that reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from descope.exceptions import AuthException, RateLimitException

from model.text import shown


class DescopeProviderError(Exception):
    """An error whose text is meant for the person running `pulumi up`."""

    def __init__(self, summary: str, detail: str = "", *, action: str = "") -> None:
        self.summary, self.detail, self.action = summary, detail, action
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The whole message: summary, then what happened, then what to do; control and
        invisible formatting characters written as escapes (`model.text.shown`)."""
        return shown(" ".join(part for part in (self.summary, self.detail, self.action) if part))

    def __str__(self) -> str:
        return self.text


class ConfigurationError(DescopeProviderError):
    """A connection setting is missing or malformed."""


class InvalidInputError(DescopeProviderError):
    """The inputs of a resource are not valid; the detail lists each field."""


NOTHING_CHANGED = "Nothing was changed in Descope."
"""Said of a step refused before it wrote anything."""

FLOW_MISSING_CODE = "E103003"
"""Descope's errorCode, with HTTP 500, for a flow that does not exist."""


class DescopeApiError(DescopeProviderError):
    """Descope answered with an error.

    `status` is the HTTP status (429 for rate limiting, 0 for a failure before any answer),
    `code` Descope's errorCode (``E011002``) when it sent one.
    """

    def __init__(
        self, summary: str, detail: str = "", *, action: str = "", status: int = 0, code: str = ""
    ) -> None:
        self.status, self.code = status, code
        super().__init__(summary, detail, action=action)

    @property
    def is_not_found(self) -> bool:
        """Descope's answer for a missing tenant (flows: `is_missing_flow`)."""
        return self.status == 404 or (self.status in (400, 500) and _looks_missing(self.detail))

    @property
    def is_missing_flow(self) -> bool:
        """Descope's answer for a flow that does not exist: exactly HTTP 500 with E103003.

        The management API reference (§3, "Exporting or running a missing flow") records
        ``500 {"errorCode":"E103003","errorDescription":"Failed getting flow",...}``. Nothing
        else means the flow is missing: a 404 comes from a wrong address or a proxy, and any
        other 500 is a server error, whatever its words say.
        """
        return self.status == 500 and self.code == FLOW_MISSING_CODE

    @property
    def is_retryable(self) -> bool:
        """Worth repeating when the call is safe to repeat: 5xx and network failures."""
        return self.status == 0 or self.status >= 500


class TenantAlreadyExists(DescopeApiError):
    """A tenant with this id (or name) already exists in the project."""


class PartialFailure(DescopeApiError):
    """An operation made some changes and then failed; the message says what state it left."""


NOT_UNDERSTOOD_ACTION = (
    "Check that descope:baseUrl (or DESCOPE_BASE_URI) points at the Descope management API and "
    "that no proxy, firewall or login page on the way answers in its place, then run again."
)


class AnswerNotUnderstood(DescopeApiError):
    """Descope answered a call with success, but with a body that does not fit the call's wire
    shape (`providers.wire`): empty, not JSON, cut short, or about another tenant or flow.
    Nothing is ever done on the strength of such an answer.

    `call` names the call (``GET /v1/mgmt/tenant``), `expected` the shape it should have had,
    `excerpt` a short rendering of what came back. `outcome` says what it means for Descope
    (whether anything was changed); the code that knows adds it with `told`.
    """

    def __init__(
        self,
        doing: str,
        *,
        call: str,
        expected: str,
        excerpt: str,
        status: int = 200,
        outcome: str = "",
    ) -> None:
        self.doing, self.call, self.expected = doing, call, expected
        self.excerpt, self.outcome = excerpt, outcome
        detail = (
            f"Descope's answer to {call} was not understood: expected {expected}, got {excerpt}."
        )
        super().__init__(
            f"Unable to {doing}:",
            f"{detail} {outcome}".strip(),
            action=NOT_UNDERSTOOD_ACTION,
            status=status,
        )

    def told(self, outcome: str) -> AnswerNotUnderstood:
        """This error, saying what it means for Descope: `outcome` is one or more sentences
        (``"Nothing was changed in Descope."``), added after what is already said."""
        return AnswerNotUnderstood(
            self.doing,
            call=self.call,
            expected=self.expected,
            excerpt=self.excerpt,
            status=self.status,
            outcome=" ".join(part for part in (self.outcome, outcome) if part),
        )


@contextmanager
def when_not_understood(outcome: str) -> Iterator[None]:
    """An `AnswerNotUnderstood` raised inside the block is told with `outcome`: what it leaves
    in Descope, which the code around the block knows and the call that met it does not."""
    try:
        yield
    except AnswerNotUnderstood as exc:
        raise exc.told(outcome) from None


BACKUP_DIR_SETTING = "descope-config:backupDir"
"""The stack setting that chooses the snapshot folder."""
_PARTICIPLES = {"delete": "deleted", "overwrite": "overwritten", "adopt": "adopted"}


class SnapshotRefused(DescopeProviderError):
    """The snapshot a destructive step needs could not be written, so the step was not taken."""

    def __init__(self, summary: str, detail: str = "", *, action: str = "", folder: str) -> None:
        self.folder = folder
        super().__init__(summary, detail, action=action)


def snapshot_refused(
    subject: str,
    refused: str,
    folder: str,
    cause: OSError,
    *,
    outcome: str = "Nothing was changed in Descope.",
) -> SnapshotRefused:
    """A snapshot before `refused` (``delete``, ``overwrite``, ``adopt``) of `subject` could not
    be written to `folder`: say so, that the step was not taken, and how to give it a folder."""
    reason = cause.strerror or str(cause) or type(cause).__name__
    participle = _PARTICIPLES.get(refused, f"{refused}d")
    return SnapshotRefused(
        f"Refusing to {refused} {subject}:",
        f"its snapshot could not be written to the backups folder {folder} ({reason}), and "
        f"nothing is {participle} without a snapshot. {outcome}".strip(),
        action=f"Make {folder} a writable folder with free space, or point "
        f"{BACKUP_DIR_SETTING} at another one (`pulumi config set {BACKUP_DIR_SETTING} "
        "<folder>`), then run again.",
        folder=folder,
    )


def _looks_missing(text: str) -> bool:
    lowered = text.lower()
    return "not found" in lowered or "failed getting flow" in lowered or "e103003" in lowered


def _parse_body(text: str) -> tuple[str, str]:
    """Descope's errorCode and its best human text from a response body."""
    try:
        body = json.loads(text)
    except (ValueError, TypeError):
        return "", text.strip()[:300]
    if not isinstance(body, dict):
        return "", text.strip()[:300]
    code = str(body.get("errorCode") or "")
    words = [str(body[k]) for k in ("errorDescription", "errorMessage") if body.get(k)]
    unique = list(dict.fromkeys(words))
    return code, ": ".join(unique)


_ACTIONS = {
    401: "Check the management key and project id ({settings}); the key may have been revoked "
    "or belong to another project.",
    403: "The management key lacks permission for this operation, or the project's license "
    "does not include it. Use a key with full management rights.",
    429: "Descope is rate limiting this project. Wait a minute and run again, or run with "
    "`pulumi up --parallel 2` to send fewer requests at once.",
}


RECORDED_CONFIG_HINT = (
    "If the key was rotated: `pulumi refresh` and `pulumi destroy` (and the refresh of "
    "`pulumi up --refresh`) use the configuration recorded at the last `pulumi up`, not the one "
    "just set; run them with `--run-program` (pulumi CLI 3.160 or later) or with "
    "PULUMI_RUN_PROGRAM=true so that they use the current key."
)
"""Said on a 401 during a read or a delete, the calls refresh and destroy make."""


def from_sdk_exception(
    exc: Exception,
    *,
    doing: str,
    settings_source: str = "stack config or environment",
    recorded_config: bool = False,
) -> DescopeApiError:
    """Turn an SDK or network exception raised while `doing` something into a user-facing error.

    `doing` reads as ``'create Descope tenant "acme"'``. `recorded_config`: the call was made
    by a read or delete, which refresh and destroy configure from the recorded config.
    """
    summary = f"Unable to {doing}."
    if isinstance(exc, RateLimitException):
        retry_after = (exc.rate_limit_parameters or {}).get("Retry-After", 0)
        return DescopeApiError(
            summary,
            f"Descope answered 429 (rate limited, retry after {retry_after} s) and kept "
            "answering it after the retries allowed.",
            action=_ACTIONS[429],
            status=429,
            code=str(exc.status_code) if str(exc.status_code).startswith("E") else "",
        )
    if isinstance(exc, AuthException):
        raw_status = str(exc.status_code)
        status = int(raw_status) if raw_status.isdigit() else 0
        code, text = _parse_body(str(exc.error_message or ""))
        coded = f" {code}" if code else ""
        detail = f"Descope answered {status}{coded}: {text or 'no details'}."
        action = _ACTIONS.get(status, "").format(settings=settings_source)
        if status == 401 and recorded_config:
            action = f"{action} {RECORDED_CONFIG_HINT}"
        if not action and status >= 500:
            action = (
                "Descope had a server error; run again later. "
                "If it persists, contact Descope support."
            )
        if not action and status == 400:
            action = "Descope rejected a value; fix the field it names in the configuration."
        return DescopeApiError(summary, detail, action=action, status=status, code=code)
    name = type(exc).__name__
    return DescopeApiError(
        summary,
        f"The request did not get an answer ({name}: {exc}).",
        action="Check the network and descope:baseUrl, then run again.",
    )


RATE_LIMIT_SETTING = "DESCOPE_CONFIG_MAX_RATE_LIMIT_WAIT"


def rate_limited(
    doing: str, *, asked: float, waited: float, budget: float, code: str = ""
) -> DescopeApiError:
    """Descope kept rate limiting (429) past what one operation may wait; says why once.

    `asked` is Descope's Retry-After (0: none given), `waited` what the operation waited so far.
    """
    if asked:
        left = max(budget - waited, 0.0)
        detail = (
            f"Descope is rate limiting this project and asked to wait {asked:.0f} s "
            f"(Retry-After), more than the {left:.0f} s left of the {budget:.0f} s one operation "
            "may wait."
        )
        action = (
            f"Run again in {asked:.0f} s, or allow longer waits with {RATE_LIMIT_SETTING}="
            f"{asked + waited:.0f} (seconds per operation, in the environment of `pulumi`)."
        )
    else:
        detail = (
            f"Descope kept answering 429 (rate limited) through {waited:.0f} s of waiting, the "
            f"most one operation may wait ({budget:.0f} s)."
        )
        action = f"Wait a minute and run again, or allow longer waits with {RATE_LIMIT_SETTING}."
    return DescopeApiError(
        f"Unable to {doing}.",
        detail,
        action=f"{action} `pulumi up --parallel 2` sends fewer requests at once.",
        status=429,
        code=code if code.startswith("E") else "",
    )


def describe(value: Any) -> str:
    """A short, quoted rendering of a user value for messages (control characters escaped)."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
    text = shown(text)
    return text if len(text) <= 80 else text[:77] + "..."


def content_problem(subject: str, field: str, message: str) -> str:
    """A check failure about flow or theme content, naming the resource and the field.

    `subject` reads as ``'Descope flow "sign-up-or-in"'``; `field` is a dotted path inside the
    resource's inputs (``content.flow.id``) or ``""`` for the whole value.
    """
    return f"{subject}: {field} {message}" if field else f"{subject}: the content {message}"


def snapshot_warning(subject: str, event: str, path: str) -> str:
    """The warning logged when Descope's content is saved before Pulumi overwrites or deletes it.

    `event` says why, as a clause: ``"was changed outside Pulumi and will be overwritten"``.
    """
    return shown(
        f"{subject} {event}. The version Descope held was saved to {path} first; "
        "copy anything you want to keep from it into the configuration."
    )


def answer_of(cause: DescopeProviderError) -> str:
    """The cause's account of Descope's answer, for parentheses: no trailing period."""
    return cause.detail.rstrip(".") or "no details"


def explain(
    cause: DescopeApiError,
    what: str,
    *,
    action: str | None = None,
    cls: type[DescopeApiError] = DescopeApiError,
) -> DescopeApiError:
    """Re-tell `cause` with context: ``Unable to ...: <what> (Descope answered ...). <action>``.

    `what` says what happened in the user's terms; `action` replaces the cause's advice.
    """
    summary = cause.summary.rstrip(".") + ":"
    detail = f"{what.rstrip('.')} ({answer_of(cause)})."
    return cls(
        summary,
        detail,
        action=cause.action if action is None else action,
        status=cause.status,
        code=cause.code,
    )


def tenant_already_exists(
    tenant_id: str, project_id: str | None, cause: DescopeApiError
) -> TenantAlreadyExists:
    """Create found a tenant with this id already in the project: say how to adopt it."""
    where = f" in project {project_id}" if project_id else ""
    error = explain(
        cause,
        f'a tenant with id "{tenant_id}" already exists{where}',
        action="To manage the existing tenant, set `adopt: true` on the tenant with id "
        f'"{tenant_id}" in the configuration (its current state is saved to the backups '
        "folder first); otherwise choose another id.",
        cls=TenantAlreadyExists,
    )
    return cast(TenantAlreadyExists, error)


def tenant_left_over(
    tenant_id: str, project_id: str | None, cause: DescopeApiError
) -> TenantAlreadyExists:
    """Create found a tenant with this id that holds exactly what the configuration declares
    (most likely left by a run that was interrupted after creating it): adopting it is safe."""
    where = f" in project {project_id}" if project_id else ""
    error = explain(
        cause,
        f'a tenant with id "{tenant_id}" already exists{where} and holds exactly what the '
        "configuration declares for it (most likely created by a run that was interrupted "
        "before Pulumi recorded it)",
        action=f'Setting `adopt: true` on the tenant with id "{tenant_id}" is safe: its state '
        "is saved to the backups folder first, and adopting it changes nothing in Descope. "
        "Then run again.",
        cls=TenantAlreadyExists,
    )
    return cast(TenantAlreadyExists, error)


def tenant_name_taken(
    tenant_id: str, name: str, holder_id: str, cause: DescopeApiError
) -> DescopeApiError:
    """Create was refused because another tenant holds the name: most often an id change."""
    return explain(
        cause,
        f'the name "{name}" is already used by tenant "{holder_id}", and tenant names are '
        "unique in a project; nothing was changed in Descope",
        action=f'If you changed this tenant\'s id from "{holder_id}" to "{tenant_id}", add '
        f"`previousId: {holder_id}` to its entry: `pulumi up` then replaces the tenant (saving "
        "it to the backups folder, deleting it, creating it under the new id); where removed "
        "tenants are kept (retainOnDelete), set `retainOnDelete: false` on the entry and run "
        "`pulumi up` first. Otherwise give one of the two tenants another name.",
    )


def create_rolled_back(step: str, cause: DescopeApiError, made: str = "tenant") -> PartialFailure:
    """Create made the `made` (a tenant, an access key), a later `step` failed, and it was
    deleted again."""
    error = explain(
        cause,
        f"the {made} was created but {step} failed, so it was deleted again and nothing changed "
        "in Descope",
        action=cause.action or "Fix the value Descope rejected and run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def rollback_failed(
    tenant_id: str, step: str, cause: DescopeApiError, rollback: DescopeProviderError
) -> PartialFailure:
    """Create made the tenant, a later step failed, and deleting it again failed too: say
    exactly what is left."""
    error = explain(
        cause,
        f"the tenant was created but {step} failed, and deleting it again also failed "
        f"({answer_of(rollback)})",
        action=f'Tenant "{tenant_id}" now exists in Descope, with the name and tenant fields '
        f"of the configuration but without {step.removeprefix('setting ')}, and is not in "
        "Pulumi's state: delete it in the Descope console, or set `adopt: true` on it to "
        "manage it (its state is saved to the backups folder first), then run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def adopt_incomplete(tenant_id: str, snapshot: str, cause: DescopeApiError) -> PartialFailure:
    """Adopting an existing tenant failed while bringing it to the desired state."""
    error = explain(
        cause,
        f'the existing tenant "{tenant_id}" was being adopted and may be partly changed; its '
        f"state before adoption is saved in {snapshot}",
        action=cause.action or "Fix the value Descope rejected and run again.",
        cls=PartialFailure,
    )
    return cast(PartialFailure, error)


def tenant_gone(doing: str, tenant_id: str, cause: DescopeApiError) -> DescopeApiError:
    """An update found the tenant missing: it was deleted outside Pulumi."""
    return explain(
        cause,
        f'tenant "{tenant_id}" no longer exists in Descope (deleted outside Pulumi?)',
        action="Run `pulumi refresh` to drop it from the state, "
        "then `pulumi up` to create it again.",
    )


def tenant_delete_refused(cause: DescopeApiError) -> DescopeApiError:
    """Descope answered 400 to a tenant delete: most often the tenant has sub-tenants."""
    return explain(
        cause,
        "Descope refused to delete the tenant",
        action="If the tenant has sub-tenants, set cascadeDelete: true on it and run pulumi up, "
        "or delete the sub-tenants first.",
    )


def invalid_inputs(doing: str, problems: list[tuple[str, str]]) -> InvalidInputError:
    """Inputs reached create/update without passing check (a program bug or an old state)."""
    listing = "; ".join(f"{field or 'tenant'}: {message}" for field, message in problems)
    return InvalidInputError(
        f"Unable to {doing}:",
        f"the inputs are not valid ({listing}).",
        action="Fix the configuration and run again.",
    )


# --- a tenant as a unit: what goes with it on delete and replace ------------------------------

UNIT_RULE = (
    "a tenant is deleted only with a snapshot of everything Descope deletes with it (its "
    "settings, SSO configurations, tenant roles and, with cascadeDelete, its sub-tenants)"
)


def unit_part_unreadable(tenant_id: str, part: str, cause: DescopeApiError) -> DescopeApiError:
    """A part of what goes with a tenant (`part`: ``its SSO configurations``, ``the settings of
    sub-tenant "kid"``) could not be read before its delete: the delete is refused."""
    return DescopeApiError(
        f'Refusing to delete Descope tenant "{tenant_id}":',
        f"{part} could not be read ({answer_of(cause)}), and {UNIT_RULE}. {NOTHING_CHANGED}",
        action="Run `pulumi up` (or `pulumi destroy`) again once Descope answers; if it keeps "
        "failing, take a full backup (`python -m ops backup`) to see what fails to load.",
        status=cause.status,
        code=cause.code,
    )


def unit_deleted(subject: str, summary: str, path: str) -> str:
    """The warning a tenant delete logs: what went with the tenant and where it was saved."""
    return (
        f"Deleting {subject}{summary}. All of it was saved to {path} first; "
        "`python -m ops restore` reads it back."
    )


def unit_moved(old_id: str, new_id: str, moved: str, path: str) -> str:
    """The warning of a replace that moved the old tenant's SSO and roles to the new tenant."""
    return (
        f'Tenant id changed from "{old_id}" to "{new_id}": {moved} of "{old_id}" were made again '
        f'on "{new_id}" from the snapshot {path}.'
    )


def unit_not_movable(old_id: str, new_id: str, what: str, why: str) -> InvalidInputError:
    """A tenant id change (``previousId``) that could not take `what` along: refused in the
    diff, before anything changes."""
    return InvalidInputError(
        f'Unable to change the id of Descope tenant "{old_id}" to "{new_id}":',
        f"{what} cannot be made again on the new tenant: {why}. {NOTHING_CHANGED}",
        action="Keep the id (remove previousId and set id back), or first declare this "
        "configuration in the tenants file (sso:, with its clientSecret) so that the code "
        "makes it on the new tenant, then change the id.",
    )


def unit_move_failed(old_id: str, new_id: str, path: str, cause: DescopeApiError) -> PartialFailure:
    """Making the old tenant's SSO or roles again on the new tenant failed half-way."""
    return cast(
        PartialFailure,
        explain(
            cause,
            f'tenant "{new_id}" was created in place of "{old_id}", but making the old '
            f"tenant's SSO configurations and roles again on it failed; all of it is saved in "
            f"{path}",
            action=f'Tenant "{new_id}" is in Descope but not in Pulumi\'s state: set `adopt: '
            "true` on it and run `pulumi up` (the next run also says so), then put the roles "
            f"and SSO configurations still missing back from {path} (`python -m ops restore`).",
            cls=PartialFailure,
        ),
    )


def gone_with_tenant(subject: str, tenant_id: str, path: str | None) -> str:
    """What an SSO configuration's or a role's delete says when it finds nothing: true words
    whether its tenant was deleted by this run (its snapshot names `path`) or not."""
    if not tenant_id:
        return f"{subject} was already deleted outside Pulumi."
    if path is not None:
        return (
            f'{subject} went with Descope tenant "{tenant_id}", deleted (or replaced) by this '
            f"run; it is saved in the tenant's snapshot {path}."
        )
    return (
        f"{subject} was not found in Descope: it was deleted outside Pulumi, or with its tenant "
        "by an earlier run."
    )


# --- access keys (`providers.access_key`) ----------------------------------------------------

SECRET_NOT_SHOWN = "(not shown: an answer to a create may hold the key's secret)"
"""What a message shows instead of an excerpt of an access-key create's answer."""
ADOPTED_WITHOUT_SECRET = (
    "its secret is not known: Descope returns an access key's secret only when it creates the "
    "key. To get one from Pulumi, change the key's rotation value: the next `pulumi up` "
    "replaces the key and outputs the new secret."
)
"""Said (logged, and by the ``cleartextKnown`` output) of an adopted access key."""


def secret_hidden(error: AnswerNotUnderstood) -> AnswerNotUnderstood:
    """`error` about an access-key create's answer, with the excerpt left out."""
    return AnswerNotUnderstood(
        error.doing,
        call=error.call,
        expected=error.expected,
        excerpt=SECRET_NOT_SHOWN,
        status=error.status,
        outcome=error.outcome,
    )


def access_key_exists(doing: str, subject: str, key_id: str) -> DescopeApiError:
    """Create found a key of that name in the tenant, and the entry does not adopt it."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"Descope already has {subject} (id {key_id}); nothing was changed.",
        action="To manage it, set `adopt: true` on the key's entry (its secret stays unknown: "
        "Descope returns it only at creation; change `rotation` later to replace the key by a "
        "new one whose secret Pulumi outputs); otherwise give the declared key another name.",
    )


def access_key_ambiguous(doing: str, subject: str, key_ids: str) -> DescopeApiError:
    """Create found several keys of that name in the tenant: none can be told to be the one."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"Descope has several keys that are {subject} (ids {key_ids}); nothing was changed.",
        action="Delete or rename all but one of them in the Descope console (a key's name is how "
        "it is found), then run again.",
    )


def access_key_adopt_refused(doing: str, subject: str, held: str, declared: str) -> DescopeApiError:
    """Adopt found the key, but with roles or an expiry the API cannot change in place."""
    return DescopeApiError(
        f"Unable to {doing}:",
        f"{subject} exists, but Descope holds {held} and the configuration declares {declared}; "
        "an access key's roles and expiry cannot be changed in place, so nothing was changed.",
        action="Declare the roles and expireTime Descope holds and run again (then change them "
        "in a reviewed commit: the key is replaced by a new one), or remove `adopt: true` and "
        "give the declared key another name.",
    )


def access_key_gone(subject: str, cause: DescopeApiError) -> DescopeApiError:
    """An update found the key missing: deleted outside Pulumi (or with its tenant)."""
    return explain(
        cause,
        f"{subject} no longer exists in Descope (deleted outside Pulumi, or with its tenant?)",
        action="Run `pulumi refresh` to drop it from the state, then `pulumi up` to create a "
        "new key (with a new secret).",
    )
