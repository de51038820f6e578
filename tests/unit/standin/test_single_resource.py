"""`standin.resource.SingleResource` plays one resource by the engine's rules, against a host
that answers from a script and records the calls it is sent: a replace is re-checked from empty
olds and deletes first only when the Diff asks for it, DIFF_UNKNOWN is decided on the inputs,
a preview makes no Create, Update or Delete call, a refresh Reads then Diffs, and a failure
comes back as the host's error or Check's failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import grpc
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.runtime.proto import provider_pb2

import standin.resource
from standin.host import HostError, ProviderHost
from standin.journal import StepFailed
from standin.resource import CheckFailed, ProviderBlobs, SingleResource

DIFF = provider_pb2.DiffResponse
TYPE = "pulumi-python:dynamic/descope:Thing"


class ScriptedHost:
    """The calls of a provider host, answered as the test sets them; `calls` in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.diff_answer = DIFF(changes=DIFF.DIFF_NONE)
        self.failures: list[tuple[str, str]] = []
        self.failing: set[str] = set()
        self.present = True
        self.made = 0

    def _call(self, method: str, detail: str = "") -> None:
        self.calls.append((method, detail))
        if method in self.failing:
            raise HostError(grpc.StatusCode.UNKNOWN, f"{method} refused by Descope")

    def check(
        self, _urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self._call("check", "olds" if olds else "no olds")
        return dict(news), self.failures

    def diff(self, id_: str, *_: Any) -> provider_pb2.DiffResponse:
        self._call("diff", id_)
        return self.diff_answer

    def create(self, _urn: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        self._call("create")
        self.made += 1
        return f"id-{self.made}", {**inputs, "made": self.made}

    def update(
        self, id_: str, _urn: str, _olds: Mapping[str, Any], news: Mapping[str, Any], *_: Any
    ) -> dict[str, Any]:
        self._call("update", id_)
        return {**news, "updated": True}

    def delete(self, id_: str, _urn: str, _outputs: Mapping[str, Any]) -> None:
        self._call("delete", id_)

    def read(
        self, id_: str, _urn: str, outputs: Mapping[str, Any], _inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        self._call("read", id_)
        return (id_ if self.present else ""), dict(outputs), None


@pytest.fixture
def host() -> ScriptedHost:
    return ScriptedHost()


def thing(host: ScriptedHost) -> SingleResource:
    provider = cast(ResourceProvider, object())
    return SingleResource(cast(ProviderHost, host), provider, TYPE, "thing", blob=lambda _: "b")


def created(host: ScriptedHost) -> SingleResource:
    resource = thing(host)
    assert resource.up({"key": "a"}) == "create"
    host.calls.clear()
    return resource


def test_create_records_id_outputs_and_checked_inputs(host: ScriptedHost) -> None:
    resource = thing(host)
    assert resource.urn == f"urn:pulumi:test::descope-config::{TYPE}::thing"
    assert resource.up({"key": "a"}) == "create"
    assert host.calls == [("check", "no olds"), ("create", "")]
    assert (resource.id, resource.inputs) == ("id-1", {"key": "a", "__provider": "b"})
    assert resource.outputs["made"] == 1


@pytest.mark.parametrize(
    ("delete_first", "order"),
    [(True, ["delete", "create"]), (False, ["create", "delete"])],
    ids=["delete-before-replace", "create-before-delete"],
)
def test_replace_is_rechecked_and_follows_delete_before_replace(
    host: ScriptedHost, delete_first: bool, order: list[str]
) -> None:
    resource = created(host)
    host.diff_answer = DIFF(
        changes=DIFF.DIFF_SOME, replaces=["key"], deleteBeforeReplace=delete_first
    )
    assert resource.up({"key": "z"}) == "replace"
    assert host.calls[:3] == [("check", "olds"), ("diff", "id-1"), ("check", "no olds")]
    assert [method for method, _ in host.calls[3:]] == order
    assert ("delete", "id-1") in host.calls
    assert (resource.id, resource.inputs["key"]) == ("id-2", "z")


def test_delete_before_replace_whose_create_fails_leaves_nothing_recorded(
    host: ScriptedHost,
) -> None:
    resource = created(host)
    host.diff_answer = DIFF(changes=DIFF.DIFF_SOME, replaces=["key"], deleteBeforeReplace=True)
    host.failing = {"create"}
    with pytest.raises(HostError) as caught:
        resource.up({"key": "z"})
    assert caught.value.message == "create refused by Descope"
    assert (resource.id, resource.outputs, resource.inputs) == ("", {}, {})


@pytest.mark.parametrize(
    ("props", "expected", "calls"),
    [
        ({"key": "a"}, "same", ["check", "diff"]),
        ({"key": "b"}, "update", ["check", "diff", "update"]),
    ],
    ids=["inputs-equal", "inputs-differ"],
)
def test_diff_unknown_is_decided_on_the_inputs(
    host: ScriptedHost, props: dict[str, Any], expected: str, calls: list[str]
) -> None:
    resource = created(host)
    host.diff_answer = DIFF(changes=DIFF.DIFF_UNKNOWN)
    assert resource.up(props) == expected
    assert [method for method, _ in host.calls] == calls
    assert resource.inputs["key"] == props["key"]


def test_preview_calls_no_create_update_or_delete(host: ScriptedHost) -> None:
    resource = thing(host)
    assert resource.preview({"key": "a"}).op == "create"
    assert resource.id == ""
    resource = created(host)
    host.diff_answer = DIFF(changes=DIFF.DIFF_SOME, replaces=["key"], deleteBeforeReplace=True)
    step = resource.preview({"key": "z"})
    assert (step.op, step.replaces) == ("replace", ("key",))
    assert [method for method, _ in host.calls] == ["check", "diff", "check"]
    assert (resource.id, resource.inputs["key"]) == ("id-1", "a")


def test_check_failures_and_host_errors_come_back_apart(host: ScriptedHost) -> None:
    resource = thing(host)
    host.failures = [("key", "must not be empty")]
    with pytest.raises(CheckFailed) as failed:
        resource.up({"key": ""})
    assert failed.value.failures == [("key", "must not be empty")]
    with pytest.raises(CheckFailed):
        resource.check({"key": ""})
    host.failures = []
    assert resource.check({"key": "a"}) == {"key": "a", "__provider": "b"}
    host.failing = {"check"}
    with pytest.raises(HostError):
        resource.up({"key": "a"})
    assert resource.id == ""


def test_refresh_reads_then_diffs_and_forgets_what_is_gone(host: ScriptedHost) -> None:
    assert thing(host).refresh() is False
    assert host.calls == []
    resource = created(host)
    assert resource.refresh() is True
    assert host.calls == [("read", "id-1"), ("diff", "id-1")]
    host.present = False
    assert resource.refresh() is False
    assert (resource.id, resource.outputs, resource.inputs) == ("", {}, {})


def test_destroy_deletes_once_and_a_failed_delete_keeps_the_record(host: ScriptedHost) -> None:
    resource = created(host)
    host.failing = {"delete"}
    with pytest.raises(HostError):
        resource.destroy()
    assert resource.id == "id-1"
    host.failing = set()
    resource.destroy()
    resource.destroy()  # nothing recorded: no call
    assert host.calls == [("delete", "id-1"), ("delete", "id-1")]
    assert resource.id == ""


def test_a_step_the_engine_refuses_comes_back_as_step_failed(
    host: ScriptedHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    resource = created(host)

    def refused(*_: Any) -> None:
        raise StepFailed("update", "refused by the engine")

    monkeypatch.setattr(standin.resource, "step_resource", refused)
    with pytest.raises(StepFailed, match="refused by the engine"):
        resource.up({"key": "a"})
    assert resource.id == "id-1"


def test_provider_blobs_pickle_each_provider_once(monkeypatch: pytest.MonkeyPatch) -> None:
    pickled: list[object] = []

    def counted(provider: object) -> str:
        pickled.append(provider)
        return f"blob-{len(pickled)}"

    monkeypatch.setattr(standin.resource, "provider_blob", counted)
    blobs = ProviderBlobs()
    one, two = cast(ResourceProvider, object()), cast(ResourceProvider, object())
    assert [blobs(one), blobs(two), blobs(one)] == ["blob-1", "blob-2", "blob-1"]
    assert pickled == [one, two]
