"""One keep-alive pool per provider host (`providers.pool`, built by `providers.client`).

Over real loopback HTTP: the emulator counts the connections it accepts, and a relay
(`bench.relay`) closes kept-alive connections as load balancers do.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import inspect
import threading
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pulumi.dynamic.dynamic as pulumi_dynamic
import pytest
from descope.http_client import HTTPClient

from bench.relay import Relay
from emulator.app import EmulatorApp
from emulator.server import EmulatorServer
from emulator.transport import EmulatorTransport
from providers import calls, client, pool
from providers.pool import SDK_INTERNALS, SDK_VERSION, PooledHttp, may_resend
from providers.tenant import TenantProvider
from tests.support.project import TEST_PROJECT, project_app
from tests.unit.providers.tenant_fakes import FAST, Sleeps

REPO = Path(__file__).resolve().parents[3]
PROJECT_ID = "Ppool0000000000000000000000000"
KEY = "K-pool-test-secret-0123456789"
INPROCESS = "http://descope.emulator"
IDLE = 0.5
"""How long the relay lets a connection idle before it treats it as closed: long enough that
calls in a row on a busy machine do not reach it."""
PAUSE = 0.7
"""Longer than `IDLE`: the connections of the batch before are idle long enough."""

PINNED_SOURCES = {
    "descope.http_client.HTTPClient.__init__": "c4acbebd63c696d4",
    "descope.http_client.HTTPClient.get": "4c30f4ecfc2db021",
    "descope.http_client.HTTPClient.post": "f527b272a0843a75",
    "descope.http_client.HTTPClient.put": "047ee4d68093a587",
    "descope.http_client.HTTPClient.patch": "ac358f92a9847c40",
    "descope.http_client.HTTPClient.delete": "872f694b90531450",
    "descope.http_client.HTTPClient._execute_with_retry": "9c11cc6aa1018ade",
    "descope._http_client_base.HTTPClientBase.__init__": "d67cee8c6f1e10ac",
    "descope._http_client_base.HTTPClientBase._get_default_headers": "01b0c756b76a78da",
    "descope._http_client_base.HTTPClientBase._raise_from_response": "1d327a95e480733f",
    "descope.descope_client.DescopeClient.__init__": "72757fabb24847d8",
    "descope.descope_client.DescopeClient._fetch_rate_limit_tier": "0aabdcf29472637a",
    "descope.mgmt.MGMT.__init__": "d57706994723814d",
    "descope.auth.Auth.__init__": "c627b61682499c2a",
}
"""sha256 (first 16 hex digits) of the source of each SDK internal `providers.pool` relies on,
in the pinned SDK. When an SDK upgrade fails this: read each changed function, adapt
`providers.pool` (and `providers.client._build`), then update these digests, `SDK_VERSION`
and the pin in requirements.txt together."""


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(project_id=PROJECT_ID, management_key=KEY, **TEST_PROJECT) as running:
        yield running


def point_at(url: str, app: EmulatorApp | None = None) -> None:
    """Configure the providers' client for `url` (and `app`'s project, else the server's)."""
    project, key = (
        (app.options.project_id, app.options.management_key) if app else (PROJECT_ID, KEY)
    )
    client.configure(
        {"descope:projectId": project, "descope:managementKey": key, "descope:baseUrl": url}
    )


@pytest.fixture(autouse=True)
def _unconfigured() -> Iterator[None]:
    """Each test configures the client; afterwards none is left (and its pool is closed)."""
    yield
    client.configure({})


def creates(server: EmulatorServer) -> int:
    return int(server.app.counters.snapshot()["requests"].get("POST /v1/mgmt/tenant/create", 0))


# --- connections -----------------------------------------------------------------------------


def test_pool__sequential_calls_share_one_connection(server: EmulatorServer) -> None:
    point_at(server.url)
    for _ in range(20):
        client.management().tenant.load_all()
    assert server.connections_opened == 1  # the license handshake included


def test_pool__parallel_calls_open_no_more_connections_than_calls_in_flight(
    server: EmulatorServer,
) -> None:
    point_at(server.url)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            for _ in range(10):
                client.management().tenant.search_all(ids=["none"])
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert 1 <= server.connections_opened <= 4


def test_pool__without_it_every_call_opens_a_connection(server: EmulatorServer) -> None:
    """What the pool replaces: the SDK's own client connects once per call."""
    http = HTTPClient(PROJECT_ID, server.url, management_key=KEY, secure=False)
    for _ in range(5):
        http.get("/v1/mgmt/tenant/all")
    assert server.connections_opened == 5


# --- connections the server closes -----------------------------------------------------------


def test_pool__connections_closed_while_idle_are_replaced_quietly(server: EmulatorServer) -> None:
    with Relay(server.host_and_port, idle_timeout=IDLE) as relay:
        point_at(relay.url)
        for batch in range(2):
            if batch:
                time.sleep(PAUSE)
            for _ in range(5):
                client.management().tenant.load_all()
    assert relay.connections >= 2  # (more when the machine paused inside a batch)


@pytest.mark.parametrize(
    "read",
    [
        lambda api: api.tenant.load_all(),
        lambda api: api.tenant.search_all(ids=["acme"]),
        lambda api: api.flow.list_flows(),
    ],
    ids=["GET", "search POST", "list POST"],
)
def test_pool__a_read_on_a_connection_closed_as_it_was_reused_is_sent_again(
    server: EmulatorServer, read: Any
) -> None:
    with Relay(server.host_and_port, stale="unsent", stale_after=IDLE) as relay:
        point_at(relay.url)
        client.management().tenant.load_all()
        time.sleep(PAUSE)
        read(client.management())
    assert relay.closed_stale >= 1


def test_pool__a_write_that_may_have_reached_descope_is_not_sent_again(
    server: EmulatorServer,
) -> None:
    with Relay(
        server.host_and_port,
        stale="answer_lost",
        stale_after=IDLE,
        stale_only=b"POST /v1/mgmt/tenant/create ",
    ) as relay:
        point_at(relay.url)
        client.management().tenant.load_all()
        time.sleep(PAUSE)
        with pytest.raises(httpx.RemoteProtocolError):
            client.management().tenant.create("Acme", "acme")
    assert relay.closed_stale == 1
    assert creates(server) == 1
    assert "acme" in server.app.backend.tenants


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sleeps]:
    recorder = Sleeps()
    monkeypatch.setattr(calls, "sleep", recorder)
    previous = calls.set_policy(FAST)
    try:
        yield recorder
    finally:
        calls.set_policy(previous)


def test_provider__lost_create_answer_is_settled_by_the_create_rules_with_one_create(
    server: EmulatorServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    """The pool leaves the lost answer to the tenant provider, which finds the tenant its
    create made and claims it: one create reaches Descope, and the user sees success."""
    provider = TenantProvider(backup_dir=str(tmp_path))
    props = {"tenantId": "acme", "name": "Acme", "defaultRoles": []}
    with Relay(
        server.host_and_port,
        stale="answer_lost",
        stale_after=IDLE,
        stale_only=b"POST /v1/mgmt/tenant/create ",
    ) as relay:
        point_at(relay.url)
        client.management().tenant.load_all()
        time.sleep(PAUSE)
        result = provider.create(props)
    assert result.id == "acme"
    assert relay.closed_stale == 1
    assert creates(server) == 1


def test_provider__refresh_after_the_server_closed_the_connection_waits_for_nothing(
    server: EmulatorServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    provider = TenantProvider(backup_dir=str(tmp_path))
    # only reads are cut: a write cut on a busy machine would be retried with a wait
    with Relay(server.host_and_port, stale="unsent", stale_after=IDLE, stale_only=b"GET ") as relay:
        point_at(relay.url)
        created = provider.create({"tenantId": "acme", "name": "Acme", "defaultRoles": []})
        time.sleep(PAUSE)
        read = provider.read("acme", created.outs or {})
    assert read.id == "acme"
    assert relay.closed_stale >= 1
    assert sleeps.waits == []  # no "no answer, waiting ..." retry: nothing the user sees


# --- the resend rule -------------------------------------------------------------------------

REUSED = ["http11.send_request_headers.started", "http11.send_request_headers.complete"]
WRITTEN = [*REUSED, "http11.send_request_body.started", "http11.send_request_body.complete"]
FRESH = ["connection.connect_tcp.started", "connection.connect_tcp.complete", *WRITTEN]


def attempt_of(events: list[str]) -> Any:
    attempt = pool._Attempt()
    for event in events:
        attempt(event, {})
    return attempt


@pytest.mark.parametrize(
    ("method", "path", "events", "error", "resend"),
    [
        ("GET", "/v1/mgmt/tenant/all", WRITTEN, httpx.RemoteProtocolError, True),
        ("POST", "/v1/mgmt/tenant/search", WRITTEN, httpx.ReadError, True),
        ("POST", "/v1/mgmt/tenant/create", WRITTEN, httpx.RemoteProtocolError, False),
        ("POST", "/v1/mgmt/tenant/create", REUSED, httpx.RemoteProtocolError, True),
        (
            "PATCH",
            "/v1/mgmt/tenant",
            [*REUSED, "http11.send_request_body.failed"],
            httpx.ReadError,
            True,
        ),
        ("GET", "/v1/mgmt/tenant/all", FRESH, httpx.RemoteProtocolError, False),
        ("GET", "/v1/mgmt/tenant/all", WRITTEN, httpx.ReadTimeout, False),
        ("GET", "/v1/mgmt/tenant/all", [], httpx.RemoteProtocolError, False),
    ],
    ids=[
        "read",
        "read by POST",
        "written create",
        "create not written",
        "update not written",
        "fresh connection",
        "timeout",
        "no trace (in-process)",
    ],
)
def test_may_resend(
    method: str, path: str, events: list[str], error: type[httpx.TransportError], resend: bool
) -> None:
    request = httpx.Request(method, f"http://descope.test{path}")
    assert may_resend(request, error("closed", request=request), attempt_of(events)) is resend


def test_send__gives_up_after_the_resends_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[int] = []

    def stale(request: httpx.Request) -> httpx.Response:
        tries.append(1)
        trace = request.extensions["trace"]
        for event in REUSED:
            trace(event, {})
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    mock = httpx.Client(transport=httpx.MockTransport(stale))
    with mock, pytest.raises(httpx.RemoteProtocolError):
        pool.send(mock, mock.build_request("GET", "http://descope.test/v1/mgmt/tenant/all"))
    assert len(tries) == 1 + pool.MAX_RESENDS


# --- the client and its pool -----------------------------------------------------------------


def test_client__in_process_transport_through_the_seam() -> None:
    app = project_app()
    with client.use_transport(EmulatorTransport(app)):
        point_at(INPROCESS, app)
        client.management().tenant.create("Acme", "acme")
    assert "acme" in app.backend.tenants
    # the license handshake (no tier yet), then the create with the tier it answered
    assert app.counters.snapshot()["licenseHeaders"] == {"none": 1, app.options.default_tier: 1}


def test_client__configure_with_other_settings_closes_the_pool() -> None:
    app = project_app()
    with client.use_transport(EmulatorTransport(app)):
        point_at(INPROCESS, app)
        client.management().tenant.load_all()
        first = client._http
        assert first is not None
        client.configure({"descope:projectId": PROJECT_ID, "descope:managementKey": "K-other"})
        assert first.pool.is_closed
        point_at(INPROCESS, app)
        client.management().tenant.load_all()
        assert client._http is not first


def test_client__same_settings_keep_the_pool() -> None:
    app = project_app()
    with client.use_transport(EmulatorTransport(app)):
        point_at(INPROCESS, app)
        client.management().tenant.load_all()
        first = client._http
        point_at(INPROCESS, app)
        client.management().tenant.load_all()
        assert client._http is first


def test_provider__pickles_small_and_without_the_pool(tmp_path: Path) -> None:
    app = project_app()
    with client.use_transport(EmulatorTransport(app)):
        point_at(INPROCESS, app)
        provider = TenantProvider(stack="dev")
        provider.create({"tenantId": "acme", "name": "Acme", "defaultRoles": []})
        assert client._http is not None  # the pool is in use
        blob = pulumi_dynamic.serialize_provider(provider)
    raw = base64.b64decode(blob)
    assert len(blob) < 1024
    for absent in (b"httpx", b"pool", b"Pooled", KEY.encode()):
        assert absent not in raw


# --- the pinned SDK --------------------------------------------------------------------------


def sdk_object(name: str) -> Any:
    module, owner, attribute = name.rsplit(".", 2)
    return getattr(getattr(importlib.import_module(module), owner), attribute)


def test_sdk__is_the_pinned_version() -> None:
    assert version("descope") == SDK_VERSION
    requirements = (REPO / "requirements.txt").read_text(encoding="utf-8")
    assert f"\ndescope=={SDK_VERSION} " in requirements


@pytest.mark.parametrize("name", SDK_INTERNALS)
def test_sdk__internals_the_pool_relies_on_are_unchanged(name: str) -> None:
    source = inspect.getsource(sdk_object(name))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == PINNED_SOURCES[name], (
        f"{name} changed in this SDK version; see PINNED_SOURCES"
    )
    assert set(PINNED_SOURCES) == set(SDK_INTERNALS)


def test_sdk__every_request_method_goes_through_the_pool() -> None:
    """Every method of the SDK's client that sends (all but the last-response getter) is
    replaced, with the SDK's own signature."""
    sending = {
        name
        for name, value in vars(HTTPClient).items()
        if inspect.isfunction(value) and not name.startswith("_") and name != "get_last_response"
    }
    assert sending == {"get", "post", "put", "patch", "delete"}
    for name in sending:
        ours = inspect.signature(getattr(PooledHttp, name)).parameters
        theirs = inspect.signature(getattr(HTTPClient, name)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ], name


@pytest.mark.parametrize(
    ("method", "send"),
    [
        ("GET", lambda http: http.get("/echo", params={"a": "1"})),
        ("POST", lambda http: http.post("/echo", body={"b": 2}, params={"a": "1"})),
        ("PUT", lambda http: http.put("/echo", body={"b": 2})),
        ("PATCH", lambda http: http.patch("/echo", body={"b": 2})),
        ("DELETE", lambda http: http.delete("/echo", params={"a": "1"})),
    ],
)
def test_pooled_http__sends_what_the_sdk_sends(method: str, send: Any) -> None:
    """Same URL, query, headers and body as the SDK's module-level httpx calls."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(record)
    http = PooledHttp(
        PROJECT_ID, base_url="http://descope.test", management_key=KEY, transport=transport
    )
    try:
        send(http)
    finally:
        http.close()
    (request,) = seen
    assert request.method == method
    assert request.url.path == "/echo"
    assert request.headers["Authorization"] == f"Bearer {PROJECT_ID}:{KEY}"
    assert request.headers["x-descope-project-id"] == PROJECT_ID
    if method in ("POST", "PUT", "PATCH"):
        assert request.content == b'{"b":2}'


def answering(handler: Any) -> PooledHttp:
    """A `PooledHttp` whose pool is answered by `handler` (an ``httpx.MockTransport``)."""
    transport = httpx.MockTransport(handler)
    return PooledHttp(
        PROJECT_ID, base_url="http://descope.test", management_key=KEY, transport=transport
    )


@pytest.mark.parametrize(
    ("answer", "tier"),
    [
        (lambda request: httpx.Response(200, json={"rateLimitTier": "tier2"}), "tier2"),
        (lambda request: httpx.Response(200, json={}), None),
        (lambda request: httpx.Response(500, json={}), None),
        (lambda request: httpx.Response(200, text="<html>"), None),
    ],
    ids=["tier", "no tier", "error", "not JSON"],
)
def test_pooled_http__license_handshake_is_never_fatal(answer: Any, tier: str | None) -> None:
    http = answering(answer)
    with http.pool:
        http.fetch_rate_limit_tier()
    assert http.rate_limit_tier == tier


def test_pooled_http__verbose_keeps_the_last_response() -> None:
    http = answering(lambda request: httpx.Response(200, json={"ok": True}))
    http.verbose = True
    with http.pool:
        http.get("/v1/mgmt/tenant/all")
    last = http.get_last_response()
    assert last is not None
    assert last.raw.json() == {"ok": True}


def test_emulator_server__counts_connections_only_while_running() -> None:
    server = EmulatorServer(project_id=PROJECT_ID, management_key=KEY)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.connections_opened
