"""The pulumi CLI, when it is installed: finding it, running it, and saying how to get it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

INSTALL_URL = "https://www.pulumi.com/docs/install/"
INSTALL_HINT = (
    f"The pulumi CLI is not on PATH. Install it as {INSTALL_URL} describes "
    "(for example `curl -fsSL https://get.pulumi.com | sh` on Linux or macOS, "
    "`brew install pulumi/tap/pulumi`, or `choco install pulumi` on Windows), "
    "then open a new shell so that `pulumi version` works."
)


def find_pulumi() -> str | None:
    """The pulumi executable on PATH, or None."""
    return shutil.which("pulumi")


def run_pulumi(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    executable: str | None = None,
) -> int:
    """Run ``pulumi <args>`` in `cwd`, its output going straight to this terminal."""
    command = [executable or find_pulumi() or "pulumi", *args]
    merged = {**os.environ, **(env or {})}
    print(f"$ pulumi {' '.join(args)}", flush=True)
    return subprocess.run(command, cwd=cwd, env=merged, check=False).returncode
