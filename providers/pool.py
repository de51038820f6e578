"""One keep-alive connection pool per provider host, under the SDK's own HTTP client.

The SDK's sync client sends every request with httpx's module-level functions
(``httpx.post(...)``), so every call opens a new TCP connection, and a new TLS session over
HTTPS: three round trips per call where one does. `PooledHttp` is the SDK's ``HTTPClient``
whose five request methods send through one shared `httpx.Client` (`new_pool`) instead;
headers, the SDK's own retries of 503s, its exceptions and its verbose last-response store stay
the SDK's code. What this relies on of the SDK's internals is exactly `SDK_INTERNALS`, as they
are in `SDK_VERSION`, the version ``requirements.txt`` pins (a test fails when an upgrade
changes any of them).

The pool is thread-safe and has no cap: as many connections as calls in flight, each kept
open `KEEPALIVE_SECONDS` after its last use. `providers.client` builds one with the client and
closes it when `configure` replaces the client; neither is ever pickled (they live in that
module, never on a provider object).

**A kept-alive connection the server closed.** Servers and load balancers close idle
connections. One closed while idle is found closed by httpcore before reuse (its socket reads
as ready) and replaced by a new connection: nothing fails. One closed just as a request goes
out fails that request with a transport error and no answer (``RemoteProtocolError``,
``ReadError``, ``WriteError``). `send` then sends the request again at once, on another
connection, only when all of these hold:

1. the failed attempt went out on a reused connection (httpx's ``trace`` extension shows no
   connect in it): a failure on a new connection is not a stale keep-alive but a real failure,
   which `providers.calls` handles as before;
2. it is not a timeout (a server that is slow to answer had the request);
3. the request is a read (``GET``, or one of the SDK's reads sent by POST, `READ_POSTS`), or
   the trace shows the request was not completely written (a server acts on no request it did
   not receive whole).

At most `MAX_RESENDS` times (the failed connection is dropped each time, so the next attempt
takes another one or a new one). Otherwise the error is raised as it came: a write that may
have reached Descope is never sent twice blindly. `providers.calls` then retries it only when
the call is repeatable, and an ambiguous create is settled by the providers' rules (the tenant
provider loads the tenant and claims it when it is the one this run made; `providers.errors`).
An in-process transport (the tests' emulator) reports no trace, so nothing is resent there.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from descope._http_client_base import DescopeResponse
from descope.descope_client import LICENSE_HANDSHAKE_TIMEOUT_SECONDS
from descope.http_client import HTTPClient
from descope.management.common import MgmtV1

from providers.budget import DEFAULT_LIMIT, RequestBudget

log = logging.getLogger(__name__)

SDK_VERSION = "2.16.1"
"""The descope SDK version whose internals `PooledHttp` relies on (``requirements.txt``)."""

SDK_INTERNALS = (
    "descope.http_client.HTTPClient.__init__",
    "descope.http_client.HTTPClient.get",
    "descope.http_client.HTTPClient.post",
    "descope.http_client.HTTPClient.put",
    "descope.http_client.HTTPClient.patch",
    "descope.http_client.HTTPClient.delete",
    "descope.http_client.HTTPClient._execute_with_retry",
    "descope._http_client_base.HTTPClientBase.__init__",
    "descope._http_client_base.HTTPClientBase._get_default_headers",
    "descope._http_client_base.HTTPClientBase._raise_from_response",
    "descope.descope_client.DescopeClient.__init__",
    "descope.descope_client.DescopeClient._fetch_rate_limit_tier",
    "descope.mgmt.MGMT.__init__",
    "descope.auth.Auth.__init__",
)
"""Everything of the SDK that `PooledHttp` and `providers.client` copy, call or replace: the
request methods re-sent through the pool (their signatures and what they do around the send),
the retry, header and error helpers called, and how the SDK builds its management client and
does its license handshake (which `providers.client` repeats with a `PooledHttp`)."""

KEEPALIVE_SECONDS = 5.0
"""How long an idle connection is kept (httpx's default): below the idle timeouts of common
load balancers (60 s and more), so the pool mostly drops a connection before the server does."""

MAX_RESENDS = 2
"""Resends of one request after failures on reused connections (see the module docstring)."""

READ_POSTS = frozenset(
    {
        MgmtV1.tenant_search_all_path,
        MgmtV1.role_search_path,
        MgmtV1.flow_list_path,
        MgmtV1.flow_export_path,
        MgmtV1.theme_export_path,
    }
)
"""The SDK calls the providers make that read by POST: as safe to send twice as a GET."""


def new_pool(verify: Any = True, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A thread-safe keep-alive pool with no cap on connections; `transport` replaces the
    network (the tests' in-process emulator), `verify` is the SDK's TLS setting."""
    limits = httpx.Limits(
        max_connections=None, max_keepalive_connections=None, keepalive_expiry=KEEPALIVE_SECONDS
    )
    return httpx.Client(verify=verify, transport=transport, limits=limits)


class _Attempt:
    """What httpcore reported of one attempt through the ``trace`` extension."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        self.events.append(name)

    @property
    def reused(self) -> bool:
        """The request went out on a connection kept from an earlier request."""
        connected = any(
            e.endswith((".connect_tcp.started", ".connect_unix_socket.started"))
            for e in self.events
        )
        return "http11.send_request_headers.started" in self.events and not connected

    @property
    def written(self) -> bool:
        """Every byte of the request was handed to the network."""
        return "http11.send_request_body.complete" in self.events


def is_read(method: str, path: str) -> bool:
    """Whether the request only reads (sending it twice changes nothing)."""
    return method == "GET" or (method == "POST" and path in READ_POSTS)


def may_resend(request: httpx.Request, error: httpx.TransportError, attempt: _Attempt) -> bool:
    """The module docstring's rule for sending `request` again after `error`."""
    if isinstance(error, httpx.TimeoutException) or not attempt.reused:
        return False
    return not attempt.written or is_read(request.method, request.url.path)


def send(
    pool: httpx.Client,
    request: httpx.Request,
    *,
    follow_redirects: bool = False,
    budget: RequestBudget | None = None,
) -> httpx.Response:
    """Send `request` through `pool`, again on another connection when `may_resend`; each
    attempt first takes one request from `budget` (`providers.budget`)."""
    resends = 0
    while True:
        if budget is not None:
            budget.take()
        attempt = _Attempt()
        request.extensions = {**request.extensions, "trace": attempt}
        try:
            return pool.send(request, follow_redirects=follow_redirects)
        except httpx.TransportError as error:
            if resends >= MAX_RESENDS or not may_resend(request, error, attempt):
                raise
            resends += 1
            log.info(
                "%s %s: the kept-alive connection was closed by the server (%s); sending again",
                request.method,
                request.url.path,
                type(error).__name__,
            )


class PooledHttp(HTTPClient):
    """The SDK's HTTP client, sending through `pool` instead of a new connection per call,
    within `budget` (Descope's rate limit, `providers.budget`).

    Each request method takes the SDK's own arguments and does what the SDK's does (see
    ``descope/http_client.py``): same URL, headers, body, redirects and timeout, the SDK's
    retry of 503s around the send, its last-response store, its exceptions. `pool` is this
    client's own; `close` closes it.
    """

    def __init__(
        self,
        project_id: str,
        *,
        transport: httpx.BaseTransport | None = None,
        requests_per_window: int = DEFAULT_LIMIT,
        **settings: Any,
    ) -> None:
        """The SDK's constructor (`settings`: its keyword arguments), plus a new pool using
        the SDK's TLS settings, or `transport` instead of the network, and a request budget of
        `requests_per_window` per `providers.budget.WINDOW_SECONDS`."""
        super().__init__(project_id, **settings)
        self.pool = new_pool(self.client_verify, transport)
        self.budget = RequestBudget(requests_per_window)

    def close(self) -> None:
        """Close the pool's connections; no call may be made after."""
        self.pool.close()

    def get(
        self,
        uri: str,
        *,
        params: Any = None,
        allow_redirects: bool | None = True,
        pswd: str | None = None,
    ) -> httpx.Response:
        redirects = bool(allow_redirects)
        return self._exchange("GET", uri, pswd, params=params, follow_redirects=redirects)

    def post(
        self,
        uri: str,
        *,
        body: dict[Any, Any] | list[dict[Any, Any]] | list[str] | None = None,
        params: Any = None,
        pswd: str | None = None,
        base_url: str | None = None,
    ) -> httpx.Response:
        return self._exchange("POST", uri, pswd, base_url, json=body, params=params)

    def put(
        self,
        uri: str,
        *,
        body: dict[Any, Any] | list[dict[Any, Any]] | list[str] | None = None,
        params: Any = None,
        pswd: str | None = None,
    ) -> httpx.Response:
        return self._exchange("PUT", uri, pswd, json=body, params=params)

    def patch(
        self,
        uri: str,
        *,
        body: dict[Any, Any] | list[dict[Any, Any]] | list[str] | None,
        params: Any = None,
        pswd: str | None = None,
    ) -> httpx.Response:
        return self._exchange("PATCH", uri, pswd, json=body, params=params)

    def delete(self, uri: str, *, params: Any = None, pswd: str | None = None) -> httpx.Response:
        return self._exchange("DELETE", uri, pswd, params=params)

    def _exchange(
        self,
        method: str,
        uri: str,
        pswd: str | None,
        base_url: str | None = None,
        *,
        follow_redirects: bool = False,
        **content: Any,
    ) -> httpx.Response:
        url = f"{base_url or self.base_url}{uri}"

        def attempt() -> httpx.Response:
            request = self.pool.build_request(
                method,
                url,
                headers=self._get_default_headers(pswd),
                timeout=self.timeout_seconds,
                **content,
            )
            return send(self.pool, request, follow_redirects=follow_redirects, budget=self.budget)

        response = self._execute_with_retry(attempt)
        if self.verbose:
            self.last_response_store.set(DescopeResponse(response))
        self._raise_from_response(response)  # type: ignore[no-untyped-call]  # the SDK leaves it untyped
        return response

    def fetch_rate_limit_tier(self) -> None:
        """The SDK's license handshake (``DescopeClient._fetch_rate_limit_tier``) through the
        pool: remember Descope's rate-limit tier, sent with every later management call. A
        failure only logs a warning, as in the SDK."""
        try:
            response = self.pool.get(
                f"{self.base_url}{MgmtV1.license_get_path}",
                headers={"Authorization": f"Bearer {self.project_id}:{self.management_key}"},
                follow_redirects=True,
                timeout=LICENSE_HANDSHAKE_TIMEOUT_SECONDS,
            )
            if not response.is_success:
                log.warning("License handshake answered %s", response.status_code)
                return
            tier = response.json().get("rateLimitTier")
        except Exception as exc:  # the SDK's rule: never fatal
            log.warning("License handshake failed: %s", exc)
            return
        if tier:
            self.rate_limit_tier = tier
