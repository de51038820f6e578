"""The emulator over real HTTP: a threaded stdlib server in a daemon thread.

Usage::

    with EmulatorServer(not_found_status=404) as server:
        client = DescopeClient(server.app.options.project_id,
                               management_key=server.app.options.management_key,
                               base_url=server.url)

HTTP/1.1 with ``Content-Length`` on every answer; no request logging. A dropped
connection is closed without a single byte written. A client that disconnects mid-request or
mid-response, or stays silent for the read timeout, is forgotten quietly (no traceback on
stderr). Requests are checked by :class:`~emulator.guard.RequestGuard` before their body is
read; a refusal is answered in Descope's format and closes the connection.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import sys
import threading
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from emulator.app import ADMIN_PREFIX, EmulatorApp, normal_path
from emulator.exceptions import (
    DescopeApiError,
    DropConnection,
    malformed_request,
    too_many_connections,
)
from emulator.faults import PerClientLimit
from emulator.guard import RequestGuard
from emulator.options import EmulatorOptions

__all__ = ["EmulatorServer"]

DEFAULT_READ_TIMEOUT = 30.0
"""Seconds a connection may stay silent (idle keep-alive, half-open, a stalled body) before
the server closes it."""
DEFAULT_MAX_CONNECTIONS = 64
"""Connections served at once, one thread each; more are answered 503 and closed."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DescopeEmulator/1"
    sys_version = ""
    disable_nagle_algorithm = True
    """TCP_NODELAY: the headers and the body leave as two writes, and with Nagle's algorithm
    the body waits for the client's delayed ACK (about 40 ms on Linux)."""
    app: EmulatorApp  # set on the per-server subclass, with guard, timeout and limit
    guard: RequestGuard
    limit: PerClientLimit | None

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: never log requests (their headers carry the management key)."""

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            length = self.guard.admit(self.command, path, self.headers)
        except DescopeApiError as error:
            # the body is unread (or where it ends is unknown): answer, then close
            self.close_connection = True
            self._answer(error.status, {"Content-Type": "application/json"}, error.body())
            return
        body = self.rfile.read(length) if length > 0 else b""
        if self.limit is not None and self._limited(normal_path(path)):
            return
        try:
            response = self.app.handle(self.command, path, query, dict(self.headers), body)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):  # the peer may already be gone
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(response.status, response.headers, response.body)

    def _limited(self, path: str) -> bool:
        """Apply the per-IP limit: answer its state at ``GET /emulator/rate-limit``, and a 429
        (counted as the app counts a fault) to a client past it; True when answered here."""
        assert self.limit is not None
        if path.startswith(ADMIN_PREFIX):
            if (self.command, path) != ("GET", f"{ADMIN_PREFIX}rate-limit"):
                return False
            body = json.dumps(self.limit.to_json()).encode()
            self._answer(200, {"Content-Type": "application/json"}, body)
            return True
        error = self.limit.admit(str(self.client_address[0]))
        if error is None:
            return False
        self.app.counters.record(self.command, path, self.headers.get("x-descope-license"))
        self.app.counters.record_fault(self.command, path, "429")
        headers = {"Content-Type": "application/json", **error.headers}
        self._answer(error.status, headers, error.body())
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request the stdlib's parser refused (a bad request line or version, too long or too
        many headers, a method without routes): answered in Descope's format (no body to a
        HEAD), and the connection closed."""
        error = malformed_request(code, message or HTTPStatus(code).phrase)
        self.close_connection = True
        body = b"" if self.command == "HEAD" else error.body()
        self._answer(code, {"Content-Type": "application/json"}, body)

    def _answer(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _QuietServer(ThreadingHTTPServer):
    """Threaded HTTP server that says nothing when a client goes away mid-exchange, counts
    the connections it accepts, and serves at most ``max_connections`` connections at once
    (one thread each): one more is answered 503 in Descope's format and closed by the
    listening thread, no thread started."""

    daemon_threads = True
    connections_opened = 0

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[_Handler],
        max_connections: int,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, handler)
        self.max_connections = max_connections
        self.tls = tls
        self._slots = threading.BoundedSemaphore(max_connections)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection; with TLS, wrap it so that its handshake happens in the thread
        that serves it (at its first read), never in the listening thread."""
        request, client_address = super().get_request()
        if self.tls is not None:
            request = self.tls.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        return request, client_address

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count the connection (only the serving thread calls this), then serve it in a
        thread of its own when a slot is free; refuse it if not."""
        self.connections_opened += 1
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # the thread did not start: its slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)
            self._slots.release()

    def close_connections(self) -> None:
        """End every connection still open (a keep-alive client's, between requests): its
        thread sees it closed, its client that the server went away, as when Descope's end of
        a connection goes. Without this a stopped server would go on answering there."""
        with self._open_lock:
            still_open = list(self._open)
        for request in still_open:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 without reading the request, then close; never blocks for long."""
        error = too_many_connections(self.max_connections)
        body = error.body()
        head = (
            f"HTTP/1.1 {error.status} Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(head.encode() + body)
            request.shutdown(socket.SHUT_WR)
            request.setblocking(False)
            request.recv(65536)  # what the client sent so far: left unread, close would reset
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Disconnects are the client's business; anything else keeps the default report."""
        error = sys.exc_info()[1]
        # BrokenPipe, ConnectionReset, ConnectionAborted; a TLS handshake the client gave up
        # (it does not trust the certificate) or that was no TLS at all
        if isinstance(error, ConnectionError | ssl.SSLError):
            return
        super().handle_error(request, client_address)


class EmulatorServer:
    """A running emulator on ``host:port`` (port 0 picks a free port).

    It answers only requests whose ``Host`` is ``localhost``, ``127.0.0.1``, ``[::1]``, the
    bound address or one of ``allowed_hosts``, with its port (see :mod:`emulator.guard`).
    A connection silent for ``read_timeout`` seconds is closed; at most ``max_connections``
    are served at once.
    ``data_file`` keeps the state in that file across runs (see :mod:`emulator.persistence`);
    ``tenant_attributes`` and ``roles`` are what a fresh project has besides the built-ins
    (see :class:`~emulator.app.EmulatorApp`).
    ``tls`` serves HTTPS with that server context (:mod:`emulator.tls` makes one for
    loopback); ``rate_limit_per_ip`` answers 429 to a client address past that limit
    (:class:`~emulator.faults.PerClientLimit`, Descope's per-IP limits).
    """

    def __init__(
        self,
        app: EmulatorApp | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_file: str | os.PathLike[str] | None = None,
        tenant_attributes: Mapping[str, Any] | None = None,
        roles: Mapping[str, Any] | None = None,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        allowed_hosts: Iterable[str] = (),
        tls: ssl.SSLContext | None = None,
        rate_limit_per_ip: PerClientLimit | None = None,
        **options: Any,
    ) -> None:
        if app is None:
            app = EmulatorApp(
                EmulatorOptions(**options),
                data_file=data_file,
                tenant_attributes=tenant_attributes,
                roles=roles,
            )
        elif options or any(x is not None for x in (data_file, tenant_attributes, roles)):
            raise TypeError("pass options either in the app or as keywords, not both")
        if not read_timeout > 0 or max_connections < 1:
            raise ValueError("read_timeout must be > 0 seconds and max_connections >= 1")
        self.app = app
        self._address = (host, port)
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.allowed_hosts = tuple(allowed_hosts)
        self.tls = tls
        self.rate_limit_per_ip = rate_limit_per_ip
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> EmulatorServer:
        """Bind, serve in a daemon thread, return once ready."""
        if self._httpd is not None:
            return self
        httpd = _QuietServer(self._address, _Handler, self.max_connections, self.tls)
        host, port = httpd.server_address[:2]
        guard = RequestGuard.for_address(str(host), int(port), self.allowed_hosts)
        handler = {
            "app": self.app,
            "guard": guard,
            "timeout": self.read_timeout,
            "limit": self.rate_limit_per_ip,
        }
        httpd.RequestHandlerClass = type("EmulatorHandler", (_Handler,), handler)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=self._serve, name=f"descope-emulator:{self.port}", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        return self

    def _serve(self) -> None:
        assert self._httpd is not None
        self._ready.set()
        self._httpd.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Stop serving, end the connections still open and release the port; safe to call
        twice."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        self._ready.clear()
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    @property
    def host_and_port(self) -> tuple[str, int]:
        """The bound address (the real port when 0 was asked)."""
        if self._httpd is None:
            raise RuntimeError("the emulator server is not running")
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted since `start` (a keep-alive client opens one per request
        it has in flight at once; a client without keep-alive, one per request)."""
        if self._httpd is None:
            raise RuntimeError("the emulator server is not running")
        return self._httpd.connections_opened

    @property
    def port(self) -> int:
        return self.host_and_port[1]

    @property
    def url(self) -> str:
        """``http://host:port`` (``https`` with TLS), no trailing slash (the SDK concatenates
        paths)."""
        host, port = self.host_and_port
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://{host}:{port}"

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
