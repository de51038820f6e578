"""Editing a YAML file in place: what changes is rewritten, every other line is kept as it is.

`YamlEditor` parses the text with ruamel.yaml's round-trip loader, which keeps comments, key
order, quoting and flow style in the tree it returns. The caller edits that tree through the
editor: `edit_item` (change one item of a top-level list in place), `insert_item` and `set_key`.
`text` then splices the rendering of each changed item, inserted item or set key into the
original text, and copies every other line as it was written, whatever its formatting. Within
a changed item, ruamel renders what the caller did not change as it was parsed (comments, flow
style, quotes), with the file's own indentation; comment and blank lines that follow the item
stay where they are.

The tree holds ruamel's values (YAML 1.2). The configuration is read with PyYAML (YAML 1.1), so
`plain_or_quoted` quotes a new string that PyYAML would read as something else (``yes``,
``12:30``).
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

_STR_TAG = "tag:yaml.org,2002:str"


class YamlEditError(ValueError):
    """The text cannot be edited: not YAML, or not a mapping at the top."""


@dataclass
class _Slot:
    """One item of an edited list: where it was in the original list, and whether it changed."""

    original: int | None
    """Its index in the list as parsed; None for an inserted item."""
    changed: bool = False


def plain_or_quoted(text: str, quote: str | None = None) -> str:
    """`text` as a scalar to put in the tree: quoted as `quote` (``"`` or ``'``) asks, and
    quoted anyway when PyYAML would read it unquoted as anything but this string."""
    if quote is None and _pyyaml_reads_as_text(text):
        return text
    quoted: str = DoubleQuotedScalarString(text) if quote == '"' else SingleQuotedScalarString(text)
    return quoted


def _pyyaml_reads_as_text(text: str) -> bool:
    resolver = yaml.resolver.Resolver()
    tag: str = resolver.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False)
    )
    return tag == _STR_TAG


def quote_of(value: Any) -> str | None:
    """How a parsed scalar was quoted: ``"``, ``'`` or None (plain, or not a string)."""
    if isinstance(value, DoubleQuotedScalarString):
        return '"'
    if isinstance(value, SingleQuotedScalarString):
        return "'"
    return None


def is_flow(value: Any) -> bool:
    """Whether a parsed mapping or list is written in flow style (``{...}``, ``[...]``)."""
    return isinstance(value, CommentedMap | CommentedSeq) and bool(value.fa.flow_style())


def styled(value: CommentedMap | CommentedSeq, flow: bool) -> Any:
    """`value`, set to be written in flow style or block style."""
    if flow:
        value.fa.set_flow_style()
    else:
        value.fa.set_block_style()
    return value


class YamlEditor:
    """A YAML document's text and its round-trip tree; `text` writes the tree's changes back."""

    def __init__(self, text: str) -> None:
        self.original = text
        self._lines = text.splitlines(keepends=True)
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.allow_duplicate_keys = True  # the configuration loader reports them
        self._yaml.width = 4096  # never fold a long line that was one line
        self._yaml.representer.add_representer(type(None), _represent_null)
        try:
            root = self._yaml.load(text)
        except YAMLError as exc:
            raise YamlEditError(f"is not valid YAML ({exc})") from None
        if root is not None and not isinstance(root, CommentedMap):
            raise YamlEditError("is not a mapping of keys (tenants:, flows:, ...)")
        self._fresh = root is None
        self.root: CommentedMap = root if root is not None else CommentedMap()
        self._set_indentation()
        self._keys = {str(k): self.root.lc.key(k)[0] for k in self.root}
        """Top-level keys of the original text and their line (0-based)."""
        self._slots: dict[str, list[_Slot]] = {}
        self._rewritten: list[str] = []
        """Top-level keys written whole (set, or lists that were not block lists with items)."""

    def _set_indentation(self) -> None:
        mapping, sequence, offset = 2, 4, 2
        for key, value in self.root.items():
            if isinstance(value, CommentedMap) and value and not is_flow(value):
                mapping = value.lc.key(next(iter(value)))[1] - self.root.lc.key(key)[1]
                break
        for key, value in self.root.items():
            if isinstance(value, CommentedSeq) and value and not is_flow(value):
                line, column = value.lc.item(0)
                dash = self._dash(line, column)
                if dash is not None:
                    base = self.root.lc.key(key)[1]
                    sequence, offset = column - base, dash[1] - base
                break
        self._yaml.indent(mapping=max(mapping, 1), sequence=max(sequence, 2), offset=offset)

    # The tree -------------------------------------------------------------------------------

    def items(self, key: str) -> list[Any]:
        """The items of the top-level list `key`, as parsed and edited (empty if none)."""
        value = self.root.get(key)
        return list(value) if isinstance(value, list) else []

    def edit_item(self, key: str, index: int) -> Any:
        """Item `index` of the list `key`, to be changed in place by the caller.

        The comment and blank lines after the item stay in the file where they are, so they are
        detached from the item here: keys added at its end come before them.
        """
        item = self.root[key][index]
        if key in self._rewritten:
            return item
        if self._splices(key):
            _detach_trailing_lines(item)
            self._list_slots(key)[index].changed = True
        else:
            self._rewritten.append(key)
        return item

    def insert_item(self, key: str, index: int, item: Any) -> None:
        """Insert `item` into the top-level list `key` at `index` (created if it is missing).

        Into a block list that has items, the item is spliced in between its neighbours; any
        other list (missing, empty, ``[...]``) is written whole, an empty one as a block list.
        """
        current = self.root.get(key)
        if isinstance(current, CommentedSeq) and current:
            if key not in self._rewritten and self._splices(key):
                self._list_slots(key).insert(index, _Slot(None, changed=True))
            elif key not in self._rewritten:
                self._rewritten.append(key)
            current.insert(index, item)
            return
        self._assign(key, styled(CommentedSeq([item]), flow=False))

    def _splices(self, key: str) -> bool:
        """Whether the list `key` is spliced item by item: a block list in the original text."""
        value = self.root.get(key)
        return key in self._keys and isinstance(value, CommentedSeq) and not is_flow(value)

    def set_key(self, key: str, value: Any) -> None:
        """Set the top-level `key` to `value`, written whole (added at the end if new)."""
        self._assign(key, value)

    def _assign(self, key: str, value: Any) -> None:
        self.root[key] = value
        if key not in self._rewritten:
            self._rewritten.append(key)
        self._slots.pop(key, None)

    def _list_slots(self, key: str) -> list[_Slot]:
        if key not in self._slots:
            self._slots[key] = [_Slot(index) for index in range(len(self.root[key]))]
        return self._slots[key]

    # The text -------------------------------------------------------------------------------

    def text(self) -> str:
        """The document: the original text with the changed parts rendered in."""
        if not self._edited:
            return self.original
        if self._fresh:  # empty, or comments only
            head = self.original.rstrip("\n")
            return (head + "\n\n" if head else "") + self._render(self.root)
        edits: list[tuple[int, int, str]] = []
        appended: list[str] = []
        for key in self._rewritten:
            if key in self._keys:
                start, end = self._section(key)
                edits.append((start, end, self._render(CommentedMap({key: self.root[key]}))))
            else:
                appended.append(key)
        for key, slots in self._slots.items():
            if key not in self._rewritten:
                edits.extend(self._list_edits(key, slots))
        lines = list(self._lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        if appended:
            separator = "\n" if self._sections_spaced() else ""
            tail = "".join(
                separator + self._render(CommentedMap({key: self.root[key]})) for key in appended
            )
            edits.append((len(lines), len(lines), tail))
        out: list[str] = []
        position = 0
        for start, end, text in sorted(edits, key=lambda edit: (edit[0], edit[1])):
            out.extend(lines[position:start])
            out.append(text)
            position = end
        out.extend(lines[position:])
        return "".join(out)

    @property
    def _edited(self) -> bool:
        return bool(self._rewritten) or any(s.changed for v in self._slots.values() for s in v)

    def _section(self, key: str) -> tuple[int, int]:
        """Lines of the top-level `key`: its key line to its last line of content."""
        start = self._keys[key]
        later = sorted(line for line in self._keys.values() if line > start)
        return start, self._content_end(start, later[0] if later else len(self._lines))

    def _content_end(self, start: int, boundary: int) -> int:
        """The line after the last content line in [start, boundary): blank lines and comment
        lines before the boundary belong to what follows."""
        end = boundary
        while end > start + 1 and _is_blank_or_comment(self._lines[end - 1]):
            end -= 1
        return end

    def _sections_spaced(self) -> bool:
        lines = sorted(self._keys.values())
        return any(line > 0 and not self._lines[line - 1].strip() for line in lines[1:])

    def _list_edits(self, key: str, slots: list[_Slot]) -> list[tuple[int, int, str]]:
        sequence: CommentedSeq = self.root[key]
        original = [slot.original for slot in slots if slot.original is not None]
        starts = {i: self._item_start(sequence, i) for i in original}
        ends = self._item_ends(key, starts)
        spaced = any(
            any(not line.strip() for line in self._lines[ends[a] : starts[b][0]])
            for a, b in itertools.pairwise(original)
        )
        edits: list[tuple[int, int, str]] = []
        pending: list[str] = []
        previous: int | None = None
        for position, slot in enumerate(slots):
            if slot.original is None:
                pending.append(self._render_item(sequence[position], starts[original[0]][1]))
                continue
            start, column = starts[slot.original]
            if pending:
                joined = self._join(pending, spaced, after=previous is not None)
                edits.append(
                    (ends[previous], ends[previous], joined)
                    if previous is not None
                    else (self._block_start(start), self._block_start(start), joined)
                )
                pending = []
            if slot.changed:
                edits.append(
                    (start, ends[slot.original], self._render_item(sequence[position], column))
                )
            previous = slot.original
        if pending:
            assert previous is not None
            edits.append((ends[previous], ends[previous], self._join(pending, spaced, after=True)))
        return edits

    @staticmethod
    def _join(rendered: list[str], spaced: bool, *, after: bool) -> str:
        separator = "\n" if spaced else ""
        if after:
            return "".join(separator + text for text in rendered)
        return "".join(text + separator for text in rendered)

    def _item_start(self, sequence: CommentedSeq, index: int) -> tuple[int, int]:
        """The line of item `index`'s dash, and the dash's column."""
        line, column = sequence.lc.item(index)
        dash = self._dash(line, column)
        return dash if dash is not None else (line, column)

    def _item_ends(self, key: str, starts: dict[int, tuple[int, int]]) -> dict[int, int]:
        ordered = sorted(starts)
        section_end = self._section(key)[1]
        ends: dict[int, int] = {}
        for position, index in enumerate(ordered):
            boundary = (
                starts[ordered[position + 1]][0] if position + 1 < len(ordered) else section_end
            )
            ends[index] = self._content_end(starts[index][0], boundary)
        return ends

    def _block_start(self, line: int) -> int:
        """The first line of the comment lines right above `line` (or `line` itself)."""
        while line > 0 and self._lines[line - 1].strip().startswith("#"):
            line -= 1
        return line

    def _dash(self, line: int, column: int) -> tuple[int, int] | None:
        """Where the ``-`` of the list item whose content starts at (line, column) is."""
        text = self._lines[line] if line < len(self._lines) else ""
        before = text[:column].rstrip()
        if before.endswith("-"):
            return line, len(before) - 1
        while line > 0:
            line -= 1
            stripped = self._lines[line].strip()
            if stripped == "-":
                return line, self._lines[line].index("-")
            if stripped and not stripped.startswith("#"):
                return None
        return None

    def _render(self, value: Any) -> str:
        out = io.StringIO()
        self._yaml.dump(value, out)
        return _without_trailing_lines(out.getvalue())

    def _render_item(self, item: Any, dash_column: int) -> str:
        lines = self._render(CommentedSeq([item])).splitlines(keepends=True)
        first = lines[0]
        shift = dash_column - (len(first) - len(first.lstrip(" ")))
        if shift >= 0:
            return "".join(" " * shift + line if line.strip() else line for line in lines)
        return "".join(line[min(-shift, len(line) - len(line.lstrip(" "))) :] for line in lines)


def _represent_null(representer: Any, _: None) -> Any:
    """``null`` written out (ruamel writes nothing after the colon by default)."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _without_trailing_lines(text: str) -> str:
    """`text` without the blank and comment lines at its end."""
    lines = text.splitlines(keepends=True)
    while lines and _is_blank_or_comment(lines[-1]):
        lines.pop()
    return "".join(lines)


def _detach_trailing_lines(node: Any) -> None:
    """Drop the comment and blank lines that ruamel attached after the last value of `node`.

    The comment on the last value's own line is kept.
    """
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        last = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        for token in node.ca.items.get(last) or []:
            if isinstance(token, CommentToken):
                first_line, newline, _ = token.value.partition("\n")
                token.value = first_line + newline
        node.ca.end = []
        node = node[last]
