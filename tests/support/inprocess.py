"""The fast fake: the real Descope SDK over the real emulator state, with no sockets.

The SDK calls httpx's module-level functions (``httpx.get``, ``httpx.post``, ...; see
``descope/http_client.py`` and the license handshake in ``descope/descope_client.py``).
:func:`inprocess_descope` reroutes those whose URL starts with the emulator's base URL
through an ``httpx.Client`` on an :class:`~emulator.transport.EmulatorTransport`, zeroes
the SDK's retry delays so 503 tests stay fast, and builds a real ``DescopeClient``.

Usage in a test::

    def test_something(monkeypatch: pytest.MonkeyPatch) -> None:
        app = EmulatorApp()
        client = inprocess_descope(app, monkeypatch)   # or pass pytest-mock's ``mocker``
        client.mgmt.tenant.create("Acme", "acme")
        assert app.backend.tenants["acme"].name == "Acme"

The patches are registered with the given patcher and undone when it is (at test end).
Outside pytest fixtures, use :func:`inprocess_descope_context`.

The providers' own client (`providers.client.management`: the SDK's management client on one
keep-alive pool, which never calls those module-level functions) takes the same transport
through its seam instead: ``with client.use_transport(EmulatorTransport(app)): ...``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx
import pytest
from descope import DescopeClient

from emulator.app import EmulatorApp
from emulator.transport import EmulatorTransport
from tests.support.project import project_app

__all__ = [
    "INPROCESS_BASE_URL",
    "inprocess_descope",
    "inprocess_descope_context",
    "plain_http_descope",
    "route_httpx_to_app",
    "zero_retry_delays",
]

INPROCESS_BASE_URL = "http://descope.emulator"
"""The base URL the in-process client uses; only requests to it are rerouted."""

_METHODS = ("get", "post", "put", "patch", "delete")
# Keyword arguments of httpx's module-level functions that httpx.Client.request lacks.
_CLIENT_LEVEL_KWARGS = ("verify", "cert", "trust_env", "proxy", "proxies")


class _MockerLike(Protocol):
    """The part of pytest-mock's ``MockerFixture`` used here."""

    @property
    def patch(self) -> Any: ...


Patcher = pytest.MonkeyPatch | _MockerLike


def _setattr(patcher: Patcher, target: object, name: str, value: object) -> None:
    if isinstance(patcher, pytest.MonkeyPatch):
        patcher.setattr(target, name, value)
    else:
        patcher.patch.object(target, name, value)


def zero_retry_delays(patcher: Patcher) -> None:
    """Make the SDK retry 503s at once (it waits 0.1 s, 5 s, 5 s otherwise)."""
    import descope._http_client_base as base  # noqa: PLC0415 - SDK internals, read at patch time
    import descope.http_client as sync_client  # noqa: PLC0415

    for module in (sync_client, base):
        _setattr(patcher, module, "_RETRY_DELAYS_SECONDS", [0.0] * len(base._RETRY_DELAYS_SECONDS))


def route_httpx_to_app(
    app: EmulatorApp, patcher: Patcher, base_url: str = INPROCESS_BASE_URL
) -> httpx.Client:
    """Reroute ``httpx.get/post/put/patch/delete`` calls to ``base_url`` into ``app``.

    Calls to any other URL go to the original functions untouched.
    """
    client = httpx.Client(transport=EmulatorTransport(app))

    def routed(
        method: str, original: Callable[..., httpx.Response]
    ) -> Callable[..., httpx.Response]:
        def call(url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
            if not str(url).startswith(base_url):
                return original(url, **kwargs)
            for key in _CLIENT_LEVEL_KWARGS:
                kwargs.pop(key, None)
            return client.request(method.upper(), url, **kwargs)

        return call

    for method in _METHODS:
        _setattr(patcher, httpx, method, routed(method, getattr(httpx, method)))
    return client


def inprocess_descope(
    app: EmulatorApp,
    patcher: Patcher,
    *,
    base_url: str = INPROCESS_BASE_URL,
    management_key: str | None = None,
    fast_retries: bool = True,
) -> DescopeClient:
    """A real ``DescopeClient`` answered in-process by ``app``.

    ``management_key`` defaults to the app's (pass another to test a wrong key);
    ``fast_retries`` zeroes the SDK's retry delays.
    """
    route_httpx_to_app(app, patcher, base_url)
    if fast_retries:
        zero_retry_delays(patcher)
    key = app.options.management_key if management_key is None else management_key
    return plain_http_descope(app.options.project_id, key, base_url)


def plain_http_descope(project_id: str, management_key: str, base_url: str) -> DescopeClient:
    """A real ``DescopeClient`` for a plain-http base URL such as the emulator's.

    ``skip_verify=True`` spares building two TLS contexts per client (about 0.1 s) that
    plain http never uses; the SDK's TLS warning about it is silenced for that reason.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*TLS certificate verification is DISABLED")
        return DescopeClient(
            project_id, management_key=management_key, base_url=base_url, skip_verify=True
        )


@contextlib.contextmanager
def inprocess_descope_context(
    app: EmulatorApp | None = None, **kwargs: Any
) -> Iterator[DescopeClient]:
    """:func:`inprocess_descope` as a context manager; the patches end with the block.

    Without ``app``, a fresh one whose project defines the suite's custom attributes and
    roles (:mod:`tests.support.project`).
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield inprocess_descope(app or project_app(), monkeypatch, **kwargs)
