"""Text a tenant, role or attribute may carry: which characters are refused, and how to show them.

Refused, in every string a tenant entry, role, permission or attribute definition carries:

- control characters (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F; NUL, tab, line
  feed, carriage return and escape among them);
- format characters (Cf: zero-width space U+200B, the bidirectional controls U+200E, U+200F,
  U+202A to U+202E and U+2066 to U+2069, the byte-order mark U+FEFF, soft hyphen U+00AD, ...),
  except the zero-width non-joiner and joiner (U+200C, U+200D), which written Persian, Indic
  scripts and emoji sequences need;
- the line and paragraph separators (Zl U+2028, Zp U+2029) and lone surrogates (Cs), which are
  not text at all and cannot be encoded as UTF-8.

Not refused: ordinary and no-break spaces, private-use and unassigned code points.
Messages never print a refused character itself: `shown` writes it as an escape.

`shown` is also the one way text from Descope (ids, names, settings, SSO fields, role and
flow names, error bodies) reaches a terminal or a log, in ``python -m ops`` and in the
providers' messages: a tenant named with an escape sequence (clear the screen, set the window
title), a bell or a bidirectional override then shows as ``\\x1b[2J``, ``\\x07``, ``\\u202e``
and cannot act on the terminal. `shown_lines` does the same for text of several lines.

Names are compared in Unicode normalization form C (`nfc`): "Café" written with a precomposed
é (U+00E9) and with an e and a combining accent (U+0065 U+0301) are one name. The models
normalize tenant names, role names and permission names (wherever they are written: roles,
defaultRoles, a role's permissions, SSO role mappings) to NFC when they validate them, so the
configuration, the providers' inputs and what is sent to Descope hold the NFC form; the checks
across entries and the providers' comparisons with what Descope holds compare NFC forms (and
`folded` ones, where case does not count either). Tenant ids are ASCII: NFC leaves them as
they are.
"""

from __future__ import annotations

import re
import unicodedata

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode general categories refused in configuration text."""
ALLOWED_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
"""Format characters (Cf) that are kept: zero-width non-joiner and joiner."""

_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHORT_NAMES = {
    "\x00": "NUL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}


def is_refused(char: str) -> bool:
    """True when `char` (one character) may not appear in configuration text."""
    if char in ALLOWED_FORMAT_CHARACTERS:
        return False
    return unicodedata.category(char) in REFUSED_CATEGORIES


def first_refused(text: str) -> int | None:
    """The index of the first refused character in `text`, or None when there is none."""
    if text.isascii():  # the common case, without a look-up per character
        match = _ASCII_CONTROL.search(text)
        return match.start() if match else None
    return next((i for i, char in enumerate(text) if is_refused(char)), None)


def describe_character(char: str) -> str:
    """``U+000A (LINE FEED)``: the code point and its name, for a message."""
    name = _SHORT_NAMES.get(char) or unicodedata.name(char, "")
    if not name:
        name = {
            "Cc": "a control character",
            "Cs": "a lone surrogate",
        }.get(unicodedata.category(char), "unnamed")
    return f"U+{ord(char):04X} ({name})"


def shown(text: str) -> str:
    """`text` for a message or a terminal: every refused character written as an escape
    (``\\n``, ``\\x1b``, ``\\x9b``, ``\\u202e``): C0 and C1 controls, DEL, escape, bell,
    bidirectional controls and every other invisible formatting character, line separators,
    lone surrogates. Other text is unchanged (a backslash stays one backslash)."""
    if first_refused(text) is None:
        return text
    parts: list[str] = []
    for char in text:
        if not is_refused(char):
            parts.append(char)
        elif char == "\n":
            parts.append("\\n")
        elif char == "\t":
            parts.append("\\t")
        elif char == "\r":
            parts.append("\\r")
        elif ord(char) <= 0xFF:
            parts.append(f"\\x{ord(char):02x}")
        else:
            parts.append(f"\\u{ord(char):04x}")
    return "".join(parts)


def nfc(text: str) -> str:
    """`text` in Unicode normalization form C (composed): the form names are compared in."""
    return unicodedata.normalize("NFC", text)


def folded(text: str) -> str:
    """`text` for comparing without case: NFC, case-folded, NFC again (a fold may decompose)."""
    return nfc(nfc(text).casefold())


def shown_lines(text: str) -> str:
    """`text` of several lines for a terminal: `shown` on each line, its line feeds kept."""
    return "\n".join(shown(line) for line in text.split("\n"))


def refused_text_message(text: str) -> str | None:
    """Why `text` is refused (its first bad character, where, and what to do), or None."""
    index = first_refused(text)
    if index is None:
        return None
    char = text[index]
    category = unicodedata.category(char)
    kind = {
        "Cc": "a control character",
        "Cf": "an invisible formatting character",
        "Cs": "a lone surrogate, which is not text",
        "Zl": "a line separator",
        "Zp": "a paragraph separator",
    }[category]
    return (
        f'"{shown(text)}" contains {describe_character(char)}, {kind}, at position {index + 1}. '
        "Remove it: control and invisible formatting characters are not accepted."
    )


def check_trimmed(value: str) -> str:
    """`value` unchanged; raises ValueError (for pydantic) when it starts or ends with spaces."""
    if value != value.strip():
        raise ValueError(f'"{shown(value)}" has leading or trailing spaces; remove them.')
    return value


def check_unique(values: list[str]) -> list[str]:
    """`values` unchanged; raises ValueError (for pydantic) naming every value listed twice."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for value in values:
        (repeated if value in seen else seen).add(value)
    if repeated:
        listed = ", ".join(shown(v) for v in sorted(repeated))
        raise ValueError(f"lists {listed} more than once; list each value once.")
    return values


def check_plain_text(value: str) -> str:
    """`value` unchanged; raises ValueError (for pydantic) when it holds a refused character."""
    message = refused_text_message(value)
    if message is not None:
        raise ValueError(message)
    return value
