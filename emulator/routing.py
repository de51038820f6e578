"""What a resource's route list is made of: :class:`Route`, one per management endpoint.

Each resource's ``responses`` module lists its routes; a route's handler takes the model that
serves the resource (never the whole backend), the parsed query and the parsed body, calls
one operation and returns the dict that goes on the wire. :mod:`emulator.urls` and
:mod:`emulator.responses` join every resource's list into the one route table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["JsonDict", "Query", "Route", "query_value"]

JsonDict = dict[str, Any]
Query = Mapping[str, list[str]]
M = TypeVar("M")


@dataclass(frozen=True)
class Route(Generic[M]):
    """``method path`` is answered by ``handler(model, query, body)``, known as ``name``."""

    method: str
    path: str
    name: str
    """The handler's name in the route table (unique across resources)."""
    handler: Callable[[M, Query, JsonDict], JsonDict]


def query_value(query: Query, key: str) -> str | None:
    """The first value of ``key`` in the query string, or None."""
    values = query.get(key)
    return values[0] if values else None
