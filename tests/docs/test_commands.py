"""Every shell command the README and the documentation pages show is run, and its shown output
compared: the docs cannot drift from what the commands do.

One test per page (README first, then mkdocs.yml's nav), so the pages spread over the workers.
A page's commands run in page order, in a copy of the project of its own whose dev stack points
at an emulator on the worker's port, so commands that share state (a deploy, then a report of
it) see each other's work. The README starts from a fresh project and an empty emulator (its
first command is ``make demo``); every other page starts where that leaves the project: the dev
stack deployed to the emulator (`deployed`, the demo replayed once per worker).

A ``console`` block writes each command after ``$ `` and the output it shows below it
(compared after `normalised`; a line ``...`` stands for any number of lines); a ``bash`` block
shows commands only (each run, and it must succeed). A block preceded by
``<!-- not-run: <reason> -->`` is not run: the reasons are listed by
`test_the_commands_not_run_are_the_ones_marked`, so every skip stays visible.

A ``.venv/bin/python -m ops ...`` command runs in this process (`run_in_process`: `ops.cli.main`
with the command's environment, folder and output, its pipe run by bash on that output); the
others run in bash as shown: ``make demo`` (the real entry point, its exit status),
``python -m config`` (the other entry point), curl.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.cli import main as ops_main
from ops.deploy.demo import project_needs, running_emulator
from ops.stack import load_stack, load_stack_configuration
from tests.ops.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
SHELL_BLOCK = re.compile(
    r"(?:<!-- not-run: (?P<reason>[^>]*?) -->\n+)?^```(?P<kind>console|bash)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
COPIED = ("Pulumi.yaml", "Pulumi.dev.yaml", "config/tenants", "config/flows")
"""What the commands may change, copied; everything else of the project is linked."""


@dataclass(frozen=True)
class Command:
    """One command of a page, with the output the page shows for it (None: none shown)."""

    page: str
    line: int
    text: str
    shown: list[str] | None
    not_run: str | None


def pages() -> list[Path]:
    """The README, then every page of mkdocs.yml's nav that is in docs/, in nav order."""
    nav = re.findall(r":\s*(\S+\.md)\s*$", (REPO / "mkdocs.yml").read_text(), re.MULTILINE)
    return [REPO / "README.md", *(REPO / "docs" / n for n in nav if (REPO / "docs" / n).exists())]


def commands(path: Path) -> Iterator[Command]:
    """The commands of a page's ``console`` and ``bash`` blocks, in order."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else path.name
    for block in SHELL_BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start("body")) + 1
        lines = block["body"].splitlines()
        index = 0
        while index < len(lines):
            line_number = first_line + index
            line = lines[index]
            if block["kind"] == "console" and not line.startswith("$ "):
                index += 1
                continue
            command = line.removeprefix("$ ") if block["kind"] == "console" else line
            while command.endswith("\\") and index + 1 < len(lines):
                index += 1
                command = command[:-1].rstrip() + " " + lines[index].strip()
            index += 1
            shown: list[str] | None = None
            if block["kind"] == "console":
                shown = []
                while index < len(lines) and not lines[index].startswith("$ "):
                    shown.append(lines[index])
                    index += 1
            else:
                command = re.sub(r"\s+#.*$", "", command).strip()
            if command:
                yield Command(name, line_number, command, shown or None, block["reason"])


ALL = [command for page in pages() for command in commands(page)]


def planned(shown: list[Command]) -> dict[str, list[Command]]:
    """The commands run, by page, in order: every one but those marked not-run and those shown
    again without output (make demo), which run once, where first shown."""
    plan: dict[str, list[Command]] = {}
    done: set[str] = set()
    for command in shown:
        if command.not_run or (command.shown is None and command.text in done):
            continue
        done.add(command.text)
        plan.setdefault(command.page, []).append(command)
    return plan


PLAN = planned(ALL)
STARTS_EMPTY = {"README.md"}
"""The pages run on a fresh project and an empty emulator; the others on `deployed`."""


def normalised(text: str, root: Path, port: int) -> list[str]:
    """Output as a page shows it: the project folder as ``/…``, the emulator's port as the dev
    stack's 8787, durations as ``T s``, no trailing spaces, no blank lines at the end."""
    text = text.replace(str(root), "/…").replace(f"127.0.0.1:{port}", "127.0.0.1:8787")
    text = re.sub(r"\b\d+(\.\d+)? s\b", "T s", text)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether `actual` is `shown`, where a shown line ``...`` stands for any lines."""
    pattern = "\n".join(
        ".*?" if line.strip() == "..." else re.escape(line) for line in shown
    ).replace("\n.*?\n", "(?:\n.*?)?\n")
    return re.fullmatch(pattern, "\n".join(actual), re.DOTALL) is not None


def fresh_project(tmp_path_factory: pytest.TempPathFactory, port: int) -> Path:
    """A copy of the project whose dev stack's emulator is on `port`."""
    root = tmp_path_factory.mktemp("docs") / "project"
    root.mkdir()
    for entry in REPO.iterdir():
        if (entry.name.startswith(".") and entry.name != ".venv") or entry.name in (
            "site",
            "backups",
        ):
            continue
        if entry.name not in ("config", *COPIED):
            (root / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (root / "config").mkdir()
    for module in (REPO / "config").iterdir():
        if module.is_file():
            (root / "config" / module.name).symlink_to(module)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    stack = root / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("http://127.0.0.1:8787", f"http://127.0.0.1:{port}"))
    assert f":{port}" in stack.read_text()
    return root


def environment(root: Path) -> dict[str, str]:
    """The commands' environment: the project's virtualenv first, no pulumi CLI (the emulator's
    stack is deployed by the stand-in), the copy's code imported."""
    path = [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DESCOPE", "PULUMI"))}
    return {**keep, "PATH": os.pathsep.join(path), "PYTHONPATH": str(root), "NO_COLOR": "1"}


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    """This process in the commands' folder and `environment` (its own imports kept: the
    copy's code is the project's, linked), no terminal on stdin."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("DESCOPE", "PULUMI")):
                patch.delenv(name)
        for name, value in environment(root).items():
            if name != "PYTHONPATH":
                patch.setenv(name, value)
        patch.chdir(root)
        patch.setattr(sys, "stdin", io.StringIO())
        yield


@pytest.fixture(scope="session")
def port() -> int:
    """The worker's emulator port: every page's copy points its dev stack there."""
    return free_port()


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory, port: int) -> Path:
    """A project where the README's ``make demo`` has run: the dev stack deployed to the
    emulator, whose project is kept in ``.pulumi-local/`` (with the stand-in's state). The demo
    runs in this process (`ops.cli.main`; the README's test runs it as shown)."""
    root = fresh_project(tmp_path_factory, port)
    output = io.StringIO()
    with inside(root), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = ops_main(["demo", "--stack", "dev"])
    assert code == 0, output.getvalue()
    assert (root / ".pulumi-local" / "emulator-dev.json").is_file(), output.getvalue()
    return root


@pytest.fixture
def project(
    page: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, port: int
) -> Iterator[Path]:
    """`page`'s own copy of the project (fresh, or of `deployed`), its emulator running on
    `port` as ``python -m ops emulator --stack dev`` runs it, this process in its folder."""
    if page in STARTS_EMPTY:
        root = fresh_project(tmp_path_factory, port)
    else:
        source: Path = request.getfixturevalue("deployed")
        root = tmp_path_factory.mktemp("docs") / "project"
        shutil.copytree(source, root, symlinks=True)
    with inside(root):
        stack = load_stack("dev", root)
        needs = project_needs(load_stack_configuration(stack))
        with running_emulator(stack, needs):
            yield root


IN_PROCESS = re.compile(
    r"\.venv/bin/python -m ops (?P<args>[\w ./:=,-]+?)(?P<quiet> 2>/dev/null)?(?: \| (?P<pipe>.+))?"
)
"""A command `run_in_process`: ``python -m ops`` with plain arguments, its stderr maybe
dropped, maybe piped into another command."""


def run(command: str, root: Path, port: int) -> tuple[int, str]:
    """Run a shown command in the project copy, on its emulator's port; ``make`` takes the
    virtualenv as built. Returns the exit status and the output (stdout and stderr)."""
    command = command.replace("127.0.0.1:8787", f"127.0.0.1:{port}")
    if command.startswith("make "):
        command = "make -o .venv/.runtime -o .venv/.installed " + command.removeprefix("make ")
    if (ops := IN_PROCESS.fullmatch(command)) is not None:
        return run_in_process(shlex.split(ops["args"]), ops["quiet"] is not None, ops["pipe"], root)
    return shell(command, root)


def shell(command: str, root: Path, given: str | None = None) -> tuple[int, str]:
    """`command` run by bash in `root`, with `given` on its stdin."""
    result = subprocess.run(
        command,
        shell=True,
        executable="/bin/bash",
        cwd=root,
        env=environment(root),
        input=given,
        stdin=subprocess.DEVNULL if given is None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=180,
        check=False,
    )
    return result.returncode, result.stdout


def run_in_process(args: list[str], quiet: bool, pipe: str | None, root: Path) -> tuple[int, str]:
    """``python -m ops ARGS`` as `ops.__main__` runs it, in this process (`inside` the copy):
    stdout and stderr (dropped when `quiet`) written as they come into one text; with a `pipe`,
    that text is given to it and the exit status is the pipe's, as bash's is."""
    output = io.StringIO()
    errors = io.StringIO() if quiet else output
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
        try:
            code = ops_main(args)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    if pipe is None:
        return code, output.getvalue()
    return shell(pipe, root, output.getvalue())


@pytest.mark.parametrize("page", list(PLAN))
def test_every_shown_command_runs_as_shown(page: str, project: Path, port: int) -> None:
    root = project
    assert shutil.which("pulumi", path=environment(root)["PATH"]) is None
    for command in PLAN[page]:
        code, output = run(command.text, root, port)
        where = f"{command.page}:{command.line}: {command.text}"
        assert code == 0, f"{where}\nexit {code}:\n{output}"
        if command.shown is not None:
            actual = normalised(output, root, port)
            assert matches(command.shown, actual), (
                f"{where}\nshown:\n" + "\n".join(command.shown) + "\nactual:\n" + "\n".join(actual)
            )


def test_every_command_shown_is_run_or_marked() -> None:
    """Each command is run on its page, or is marked not-run, or was run on an earlier page or
    above (shown again without output); the README, which starts empty, deploys first."""
    ran = [command for shown in PLAN.values() for command in shown]
    assert len(ran) >= 5
    for command in ALL:
        assert (
            command in ran
            or command.not_run
            or (command.shown is None and any(c.text == command.text for c in ran))
        ), command
    assert [c.text for c in PLAN["README.md"][:1]] == ["make demo"]


def test_the_commands_not_run_are_the_ones_marked() -> None:
    not_run = [c for c in ALL if c.not_run]
    for command in not_run:
        print(f"not run: {command.page}:{command.line}: {command.text} ({command.not_run})")
    assert all(c.text.split()[0] != "$" for c in ALL)
    assert {c.not_run for c in not_run} <= NOT_RUN_REASONS, "name the reason in NOT_RUN_REASONS"


NOT_RUN_REASONS = {
    "needs pulumi",
    "needs Descope credentials",
    "runs the whole suite",
    "opens an editor",
    "runs until Ctrl-C",
    "destroys the demo",
}
"""Why a shown command may not be run; a new reason is added here, where review sees it."""


FENCED_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<kind>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
"""Any fenced block, indented ones (in a list) too."""


def commands_not_run(path: Path) -> Iterator[str]:
    """The ``$ `` command lines of `path` in blocks the test does not run: any kind but
    ``console`` (``text``, ``json``, none), or an indented block, which `SHELL_BLOCK` does not
    read."""
    text = path.read_text(encoding="utf-8")
    for block in FENCED_BLOCK.finditer(text):
        if block["kind"] in ("console", "bash") and not block["indent"]:
            continue
        first_line = text.count("\n", 0, block.start("body")) + 1
        for offset, line in enumerate(block["body"].splitlines()):
            if line.strip().startswith("$ "):
                yield f"{path.name}:{first_line + offset}: {line.strip()}"


def test_no_page_shows_a_command_that_is_not_run() -> None:
    shown = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    unrun = [line for page in shown for line in commands_not_run(page)]
    assert unrun == [], "show these in a ```console block (run and compared):\n" + "\n".join(unrun)


def test_a_command_outside_a_run_block_is_found(tmp_path: Path) -> None:
    page = tmp_path / "example.md"
    page.write_text(
        "```console\n$ true\n```\n\n```text\n$ python -m ops report\n```\n\n"
        "```\nplain\n$ echo plain\n```\n\n- item\n\n    ```console\n    $ echo nested\n    ```\n\n"
        '```json\n{"$ ": 1}\n```\n'
    )
    assert list(commands_not_run(page)) == [
        "example.md:6: $ python -m ops report",
        "example.md:11: $ echo plain",
        "example.md:17: $ echo nested",
    ]


def test_the_extraction_reads_console_and_bash_blocks(tmp_path: Path) -> None:
    page = tmp_path / "example.md"
    text = (
        "```console\n$ echo one \\\n    two\none two\n...\n$ true\n```\n\n"
        "<!-- not-run: needs pulumi -->\n```bash\npulumi up   # apply\n```\n"
    )
    page.write_text(text)
    found = list(commands(page))
    assert [(c.text, c.shown, c.not_run) for c in found] == [
        ("echo one two", ["one two", "..."], None),
        ("true", None, None),
        ("pulumi up", None, "needs pulumi"),
    ]
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert not matches(["a", "d"], ["a", "b", "d"])
