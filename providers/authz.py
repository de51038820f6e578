"""What the role and permission providers share beyond `providers.resource`: names, check
failures, errors.

Descope addresses roles and permissions by name (a role within its scope: the project or one
tenant), and answers their create calls with nothing to tell our create from an earlier one.
So both providers create the same way (`providers.resource.create_or_adopt`): send the create
once; when Descope refuses it or no answer comes, look for the entry. Descope holding exactly
the declared entry is adopted, whoever made it (the lost answer of our own create, or the
console): there is nothing in it to lose or to change. Descope holding an entry of that name
that differs is refused, saying what it holds and how to take it over (declare it as Descope
holds it, then change it in a reviewed commit): overwriting it would change what every user
holding the role may do, unseen.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure
from pydantic import BaseModel, ValidationError

from model.problems import Problem, problems_from_validation_error
from model.text import shown
from providers import errors, resource
from providers.errors import DescopeApiError

__all__ = [
    "Entry",
    "check_failures",
    "gone",
    "quoted",
    "spec_problems",
    "url_safe",
]

Entry = resource.Entry
"""A role or permission as Descope answers it."""


def url_safe(name: str) -> str:
    """`name` as part of a Pulumi resource name: ``::`` separates a URN's parts, so ``%`` and
    ``:`` are written ``%25`` and ``%3A`` where a name holds ``::``."""
    if "::" not in name and "%" not in name:
        return name
    return name.replace("%", "%25").replace(":", "%3A")


def written_forms(name: str) -> list[str]:
    """The decomposed form (NFD) of `name` when it differs: a stack may hold the resource under
    a name in that form, registered before names were normalized to NFC (`model.text.nfc`),
    so it is registered as an alias and the resource stays the same one."""
    decomposed = unicodedata.normalize("NFD", name)
    return [decomposed] if decomposed != name else []


def spec_problems(model: type[BaseModel], data: Mapping[str, Any]) -> list[Problem]:
    """Every problem `model` finds in `data`, in the model's words."""
    try:
        model.model_validate(dict(data))
    except ValidationError as exc:
        return problems_from_validation_error(exc, model)
    return []


def check_failures(problems: list[Problem], keys: set[str]) -> list[CheckFailure]:
    """One failure per problem, on the top-level property it is about (the first of `keys` in
    its path), in the model's words, each once."""
    failures: list[CheckFailure] = []
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        top = next((str(p) for p in problem.path if isinstance(p, str) and p in keys), "")
        inner = problem.path[problem.path.index(top) + 1 :] if top else ()
        reason = problem.message
        if inner:
            reason = f"{Problem((top, *inner), '').field}: {reason}"
        if (top, reason) not in seen:
            seen.add((top, reason))
            failures.append(CheckFailure(top, reason))
    return failures


def gone(doing: str, subject: str, cause: DescopeApiError) -> DescopeApiError:
    """An update found the entry missing: it was deleted (or renamed) outside Pulumi."""
    return errors.explain(
        cause,
        f"{subject} no longer exists in Descope (deleted or renamed outside Pulumi?)",
        action="Run `pulumi refresh` to drop it from the state, then `pulumi up` to create it "
        "again.",
    )


def quoted(value: Any) -> str:
    """A value for a message: text in double quotes, lists as JSON."""
    if isinstance(value, str):
        return f'"{shown(value)}"'
    return json.dumps(value, ensure_ascii=False)
