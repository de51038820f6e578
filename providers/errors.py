"""Every error a user of the providers can meet, and the words it is told in.

    DescopeProviderError          summary, detail, what to do; str() is the whole message
    ├── ConfigurationError        a setting is missing or malformed (names the setting)
    ├── InvalidInputError         the resource's inputs are not valid (names the field)
    └── DescopeApiError           Descope answered an error (status, errorCode, hint)
        └── TenantAlreadyExists   create hit an existing id (hint: adopt)

Messages never contain the management key: the SDK's exceptions carry only the status and
Descope's response body, and the settings object hides the key from `repr`.
"""

from __future__ import annotations

import json
from typing import Any

from descope.exceptions import AuthException, RateLimitException


class DescopeProviderError(Exception):
    """An error whose text is meant for the person running `pulumi up`."""

    def __init__(self, summary: str, detail: str = "", *, action: str = "") -> None:
        self.summary, self.detail, self.action = summary, detail, action
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The whole message: summary, then what happened, then what to do."""
        return " ".join(part for part in (self.summary, self.detail, self.action) if part)

    def __str__(self) -> str:
        return self.text


class ConfigurationError(DescopeProviderError):
    """A connection setting is missing or malformed."""


class InvalidInputError(DescopeProviderError):
    """The inputs of a resource are not valid; the detail lists each field."""


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
        """Descope's answer for a missing tenant or flow."""
        return self.status == 404 or (self.status in (400, 500) and _looks_missing(self.detail))

    @property
    def is_retryable(self) -> bool:
        """Worth repeating when the call is safe to repeat: 5xx and network failures."""
        return self.status == 0 or self.status >= 500


class TenantAlreadyExists(DescopeApiError):
    """A tenant with this id (or name) already exists in the project."""


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


def from_sdk_exception(
    exc: Exception, *, doing: str, settings_source: str = "stack config or environment"
) -> DescopeApiError:
    """Turn an SDK or network exception raised while `doing` something into a user-facing error.

    `doing` reads as ``'create Descope tenant "acme"'``.
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
        status = int(exc.status_code) if str(exc.status_code).isdigit() else 0
        code, text = _parse_body(str(exc.error_message or ""))
        coded = f" {code}" if code else ""
        detail = f"Descope answered {status}{coded}: {text or 'no details'}."
        action = _ACTIONS.get(status, "").format(settings=settings_source)
        if not action and status >= 500:
            action = "Descope had a server error; run again later. If it persists, contact Descope support."
        if not action and status == 400:
            action = "Descope rejected a value; fix the field it names in the configuration."
        return DescopeApiError(summary, detail, action=action, status=status, code=code)
    name = type(exc).__name__
    return DescopeApiError(
        summary,
        f"The request did not get an answer ({name}: {exc}).",
        action="Check the network and descope:baseUrl, then run again.",
    )


def describe(value: Any) -> str:
    """A short, quoted rendering of a user value for messages."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
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
    return (
        f"{subject} {event}. The version Descope held was saved to {path} first; "
        "copy anything you want to keep from it into the configuration."
    )
