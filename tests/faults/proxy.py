"""A loopback HTTP proxy between the SDK and the emulator that garbles chosen answers.

Requests are passed to the emulator unchanged; a request matching one of the `rules`
(`tests.support.garble.Rule`) gets a 200 whose body Descope would never send, after the
emulator acted on the request (``forward=True``) or without it ever seeing it. The SDK, the
provider host and ``python -m ops`` are pointed at `ProxyServer.url` as at Descope.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.support.garble import Rules, asked_id, garbled

_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


class ProxyServer:
    """The proxy on 127.0.0.1, forwarding to `upstream`; `rules` say what to garble."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules = Rules()
        self.answered: Callable[[str, str], None] | None = None
        """Called with (method, path) once Descope answered a request, before the answer is
        passed on: a test kills the provider host there."""
        # A new connection per request, as the SDK makes them: a kept-alive one to the
        # emulator's server meets Nagle's algorithm and delayed ACKs (40 ms per request).
        self.client = httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms stalls

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                proxy.serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ProxyServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        rule = self.rules.match(handler.command, parts.path)
        status, content_type, text = 200, "application/json", b"{}"
        if rule is None or rule.forward:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
            answer = self.client.request(
                handler.command, self.upstream + handler.path, headers=headers, content=body
            )
            status = answer.status_code
            content_type = answer.headers.get("Content-Type", "application/json")
            text = answer.content
            retry_after = answer.headers.get("Retry-After")
            if self.answered is not None:
                self.answered(handler.command, parts.path)
        else:
            retry_after = None
        if rule is not None and 200 <= status < 300:
            text, content_type = garbled(rule.kind, text, asked_id(parts.query, body))
            status = 200
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(text)))
        if retry_after:
            handler.send_header("Retry-After", retry_after)
        handler.end_headers()
        handler.wfile.write(text)
