"""Typed reads from the data file's JSON objects, shared by the resources' persistence.

A :class:`FileRecord` wraps one JSON object of the file; each read names where it is (``where``)
and the key in its ValueError (``tenants[2].createdTime must be an integer``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FileRecord"]

JsonDict = dict[str, Any]


class FileRecord:
    """Typed reads from one JSON object of the file; errors name ``where`` and the key."""

    def __init__(self, where: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a JSON object")
        self.where = where
        self.data: JsonDict = data

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def _bad(self, key: str, what: str) -> ValueError:
        return ValueError(f"{self.where}.{key} must be {what}")

    def text(self, key: str, *, default: str = "", required: bool = False) -> str:
        value = self.data.get(key, None if required else default)
        if not isinstance(value, str) or (required and not value):
            raise self._bad(key, "a non-empty string" if required else "a string")
        return value

    def integer(self, key: str, *, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "an integer")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return list(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return value

    def mapping(self, key: str) -> JsonDict:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._bad(key, "a JSON object")
        return value
