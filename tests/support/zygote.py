"""Provider hosts forked from a pre-imported parent (a zygote), for the tests.

A real provider host (`standin.host.ProviderHost`) is a new Python process running ``python -u -c
HOST_GUARD``: about half a second to start and import Pulumi, gRPC and dill, and most of a
second more on its first call, which unpickles the provider and so imports ``providers`` and
the Descope SDK. The engine starts one host per command, and the suite runs thousands of
commands.

A `Zygote` is one process started exactly as a host is (same interpreter, flags, working
folder and environment) that imports all that once and then waits. Each host is a fork of it:
the child takes its standard streams, starts a session of its own as the real host does, and
runs the very same `HOST_GUARD` (which runs ``pulumi.dynamic`` as ``__main__``: the gRPC server
is created after the fork, never before, so gRPC's fork caveats do not apply; the zygote
creates no channel, server or thread). Every command still has its own host process, with its
own pid, memory and provider caches: only the imports are shared, already done.

`ZygoteLauncher` keeps one zygote per distinct (project folder, environment) - the environment
decides what the interpreter does at start (``PYTHONPATH``, a ``sitecustomize``) and what
modules read at import - and is installed with `ProviderHost.launcher` for the test session.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

PRELOADED = (
    "asyncio",
    "concurrent.futures",
    "dill",
    "grpc",
    "google.protobuf.empty_pb2",
    "google.protobuf.struct_pb2",
    "pulumi",
    "pulumi.dynamic",
    "pulumi.runtime",
    "pulumi.runtime.proto",
    "descope",
    "httpx",
    "pydantic",
    "email_validator",
    "jwt",
    "semver",
    "yaml",
    "model",
)
"""What the host imports before it serves, and what its first call imports (unpickling a
provider imports ``providers``): the third-party packages and ``model`` (data classes only),
with their submodules. ``providers`` is left to the host itself, as in a real one:
`providers.runtime` patches the host's ``__main__`` when it is imported."""

SUITE_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding the ``tests`` package (a host's folder may be a copy of the project)."""
BOOT = """\
import sys
sys.path.insert(0, sys.argv[1])
from tests.support.zygote import serve
sys.path.remove(sys.argv[1])
serve(*sys.argv[2:])
"""
"""The zygote's entry point: this module imported from `SUITE_ROOT`, which then leaves
``sys.path`` so the hosts import everything else from where a real host would."""

MAX_ZYGOTES = 4
"""Zygotes kept at once (one per distinct environment); the oldest is stopped beyond."""


# --- the zygote process --------------------------------------------------------------------


def _preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    model = importlib.import_module("model")
    for module in pkgutil.walk_packages(model.__path__, "model."):
        importlib.import_module(module.name)


def _child(guard: str, fds: list[int]) -> None:
    """In the forked child: become the host, as ``python -u -c guard`` would."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # start_new_session=True
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # close_fds=True
    sys.argv = ["-c"]
    code = compile(guard, "<string>", "exec")
    try:
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as exc:
        code_ = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        sys.stdout.flush()
        os._exit(code_)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def serve(address: str, guard: str) -> None:
    """The zygote's main loop: fork a host for each request on the socket at `address`; tell
    the requester its pid at once and its exit status when it ends. Ends when stdin ends."""
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_write.fileno())
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listen")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    waiting: dict[int, socket.socket] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in selector.select():
            if key.data == "stdin":
                if not os.read(sys.stdin.fileno(), 1024):
                    os._exit(0)
            elif key.data == "wake":
                with contextlib.suppress(BlockingIOError):
                    wake_read.recv(4096)
            else:
                connection, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
                request = json.loads(message)
                pid = os.fork()
                if pid == 0:
                    os.chdir(request["cwd"])
                    os.environ.clear()
                    os.environ.update(request["env"])
                    _child(guard, fds)
                for fd in fds:
                    os.close(fd)
                connection.sendall(f"{pid}\n".encode())
                waiting[pid] = connection
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            connection = waiting.pop(pid)
            with contextlib.suppress(OSError):
                connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            connection.close()


# --- the test process's side ---------------------------------------------------------------


class ForkedProcess:
    """A host forked by a zygote, with the parts of `subprocess.Popen` the host uses."""

    def __init__(self, pid: int, stdin: IO[bytes], stdout: IO[bytes], status: socket.socket):
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None
        self._status = status
        self._pending = b""
        self._lock = threading.Lock()

    def _read_status(self, timeout: float | None) -> int | None:
        with self._lock:
            return self._read_status_locked(timeout)

    def _read_status_locked(self, timeout: float | None) -> int | None:
        if self.returncode is None:
            self._status.settimeout(timeout)
            try:
                while b"\n" not in self._pending:
                    chunk = self._status.recv(64)
                    if not chunk:  # the zygote is gone: so is the host's watcher
                        self._pending += b"-9\n"
                    self._pending += chunk
            except (TimeoutError, BlockingIOError):
                return None
            self.returncode = int(self._pending.split(b"\n")[0])
            self._status.close()
        return self.returncode

    def poll(self) -> int | None:
        return self._read_status(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._read_status(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(["provider host", str(self.pid)], timeout or 0.0)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """One pre-imported parent for hosts of one project folder and environment."""

    def __init__(self, cwd: Path, env: Mapping[str, str], guard: str) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="zygote-")
        self.address = os.path.join(self.folder.name, "socket")
        self.cwd = cwd
        self.env = dict(env)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                "-c",
                BOOT,
                str(SUITE_ROOT),
                self.address,
                guard,
            ],
            cwd=cwd,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if ready != b"ready\n":
            self.close()
            raise RuntimeError(f"the provider-host zygote did not start: {ready!r}")

    def fork(self, stderr: IO[bytes]) -> ForkedProcess:
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(self.address)
            request = json.dumps({"cwd": str(self.cwd), "env": self.env}).encode()
            socket.send_fds(connection, [request], [stdin_read, stdout_write, stderr.fileno()])
        finally:
            os.close(stdin_read)
            os.close(stdout_write)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = connection.recv(1)
            if not chunk:
                raise RuntimeError("the provider-host zygote did not fork a host")
            answer += chunk
        return ForkedProcess(
            int(answer),
            os.fdopen(stdin_write, "wb", buffering=0),
            os.fdopen(stdout_read, "rb"),
            connection,
        )

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.folder.cleanup()


class ZygoteLauncher:
    """Starts hosts from zygotes, one zygote per distinct (folder, environment), the most
    recently used `MAX_ZYGOTES` kept. Matches `standin.host.Launcher`."""

    def __init__(self, guard: str) -> None:
        self.guard = guard
        self.zygotes: dict[str, Zygote] = {}

    def __call__(self, cwd: Path, env: Mapping[str, str], stderr: IO[bytes]) -> Any:
        key = json.dumps([str(cwd), sorted(env.items())])
        zygote = self.zygotes.pop(key, None) or Zygote(cwd, env, self.guard)
        self.zygotes[key] = zygote
        while len(self.zygotes) > MAX_ZYGOTES:
            self.zygotes.pop(next(iter(self.zygotes))).close()
        return zygote.fork(stderr)

    def close(self) -> None:
        while self.zygotes:
            self.zygotes.popitem()[1].close()
