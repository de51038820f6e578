"""EmulatorServer lifecycle and raw-HTTP behaviour; concurrency; the transport alone."""

from __future__ import annotations

import socket
import socketserver
import threading

import httpx
import pytest
from descope import DescopeClient

from emulator import EmulatorApp, EmulatorOptions, EmulatorServer
from emulator import server as server_module
from emulator.transport import EmulatorTransport
from tests.support.inprocess import inprocess_descope_context, plain_http_descope


def test_server__url_has_no_trailing_slash_and_real_port() -> None:
    server = EmulatorServer(port=0, not_found_status=404)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url

    with server:
        host, port = server.host_and_port
        assert host == "127.0.0.1"
        assert port > 0
        assert server.url == f"http://127.0.0.1:{port}"
        assert server.start() is server  # already running: no-op
        assert server.app.options.not_found_status == 404
    server.stop()  # twice is fine


def test_server__app_and_options_are_exclusive() -> None:
    with pytest.raises(TypeError, match="not both"):
        EmulatorServer(EmulatorApp(), normalize_domains=True)


def test_server__put_and_delete_are_answered(emulator: EmulatorServer) -> None:
    options = emulator.app.options
    headers = {"Authorization": f"Bearer {options.project_id}:{options.management_key}"}

    assert httpx.put(f"{emulator.url}/v1/mgmt/tenant/create", headers=headers).status_code == 500
    assert httpx.delete(f"{emulator.url}/v1/mgmt/other", headers=headers).status_code == 404


def test_server__dropped_connection_writes_nothing(emulator: EmulatorServer) -> None:
    emulator.app.set_faults({"dropConnections": {"count": 1}})
    host, port = emulator.host_and_port

    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            f"GET /v1/mgmt/tenant/all HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
        assert sock.recv(1024) == b""


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "99999999999999999999"])
def test_server__bad_content_length_is_a_400_and_the_connection_closes(
    emulator: EmulatorServer, length: str, capfd: pytest.CaptureFixture[str]
) -> None:
    host, port = emulator.host_and_port
    request = (
        f"POST /v1/mgmt/tenant/create HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )

    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(request.encode() + b"{}")
        answer = b""
        while chunk := sock.recv(4096):  # the server closes: the loop ends
            answer += chunk

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in head
    assert b"Content-Length" in body
    assert emulator.app.backend.tenants == {}
    assert "Traceback" not in capfd.readouterr().err


def test_server__keep_alive_serves_several_requests_on_one_connection(
    emulator: EmulatorServer,
) -> None:
    options = emulator.app.options
    headers = {"Authorization": f"Bearer {options.project_id}:{options.management_key}"}

    with httpx.Client(base_url=emulator.url, headers=headers) as http:
        for _ in range(3):
            response = http.post("/v1/mgmt/flow/list")
            assert response.status_code == 200
            assert response.headers["content-length"] == str(len(response.content))


def test_server__stop_ends_the_connections_kept_alive() -> None:
    """A client that kept its connection to a stopped emulator reaches the next one on that
    port, never the stopped one's threads (which would answer from the stopped project)."""
    first = EmulatorServer(port=0).start()
    port = first.port
    headers = {
        "Authorization": f"Bearer {first.app.options.project_id}:{first.app.options.management_key}"
    }
    with httpx.Client(base_url=first.url, headers=headers) as http:
        http.post("/v1/mgmt/tenant/create", json={"id": "old", "name": "Old"}).raise_for_status()
        first.stop()
        with EmulatorServer(port=port) as second:
            http.post("/v1/mgmt/tenant/create", json={"id": "new", "name": "New"})
            listed = http.get("/v1/mgmt/tenant/all").json()["tenants"]
            assert second.connections_opened == 1
    assert [t["id"] for t in listed] == ["new"]


def test_server__answers_without_waiting_for_the_clients_ack(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers and body leave as two writes: each accepted connection has TCP_NODELAY, or a
    keep-alive client waits out its delayed ACK (about 40 ms) on every request."""
    nodelay: list[int] = []
    handler_setup = server_module._Handler.setup

    def recording_setup(handler: socketserver.StreamRequestHandler) -> None:
        handler_setup(handler)
        nodelay.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(server_module._Handler, "setup", recording_setup)

    with httpx.Client(base_url=emulator.url) as http:
        http.post("/v1/mgmt/flow/list")
        http.post("/v1/mgmt/flow/list")

    assert nodelay == [1]


def test_concurrent_creates__no_lost_or_duplicate_tenants(
    emulator: EmulatorServer, client: DescopeClient
) -> None:
    options = emulator.app.options
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            own = plain_http_descope(options.project_id, options.management_key, emulator.url)
            for i in range(10):
                tenant_id = own.mgmt.tenant.create(f"t-{n}-{i}")["id"]
                with lock:
                    ids.append(tenant_id)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(ids) == len(set(ids)) == 80
    tenants = client.mgmt.tenant.load_all()["tenants"]
    assert sorted(t["id"] for t in tenants) == sorted(ids)
    assert len({t["name"] for t in tenants}) == 80


def test_concurrent_creates_of_one_name__exactly_one_wins(emulator: EmulatorServer) -> None:
    backend = emulator.app.backend
    results: list[str] = []

    def worker() -> None:
        try:
            backend.create_tenant({"name": "same"})
            results.append("ok")
        except Exception:
            results.append("dup")

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["dup"] * 15 + ["ok"]


def test_transport__answers_like_the_server() -> None:
    app = EmulatorApp(EmulatorOptions(management_key="K-x"))
    headers = {"Authorization": f"Bearer {app.options.project_id}:K-x"}

    with httpx.Client(transport=EmulatorTransport(app), base_url="http://anything") as http:
        created = http.post(
            "/v1/mgmt/tenant/create", json={"name": "A", "id": "a"}, headers=headers
        )
        loaded = http.get("/v1/mgmt/tenant", params={"id": "a"}, headers=headers)
        app.set_faults({"dropConnections": {"count": 1}})
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/v1/mgmt/tenant/all", headers=headers)

    assert created.json() == {"id": "a"}
    assert loaded.json()["name"] == "A"


def test_inprocess_context__patches_end_with_the_block() -> None:
    original = httpx.post

    with inprocess_descope_context() as client:
        assert httpx.post is not original
        assert client.mgmt.tenant.create("A", "a") == {"id": "a"}

    assert httpx.post is original


def test_inprocess__other_urls_go_to_the_real_httpx(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with inprocess_descope_context():
        response = httpx.get(f"{emulator.url}/emulator/health")

    assert response.json() == {"ok": True}


def test_inprocess__works_with_pytest_mock(mocker: object) -> None:
    from tests.support.inprocess import inprocess_descope  # noqa: PLC0415

    app = EmulatorApp()
    client = inprocess_descope(app, mocker)  # type: ignore[arg-type]

    client.mgmt.tenant.create("A", "a")

    assert list(app.backend.tenants) == ["a"]
