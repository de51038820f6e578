"""Answers Descope would never send: what a misbehaving proxy, a login page or a cut connection
puts in place of a 2xx body. One definition serves the in-process emulator (`Garbler`, wrapping
`EmulatorApp.handle`) and the loopback proxy of the fault tests (`tests.faults.proxy`).

Each kind replaces the body of a success answer, with HTTP 200:

- ``empty-object``: ``{}``;
- ``empty-body``: nothing at all;
- ``truncated``: the first half of the real answer (``{}`` cut to ``{``);
- ``html``: a proxy's sign-in page (``text/html``);
- ``other-id``: the real answer with the id asked for replaced by another tenant's or flow's
  (an answer naming no id becomes ``{"id": "someone-else"}``; an answer to a call that asks
  for no id, such as a listing or the theme export, becomes another call's answer: another
  tenant's load).

`forward` says whether Descope saw the request: true, it acted and its answer was replaced on
the way back; false, the request never reached it (a login page answering in its place).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

import pytest

from emulator.app import EmulatorApp, EmulatorResponse

Kind = Literal["empty-object", "empty-body", "truncated", "html", "other-id"]
KINDS: tuple[Kind, ...] = ("empty-object", "empty-body", "truncated", "html", "other-id")
OTHER_ID = "someone-else"
LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in - Corporate Proxy</title></head>\n"
    b'<body><form method="post" action="/login"><input name="user"><input name="password" '
    b'type="password"><button>Sign in</button></form></body></html>\n'
)


def asked_id(query: str, body: bytes) -> str | None:
    """The tenant or flow id a management request is about (query ``id``, or the body's
    ``id``, ``tenantId``, ``flowId`` or single ``ids``)."""
    found = parse_qs(query).get("id")
    if found:
        return found[0]
    try:
        data = json.loads(body) if body.strip() else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for key in ("id", "tenantId", "flowId"):
        if isinstance(data.get(key), str):
            return str(data[key])
    ids = data.get("ids")
    return str(ids[0]) if isinstance(ids, list) and len(ids) == 1 else None


def _replace_id(value: Any, asked: str) -> Any:
    if isinstance(value, dict):
        return {k: _replace_id(v, asked) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_id(v, asked) for v in value]
    return OTHER_ID if value == asked else value


def garbled(kind: Kind, real: bytes, asked: str | None) -> tuple[bytes, str]:
    """(body, content type) replacing the real answer `real` to a request about `asked`."""
    if kind == "empty-object":
        return b"{}", "application/json"
    if kind == "empty-body":
        return b"", "application/json"
    if kind == "truncated":
        return real[: max(1, len(real) // 2)], "application/json"
    if kind == "html":
        return LOGIN_PAGE, "text/html; charset=utf-8"
    try:
        data = json.loads(real) if real.strip() else {}
    except ValueError:
        data = {}
    replaced = _replace_id(data, asked) if asked else data
    if replaced == data:
        replaced = (
            {"id": OTHER_ID, "name": "Someone else"} if not asked else {**data, "id": OTHER_ID}
        )
    return json.dumps(replaced).encode(), "application/json"


@dataclass
class Rule:
    """Garble the answers to `method` `path`: the `skip` first ones are left alone, then
    `times` are garbled (None: every one)."""

    method: str
    path: str
    kind: Kind
    forward: bool = True
    skip: int = 0
    times: int | None = 1
    seen: int = 0
    garbled: int = 0

    def wants(self, method: str, path: str) -> bool:
        if (method.upper(), path) != (self.method.upper(), self.path):
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.garbled >= self.times):
            return False
        self.garbled += 1
        return True


@dataclass
class Rules:
    """The rules in force, thread-safe; `garbled` counts the answers replaced."""

    rules: list[Rule] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, rule: Rule) -> Rule:
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def match(self, method: str, path: str) -> Rule | None:
        with self.lock:
            return next((r for r in self.rules if r.wants(method, path)), None)

    @property
    def garbled(self) -> int:
        with self.lock:
            return sum(r.garbled for r in self.rules)


class Garbler:
    """The in-process emulator with some answers garbled (see the module docstring)."""

    def __init__(self, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rules = Rules()
        original: Callable[..., EmulatorResponse] = app.handle

        def handle(
            method: str, path: str, query: str, headers: dict[str, str], body: bytes
        ) -> EmulatorResponse:
            rule = self.rules.match(method, path)
            if rule is None:
                return original(method, path, query, headers, body)
            real = original(method, path, query, headers, body) if rule.forward else None
            if real is not None and not 200 <= real.status < 300:
                return real
            text, content_type = garbled(
                rule.kind, real.body if real is not None else b"{}", asked_id(query, body)
            )
            return EmulatorResponse(200, {"Content-Type": content_type}, text)

        monkeypatch.setattr(app, "handle", handle)

    def on(
        self,
        method: str,
        path: str,
        kind: Kind,
        *,
        forward: bool = True,
        skip: int = 0,
        times: int | None = 1,
    ) -> Rule:
        """Garble the next answers to `method` `path` (see `Rule`)."""
        return self.rules.add(Rule(method, path, kind, forward, skip, times))
