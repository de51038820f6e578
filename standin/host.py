"""Pulumi's own dynamic-provider host, in its own process, spoken to over gRPC as the engine does.

`ProviderHost` starts Pulumi's host, ``python -u -m pulumi.dynamic`` (under `HOST_GUARD`), with
cwd = the project folder (so ``providers`` is imported from there, as under ``pulumi up``),
reads the port it prints and
exposes the engine's calls: Configure, Check, Diff, Create, Read, Update, Delete. Properties
travel as `google.protobuf.struct_pb2.Struct`s through the SDK's own serialisation, so a value
reaches the provider exactly as the engine would hand it over (numbers as floats, ``None``
dropped, unknowns as `UNKNOWN`).

The host never outlives the process that started it, and a Ctrl-C at the terminal does not
reach it: it runs in its own session (so the terminal's SIGINT, sent to the foreground process
group, reaches only the run, which decides what stops), and a small guard in it (`HOST_GUARD`)
exits the host when its stdin, a pipe only this process holds open, reaches end of file: when
this process closes the host, or dies in any way, SIGKILL included. (Linux's
``PR_SET_PDEATHSIG`` would follow the *thread* that started the host, not the process, and
exists only on Linux.)

Used by the stand-in engine (`standin.engine`) and by the tests. Importing
``pulumi.dynamic.__main__`` in this process would start a server and rewrite global pulumi
settings: never do that here.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, ClassVar, Protocol

import grpc
import pulumi.dynamic.dynamic as pulumi_dynamic
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

__all__ = [
    "PROJECT_DIR",
    "PROVIDER_KEY",
    "UNKNOWN",
    "HostError",
    "ProviderHost",
    "from_struct",
    "provider_blob",
    "stop_process",
    "to_struct",
]

PROJECT_DIR = Path(__file__).resolve().parents[1]
"""The folder holding Pulumi.yaml and the ``providers`` package."""
PROVIDER_KEY = "__provider"
UNKNOWN = rpc.UNKNOWN
"""What a preview sends for a value that is not known yet."""
CALL_TIMEOUT = 300.0
"""Seconds one call may take before the host is taken for hung (pulumi/pulumi#13841)."""
MAX_MESSAGE_BYTES = 400 * 1024 * 1024
"""The largest gRPC message either side takes: the engine's and the SDK's own limit
(``pulumi.runtime._grpc_settings._MAX_RPC_MESSAGE_SIZE``), not gRPC's 4 MiB default, so any
flow the loader accepts (`config.loader.MAX_JSON_BYTES`) travels to the host and back."""
CHANNEL_OPTIONS = (
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
)


HOST_GUARD = """\
import os, runpy, sys, threading

def _watch_parent():
    while os.read(0, 1024):
        pass
    os._exit(0)

threading.Thread(target=_watch_parent, name="parent-watch", daemon=True).start()
sys.argv = [sys.argv[0]]
runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
"""
"""The host's entry point: `python -m pulumi.dynamic`, with a thread that exits the process
when stdin (a pipe from the process that started it) ends: that process closed it or died."""


class HostProcess(Protocol):
    """The parts of `subprocess.Popen` a host's process offers (a launcher may give another
    kind of process, a fork for instance)."""

    pid: int
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None

    def wait(self, timeout: float | None = None) -> int: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...


class Launcher(Protocol):
    """Starts the host's process: `HOST_GUARD` run by this interpreter (``-u``) in `cwd` with
    exactly `env`, stdin and stdout pipes, stderr to `stderr`, in a session of its own."""

    def __call__(self, cwd: Path, env: Mapping[str, str], stderr: IO[bytes]) -> HostProcess: ...


def popen_host(cwd: Path, env: Mapping[str, str], stderr: IO[bytes]) -> HostProcess:
    """The launcher: a new interpreter, ``python -u -c HOST_GUARD``."""
    return subprocess.Popen(
        [sys.executable, "-u", "-c", HOST_GUARD],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )


class HostError(Exception):
    """The host answered a call with an error; `message` is what the user would read."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    @property
    def last_line(self) -> str:
        """The exception line at the end of the host's traceback: the provider's own words."""
        lines = [line for line in self.message.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""


def provider_blob(provider: ResourceProvider) -> str:
    """The ``__provider`` value `pulumi.dynamic.Resource.__init__` would record (through the
    SDK's serializer as the resource calls it: `providers.runtime` mends it once imported)."""
    blob, _ = _serialize(True, pulumi_dynamic.serialize_provider, provider)
    return str(blob)


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """`props` serialised as the engine sends them (the SDK's own serialisation)."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()
    assert isinstance(struct, struct_pb2.Struct)
    return struct


def from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    value = rpc.deserialize_properties(struct, keep_unknowns)
    assert isinstance(value, dict)
    return value


def wrapped_config(config: Mapping[str, str], secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """The stack config as the engine puts it in ConfigureRequest.args: secrets wrapped."""
    secrets = set(secret_keys)
    return {
        key: rpc.wrap_rpc_secret(value) if key in secrets else value
        for key, value in config.items()
    }


def stop_process(process: HostProcess | subprocess.Popen[bytes]) -> None:
    """End `process`: SIGTERM, then SIGKILL when it has not exited within 10 seconds; wait for
    it, and close its stdout pipe. For the provider host and the other helper processes a run
    starts (the benchmark's emulator)."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


class ProviderHost:
    """One dynamic-provider host process and a gRPC stub to it.

    `env` is added to this process's environment (the engine's environment is inherited by
    the host the same way); `project_dir` is the host's working folder. `launcher` starts the
    process (`popen_host`; the tests set a faster one that behaves the same).
    """

    launcher: ClassVar[Launcher] = popen_host

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        project: str = "descope-config",
        project_dir: Path = PROJECT_DIR,
    ) -> None:
        child_env = {
            **os.environ,
            "PULUMI_PROJECT": project,
            "PULUMI_CONFIG": "{}",
            "PYTHONPATH": str(project_dir),
            **(env or {}),
        }
        # The host's stderr (provider logging) goes to a file: a pipe nobody reads would
        # block a host that logs a lot.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = type(self).launcher(project_dir, child_env, self.stderr)
        assert self.process.stdout is not None
        port_line = self.process.stdout.readline().decode().strip()
        if not port_line.isdigit():
            self.process.wait(timeout=10)
            raise RuntimeError(f"provider host did not start: {port_line!r} {self.stderr_text()}")
        self.port = int(port_line)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=CHANNEL_OPTIONS)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stderr_text(self) -> str:
        """Everything the host wrote to stderr so far (provider logging, tracebacks)."""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT)
        except grpc.RpcError as exc:
            raise HostError(exc.code(), exc.details() or "") from None

    def configure(self, config: Mapping[str, str], secret_keys: Iterable[str] = ()) -> None:
        """Send the whole stack config, secrets wrapped, as the engine does once per host."""
        args = to_struct(wrapped_config(config, secret_keys))
        self._call("Configure", provider_pb2.ConfigureRequest(args=args, acceptSecrets=True))

    def check(
        self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news)),
        )
        failures = [(f.property, f.reason) for f in response.failures]
        return from_struct(response.inputs, keep_unknowns=True), failures

    def diff(
        self,
        id_: str,
        urn: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> provider_pb2.DiffResponse:
        request = provider_pb2.DiffRequest(
            id=id_,
            urn=urn,
            olds=to_struct(olds),
            news=to_struct(news),
            old_inputs=to_struct(old_inputs or {}),
        )
        response: provider_pb2.DiffResponse = self._call("Diff", request)
        return response

    def create(self, urn: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=to_struct(inputs))
        )
        return response.id, from_struct(response.properties)

    def read(
        self, id_: str, urn: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        response = self._call(
            "Read",
            provider_pb2.ReadRequest(
                id=id_, urn=urn, properties=to_struct(outputs), inputs=to_struct(inputs)
            ),
        )
        new_inputs = from_struct(response.inputs) if response.HasField("inputs") else None
        return response.id, from_struct(response.properties), new_inputs

    def update(
        self,
        id_: str,
        urn: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn,
                olds=to_struct(olds),
                news=to_struct(news),
                old_inputs=to_struct(old_inputs or {}),
            ),
        )
        return from_struct(response.properties)

    def delete(self, id_: str, urn: str, outputs: Mapping[str, Any]) -> None:
        self._call(
            "Delete", provider_pb2.DeleteRequest(id=id_, urn=urn, properties=to_struct(outputs))
        )

    def close(self) -> None:
        """Stop the host (its guard exits it when its stdin closes) and close its pipes."""
        self.channel.close()
        if self.process.stdin is not None:
            self.process.stdin.close()  # the guard exits the host
        stop_process(self.process)
        self.stderr.close()

    def __enter__(self) -> ProviderHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
