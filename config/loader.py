"""Reading configuration input safely: YAML with the line of every key, and JSON exports.

PyYAML is used only to scan, parse and compose the text into nodes (with a safe loader, so no
tag can run code). The nodes are then turned into plain Python values here, which is where
this module adds what PyYAML lacks for hand-written configuration:

- the line of every mapping key and sequence item, keyed by its path (``("tenants", 0, "id")``);
- duplicate mapping keys are reported (PyYAML silently keeps the last one);
- anchors and aliases cannot expand the document past `MAX_VALUES` values (billion laughs),
  refer to themselves, or nest deeper than `MAX_DEPTH`;
- merge keys (``<<``) and custom tags are refused with a message instead of a traceback.

Every failure is an `InputError` carrying a message and, where known, a line; the caller
decides which file and subject it belongs to.

Two parsers build the same nodes, lines included: libyaml's (`CSafeLoader`), used where PyYAML
has it, and PyYAML's pure-Python one (`SafeLoader`), about twenty times slower. The pure-Python
parser has the last word on anything libyaml refuses, and reads every file holding a tab, so
that problems are worded, and tabs refused, the same with or without libyaml. libyaml still
reads a few odd constructs that the pure-Python parser refuses (``?`` inside an unquoted value
in ``[...]`` or ``{...}``; a block scalar header run into a comment, ``>#``); files written as
this project documents do not reach them.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from pathlib import Path

YamlPath = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and sequence indexes from the root."""

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_VALUES = 100_000
"""Most values a YAML document may expand to, aliases included."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted in a YAML document."""
MAX_JSON_DEPTH = 200
"""Deepest nesting of objects and arrays accepted in a flow or theme file. Descope's exports nest
a few tens of levels (a screen's component tree); the checks, substitution and hashing that
follow reading walk the values recursively, and must not run out of stack."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class InputError(Exception):
    """The input cannot be read at all; `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None, *, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.missing = missing
        """True when the file does not exist."""


@dataclass
class LoadedYaml:
    """A YAML document as plain values, the line of every key and item, and what was wrong.

    `problems` are structural faults that did not stop reading (a duplicate key keeps its
    first value); each is the path of the offending key or mapping, its line and a message.
    """

    data: Any
    lines: dict[YamlPath, int] = field(default_factory=dict)
    problems: list[tuple[YamlPath, int, str]] = field(default_factory=list)


def read_text(path: Path, *, limit: int) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped).

    Raises `InputError` if the file is missing, a directory, unreadable, larger than `limit`
    bytes, or not UTF-8 (naming the byte offset and line of the first bad byte).
    """
    try:
        if path.is_dir():
            raise InputError("is a directory, not a file. Give the path of the file itself.")
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"is {size} bytes, larger than the {limit} bytes accepted. Is it the right file?"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "does not exist. Check the path and the current directory.", missing=True
        ) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}.") from None
    except ValueError:  # pathlib's answer to a NUL byte in the name
        raise InputError("is not a usable file name (it contains a NUL byte).") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} (line {line}) "
            "cannot be decoded. Save the file with UTF-8 encoding.",
            line,
        ) from None


def parse_json(text: str) -> Any:
    """The JSON value in `text`; refuses duplicate keys, NaN, Infinity and nesting deeper than
    `MAX_JSON_DEPTH` (`InputError`)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise InputError(f'is not valid: an object repeats the key "{key}". Keep one.')
            result[key] = value
        return result

    def constant(name: str) -> Any:
        raise InputError(f"is not valid JSON: {name} is not a JSON number.")

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).", exc.lineno
        ) from None
    except RecursionError:
        value = None
        depth = MAX_JSON_DEPTH + 1
    else:
        depth = _json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise InputError(
            f"is not valid: its values nest too deeply (at most {MAX_JSON_DEPTH} levels are "
            "accepted)."
        )
    return value


def _json_depth(value: Any) -> int:
    """How many objects and arrays deep `value` nests (0 for a plain value), without recursing."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth) for child in children)
    return deepest


def parse_yaml(text: str) -> LoadedYaml:
    """The single YAML document in `text` as plain values, with lines and structural problems.

    An empty document gives ``data=None``. Raises `InputError` for text that is not YAML, for
    several documents, for custom tags, self-referencing or exploding aliases and deep nesting.
    """
    if "\t" not in text and _libyaml_usable():
        try:
            return _load(yaml.CSafeLoader, text)
        except (yaml.YAMLError, UnicodeEncodeError):
            pass  # the pure-Python parser decides, and words the problem as it always has
    try:
        return _load(yaml.SafeLoader, text)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise InputError(
            f"contains the character #x{exc.character:04x} on line {line}, which YAML does not "
            "allow in a file. Remove it.",
            line,
        ) from None
    except RecursionError:
        raise InputError(f"nests too deeply: at most {MAX_DEPTH} levels are accepted.") from None
    except (ValueError, OverflowError) as exc:  # the scanner decoding an impossible escape
        raise InputError(
            f"is not valid YAML: a double-quoted string has an escape that names no character "
            f"({exc}). Check \\x, \\u and \\U escapes, or use single quotes."
        ) from None


def _load(loader_class: type[yaml.SafeLoader | yaml.CSafeLoader], text: str) -> LoadedYaml:
    """`parse_yaml` with one parser; without garbage collection, which would cost more."""
    with gc_paused():
        # The loader and its nodes are freed on return, before the collector is back.
        return _compose_and_convert(loader_class(text))


def _compose_and_convert(loader: yaml.SafeLoader | yaml.CSafeLoader) -> LoadedYaml:
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None)
        converter = _Converter(loader)
        data = converter.convert(node, (), 0)
        return LoadedYaml(data, converter.lines, converter.problems)
    finally:
        loader.dispose()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; as it was before, after.

    Composing, converting and checking a large file creates hundreds of thousands of objects
    (nodes, their marks, the values, merged tenants) and next to no garbage: the collector
    would go over them again and again as they pile up, which takes longer than libyaml's
    parsing itself. Objects the block leaves behind are collected after it, as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _libyaml_usable() -> bool:
    """True when PyYAML has libyaml, and that libyaml refuses deep nesting itself.

    PyYAML composes libyaml's nodes by recursing in C, out of reach of Python's recursion
    limit: a file nesting a million levels would overflow the stack of a libyaml that lets it
    through (before 0.2.6). The pure-Python parser is used with such a libyaml.
    """
    return bool(yaml.__with_libyaml__) and _libyaml_limits_nesting()


@functools.cache
def _libyaml_limits_nesting() -> bool:
    probe = yaml.CSafeLoader("[" * 1001 + "]" * 1001)
    try:
        probe.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return "nesting depth" in str(exc.problem)
    finally:
        probe.dispose()
    return False


def _yaml_error(exc: yaml.MarkedYAMLError, text: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = exc.problem or exc.context or "unreadable YAML"
    if "'\\t'" in problem or "tab" in problem:
        return InputError(
            f"has a tab character on line {line}, column {column}: YAML indents with spaces "
            "only. Replace the tab with spaces.",
            line,
        )
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    source_line = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    hint = (
        ' Inside [...] or {...}, quote values that use ${...}: ["acme.${domainSuffix}"].'
        if "${" in source_line
        else ""
    )
    return InputError(
        f"is not valid YAML: {problem}{context} on line {line}, column {column}.{hint}",
        line,
    )


class _Converter:
    """Turns composed nodes into values, recording lines and refusing dangerous shapes."""

    def __init__(self, loader: SafeConstructor) -> None:
        self.loader = loader
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[tuple[YamlPath, int, str]] = []
        self.remaining = MAX_VALUES
        self.open_nodes: set[int] = set()

    def convert(self, node: Node, path: YamlPath, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.remaining -= 1
        if self.remaining < 0:
            raise InputError(
                f"expands to more than {MAX_VALUES} values, through anchors and aliases "
                "(& and *) that repeat each other. Write the values out instead.",
                line,
            )
        if depth > MAX_DEPTH:
            raise InputError(f"nests too deeply: at most {MAX_DEPTH} levels are accepted.", line)
        if isinstance(node, ScalarNode):
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError:
                raise InputError(
                    f'uses the tag "{node.tag}" on line {line}, which is not supported. '
                    "Remove the tag.",
                    line,
                ) from None
            except (ValueError, OverflowError) as exc:  # e.g. a date that does not exist
                raise InputError(
                    f'has the value "{node.value}" on line {line}, which YAML reads as a '
                    f"{node.tag.rsplit(':', 1)[-1]} but cannot convert ({exc}). Put it in quotes "
                    "if it is meant as text.",
                    line,
                ) from None
        if id(node) in self.open_nodes:
            raise InputError(
                f"has an alias on line {line} that refers to a value containing it. "
                "Remove the alias.",
                line,
            )
        result: dict[str, Any] | list[Any]
        if isinstance(node, MappingNode):
            self._expect_tag(node, _MAP_TAG, "mapping")
            self.open_nodes.add(id(node))
            result = self._mapping(node, path, depth)
        else:
            assert isinstance(node, SequenceNode)
            self._expect_tag(node, _SEQ_TAG, "sequence")
            self.open_nodes.add(id(node))
            result = self._sequence(node, path, depth)
        self.open_nodes.discard(id(node))
        return result

    def _mapping(self, node: MappingNode, path: YamlPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self.problems.append(
                    (
                        path,
                        line,
                        "uses a merge key (<<), which is not supported. Write the keys out, "
                        "or put values shared by all tenants under defaults.",
                    )
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    (path, line, "has a key that is a list or mapping. Keys must be plain text.")
                )
                continue
            key = str(key_node.value)
            key_path = (*path, key)
            if key in result:
                self.problems.append(
                    (
                        key_path,
                        line,
                        f"is written twice in the same mapping, on line {self.lines[key_path]} "
                        f"and on line {line}. Keep one of them.",
                    )
                )
                continue
            self.lines[key_path] = line
            result[key] = self.convert(value_node, key_path, depth + 1)
        return result

    def _sequence(self, node: SequenceNode, path: YamlPath, depth: int) -> list[Any]:
        result: list[Any] = []
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            self.lines[item_path] = item.start_mark.line + 1
            result.append(self.convert(item, item_path, depth + 1))
        return result

    @staticmethod
    def _expect_tag(node: Node, tag: str, kind: str) -> None:
        if node.tag != tag:
            line = node.start_mark.line + 1
            raise InputError(
                f'uses the tag "{node.tag}" on a {kind} on line {line}, which is not '
                "supported. Remove the tag.",
                line,
            )
