"""A TCP relay in front of a server: a network link with a round-trip time, and a load balancer.

Usage::

    with Relay(emulator_address, rtt=0.020) as relay:
        ...  # point the client at relay.url; relay.connections counts its connections

Each client connection gets its own connection to the server; bytes pass both ways unchanged
(TLS passes through: the relay never looks inside). One asyncio loop in a daemon thread serves
every connection.

**The link.** ``rtt`` is the round-trip time: every chunk read from either side is written to
the other side ``rtt / 2`` after it was read, in order, without holding back what follows
(chunks read 1 ms apart arrive 1 ms apart: a pipe with a delay, not a sleep per request). A
new connection also pays the TCP handshake the loopback hides: the client's first bytes reach
the server no earlier than ``1.5 x rtt`` after it connected (SYN, SYN-ACK, then its data), as
over a real link. So a request on a kept-alive connection costs one ``rtt``, a new plain
connection two, a new TLS 1.3 connection three.

**The load balancer.**

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

**What the link saw** (`traffic`, reset by `reset_connections`): exchanges (client bytes
going up until the first answer bytes are delivered back: a request, or a TLS handshake's
flight) and the seconds they took all together, so ``busy / wall`` is the mean number of calls
in flight on the link; how late, on average, the delayed chunks left (the relay's own error,
beyond the RTT/2 asked: about 0.3 ms alone, 1 ms or more under load, when its thread waits for
a CPU or for the GIL of a process that also runs the engine); and the relay thread's CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable
from typing import Literal

__all__ = ["Relay", "Stale", "Traffic"]

Stale = Literal["unsent", "answer_lost"]
CHUNK = 65536


@dataclasses.dataclass
class Traffic:
    """What passed through the relay since its counters were last reset."""

    exchanges: int = 0
    """Client bytes sent up, then the first bytes of the answer delivered back."""
    busy_s: float = 0.0
    """Seconds the exchanges took, added up (overlapping ones each count)."""
    chunks: int = 0
    """Chunks delivered, both directions."""
    late_s: float = 0.0
    """Seconds the delivered chunks left after they were due, added up."""
    relay_cpu_s: float = 0.0
    """CPU of the relay's thread (its own loop; the process's other threads aside)."""

    @property
    def late_ms_per_chunk(self) -> float:
        return 1000 * self.late_s / self.chunks if self.chunks else 0.0


def _no_delay(writer: asyncio.StreamWriter) -> None:
    """TCP_NODELAY: a delayed chunk leaves at once, not after the peer's delayed ACK."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Link:
    """One client connection and its server connection (see the module docstring)."""

    def __init__(
        self,
        relay: Relay,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        server: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        accepted: float,
    ) -> None:
        self.relay = relay
        self.client, self.server = client, server
        self.accepted = accepted
        self.last: float | None = None  # when bytes last passed (None: not yet)
        self.losing = False  # the answer now under way is to be lost
        self.asked: float | None = None  # when the exchange under way was read from the client
        self.done = asyncio.Event()

    async def run(self) -> None:
        delay = self.relay.rtt / 2
        up: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        down: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        tasks = [
            asyncio.create_task(self._read(self.client[0], up, delay, upstream=True)),
            asyncio.create_task(self._read(self.server[0], down, delay, upstream=False)),
            asyncio.create_task(self._write(up, self.server[1])),
            asyncio.create_task(self._write(down, self.client[1])),
        ]
        if self.relay.idle_timeout is not None:
            tasks.append(asyncio.create_task(self._watch_idle(self.relay.idle_timeout)))
        try:
            await self.done.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for _, writer in (self.client, self.server):
                writer.close()
                with contextlib.suppress(OSError, asyncio.CancelledError):
                    await writer.wait_closed()

    async def _read(
        self,
        reader: asyncio.StreamReader,
        queue: asyncio.Queue[tuple[float, bytes]],
        delay: float,
        *,
        upstream: bool,
    ) -> None:
        # the client's first bytes leave after the TCP handshake the loopback skipped
        not_before = self.accepted + 2 * delay if upstream else 0.0
        try:
            while True:
                data = await reader.read(CHUNK)
                now = time.monotonic()
                if data and upstream and not self._pass_request(data, now):
                    break
                if data and not upstream and self.losing:
                    break
                self.last = now
                if data and upstream and self.asked is None:
                    self.asked = now
                await queue.put((max(now, not_before) + delay, data))
                if not data:
                    return
        except OSError:
            pass
        self.done.set()

    def _pass_request(self, data: bytes, now: float) -> bool:
        """False when the balancer closes the connection instead of passing `data` on."""
        relay = self.relay
        stale = (
            relay.stale is not None
            and not self.losing
            and self.last is not None
            and now - self.last >= relay.stale_after
            and data.startswith(relay.stale_only)
        )
        if not stale:
            return True
        with relay.lock:
            relay.closed_stale += 1
        if relay.stale == "unsent":
            return False
        self.losing = True
        return True

    async def _write(
        self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        to_client = writer is self.client[1]
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:  # the other side closed: so does the link, once delivered
                    break
                writer.write(data)
                self._count(due, to_client=to_client)
                await writer.drain()
        except OSError:
            pass
        self.done.set()

    def _count(self, due: float, *, to_client: bool) -> None:
        now = time.monotonic()
        traffic = self.relay.traffic
        traffic.chunks += 1
        traffic.late_s += max(0.0, now - due)
        if to_client and self.asked is not None:
            traffic.exchanges += 1
            traffic.busy_s += now - self.asked
            self.asked = None

    async def _watch_idle(self, idle_timeout: float) -> None:
        while True:
            left = idle_timeout
            if self.last is not None:
                left = idle_timeout - (time.monotonic() - self.last)
                if left <= 0:
                    self.done.set()
                    return
            await asyncio.sleep(min(left, 0.05))


class Relay:
    """A relay to `upstream` (host, port) on a free loopback port; see the module docstring.

    `scheme` is only the scheme of `url` (``https`` in front of a TLS server)."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        rtt: float = 0.0,
        idle_timeout: float | None = None,
        stale: Stale | None = None,
        stale_after: float = 0.2,
        stale_only: bytes = b"",
        scheme: str = "http",
    ) -> None:
        if rtt < 0:
            raise ValueError("a round-trip time is 0 seconds or more")
        self.upstream, self.rtt, self.scheme = upstream, rtt, scheme
        self.idle_timeout = idle_timeout
        self.stale, self.stale_after, self.stale_only = stale, stale_after, stale_only
        self.connections = 0
        self.closed_stale = 0
        self.lock = threading.Lock()
        self.traffic = Traffic()  # only the loop's thread writes it
        self._loop = asyncio.new_event_loop()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="relay", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"{self.scheme}://{host}:{port}"

    def reset_connections(self) -> None:
        """Zero the connections and the traffic counted."""
        with self.lock:
            self.connections = 0
        self._in_loop(self._reset_traffic)

    def traffic_seen(self) -> Traffic:
        """A copy of the traffic counted since the last reset, with the relay's CPU."""
        return self._in_loop(self._traffic_now)

    def _reset_traffic(self) -> Traffic:
        self.traffic = Traffic(relay_cpu_s=-time.thread_time())
        return self.traffic

    def _traffic_now(self) -> Traffic:
        seen = self.traffic
        return dataclasses.replace(seen, relay_cpu_s=seen.relay_cpu_s + time.thread_time())

    def _in_loop(self, function: Callable[[], Traffic]) -> Traffic:
        async def call() -> Traffic:
            return function()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=10)

    def __enter__(self) -> Relay:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        started.result(timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        stopped = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
        with contextlib.suppress(Exception):
            stopped.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, sock=self._listener)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.done.set()
        current = asyncio.current_task()
        await asyncio.gather(
            *(t for t in asyncio.all_tasks() if t is not current), return_exceptions=True
        )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted = time.monotonic()
        with self.lock:
            self.connections += 1
        try:
            upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        _no_delay(writer)
        _no_delay(upstream[1])
        link = _Link(self, (reader, writer), upstream, accepted)
        self._links.add(link)
        try:
            await link.run()
        finally:
            self._links.discard(link)
