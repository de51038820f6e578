"""What the configuration loader reports: one `ConfigProblem` per thing wrong, all at once.

Exception
 └── ConfigurationErrors   raised by `load_configuration` when the file has any problem;
                           holds every `ConfigProblem` found, never just the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration file, located for a person to fix it.

    `subject` names what the problem belongs to (``tenant "acme"``, ``flow "x"``, ``theme``,
    ``defaults`` or ``file``); `field` is the dotted path inside it (``settings.authType``), or
    ``""`` for the subject as a whole; `message` says what is wrong and what to do.
    """

    file: Path
    line: int | None
    subject: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}"
        what = f"{self.subject}, field {self.field}" if self.field else self.subject
        return f"{where}: {what}: {self.message}"


class ConfigurationErrors(Exception):
    """Raised when a configuration file is not valid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        lines = [str(problem) for problem in self.problems]
        lines.append(f"{count} problem{'' if count == 1 else 's'} found.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()
