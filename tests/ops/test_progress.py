"""Progress of export, backup, report and restore: on stderr, plain lines off a terminal, every
wait said as it starts, and not one API call more for it."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
from descope import DescopeClient
from rich.console import Console

from emulator.server import EmulatorServer
from ops.progress import Progress
from providers.calls import Wait
from tests.ops.conftest import Project, Run, counters, reset_counters, timeless
from tests.support.plugin import RecordedSleeps

FLOW = {"id": "f", "name": "F", "dsl": {}}
ENV = {"environment": "dev"}
"""What the dev defaults give every tenant."""


def seed(descope: DescopeClient, tenants: int, flows: int = 1) -> None:
    for index in range(tenants):
        descope.mgmt.tenant.create(f"Tenant {index:02d}", f"t{index:02d}")
    for index in range(flows):
        flow_id = f"flow-{index}"
        descope.mgmt.flow.import_flow(flow_id, {**FLOW, "id": flow_id}, [])


def test_export__plain_progress_lines_on_stderr_when_it_is_not_a_terminal(
    ops: Run, project: Project, descope: DescopeClient
) -> None:
    seed(descope, tenants=12, flows=2)
    out_dir = project.root / "out"

    code, out, err = ops(
        "export", "--stack", "test", "--out", str(out_dir / "t.yaml"), "--flows-dir", str(out_dir)
    )

    assert code == 0, err
    assert timeless(err) == [
        "export: list Descope tenants",
        "export: load tenant settings and SSO 0/12",
        *(f"export: load tenant settings and SSO {n}/12" for n in (2, 3, 4, 5, 6, 8, 9, 10, 11)),
        "export: load tenant settings and SSO 12/12 (T s)",
        "export: list roles and permissions",
        "export: list Descope flows",
        "export: export flows 0/2",
        "export: export flows 1/2",
        "export: export flows 2/2 (T s)",
        "export: export the theme",
        "export: validate the files",
        "export: load the written configuration",
    ]
    assert "export:" not in out  # the results alone on stdout
    assert out.startswith("Exported Descope project")


def test_export__a_rate_limit_wait_is_said_as_it_starts(
    ops: Run,
    project: Project,
    descope: DescopeClient,
    emulator: EmulatorServer,
    recorded_sleeps: RecordedSleeps,
) -> None:
    seed(descope, tenants=1, flows=2)
    plan = {"rateLimit": {"limit": 1, "windowSeconds": 1, "retryAfter": 1, "path": None}}
    httpx.post(f"{emulator.url}/emulator/faults", json=plan).raise_for_status()
    out_dir = project.root / "out"

    code, _, err = ops(
        "export", "--stack", "test", "--out", str(out_dir / "t.yaml"), "--flows-dir", str(out_dir)
    )

    assert code == 0, err
    waits = [line for line in err.splitlines() if "rate limited" in line]
    assert waits, err
    assert all(
        re.fullmatch(r"export: rate limited by Descope, waiting 1 s \(attempt 2\) to .+", line)
        for line in waits
    ), waits
    assert (
        'export: rate limited by Descope, waiting 1 s (attempt 2) to export Descope flow "flow-1"'
        in waits
    )
    assert recorded_sleeps.seconds == [1.0] * len(waits)  # each wait said is the wait made


def test_progress__costs_no_api_call(
    ops: Run, project: Project, descope: DescopeClient, emulator: EmulatorServer
) -> None:
    seed(descope, tenants=5, flows=2)
    out_dir = project.root / "out"
    reset_counters(emulator)

    code, _, err = ops(
        "export", "--stack", "test", "--out", str(out_dir / "t.yaml"), "--flows-dir", str(out_dir)
    )

    assert code == 0, err
    assert counters(emulator) == {
        "GET /v1/mgmt/tenant/all": 1,
        "GET /v1/mgmt/tenant/settings": 5,
        "GET /v2/mgmt/sso/settings/all": 5,
        "GET /v1/mgmt/permission/all": 1,
        "GET /v1/mgmt/role/all": 1,
        "POST /v1/mgmt/flow/list": 1,
        "POST /v1/mgmt/flow/export": 2,
        "POST /v1/mgmt/theme/export": 1,
    }
    reset_counters(emulator)

    code, _, err = ops("backup", "--stack", "test")

    assert code == 0, err
    assert "backup: export flows 2/2" in err
    # One listing for the three tenants the configuration declares (none is in Descope).
    assert counters(emulator) == {
        "GET /v1/mgmt/tenant/all": 1,
        "GET /v1/mgmt/permission/all": 1,
        "GET /v1/mgmt/role/all": 1,
        "POST /v1/mgmt/flow/list": 1,
        "POST /v1/mgmt/flow/export": 2,
        "POST /v1/mgmt/theme/export": 1,
    }


def test_restore__plain_progress_lines(ops: Run, project: Project) -> None:
    source = project.root / "b.json"
    tenants = [
        {
            "tenant": {"id": f"n{index}", "name": f"New {index}", "customAttributes": ENV},
            "settings": None,
        }
        for index in range(3)
    ]
    source.write_text(json.dumps({"format": "descope-config-backup/1", "tenants": tenants}))

    code, out, err = ops("restore", str(source), "--stack", "test", "--all", "--force")

    assert code == 0, err
    assert timeless(err) == [
        "restore: read b.json",
        "restore: read test.yaml",
        "restore: restore tenants 0/3",
        "restore: restore tenants 1/3",
        "restore: restore tenants 2/3",
        "restore: restore tenants 3/3 (T s)",
        "restore: check the restored configuration",
    ]
    assert "tenant n2: restored" in out


def wait() -> Wait:
    return Wait('export Descope flow "f"', "rate limited by Descope", 12, 2, None)


def test_progress__on_a_terminal_a_live_display_and_the_waits_above_it() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)

    with Progress("export", console) as progress:
        assert progress.live
        with progress.doing("list Descope tenants"):
            pass
        for _ in progress.each("load tenant settings", range(3)):
            progress.waited(wait())

    shown = screen.getvalue()
    assert "list Descope tenants" in shown
    assert "load tenant settings" in shown
    assert "3/3" in shown
    assert 'rate limited by Descope, waiting 12 s (attempt 2) to export Descope flow "f"' in shown
    assert "export: " not in shown  # the plain lines' prefix is for logs only


HOSTILE = 'load tenant "[bold]x[/bold]\x1b]0;pwned\x07\u202e"'
"""A step quoting a name Descope holds: rich markup, a window-title sequence, a bidi override."""
HOSTILE_SHOWN = 'load tenant "[bold]x[/bold]\\x1b]0;pwned\\x07\\u202e"'


def test_progress__a_name_from_descope_is_shown_as_written_on_a_terminal() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200)

    with Progress("export", console) as progress:
        with progress.doing(HOSTILE):
            pass
        for _ in progress.each(HOSTILE, range(1)):
            progress.waited(Wait(HOSTILE, "rate limited by Descope", 12, 2, None))

    text = screen.getvalue()
    assert text.count(HOSTILE_SHOWN) >= 3, text
    assert "]0;pwned" not in text.replace(HOSTILE_SHOWN, "")
    assert "\u202e" not in text
    assert "\x07" not in text


def test_progress__a_name_from_descope_is_escaped_in_plain_lines() -> None:
    log = io.StringIO()

    with Progress("export", Console(file=log)) as progress:
        with progress.doing(HOSTILE):
            pass
        progress.waited(Wait(HOSTILE, "rate limited by Descope", 12, 2, None))

    lines = log.getvalue().splitlines()
    assert lines[0] == f"export: {HOSTILE_SHOWN}"
    assert lines[1].endswith(f"to {HOSTILE_SHOWN}")
    assert "\x1b" not in log.getvalue()


def test_progress__silent_shows_nothing_and_passes_every_item(capsys: Any) -> None:
    progress = Progress.silent()
    with progress:
        with progress.doing("list"):
            pass
        assert list(progress.each("items", [1, 2, 3])) == [1, 2, 3]
        progress.waited(wait())
    assert capsys.readouterr() == ("", "")


def test_progress__no_line_for_an_empty_loop(capsys: Any) -> None:
    with Progress("report") as progress:
        assert list(progress.each("export flows", [])) == []
    assert capsys.readouterr().err == ""
