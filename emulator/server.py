"""The emulator over real HTTP: a threaded stdlib server in a daemon thread.

Usage::

    with EmulatorServer(not_found_status=404) as server:
        client = DescopeClient(server.app.options.project_id,
                               management_key=server.app.options.management_key,
                               base_url=server.url)

HTTP/1.1 with ``Content-Length`` on every answer; no request logging. A dropped
connection is closed without a single byte written. A client that disconnects mid-request or
mid-response is forgotten quietly (no traceback on stderr).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from emulator.app import EmulatorApp
from emulator.exceptions import DescopeApiError, DropConnection, bad_request
from emulator.models import EmulatorOptions

__all__ = ["EmulatorServer"]

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest request body read (a flow export is a few hundred KiB)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DescopeEmulator/1"
    sys_version = ""
    disable_nagle_algorithm = True
    """TCP_NODELAY: the headers and the body leave as two writes, and with Nagle's algorithm
    the body waits for the client's delayed ACK (about 40 ms on Linux)."""
    app: EmulatorApp  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: never log requests (their headers carry the management key)."""

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            length = _body_length(self.headers.get("Content-Length"))
        except DescopeApiError as error:
            # where the body ends is unknown: answer, then close the connection
            self.close_connection = True
            self._answer(error.status, {"Content-Type": "application/json"}, error.body())
            return
        body = self.rfile.read(length) if length > 0 else b""
        try:
            response = self.app.handle(self.command, path, query, dict(self.headers), body)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):  # the peer may already be gone
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(response.status, response.headers, response.body)

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


def _body_length(header: str | None) -> int:
    """The request body's length from its ``Content-Length`` header (none: 0). A value that
    is not a byte count, or one above `MAX_BODY_BYTES`, is a 400 in Descope's format."""
    if header is None or not header.strip():
        return 0
    text = header.strip()
    if not text.isascii() or not text.isdigit():
        raise bad_request(f"Content-Length {header!r} is not a number of bytes")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise bad_request(f"Content-Length {length} is over the {MAX_BODY_BYTES} bytes allowed")
    return length


class _QuietServer(ThreadingHTTPServer):
    """Threaded HTTP server that says nothing when a client goes away mid-exchange, and counts
    the connections it accepts."""

    daemon_threads = True
    connections_opened = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count the connection (only the serving thread calls this), then serve it."""
        self.connections_opened += 1
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Disconnects are the client's business; anything else keeps the default report."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):  # BrokenPipe, ConnectionReset, ConnectionAborted
            return
        super().handle_error(request, client_address)


class EmulatorServer:
    """A running emulator on ``host:port`` (port 0 picks a free port).

    ``data_file`` keeps the state in that file across runs (see :mod:`emulator.persistence`);
    ``tenant_attributes`` and ``roles`` are what a fresh project has besides the built-ins
    (see :class:`~emulator.app.EmulatorApp`).
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
        self.app = app
        self._address = (host, port)
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> EmulatorServer:
        """Bind, serve in a daemon thread, return once ready."""
        if self._httpd is not None:
            return self
        handler = type("EmulatorHandler", (_Handler,), {"app": self.app})
        httpd = _QuietServer(self._address, handler)
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
        """Stop serving and release the port; safe to call twice."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        self._ready.clear()
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
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
        """``http://host:port``, no trailing slash (the SDK concatenates paths)."""
        host, port = self.host_and_port
        return f"http://{host}:{port}"

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
