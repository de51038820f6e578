"""A problem found in user input, and the wording that turns pydantic errors into problems."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from model.text import refused_text_message, shown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic_core import ErrorDetails

RULE_ERROR = "model_rule"
"""The pydantic error type of a problem a model rule words itself (see `validation_error`)."""


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
        """The location as a dotted path (``settings.domains[1]``), or ``""`` for the object.

        Keys are `shown`: a key holding a control character is written with an escape.
        """
        text = ""
        for part in self.path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += f".{shown(part)}" if text else shown(part)
        return text


def validation_error(problems: Sequence[Problem], title: str) -> ValidationError:
    """`problems` as one pydantic `ValidationError`, each at its own path, worded as given.

    Raised from a field validator, pydantic puts each problem under the field's own location,
    so one validator can report several values of a mapping or list at once.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError(RULE_ERROR, "{message}", {"message": p.message}),
                loc=p.path,
                input=None,
            )
            for p in problems
        ],
    )


def known_keys(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as users write them (aliases)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _unwrapped(annotation: Any) -> Any:
    """`annotation` without ``Annotated[...]`` and without ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that owns the key at `path`, if the path leads through models.

    A path goes through model fields by name, list items by index and mapping values by key.
    """
    current: Any = model
    for part in path:
        current = _unwrapped(current)
        origin, args = typing.get_origin(current), typing.get_args(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = next(
                (f for n, f in current.model_fields.items() if part in (n, f.alias)),
                None,
            )
            if field is None:
                return None
            current = field.annotation
        elif origin is list and args and isinstance(part, int):
            current = args[0]
        elif origin is dict and len(args) == 2 and isinstance(part, str):
            current = args[1]
        else:
            return None
    current = _unwrapped(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


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


_BOOLEAN_LOOKALIKES = {
    "true": "true", "yes": "true", "y": "true", "on": "true", "1": "true",
    "false": "false", "no": "false", "n": "false", "off": "false", "0": "false",
}  # fmt: skip
"""Values YAML 1.2 reads as text or numbers that were meant as booleans (YAML 1.1 habits)."""


def _meant_boolean(given: object) -> str | None:
    """The boolean `given` (a quoted "yes", a 1) most likely meant, if it looks like one."""
    if isinstance(given, bool) or not isinstance(given, str | int | float):
        return None
    return _BOOLEAN_LOOKALIKES.get(str(given).strip().lower())


def _count(value: object) -> str:
    return f"{len(value):,}" if isinstance(value, str | list | dict | tuple) else "more"


def _describe(error: ErrorDetails, key: str, owner: type[BaseModel] | None) -> str:
    error_type, raw_message = error["type"], error["msg"]
    ctx = error.get("ctx", {})
    if error_type == RULE_ERROR:
        return raw_message
    if error_type == "string_too_long":
        return (
            f"is {_count(error.get('input'))} characters long; at most {ctx['max_length']:,} "
            "are accepted. Shorten it."
        )
    if error_type == "string_unicode":  # pydantic's own refusal of a lone surrogate
        given = error.get("input")
        refused = refused_text_message(given) if isinstance(given, str) else None
        return refused or "is not valid text. Remove the characters that are not."
    if error_type == "string_too_short":
        return "must not be empty."
    if error_type == "too_long":
        return (
            f"has {_count(error.get('input'))} entries; at most {ctx['max_length']:,} are "
            "accepted. Remove some."
        )
    if error_type == "less_than_equal":
        return f"is {error.get('input')}; at most {ctx['le']:,} is accepted."
    if error_type == "greater_than":
        return f"must be greater than {ctx['gt']}."
    if error_type == "literal_error":
        expected = str(ctx.get("expected", ""))
        given = error.get("input")
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        close = (
            difflib.get_close_matches(given.lower(), choices, n=1, cutoff=0.6)
            if isinstance(given, str)
            else []
        )
        hint = f' Did you mean "{close[0]}"?' if close else ""
        return f"must be one of {expected}.{hint}"
    if error_type == "bool_type" and (meant := _meant_boolean(error.get("input"))) is not None:
        return f"must be true or false, written without quotes. Did you mean {meant}?"
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
        # "[key]" marks a mapping's key (not its value) as the culprit: the key's path names it.
        path = tuple(p for p in error["loc"] if isinstance(p, (str, int)) and p != "[key]")
        # pydantic appends the union member or validator name for some errors; keep real keys.
        key = str(path[-1]) if path else ""
        owner = _model_at(model, path[:-1])
        problems.append(Problem(path, _describe(error, key, owner)))
    return problems
