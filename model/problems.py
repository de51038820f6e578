"""A problem found in user input, and the wording that turns pydantic errors into problems."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    `path` locates the value inside the object that was validated (for a tenant:
    ``("settings", "authType")``); `message` says what is wrong and what to do, without
    repeating the location, so callers can prefix file, line and id as they see fit.
    """

    path: tuple[str | int, ...]
    message: str

    @property
    def field(self) -> str:
        """The location as a dotted path (``settings.domains[1]``), or ``""`` for the object."""
        text = ""
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else part
        return text


def known_keys(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as users write them (aliases)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The nested model class that owns the key at `path`, if the path leads through models."""
    current: type[BaseModel] = model
    for part in path:
        if isinstance(part, int):
            continue
        field = next(
            (f for n, f in current.model_fields.items() if part in (n, f.alias)),
            None,
        )
        annotation = field.annotation if field is not None else None
        candidates = getattr(annotation, "__args__", (annotation,))
        nested = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)),
            None,
        )
        if nested is None:
            return None
        current = nested
    return current


_PLAIN_WORDS = {
    "bool_type": "must be true or false, written without quotes.",
    "bool_parsing": "must be true or false, written without quotes.",
    "int_type": "must be a whole number, written without quotes.",
    "int_parsing": "must be a whole number, written without quotes.",
    "int_from_float": "must be a whole number.",
    "string_type": "must be text; put quotes around it if it looks like a number or true/false.",
    "list_type": "must be a list, such as [a, b] or one '- item' per line.",
    "dict_type": "must be a mapping of key: value lines.",
}
"""What to say instead of pydantic's words for the common type mistakes in YAML."""


def _describe(error: ErrorDetails, key: str, owner: type[BaseModel] | None) -> str:
    error_type, raw_message = error["type"], error["msg"]
    if error_type == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        given = error.get("input")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        close = (
            difflib.get_close_matches(given.lower(), choices, n=1, cutoff=0.6)
            if isinstance(given, str)
            else []
        )
        hint = f' Did you mean "{close[0]}"?' if close else ""
        return f"must be one of {expected}.{hint}"
    if error_type in _PLAIN_WORDS:
        return _PLAIN_WORDS[error_type]
    if error_type == "extra_forbidden":
        allowed = known_keys(owner) if owner is not None else []
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        listing = f" Known keys: {', '.join(sorted(allowed))}." if allowed and not close else ""
        return f'unknown key "{key}".{hint}{listing} Remove it or fix its spelling.'
    if error_type == "missing":
        return "is required but missing. Add it."
    if raw_message.startswith("Value error, "):
        return raw_message.removeprefix("Value error, ")
    return f"{raw_message[0].lower()}{raw_message[1:]}." if raw_message else "is not valid."


def problems_from_validation_error(exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Turn every error pydantic found into a `Problem` with an actionable message."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        path = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
        # pydantic appends the union member or validator name for some errors; keep real keys.
        key = str(path[-1]) if path else ""
        owner = _model_at(model, path[:-1])
        problems.append(Problem(path, _describe(error, key, owner)))
    return problems
