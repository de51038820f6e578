"""The providers' exceptions and the words every message shares (see `providers.errors`).

The exception classes say they are ``providers.errors``'s (`_public`): the provider host prints
an exception as ``providers.errors.DescopeApiError: ...`` and the stand-in engine strips exactly
that prefix; the package re-exports them from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from descope.exceptions import AuthException, RateLimitException

from model.text import shown

PUBLIC_MODULE = "providers.errors"
"""Where the exceptions are imported from, and the name they are printed with."""


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


def is_missing_flow(exc: Exception) -> bool:
    """Whether an SDK exception is Descope's answer for a flow that does not exist (500
    E103003, `DescopeApiError.is_missing_flow`): the flow resource and the ops tools tell it
    apart before the retry layer would retry it as a server error."""
    return from_sdk_exception(exc, doing="export a flow").is_missing_flow


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


for _class in (
    DescopeProviderError,
    ConfigurationError,
    InvalidInputError,
    DescopeApiError,
    TenantAlreadyExists,
    PartialFailure,
    AnswerNotUnderstood,
    SnapshotRefused,
):
    _class.__module__ = PUBLIC_MODULE
