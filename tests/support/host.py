"""Drive providers through the Pulumi SDK's own dynamic-provider host, as the engine does.

`ProviderHost` starts ``python -u -m pulumi.dynamic`` in its own process (cwd = repository
root, so ``providers`` is imported from there, as under ``pulumi up``), connects over gRPC and
exposes the engine's calls. `ResourceUnderTest` keeps one resource's state across calls the way
the engine keeps it in the stack: outputs as recorded state, checked inputs as the last inputs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_KEY = "__provider"
UNKNOWN = rpc.UNKNOWN
"""What a preview sends for a value that is not known yet."""


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
    """The ``__provider`` value `pulumi.dynamic.Resource.__init__` would record."""
    blob, _ = _serialize(True, serialize_provider, provider)
    return str(blob)


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()
    assert isinstance(struct, struct_pb2.Struct)
    return struct


def from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    value = rpc.deserialize_properties(struct, keep_unknowns)
    assert isinstance(value, dict)
    return value


class ProviderHost:
    """One dynamic-provider host process and a gRPC stub to it."""

    def __init__(self, env: dict[str, str] | None = None, project: str = "descope-config") -> None:
        child_env = {
            **os.environ,
            "PULUMI_PROJECT": project,
            "PULUMI_CONFIG": "{}",
            "PYTHONPATH": str(REPO_ROOT),
            **(env or {}),
        }
        # The host's stderr (provider logging) goes to a file: a pipe nobody reads would
        # block a host that logs a lot.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=REPO_ROOT,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        assert self.process.stdout is not None
        port_line = self.process.stdout.readline().decode().strip()
        if not port_line.isdigit():
            self.process.wait(timeout=10)
            raise RuntimeError(f"provider host did not start: {port_line!r} {self.stderr_text()}")
        self.port = int(port_line)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stderr_text(self) -> str:
        """Everything the host wrote to stderr so far (provider logging, tracebacks)."""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=300)
        except grpc.RpcError as exc:
            raise HostError(exc.code(), exc.details() or "") from None

    def configure(self, config: dict[str, str]) -> None:
        """Send the stack config, as the engine does once per provider host."""
        args = struct_pb2.Struct()
        args.update(config)
        self._call("Configure", provider_pb2.ConfigureRequest(args=args, acceptSecrets=True))

    def check(
        self, urn: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news)),
        )
        failures = [(f.property, f.reason) for f in response.failures]
        return from_struct(response.inputs, keep_unknowns=True), failures

    def diff(
        self, id_: str, urn: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> provider_pb2.DiffResponse:
        request = provider_pb2.DiffRequest(
            id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news)
        )
        response: provider_pb2.DiffResponse = self._call("Diff", request)
        return response

    def create(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create", provider_pb2.CreateRequest(urn=urn, properties=to_struct(inputs))
        )
        return response.id, from_struct(response.properties)

    def read(
        self, id_: str, urn: str, outputs: dict[str, Any], inputs: dict[str, Any]
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
        self, id_: str, urn: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news)),
        )
        return from_struct(response.properties)

    def delete(self, id_: str, urn: str, outputs: dict[str, Any]) -> None:
        self._call(
            "Delete", provider_pb2.DeleteRequest(id=id_, urn=urn, properties=to_struct(outputs))
        )

    def close(self) -> None:
        self.channel.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()

    def __enter__(self) -> ProviderHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CheckFailed(Exception):
    """`check` returned failures; `failures` holds (property, reason) pairs."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {r}" for p, r in failures))
        self.failures = failures


@dataclass
class ResourceUnderTest:
    """One resource's life as the engine would lead it: state kept between calls."""

    host: ProviderHost
    provider: ResourceProvider
    type_token: str
    name: str
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:test::descope-config::{self.type_token}::{self.name}"

    def _with_provider(self, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: provider_blob(self.provider)}

    def check(self, props: dict[str, Any]) -> dict[str, Any]:
        """Check `props` as new inputs; raise `CheckFailed` on failures."""
        inputs, failures = self.host.check(self.urn, self.inputs, self._with_provider(props))
        if failures:
            raise CheckFailed(failures)
        return inputs

    def preview(self, props: dict[str, Any]) -> provider_pb2.DiffResponse | None:
        """Check and diff as `pulumi preview` does; None when the resource would be created."""
        inputs = self.check(props)
        if not self.id:
            return None
        return self.host.diff(self.id, self.urn, self.outputs, inputs)

    def up(self, props: dict[str, Any]) -> str:
        """Check, diff and create/update/replace as `pulumi up` does; returns what happened."""
        inputs = self.check(props)
        if not self.id:
            self.id, self.outputs = self.host.create(self.urn, inputs)
            self.inputs = inputs
            return "create"
        diff = self.host.diff(self.id, self.urn, self.outputs, inputs)
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            self.inputs = inputs
            return "same"
        if diff.replaces:
            old_id, old_outputs = self.id, self.outputs
            if diff.deleteBeforeReplace:
                self.host.delete(old_id, self.urn, old_outputs)
                self.id, self.outputs = self.host.create(self.urn, inputs)
            else:
                self.id, self.outputs = self.host.create(self.urn, inputs)
                self.host.delete(old_id, self.urn, old_outputs)
            self.inputs = inputs
            return "replace"
        self.outputs = self.host.update(self.id, self.urn, self.outputs, inputs)
        self.inputs = inputs
        return "update"

    def refresh(self) -> bool:
        """Read as `pulumi refresh` does; False when the resource is gone (then forgotten)."""
        new_id, outputs, inputs = self.host.read(self.id, self.urn, self.outputs, self.inputs)
        if not new_id:
            self.id, self.outputs, self.inputs = "", {}, {}
            return False
        self.id, self.outputs = new_id, outputs
        if inputs is not None:
            self.inputs = inputs
        return True

    def destroy(self) -> None:
        self.host.delete(self.id, self.urn, self.outputs)
        self.id, self.outputs, self.inputs = "", {}, {}
