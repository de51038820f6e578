"""Progress of the long `python -m ops` commands, on stderr (their results stay on stdout).

A command opens one `Progress` around its work and runs each step through it: `doing` for a
single call (listing the tenants), `each` for a loop whose length is already known (the
tenants of that listing, the flows of the flow listing). Nothing is fetched for progress.
While the block runs, every wait of the calls (`providers.calls.waits_reported_to`: a rate
limit, a retry after a server error or no answer) is shown as it starts, with what it waits
for and for how long.

- On a terminal: a live display (rich), one line per step with a spinner or a bar, the count
  and the elapsed time; waits are printed above it.
- Elsewhere (a pipe, a CI log): plain lines, ``export: load tenant settings 30/300``. A
  single call gets one line as it starts; a loop one as it starts, one each time another
  tenth is done, and one when it ends with its duration; a wait one line.

`Progress.silent()` shows nothing (for the functions' callers that are not the commands).

What a step or a wait says may quote Descope's data (an id, a name): it is shown through
`model.text.shown` (control characters as escapes) and never read as rich markup, so a
``[bold]`` or an escape sequence in a name is printed as written.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import TypeVar

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as LiveDisplay
from rich.text import Text

from model.text import shown
from providers.calls import Wait, waits_reported_to

T = TypeVar("T")


class _CountedOnly(ProgressColumn):
    """`column` for the steps that count items; blank for a single call's step."""

    def __init__(self, column: ProgressColumn) -> None:
        super().__init__()
        self.column = column

    def render(self, task: Task) -> RenderableType:
        return self.column(task) if task.fields.get("counted") else Text("")


class Progress:
    """What one command is doing, told on stderr as it goes (see the module docstring)."""

    def __init__(self, command: str, console: Console | None = None, *, show: bool = True):
        """`command` prefixes every plain line (``export``); `console` defaults to stderr's,
        and decides between the live display (a terminal) and plain lines."""
        self.command = command
        self.show = show
        self.console = console or Console(stderr=True)
        self._display: LiveDisplay | None = None
        self._exit = ExitStack()

    @classmethod
    def silent(cls) -> Progress:
        """A progress that shows nothing."""
        return cls("", show=False)

    @property
    def live(self) -> bool:
        """Whether progress is drawn as a live display (stderr is a terminal)."""
        return self.show and self.console.is_terminal

    def __enter__(self) -> Progress:
        if not self.show:
            return self
        if self.live:
            self._display = LiveDisplay(
                SpinnerColumn(finished_text="[green]✓[/]"),
                TextColumn("{task.description}", markup=False),
                _CountedOnly(BarColumn()),
                _CountedOnly(MofNCompleteColumn()),
                TimeElapsedColumn(),
                console=self.console,
                redirect_stdout=False,  # results go to stdout, never into the display
                redirect_stderr=True,  # notes printed meanwhile appear above it
            )
            self._exit.enter_context(self._display)
        self._exit.enter_context(waits_reported_to(self.waited))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._exit.close()
        self._display = None

    def _line(self, text: str) -> None:
        stream = self.console.file
        stream.write(f"{self.command}: {shown(text)}\n")
        stream.flush()

    def waited(self, wait: Wait) -> None:
        """Show a wait as it starts (the listener given to `waits_reported_to`)."""
        if not self.show:
            return
        if self._display is not None:
            self._display.console.print(Text(shown(wait.text()), style="yellow"))
        else:
            self._line(wait.text())

    @contextmanager
    def doing(self, what: str) -> Iterator[None]:
        """One step without a count (a single call): ``list Descope tenants``."""
        if self._display is not None:
            task = self._display.add_task(shown(what), total=None)
            yield
            self._display.update(task, total=1, completed=1)
            return
        if self.show:
            self._line(what)
        yield

    def each(self, what: str, items: Iterable[T]) -> Iterator[T]:
        """`items`, counted as they are handled (an item counts once the loop asks for the
        next one). Nothing is shown for no items."""
        listed = list(items)
        total = len(listed)
        if not total:
            return
        if self._display is not None:
            task = self._display.add_task(shown(what), total=total, counted=True)
            for item in listed:
                yield item
                self._display.advance(task)
            return
        if not self.show:
            yield from listed
            return
        started = time.monotonic()
        self._line(f"{what} 0/{total}")
        tenth = 0
        for done, item in enumerate(listed, start=1):
            yield item
            if done == total:
                self._line(f"{what} {done}/{total} ({time.monotonic() - started:.1f} s)")
            elif done * 10 // total > tenth:
                tenth = done * 10 // total
                self._line(f"{what} {done}/{total}")
