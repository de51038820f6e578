"""The bench's relay as a link: each direction delayed by RTT/2, pipelined, connections counted.

A tiny echo server stamps when each chunk reached it; the client stamps when the echo came
back. Lower bounds only (the machine is shared): a chunk cannot arrive early, and a new
connection pays the TCP handshake the loopback hides.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from bench.relay import Relay, Traffic

RTT = 0.1
EARLY = 0.005
"""How early a timer may fire and still count as on time: asyncio runs a timer due within the
clock's resolution, and the selector rounds its wait to the millisecond."""


@pytest.fixture
def echo() -> Iterator[tuple[tuple[str, int], list[float]]]:
    """An echo server on loopback; the times (monotonic) at which chunks reached it."""
    arrivals: list[float] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                arrivals.append(time.monotonic())
                conn.sendall(data)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[:2], arrivals
    listener.close()


def _exchange(sock: socket.socket, data: bytes) -> float:
    sent = time.monotonic()
    sock.sendall(data)
    received = b""
    while len(received) < len(data):
        received += sock.recv(65536)
    assert received == data
    return time.monotonic() - sent


def test_relay__delays_each_direction_by_half_the_rtt(
    echo: tuple[tuple[str, int], list[float]],
) -> None:
    address, arrivals = echo
    with Relay(address, rtt=RTT) as relay:
        connected = time.monotonic()
        with socket.create_connection(relay.address) as sock:
            first = _exchange(sock, b"hello")
            sent = time.monotonic()
            round_trip = _exchange(sock, b"again")
        assert relay.connections == 1
    # the first bytes: TCP handshake (one RTT) then half an RTT to the server, half back
    assert arrivals[0] - connected >= 1.5 * RTT - EARLY
    assert first >= 2 * RTT - EARLY
    # a kept connection: half an RTT to the server, the other half back
    assert arrivals[1] - sent >= RTT / 2 - EARLY
    assert round_trip >= RTT - EARLY


def test_relay__pipelines_chunks_instead_of_delaying_each_exchange(
    echo: tuple[tuple[str, int], list[float]],
) -> None:
    address, _arrivals = echo
    with Relay(address, rtt=RTT) as relay, socket.create_connection(relay.address) as sock:
        _exchange(sock, b"warm")
        started = time.monotonic()
        for i in range(5):  # five chunks a little apart, without waiting for answers
            sock.sendall(b"%d" % i)
            time.sleep(0.01)
        received = b""
        while len(received) < 5:
            received += sock.recv(65536)
        took = time.monotonic() - started
    assert received == b"01234"
    assert took >= RTT - EARLY
    assert took < 5 * RTT  # a delay per exchange would be five round trips


def test_relay__counts_connections_and_resets_the_count(
    echo: tuple[tuple[str, int], list[float]],
) -> None:
    address, _ = echo
    with Relay(address) as relay:
        for _ in range(3):
            with socket.create_connection(relay.address) as sock:
                _exchange(sock, b"x")
        assert relay.connections == 3
        assert relay.url == f"http://{relay.address[0]}:{relay.address[1]}"
        relay.reset_connections()
        assert relay.connections == 0


def test_relay__counts_exchanges_their_time_its_lateness_and_its_cpu(
    echo: tuple[tuple[str, int], list[float]],
) -> None:
    address, _ = echo
    with Relay(address, rtt=RTT) as relay, socket.create_connection(relay.address) as sock:
        _exchange(sock, b"warm")
        relay.reset_connections()
        assert relay.traffic_seen().exchanges == 0
        took = [_exchange(sock, b"%d" % i) for i in range(3)]
        seen = relay.traffic_seen()
    assert seen.exchanges == 3
    assert seen.chunks == 6  # one each way per exchange
    # each exchange counted from its request read to its answer delivered: one RTT at least,
    # never more than the client saw
    assert 3 * (RTT - EARLY) <= seen.busy_s <= sum(took)
    assert 0 <= seen.late_ms_per_chunk < 1000 * RTT
    assert seen.relay_cpu_s > 0


def test_relay__lateness_per_chunk_is_zero_before_any_chunk() -> None:
    assert Traffic().late_ms_per_chunk == 0.0


def test_relay__refuses_a_negative_rtt() -> None:
    with pytest.raises(ValueError, match="round-trip"):
        Relay(("127.0.0.1", 1), rtt=-1)
