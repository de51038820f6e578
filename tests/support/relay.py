"""A TCP relay in front of a server that closes kept-alive connections as load balancers do.

Usage::

    with Relay(emulator.host_and_port, idle_timeout=0.2) as relay:
        ...  # point the client at relay.url

Each client connection gets its own connection to the server; bytes pass both ways unchanged.
What makes it a load balancer:

- ``idle_timeout``: a connection idle that long is closed (both ends, cleanly), as a load
  balancer closes idle keep-alive connections;
- ``stale``: what happens to the first request sent on a connection after it was idle at least
  ``stale_after`` seconds (the race where the balancer closes the connection just as the client
  reuses it). ``"unsent"``: the connection is closed and the request never reaches the server.
  ``"answer_lost"``: the request reaches the server, which acts on it, and the connection is
  closed as its answer starts, so the client never sees it. ``stale_only`` limits this to
  requests whose first bytes start with it (``b"POST /v1/mgmt/tenant/create "``).

``connections`` counts the client connections accepted, ``closed_stale`` those closed under
``stale``.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from typing import Literal

__all__ = ["Relay"]

Stale = Literal["unsent", "answer_lost"]


class Relay:
    """A relay to `upstream` (host, port) on a free loopback port; see the module docstring."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        idle_timeout: float | None = None,
        stale: Stale | None = None,
        stale_after: float = 0.2,
        stale_only: bytes = b"",
    ) -> None:
        self.upstream = upstream
        self.idle_timeout = idle_timeout
        self.stale, self.stale_after, self.stale_only = stale, stale_after, stale_only
        self.connections = 0
        self.closed_stale = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="relay", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stopped.is_set():
            try:
                downstream, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._pipe, args=(downstream,), daemon=True).start()

    def _is_stale(self, idle_since: float | None, data: bytes) -> bool:
        return (
            self.stale is not None
            and idle_since is not None
            and time.monotonic() - idle_since >= self.stale_after
            and data.startswith(self.stale_only)
        )

    def _pipe(self, downstream: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        last: float | None = None  # when bytes last passed (None: not yet)
        losing = False  # the answer now under way is to be lost
        try:
            while not self._stopped.is_set():
                wait = 0.05
                if self.idle_timeout is not None and last is not None:
                    left = self.idle_timeout - (time.monotonic() - last)
                    if left <= 0:
                        return
                    wait = min(wait, left)
                ready, _, _ = select.select([downstream, upstream], [], [], wait)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is downstream:
                        if not losing and self._is_stale(last, data):
                            with self._lock:
                                self.closed_stale += 1
                            if self.stale == "unsent":
                                return
                            losing = True
                        upstream.sendall(data)
                    elif losing:
                        return
                    else:
                        downstream.sendall(data)
                    last = time.monotonic()
        except OSError:
            return
        finally:
            for sock in (downstream, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
