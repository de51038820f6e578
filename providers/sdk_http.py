"""Requests through the SDK's own HTTP client, for what the SDK's methods cannot do.

The SDK does not read the answers of some writes (update, patch, delete, settings and default
roles): `reply_of` sends such a call exactly as the SDK sends it (its HTTP client, paths and
bodies) and hands back Descope's raw answer, for `providers.wire` to judge.

Where SDK 2.16.1 cannot say what Descope's API takes (``ssoId`` on the SSO configure and load
calls, role mappings on OIDC, every attribute of a mapping; the project configuration),
`sso_request` sends the request through the SDK's own HTTP client (same headers, retries and
exceptions as every SDK call), in the body shapes Descope's go-sdk and .NET SDK send.

The client itself is made in one place only, `providers.client`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from providers.client import ManagementApi

__all__ = ["SSO_LOAD_PATH", "Reply", "reply_of", "sso_request"]

SSO_LOAD_PATH = "/v2/mgmt/sso/settings"
"""Load one SSO configuration (``tenantId``, ``ssoId`` in the query): the SDK's
``load_settings`` path, which it cannot give an ``ssoId``."""


def sso_request(
    api: ManagementApi, method: str, path: str, *, body: Any = None, params: Any = None
) -> Any:
    """One management request the SDK cannot send (SSO, the project configuration), through
    its own HTTP client; the answer's JSON.

    `method` is ``GET`` (with `params`), ``POST`` or ``PUT`` (with `body`). Errors are the SDK's
    own exceptions, so `providers.calls.call` retries and words them as for any SDK call.
    """
    http = api.sso._http
    if method == "GET":
        return http.get(path, params=params).json()
    if method in ("POST", "PUT"):
        return (http.post if method == "POST" else http.put)(path, body=body).json()
    raise ValueError(f"unsupported management request method {method!r}")


@dataclass(frozen=True)
class Reply:
    """A success answer as it came over the wire: HTTP status and body text."""

    status: int
    text: str


S = TypeVar("S")


class _RecordingHttp:
    """The SDK's HTTP client, keeping the last response it returned (one per `reply_of`)."""

    def __init__(self, http: Any) -> None:
        self._http = http
        self.response: Any = None

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._http, name)
        if name not in ("get", "post", "put", "patch", "delete"):
            return attribute

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.response = attribute(*args, **kwargs)
            return self.response

        return recorded


def reply_of(section: S, send: Callable[[S], object]) -> Reply:
    """Make one SDK call and return Descope's success answer as it came.

    `section` is a part of the management client (``management().tenant``); `send` makes the
    call on it (``lambda t: t.delete("acme")``). The call runs on a copy of `section` whose
    HTTP client records the response, so the SDK builds path and body as it always does, and
    concurrent calls never share a recording. Errors (non-2xx answers) are the SDK's own.
    """
    http = getattr(section, "_http", None)
    if http is None:
        raise TypeError(f"{type(section).__name__} has no SDK HTTP client to read answers from")
    recording = _RecordingHttp(http)
    twin = copy.copy(section)
    twin._http = recording  # type: ignore[attr-defined]  # the SDK's attribute (HTTPBase)
    send(twin)
    response = recording.response
    if response is None:
        raise TypeError(f"{type(section).__name__} made no HTTP call")
    return Reply(int(response.status_code), str(response.text))
