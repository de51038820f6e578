"""The emulator safe to leave running: every test speaks raw HTTP over a real socket.

A foreign ``Host`` (DNS rebinding) or ``Origin`` (a web page), a non-JSON admin write, a body
nested 100,000 deep, a number out of range, a chunked body smuggling a second request, idle
connections and too many of them: each is refused or bounded, in Descope's error format, with
no traceback and nothing changed.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import EmulatorApp, EmulatorServer
from emulator.__main__ import StartupError, _app, _parser, _started_server
from emulator.guard import RequestGuard

EVIL = "http://evil.example"


def _host(server: EmulatorServer) -> str:
    """The server's own ``Host`` header value."""
    host, port = server.host_and_port
    return f"{host}:{port}"


def _raw(server: EmulatorServer, request: bytes, timeout: float = 5) -> bytes:
    """Send ``request`` on a fresh connection; everything received until the server closes
    (or, for a connection kept open, until ``timeout``)."""
    with socket.create_connection(server.host_and_port, timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


def _request(
    server: EmulatorServer,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """One request as raw bytes: ``Host`` the server's own unless given, ``Connection: close``."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {_host(server) if host is None else host}",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _answers(raw: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Every HTTP answer in ``raw`` (status, JSON body), in order."""
    out: list[tuple[int, dict[str, Any]]] = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields = dict(
            line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
        )
        length = int(fields["Content-Length"])
        out.append((status, json.loads(rest[:length]) if length else {}))
        raw = rest[length:]
    return out


def _one_answer(raw: bytes) -> tuple[int, dict[str, Any]]:
    answers = _answers(raw)
    assert len(answers) == 1, answers
    return answers[0]


def _auth(server: EmulatorServer) -> dict[str, str]:
    options = server.app.options
    return {"Authorization": f"Bearer {options.project_id}:{options.management_key}"}


@pytest.fixture
def acme(emulator: EmulatorServer) -> EmulatorServer:
    """The session server holding one tenant, ``acme``."""
    emulator.app.backend.create_tenant({"id": "acme", "name": "Acme"})
    return emulator


# --- admin writes: Origin and Content-Type -------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Origin": EVIL, "Content-Type": "text/plain"}, 403, "E099403"),
        ({"Origin": EVIL, "Content-Type": "application/json"}, 403, "E099403"),
        ({"Origin": "null", "Content-Type": "application/json"}, 403, "E099403"),
        ({"Content-Type": "text/plain"}, 415, "E099415"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "E099415"),
    ],
)
def test_reset__a_cross_site_or_non_json_write_is_refused_and_the_data_survives(
    tmp_path: Path, headers: dict[str, str], status: int, code: str
) -> None:
    data_file = tmp_path / "state.json"
    with EmulatorServer(data_file=data_file) as server:
        server.app.backend.create_tenant({"id": "acme", "name": "Acme"})
        server.app.save()

        answer = _one_answer(
            _raw(server, _request(server, "POST", "/emulator/reset", b"{}", headers=headers))
        )
        state = httpx.get(f"{server.url}/emulator/state").json()

    assert answer[0] == status
    assert answer[1]["errorCode"] == code
    assert "/emulator/reset" in answer[1]["errorMessage"]
    assert [t["id"] for t in state["tenants"]] == ["acme"]
    assert "acme" in data_file.read_text()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/emulator/faults", b'{"fail500": {"count": 1}}'),
        ("/emulator/options", b'{"notFoundStatus": 404}'),
        ("/emulator/counters/reset", b""),
        ("//emulator/tenant-attributes", b"{}"),
    ],
)
def test_admin_writes__all_refuse_a_foreign_origin(
    emulator: EmulatorServer, path: str, body: bytes
) -> None:
    headers = {"Origin": EVIL, "Content-Type": "application/json"}

    status, error = _one_answer(
        _raw(emulator, _request(emulator, "POST", path, body, headers=headers))
    )

    assert (status, error["errorCode"]) == (403, "E099403")
    assert emulator.app.faults.plan.fail_500 is None
    assert emulator.app.options.not_found_status == 400


def test_admin_writes__the_emulators_own_origin_and_bodiless_posts_are_served(
    acme: EmulatorServer,
) -> None:
    own = {
        "Origin": f"http://localhost:{acme.port}",
        "Content-Type": "application/json; charset=utf-8",
    }

    faults = _one_answer(_raw(acme, _request(acme, "POST", "/emulator/faults", b"{}", headers=own)))
    reset = httpx.post(f"{acme.url}/emulator/reset")  # no body, no Content-Type: curl -X POST

    assert faults[0] == 200
    assert reset.status_code == 200
    assert acme.app.backend.tenants == {}


def test_admin_reads__take_any_origin(emulator: EmulatorServer) -> None:
    """A GET changes nothing; a page cannot read the answer anyway (no CORS headers)."""
    status, body = _one_answer(
        _raw(emulator, _request(emulator, "GET", "/emulator/health", headers={"Origin": EVIL}))
    )

    assert (status, body) == (200, {"ok": True})


# --- Host: no DNS rebinding -------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "evil.example",
        "127.0.0.2:{port}",
        "[::2]:{port}",
        "localhost.evil",
        "",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/emulator/state"), ("GET", "/v1/mgmt/tenant/all")]
)
def test_a_foreign_host_is_refused_on_admin_and_api_paths(
    acme: EmulatorServer, host: str, method: str, path: str
) -> None:
    port = acme.port
    request = _request(acme, method, path, host=host.format(port=port), headers=_auth(acme))

    raw = _raw(acme, request)
    status, error = _one_answer(raw)

    assert (status, error["errorCode"]) == (421, "E099421")
    assert f"send the request to http://127.0.0.1:{port}" in error["errorMessage"]
    assert b"acme" not in raw
    assert acme.app.counters.snapshot()["total"] == 0


def test_a_missing_or_repeated_host_is_refused(acme: EmulatorServer) -> None:
    host = _host(acme)
    missing = b"GET /emulator/state HTTP/1.0\r\n\r\n"
    repeated = (
        f"GET /emulator/state HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\n\r\n".encode()
    )

    for request in (missing, repeated):
        status, error = _one_answer(_raw(acme, request))
        assert (status, error["errorCode"]) == (421, "E099421")


@pytest.mark.parametrize(
    "host", ["localhost:{port}", "LOCALHOST:{port}", "127.0.0.1:{port}", "[::1]:{port}",
             "127.0.0.1", "localhost:1"],
)  # fmt: skip
def test_the_loopback_names_are_served_on_any_port(acme: EmulatorServer, host: str) -> None:
    # The name defeats DNS rebinding; a relay or proxy on another port keeps its own.
    request = _request(
        acme, "GET", "/v1/mgmt/tenant?id=acme", host=host.format(port=acme.port),
        headers=_auth(acme),
    )  # fmt: skip

    status, tenant = _one_answer(_raw(acme, request))

    assert (status, tenant["id"]) == (200, "acme")


def test_allowed_hosts_and_a_bound_wildcard() -> None:
    guard = RequestGuard.for_address("0.0.0.0", 8787, ["devbox.local", "::2"])
    port80 = RequestGuard.for_address("127.0.0.1", 80)

    assert guard.hosts == (
        "localhost:8787",
        "127.0.0.1:8787",
        "[::1]:8787",
        "devbox.local:8787",
        "[::2]:8787",
    )
    assert "http://devbox.local:8787" in guard.origins
    assert {"127.0.0.1", "localhost", "127.0.0.1:80"} <= set(port80.hosts)


# --- framing: no request smuggling ----------------------------------------------------------


def test_a_chunked_body_smuggling_a_second_request_is_not_run(acme: EmulatorServer) -> None:
    host = _host(acme)
    smuggled = f"POST /emulator/reset HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
    chunked = f"{len(smuggled):x}\r\n{smuggled}\r\n0\r\n\r\n".encode()
    request = _request(
        acme,
        "POST",
        "/v1/mgmt/flow/list",
        chunked,
        headers={**_auth(acme), "Transfer-Encoding": "chunked", "Connection": "keep-alive"},
    )

    status, error = _one_answer(_raw(acme, request))

    assert (status, error["errorCode"]) == (411, "E099411")
    assert "send the body with a Content-Length header" in error["errorMessage"]
    assert list(acme.app.backend.tenants) == ["acme"]


def test_content_lengths_that_disagree_are_refused(acme: EmulatorServer) -> None:
    host = _host(acme)
    smuggled = f"POST /emulator/reset HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
    request = (
        f"POST /v1/mgmt/flow/list HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n"
        f"Content-Length: {len(smuggled)}\r\n\r\n{smuggled}"
    ).encode()

    status, error = _one_answer(_raw(acme, request))

    assert (status, error["errorCode"]) == (400, "E011001")
    assert list(acme.app.backend.tenants) == ["acme"]


@pytest.mark.parametrize(
    ("request_bytes", "status", "reason"),
    [
        (b"OPTIONS /emulator/reset HTTP/1.1\r\nHost: {host}\r\n\r\n", 501, "Unsupported method"),
        (b"GET / HTTP/1.1\r\nHost: {host}\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431, "headers"),
        (b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "URI Too Long"),
    ],
)
def test_a_request_the_parser_refuses_is_answered_in_descopes_format(
    emulator: EmulatorServer, request_bytes: bytes, status: int, reason: str
) -> None:
    raw = _raw(emulator, request_bytes.replace(b"{host}", _host(emulator).encode()))

    answer = _one_answer(raw)

    assert answer[0] == status
    assert answer[1]["errorCode"] == "E099400"
    assert reason in answer[1]["errorMessage"]
    assert b"Connection: close" in raw


def test_a_head_request_is_refused_without_a_body(emulator: EmulatorServer) -> None:
    raw = _raw(emulator, _request(emulator, "HEAD", "/emulator/state"))

    assert raw.startswith(b"HTTP/1.1 501 ")
    assert raw.endswith(b"Content-Length: 0\r\nConnection: close\r\n\r\n")


# --- JSON bodies: depth and numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/v1/mgmt/tenant/create", b"[" * 100_000 + b"]" * 100_000, "more than 128 deep"),
        ("/v1/mgmt/tenant/create", b'{"name": ' + b"[" * 100_000, "more than 128 deep"),
        ("/emulator/faults", b'{"a":' * 100_000, "more than 128 deep"),
        (
            "/v1/mgmt/tenant/create",
            b'{"name": "a", "x": ' + b"[" * 500 + b"]" * 500 + b"}",
            "more than 128 deep",
        ),
        ("/emulator/faults", b'{"fail503": {"count": 1e999}}', "number 1e999, out of range"),
        ("/emulator/faults", b'{"latencyMs": NaN}', "number NaN, out of range"),
        ("/v1/mgmt/tenant/create", b'{"name": "a", "x": 1' + b"0" * 30 + b"}", "out of range"),
        ("/emulator/faults", b'{"latencyMs": 1e300}', "from 0 to 600000"),
        ("/emulator/faults", b'{"fail500": {"count": 1e300}}', "from 0 to 1e+09"),
    ],
)
def test_deep_bodies_and_numbers_out_of_range_are_a_400(
    emulator: EmulatorServer,
    capfd: pytest.CaptureFixture[str],
    path: str,
    body: bytes,
    message: str,
) -> None:
    headers = {**_auth(emulator), "Content-Type": "application/json"}

    status, error = _one_answer(
        _raw(emulator, _request(emulator, "POST", path, body, headers=headers))
    )

    assert status == 400
    assert error["errorCode"] in {"E011001", "E011004"}
    assert message in error["errorMessage"]
    assert emulator.app.backend.tenants == {}
    assert emulator.app.faults.plan.fail_503 is None
    assert "Traceback" not in capfd.readouterr().err


def test_a_body_128_deep_with_brackets_in_strings_is_served(emulator: EmulatorServer) -> None:
    nested = b"[" * 127 + b"]" * 127
    text = b'"' + b"[" * 500 + b'\\"' + b"{" * 500 + b'"'  # brackets in a string: no nesting
    body = b'{"name": "Deep", "x": ' + nested + b', "y": ' + text + b"}"
    headers = {**_auth(emulator), "Content-Type": "application/json"}

    status, _ = _one_answer(
        _raw(emulator, _request(emulator, "POST", "/v1/mgmt/tenant/create", body, headers=headers))
    )

    assert status == 200


# --- connections: read timeout and a bound on threads ---------------------------------------


@pytest.fixture
def strict() -> Iterator[EmulatorServer]:
    """A server closing silent connections after 0.3 s and serving 3 at once."""
    with EmulatorServer(read_timeout=0.3, max_connections=3) as server:
        yield server


@pytest.mark.parametrize(
    "sent",
    [
        "",  # idle, or half-open
        "GET /emulator/health HTTP/1.1\r\nHo",  # a stalled head
        "POST /v1/mgmt/tenant/create HTTP/1.1\r\nHost: {host}\r\n"
        'Content-Length: 100\r\n\r\n{{"name":',  # a stalled body
    ],
)
def test_a_silent_connection_is_closed_after_the_read_timeout(
    strict: EmulatorServer, sent: str, capfd: pytest.CaptureFixture[str]
) -> None:
    host = _host(strict)
    started = time.monotonic()
    with socket.create_connection(strict.host_and_port, timeout=5) as sock:
        sock.sendall(sent.format(host=host).encode())
        assert sock.recv(1024) == b""  # closed by the server, not by our 5 s timeout
    elapsed = time.monotonic() - started

    assert 0.25 <= elapsed < 3
    assert strict.app.backend.tenants == {}
    assert "Traceback" not in capfd.readouterr().err


def test_many_idle_connections_keep_the_threads_bounded_and_nothing_leaks(
    strict: EmulatorServer,
) -> None:
    base = threading.active_count()
    idle = [socket.create_connection(strict.host_and_port, timeout=5) for _ in range(3)]
    try:
        time.sleep(0.05)  # let the server start their threads
        refused = [_one_answer(_raw(strict, b"")) for _ in range(9)]
        # a client that sent its request before being refused still reads the 503
        refused.append(_one_answer(_raw(strict, _request(strict, "GET", "/emulator/health"))))
        served = threading.active_count() - base
    finally:
        for sock in idle:
            sock.close()

    assert served <= 3
    assert {(status, error["errorCode"]) for status, error in refused} == {(503, "E099502")}
    assert "--max-connections" in refused[0][1]["errorMessage"]
    time.sleep(0.1)  # the closed connections end their threads
    assert httpx.get(f"{strict.url}/emulator/health").json() == {"ok": True}
    assert threading.active_count() <= base + 1


def test_idle_connections_free_their_slots_after_the_read_timeout(strict: EmulatorServer) -> None:
    idle = [socket.create_connection(strict.host_and_port, timeout=5) for _ in range(3)]
    try:
        time.sleep(0.6)  # > read_timeout: the server closed them
        answer = httpx.get(f"{strict.url}/emulator/health")
    finally:
        for sock in idle:
            sock.close()

    assert answer.json() == {"ok": True}


def test_a_connection_whose_thread_cannot_start_frees_its_slot(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    start = socketserver.ThreadingMixIn.process_request
    failures = iter([RuntimeError("can't start new thread")])

    def failing_once(server: Any, request: Any, client_address: Any) -> None:
        for error in failures:
            raise error
        start(server, request, client_address)

    monkeypatch.setattr(socketserver.ThreadingMixIn, "process_request", failing_once)
    with EmulatorServer(max_connections=1) as server:
        first = _raw(server, _request(server, "GET", "/emulator/health"))
        second = _one_answer(_raw(server, _request(server, "GET", "/emulator/health")))

    assert first == b""  # closed unanswered: no thread to answer it
    assert second == (200, {"ok": True})  # and its slot was given back
    assert "can't start new thread" in capfd.readouterr().err


# --- configuration ----------------------------------------------------------------------------


def test_cli_options_reach_the_server() -> None:
    args = _parser().parse_args(
        [
            "--port",
            "0",
            "--read-timeout",
            "0.5",
            "--max-connections",
            "2",
            "--allow-host",
            "devbox.local",
        ]
    )
    app = EmulatorApp()
    server = _started_server(app, args)
    try:
        answer = _one_answer(
            _raw(
                server,
                _request(server, "GET", "/emulator/health", host=f"devbox.local:{server.port}"),
            )
        )
    finally:
        server.stop()

    assert server.app is app
    assert (server.read_timeout, server.max_connections) == (0.5, 2)
    assert answer == (200, {"ok": True})


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--read-timeout", "0"),
        ("--read-timeout", "inf"),
        ("--read-timeout", "soon"),
        ("--max-connections", "0"),
        ("--max-connections", "1.5"),
    ],
)
def test_cli_refuses_a_timeout_or_limit_that_is_not_above_0(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args([option, value])

    assert exit_.value.code == 2
    assert f"argument {option}: {value!r} is not a number above 0" in capsys.readouterr().err


@pytest.mark.parametrize("latency", ["1e300", "-5", "nan"])
def test_cli_refuses_a_latency_out_of_range_before_anything_starts(
    latency: str, tmp_path: Path
) -> None:
    data_file = tmp_path / "state.json"
    args = _parser().parse_args(["--latency-ms", latency, "--data-file", str(data_file)])

    with pytest.raises(StartupError) as refused:
        _app(args)

    assert str(refused.value).startswith("--latency-ms ")
    assert "latencyMs must be a number from 0 to 600000" in str(refused.value)
    assert not data_file.exists()


def test_server_refuses_a_timeout_or_limit_that_is_not_above_0() -> None:
    with pytest.raises(ValueError, match="read_timeout"):
        EmulatorServer(read_timeout=0)
    with pytest.raises(ValueError, match="max_connections"):
        EmulatorServer(max_connections=0)
