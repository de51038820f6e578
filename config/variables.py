"""``${name}`` substitution in string values, from the stack's ``descope-config:*`` settings.

``${domainSuffix}`` is replaced by the variable's value; ``$${`` writes a literal ``${``. A name
that is not a known variable is a problem, reported with the list of known names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from config.loader import YamlPath
from model.text import shown

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
"""A variable name; matched as a whole (`fullmatch`)."""


def substitute(
    data: Any, variables: Mapping[str, str], path: YamlPath = ()
) -> tuple[Any, list[tuple[YamlPath, str]]]:
    """`data` with every string value substituted, and the problems found (path, message).

    Mapping keys are left as written. A string with a problem is kept unchanged.
    """
    problems: list[tuple[YamlPath, str]] = []

    def walk(value: Any, where: YamlPath) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, (*where, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*where, index)) for index, item in enumerate(value)]
        if isinstance(value, str) and "$" in value:
            text, problem = substitute_text(value, variables)
            if problem:
                problems.append((where, problem))
            return text
        return value

    return walk(data, path), problems


def substitute_text(text: str, variables: Mapping[str, str]) -> tuple[str, str | None]:
    """`text` with its ``${name}`` references replaced, or unchanged with a problem message."""
    problem: str | None = None

    def replace(match: re.Match[str]) -> str:
        nonlocal problem
        token = match.group(0)
        if token == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            problem = problem or (
                f'"{shown(text)}" has a "${{" without a closing "}}". Close it, or write '
                '"$${" for a literal "${".'
            )
            return token
        if name in variables:
            return variables[name]
        problem = problem or _unknown(text, name, variables)
        return token

    result = _TOKEN.sub(replace, text)
    return (text, problem) if problem else (result, None)


def _unknown(text: str, name: str, variables: Mapping[str, str]) -> str:
    if not _NAME.fullmatch(name):
        return (
            f'"{shown(text)}" refers to "${{{shown(name)}}}", which is not a variable name. '
            'Use letters, digits and "_", or write "$${" for a literal "${".'
        )
    known = sorted(variables)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    listing = f" Known variables: {', '.join(known)}." if known else " No variables are defined."
    return (
        f'"{shown(text)}" refers to the unknown variable "{name}".{hint}{listing} Set it in the '
        f"stack's configuration (descope-config:{name}) or fix the name."
    )
