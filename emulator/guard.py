"""Who may ask the HTTP server what: the checks made on a request's head, before its body.

The emulator runs unauthenticated admin routes on a developer's machine, so its server
refuses, each in Descope's error format (see :mod:`emulator.exceptions`):

- a ``Host`` whose name is not one it answers to (``localhost``, ``127.0.0.1``, ``[::1]`` or
  the bound address; names given as ``allowed_hosts`` too), a missing ``Host`` and a repeated
  one: a page on ``http://evil.example`` whose name was rebound to 127.0.0.1 sends
  ``Host: evil.example``, and cannot read ``/emulator/state`` nor call the API (421). The
  port is not checked: the rebound page's name is what gives it away, and a relay or proxy
  on another local port (the tests' connection-closing relay) keeps its own;
- a request body framed by ``Transfer-Encoding`` (411), and ``Content-Length`` headers that
  disagree or are not a byte count (400): the body is then where the server thinks it is, never
  read as a second request;
- on an admin write (anything but GET under ``/emulator/``), an ``Origin`` that is not the
  emulator's own (403: browsers send ``Origin`` on every cross-site POST) and a body not
  declared ``application/json`` (415: ``text/plain`` is what a page can send cross-site without
  a preflight). A write with no body may omit ``Content-Type`` (``curl -X POST``,
  ``httpx.post(url)``).

The in-process transport calls the app directly and passes through none of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message

from emulator import exceptions as exc
from emulator.app import is_admin_write, normal_path

__all__ = ["MAX_BODY_BYTES", "RequestGuard", "body_length"]

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest request body read (a flow export is a few hundred KiB)."""

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Host names every emulator answers to, whatever address it is bound to."""

_WILDCARDS = ("", "0.0.0.0", "[::]")
"""Bound addresses that are no host name: a server bound to one answers the loopback names
(and ``allowed_hosts``)."""
_JSON = "application/json"


def _host_name(address: str) -> str:
    """An address as written in a ``Host`` header: an IPv6 address in brackets, lower case."""
    address = address.strip().lower()
    if ":" in address and not address.startswith("["):
        return f"[{address}]"
    return address


def _name_of(host: str) -> str:
    """The name in a ``Host`` value, without its port: ``[::1]:8787`` -> ``[::1]``."""
    value = host.strip().lower()
    name, colon, port = value.rpartition(":")
    if colon and port.isdigit() and not name.endswith(":"):
        return name
    return value


def body_length(header: str | None) -> int:
    """The request body's length from its ``Content-Length`` header (none: 0). A value that
    is not a byte count, or one above `MAX_BODY_BYTES`, is a 400 in Descope's format."""
    if header is None or not header.strip():
        return 0
    text = header.strip()
    if not text.isascii() or not text.isdigit():
        raise exc.bad_request(f"Content-Length {header!r} is not a number of bytes")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise exc.bad_request(f"Content-Length {length} is over the {MAX_BODY_BYTES} bytes allowed")
    return length


@dataclass(frozen=True)
class RequestGuard:
    """The checks of one server; ``hosts`` are the accepted ``Host`` values (lower case),
    the first one the address to tell a refused client about."""

    hosts: tuple[str, ...]
    names: frozenset[str] = frozenset()
    """The host names answered to, on any port."""

    @classmethod
    def for_address(cls, host: str, port: int, allowed_hosts: Iterable[str] = ()) -> RequestGuard:
        """The guard of a server bound to ``host:port``: the bound address (unless a wildcard
        such as 0.0.0.0), the loopback names and ``allowed_hosts`` (names or addresses, without
        port), each with ``:port`` (and bare too when the port is 80, as clients omit it)."""
        bound = [] if _host_name(host) in _WILDCARDS else [_host_name(host)]
        names = [*bound, *LOOPBACK_NAMES, *(_host_name(h) for h in allowed_hosts)]
        hosts = [f"{name}:{port}" for name in names]
        if port == 80:
            hosts += names
        return cls(tuple(dict.fromkeys(hosts)), frozenset(names))

    @property
    def origins(self) -> frozenset[str]:
        """The emulator's own origins: ``http://`` and an accepted host."""
        return frozenset(f"http://{host}" for host in self.hosts)

    def admit(self, method: str, path: str, headers: Message) -> int:
        """The length of the request's body, when its head passes every check; otherwise the
        refusal as a DescopeApiError (the caller answers it and closes the connection)."""
        self._check_host(headers)
        length = self._framed_length(headers)
        if is_admin_write(method, path):
            self._check_admin_write(method.upper(), normal_path(path), headers, length)
        return length

    def _check_host(self, headers: Message) -> None:
        values = headers.get_all("Host") or []
        if len(values) != 1 or _name_of(values[0]) not in self.names:
            shown = values[0] if len(values) == 1 else None if not values else ", ".join(values)
            raise exc.foreign_host(shown, list(self.hosts))

    @staticmethod
    def _framed_length(headers: Message) -> int:
        encoding = headers.get("Transfer-Encoding")
        if encoding is not None:
            raise exc.chunked_body(encoding)
        lengths = {value.strip() for value in headers.get_all("Content-Length") or []}
        if len(lengths) > 1:
            raise exc.bad_request(
                f"Content-Length is sent {len(lengths)} times with different values; send it once"
            )
        return body_length(lengths.pop() if lengths else None)

    def _check_admin_write(self, method: str, path: str, headers: Message, length: int) -> None:
        origin = headers.get("Origin")
        if origin is not None and origin.strip().lower() not in self.origins:
            raise exc.foreign_origin(origin, method, path, f"http://{self.hosts[0]}")
        content_type = headers.get("Content-Type")
        if content_type is None and length == 0:
            return
        media_type = (content_type or "").partition(";")[0].strip().lower()
        if media_type != _JSON:
            raise exc.admin_needs_json(content_type, method, path)
