"""Request parsing and response serialisation around the resources' handlers.

The handlers are the resources' (each resource's ``responses`` module, joined in
:mod:`emulator.urls`): each takes the parsed query and body, calls one operation of its
resource model and returns the dict to serialise. Every 2xx body is JSON, at least ``{}``.
An empty body counts as ``{}``: the SDK's ``flow/list`` sends none.

A body is read as Go's decoder in Descope would take it, within limits that keep the
emulator answering: arrays and objects nested at most `MAX_JSON_DEPTH` deep (checked before
parsing, so no parser recursion), integers within int64, other numbers finite (no
``1e999``, ``NaN`` or ``Infinity``). Anything else is a 400 in Descope's format.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qs

from emulator import exceptions as exc
from emulator.backend import DescopeBackend
from emulator.urls import MOUNTS, Handler

__all__ = [
    "HANDLERS",
    "MAX_JSON_DEPTH",
    "Handler",
    "dispatch",
    "dump_json",
    "parse_body",
    "parse_query",
]

JsonDict = dict[str, Any]


def dump_json(data: Any) -> bytes:
    """Compact JSON bytes, as Descope sends."""
    return json.dumps(data, separators=(",", ":")).encode()


MAX_JSON_DEPTH = 128
"""The deepest nesting of arrays and objects a request body may have (a flow export: ~12)."""
_INT_RANGE = range(-(2**63), 2**63)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


class _NumberOutOfRange(ValueError):
    """A number of a request body that Descope's decoder would not take."""

    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        super().__init__(
            f"The request body holds the number {shown}, out of range: integers must be within "
            "-2^63..2^63-1 and other numbers finite; send a smaller number"
        )


def _int(text: str) -> int:
    if len(text) > 20 or int(text) not in _INT_RANGE:
        raise _NumberOutOfRange(text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberOutOfRange(text)
    return value


def _constant(text: str) -> float:
    raise _NumberOutOfRange(text)  # NaN, Infinity, -Infinity: not JSON


def _depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (brackets inside strings aside; an
    unclosed one counts), found without parsing, at C speed."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def parse_body(body: bytes) -> JsonDict:
    """The JSON object in ``body``; empty (or JSON ``null``) is ``{}``. A body that is not a
    JSON object, nests too deep or holds a number out of range is a 400 (see the module)."""
    if not body.strip():
        return {}
    if _depth(body) > MAX_JSON_DEPTH:
        raise exc.bad_request(
            f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep; "
            "send a flatter body"
        )
    try:
        data = json.loads(body, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _NumberOutOfRange as e:
        raise exc.bad_request(str(e)) from None
    except (UnicodeDecodeError, ValueError) as e:
        raise exc.bad_request(f"The request body is not valid JSON: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise exc.bad_request("The request body must be a JSON object")
    return data


def parse_query(query: str) -> dict[str, list[str]]:
    """Form-decoded query parameters (``id=t+1%2Fx`` → ``{"id": ["t 1/x"]}``)."""
    return parse_qs(query, keep_blank_values=True)


HANDLERS: dict[str, Handler] = {
    name: handler for mount in MOUNTS for name, handler in mount.handlers().items()
}
"""Every route's handler by name (:data:`emulator.urls.ROUTES` names them)."""


def dispatch(backend: DescopeBackend, handler: str, query: str, body: bytes) -> bytes:
    """Run the named handler; returns the 200 body or raises DescopeApiError."""
    return dump_json(HANDLERS[handler](backend, parse_query(query), parse_body(body)))
