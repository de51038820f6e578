"""``${name}`` variables in configuration values, from the stack's ``descope-config:*`` settings.

One syntax for the tenants YAML and for flow and theme files (the JSON Descope exports):

- ``${name}`` inside a string value is replaced by the variable's value. The result is text,
  also when the whole value is one reference (``"${seats}"`` stays the string ``"250"``).
- ``$${`` writes a literal ``${``.
- A name that is not a known variable, a reference that is not a name and a ``${`` without its
  ``}`` are problems, every one of them reported (with the known names, and the closest one as
  a did-you-mean); a string with a problem is kept as written. The did-you-mean points at the
  likely misspelling: the reference, unless the document refers to the unknown name in several
  values and never to the close known one, which suggests the stack's key is the misspelt one.
- Mapping keys are never substituted: they are written as is. Keys carry structure (tenant
  settings, flow step ids that other values refer to); two keys substituted to the same text
  would silently collide; and a key read back from Descope could not be told apart from one
  meant as a reference.

`template` is the inverse, for writing what Descope holds back as shared files: it writes
``${name}`` where a string holds a variable's value and escapes every literal ``${``, so that
`substitute` with the same variables gives the text back exactly.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from config.loader import YamlPath
from model.text import shown

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
"""A variable name; matched as a whole (`fullmatch`)."""
_JSON_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A JSON key written bare in a path; matched as a whole (`fullmatch`)."""
_WORD_CHARACTER = re.compile(r"[^\W_]")
"""A letter or a digit: what a written-back value must not be glued to."""

MIN_TEMPLATE_LENGTH = 4
"""Shortest variable value `template` writes back. Shorter values (``dev``, ``eu``, ``1``)
turn up by coincidence in unrelated text, and a wrong write-back is silent: the shared file
then gives every other stack its own value in a place that was never meant to vary."""
_EXCERPT = 80
"""Longest string quoted whole in a problem; longer ones are quoted around the reference."""


def substitute(
    data: Any,
    variables: Mapping[str, str],
    path: YamlPath = (),
    *,
    secrets: Collection[str] = (),
) -> tuple[Any, list[tuple[YamlPath, str]]]:
    """`data` with every string value substituted, and every problem found (path, message).

    Mapping keys are left as written. A string with a problem is kept unchanged. A reference
    to one of `secrets` (stack secrets, not in `variables`) is refused, saying why: a secret
    written into a value would reach Descope and the state in plain text.
    """
    problems: list[tuple[YamlPath, str]] = []
    referring = _referring_values(data)

    def walk(value: Any, where: YamlPath) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, (*where, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*where, index)) for index, item in enumerate(value)]
        if isinstance(value, str) and "$" in value:
            text, found = _substitute(value, variables, referring, secrets)
            problems.extend((where, problem) for problem in found)
            return text
        return value

    return walk(data, path), problems


def substitute_text(text: str, variables: Mapping[str, str]) -> tuple[str, str | None]:
    """`text` with its ``${name}`` references replaced, or unchanged with its first problem."""
    result, problems = _substitute(text, variables, _referring_values(text))
    return result, problems[0] if problems else None


def _referring_values(data: Any) -> Counter[str]:
    """For each name, how many string values of `data` refer to it (``${name}``)."""
    referring: Counter[str] = Counter()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and "${" in value:
            referring.update({m.group(1) for m in _TOKEN.finditer(value) if m.group(1)})

    walk(data)
    return referring


def _substitute(
    text: str,
    variables: Mapping[str, str],
    referring: Counter[str],
    secrets: Collection[str] = (),
) -> tuple[str, list[str]]:
    """`text` substituted, or `text` unchanged and every distinct problem in it; `referring`
    counts the values of the whole document that refer to each name (for the did-you-mean);
    a reference to one of `secrets` is refused."""
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            problem = (
                f'{_quoted(text, match)} has a "${{" without a closing "}}". Close it, or write '
                '"$${" for a literal "${".'
            )
        elif name in variables:
            return variables[name]
        elif name in secrets:
            problem = (
                f"{_quoted(text, match)} refers to descope-config:{name}, a stack secret. A "
                "stack secret may only be an SSO clientSecret: anywhere else it would be sent "
                "to Descope and recorded in the state in plain text. Use a plain variable here."
            )
        else:
            problem = _unknown(_quoted(text, match), name, variables, referring, secrets)
        if problem not in problems:
            problems.append(problem)
        return token

    result = _TOKEN.sub(replace, text)
    return (text, problems) if problems else (result, [])


def _quoted(text: str, match: re.Match[str]) -> str:
    """`text` in quotes; a long one shortened to the part around `match`."""
    if len(text) <= _EXCERPT:
        return f'"{shown(text)}"'
    margin = (_EXCERPT - (match.end() - match.start())) // 2
    start, end = max(0, match.start() - margin), min(len(text), match.end() + max(margin, 0))
    return f'"{"…" if start else ""}{shown(text[start:end])}{"…" if end < len(text) else ""}"'


def _unknown(
    quoted: str,
    name: str,
    variables: Mapping[str, str],
    referring: Counter[str],
    secrets: Collection[str] = (),
) -> str:
    """Why `name` is not a variable, offering the stack's variables but never its `secrets`."""
    if not _NAME.fullmatch(name):
        return (
            f'{quoted} refers to "${{{shown(name)}}}", which is not a variable name. Use '
            'letters, digits and "_", or write "$${" for a literal "${".'
        )
    known = sorted(set(variables) - set(secrets))
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    listing = f" Known variables: {', '.join(known)}." if known else " No variables are defined."
    if close and referring[name] > 1 and not referring[close[0]]:
        # Several values agree on the name and none uses the stack's: the key is the odd one.
        return (
            f'{quoted} refers to the unknown variable "{name}". The stack defines '
            f'"{close[0]}", which nothing in this file refers to: if that key is the '
            f"misspelling, rename descope-config:{close[0]} to descope-config:{name} in the "
            f'stack\'s configuration; otherwise write "${{{close[0]}}}".{listing}'
        )
    hint = f' Did you mean "{close[0]}"?' if close else ""
    return (
        f'{quoted} refers to the unknown variable "{name}".{hint}{listing} Set it in the '
        f"stack's configuration (descope-config:{name}) or fix the name."
    )


def json_path(path: YamlPath) -> str:
    """Where a value sits in a JSON document, as a JSONPath: ``$.screens[2].htmlTemplate``."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _JSON_KEY.fullmatch(part):
            text += f".{part}"
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def parse_assignment(text: str) -> tuple[str, str]:
    """``name=value`` (a ``--var`` argument) as a pair; `ValueError` saying what is wrong."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ValueError(f'"{text}" is not key=value (for example domainSuffix=dev.example.com)')
    if not _NAME.fullmatch(name):
        raise ValueError(
            f'"{name}" is not a variable name: use letters, digits, "_", "." and "-", starting '
            "with a letter or _"
        )
    return name, value


@dataclass(frozen=True)
class Templated:
    """What `template` wrote: the data, and how many values each variable now stands in."""

    data: Any
    uses: Counter[str] = field(default_factory=Counter)


def template(data: Any, variables: Mapping[str, str]) -> Templated:
    """`data` with ``${name}`` written where a string value holds a variable's value.

    The inverse of `substitute`: ``substitute(template(d, v).data, v)`` gives `d` back, with
    no problem, for any `d`. The rules, for every string value (mapping keys are left alone):

    - a variable's value is written as ``${name}`` where it is the whole string or a part of
      it that is not glued to a letter or digit (``dev.example.com`` in
      ``https://app.dev.example.com/x``, not ``prod`` in ``production``);
    - the longest value is tried first at each place; when two variables have the same value,
      the first name in alphabetical order is written;
    - values shorter than `MIN_TEMPLATE_LENGTH`, and variables whose name cannot be written as
      a reference, are never written back;
    - a value directly after a literal ``$`` stays as it is (no reference can follow one);
    - every other ``${`` is written ``$${``.
    """
    pattern, names = _template_pattern(variables)
    uses: Counter[str] = Counter()

    def text(value: str) -> str:
        if pattern is None:
            return value.replace("${", "$${")
        parts: list[str] = []
        last = 0
        for match in pattern.finditer(value):
            name = names[match.group(0)]
            parts += (value[last : match.start()].replace("${", "$${"), f"${{{name}}}")
            uses[name] += 1
            last = match.end()
        parts.append(value[last:].replace("${", "$${"))
        return "".join(parts)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            return text(value)
        return value

    return Templated(walk(data), uses)


def too_short(variables: Mapping[str, str]) -> list[str]:
    """The names whose values `template` never writes back because they are too short."""
    return sorted(name for name, value in variables.items() if len(value) < MIN_TEMPLATE_LENGTH)


def _template_pattern(
    variables: Mapping[str, str],
) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regular expression for every value to write back, longest first; value -> name."""
    names: dict[str, str] = {}
    for name in sorted(variables):
        value = variables[name]
        if len(value) >= MIN_TEMPLATE_LENGTH and _NAME.fullmatch(name):
            names.setdefault(value, name)
    if not names:
        return None, names
    alternatives = []
    for value in sorted(names, key=lambda v: (-len(v), v)):
        before = r"(?<![^\W_])" if _WORD_CHARACTER.match(value[0]) else ""
        after = r"(?![^\W_])" if _WORD_CHARACTER.match(value[-1]) else ""
        alternatives.append(f"{before}{re.escape(value)}{after}")
    return re.compile(r"(?<!\$)(?:" + "|".join(alternatives) + ")"), names
