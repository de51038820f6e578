"""The wire shapes (`providers.wire`): Descope's real answers fit them, nothing else does; and
the answers the SDK cannot even parse become the same error (`providers.calls`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from descope import DescopeClient
from descope.exceptions import RateLimitException

from emulator.app import EmulatorApp
from providers import calls, client, sdk_http, wire
from providers.errors import AnswerNotUnderstood
from tests.support.garble import KINDS, Garbler, Kind
from tests.support.inprocess import inprocess_descope
from tests.support.project import project_app
from tests.unit.providers.tenant_fakes import FAST

FLOW = {"flow": {"id": "f1", "name": "F"}, "screens": [{"id": "s1", "interactions": []}]}
THEME = {"id": "", "cssTemplate": {"light": {}, "dark": {}}}


@pytest.fixture
def app() -> EmulatorApp:
    return project_app()


@pytest.fixture
def descope(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[DescopeClient]:
    sdk = inprocess_descope(app, monkeypatch)
    previous = calls.set_policy(FAST)
    with client.use_management(sdk.mgmt):
        sdk.mgmt.tenant.create("Acme", "acme", ["acme.com"], custom_attributes={"k": "1"})
        sdk.mgmt.flow.import_flow("f1", FLOW["flow"], FLOW["screens"])
        yield sdk
    calls.set_policy(previous)


def read_all(sdk: DescopeClient) -> dict[str, Any]:
    """Every shape read from what the (emulated) Descope really answers."""
    tenant = sdk.mgmt.tenant
    flow = sdk.mgmt.flow
    written = sdk_http.reply_of(tenant, lambda t: t.patch_tenant("acme", name="Acme"))
    return {
        "load": wire.TENANT_LOAD.read(tenant.load("acme"), doing="x", asked="acme"),
        "list": wire.TENANT_LIST.read(tenant.load_all(), doing="x"),
        "search": wire.TENANT_SEARCH.read(tenant.search_all(names=["Acme"]), doing="x"),
        "settings": wire.SETTINGS_LOAD.read(tenant.load_settings("acme"), doing="x"),
        "patched": wire.TENANT_PATCHED.read_reply(written, doing="x", asked="acme"),
        "flows": wire.FLOW_LIST.read(flow.list_flows(), doing="x"),
        "export": wire.FLOW_EXPORT.read(flow.export_flow("f1"), doing="x", asked="f1"),
        "theme": wire.THEME_EXPORT.read(flow.export_theme(), doing="x"),
        "imported": wire.THEME_IMPORTED.read(flow.import_theme(THEME), doing="x"),
        "deleted": wire.FLOW_DELETED.read(flow.delete_flows(["nothing"]), doing="x"),
    }


def test_descopes_own_answers_fit_every_shape(descope: DescopeClient) -> None:
    read = read_all(descope)
    assert read["load"].wire()["customAttributes"] == {"k": "1"}
    assert [t.id for t in read["list"].tenants] == ["acme"]
    assert read["search"].tenants[0].name == "Acme"
    assert read["settings"].authType == "none"
    assert read["export"].flow.id == "f1"
    assert read["flows"].flows[0].id == "f1"
    assert read["theme"].theme.cssTemplate == {"dark": {}, "light": {}}


def test_a_tenant_keeps_the_fields_descope_adds_and_reads_null_lists_as_empty() -> None:
    answer: dict[str, Any] = {
        "id": "a",
        "name": "A",
        "domains": None,
        "successors": [],
        "futureField": {"x": 1},
    }
    tenant = wire.TENANT_LOAD.read(answer, doing="read it", asked="a")
    assert tenant.wire() == {
        "id": "a",
        "name": "A",
        "domains": [],
        "successors": [],
        "futureField": {"x": 1},
    }


@pytest.mark.parametrize(
    ("shape", "answer", "asked"),
    [
        (wire.TENANT_LOAD, {}, "a"),
        (wire.TENANT_LOAD, {"id": "b", "name": "B"}, "a"),
        (wire.TENANT_LOAD, {"id": "a"}, "a"),
        (wire.TENANT_LOAD, {"id": "a", "name": ""}, "a"),
        (wire.TENANT_LOAD, {"id": "a", "name": "A", "enforceSSO": "false"}, "a"),
        (wire.TENANT_LOAD, {"id": "a", "name": "A", "customAttributes": []}, "a"),
        (wire.TENANT_LOAD, [{"id": "a", "name": "A"}], "a"),
        (wire.TENANT_LOAD, None, "a"),
        (wire.TENANT_LIST, {}, None),
        (wire.TENANT_LIST, {"tenants": [{"id": "a"}]}, None),
        (wire.SETTINGS_LOAD, {}, "a"),
        (wire.SETTINGS_LOAD, {"authType": "none"}, "a"),
        (wire.SETTINGS_LOAD, {"authType": "none", "domains": [], "tenantId": "b"}, "a"),
        (wire.SETTINGS_LOAD, {"authType": "none", "domains": [], "enabled": 1}, "a"),
        (wire.TENANT_CREATED, {}, "a"),
        (wire.TENANT_CREATED, {"id": "b"}, "a"),
        (wire.TENANT_PATCHED, [], "a"),
        (wire.TENANT_PATCHED, {"id": "b"}, "a"),
        (wire.FLOW_LIST, {"flows": [{"name": "x"}]}, None),
        (wire.FLOW_EXPORT, {}, "f1"),
        (wire.FLOW_EXPORT, {"flow": {"id": "f2"}, "screens": []}, "f1"),
        (wire.FLOW_EXPORT, {"flow": {"id": "f1"}}, "f1"),
        (wire.FLOW_EXPORT, {"flow": {"id": "f1"}, "screens": ["s1"]}, "f1"),
        (wire.FLOW_DELETED, {"id": "f2"}, "f1"),
        (wire.THEME_EXPORT, {}, None),
        (wire.THEME_EXPORT, {"theme": {}}, None),
        (wire.THEME_EXPORT, {"theme": {"cssTemplate": "body {}"}}, None),
    ],
)
def test_answers_that_do_not_fit_are_not_understood(
    shape: wire.Shape[Any], answer: Any, asked: str | None
) -> None:
    with pytest.raises(AnswerNotUnderstood) as caught:
        shape.read(answer, doing='read Descope tenant "a"', asked=asked)
    error = caught.value
    assert error.call == shape.call
    assert error.excerpt.endswith(json.dumps(answer))
    assert str(error).startswith('Unable to read Descope tenant "a": Descope\'s answer to ')
    assert not error.is_retryable
    assert not error.is_not_found


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("", "an empty body"),
        ("  \n", "an empty body"),
        ("null", "'null'"),
        ('{"id": "ac', '\'{"id": "ac\''),
        ("<html>\n  <title>Sign in</title>", "'<html> <title>Sign in</title>'"),
    ],
)
def test_a_raw_reply_that_is_not_a_json_object_is_not_understood(text: str, shown: str) -> None:
    reply = sdk_http.Reply(200, text)
    with pytest.raises(AnswerNotUnderstood) as caught:
        wire.TENANT_DELETED.read_reply(reply, doing="delete it", asked="acme")
    assert caught.value.excerpt == shown
    assert f"got {shown}." in str(caught.value)


def test_an_excerpt_is_short_and_never_shows_the_key_in_force(descope: DescopeClient) -> None:
    key = descope.mgmt._http.management_key
    page = f"<html>Authorization: Bearer P1:{key} " + "x" * 500 + "</html>"
    shown = wire.excerpt_text(page)
    assert key not in shown
    assert "<hidden>" in shown
    assert len(shown) <= wire.EXCERPT_LENGTH + 2


def test_reply_of_returns_the_answer_the_sdk_ignores(
    descope: DescopeClient, app: EmulatorApp
) -> None:
    reply = sdk_http.reply_of(descope.mgmt.tenant, lambda t: t.delete("acme"))
    assert (reply.status, json.loads(reply.text)) == (200, {})
    assert "acme" not in app.backend.tenants


def test_reply_of_needs_the_sdks_http_client() -> None:
    with pytest.raises(TypeError, match="no SDK HTTP client"):
        sdk_http.reply_of(object(), lambda _: None)

    class Silent:
        _http = object()

    with pytest.raises(TypeError, match="made no HTTP call"):
        sdk_http.reply_of(Silent(), lambda _: None)


@pytest.mark.parametrize("kind", [k for k in KINDS if k in ("empty-body", "truncated", "html")])
def test_an_answer_the_sdk_cannot_parse_is_not_understood_never_a_json_error(
    descope: DescopeClient, app: EmulatorApp, monkeypatch: pytest.MonkeyPatch, kind: Kind
) -> None:
    Garbler(app, monkeypatch).on("GET", "/v1/mgmt/tenant", kind)
    api = descope.mgmt.tenant
    with pytest.raises(AnswerNotUnderstood) as caught:
        calls.ask(lambda: api.load("acme"), wire.TENANT_LOAD, doing="load the tenant", asked="acme")
    text = str(caught.value)
    assert "the tenant load (GET /v1/mgmt/tenant) was not understood" in text
    assert "JSONDecodeError" not in text
    assert "Expecting" not in text


def test_an_unparsable_answer_outside_a_shape_still_says_what_happened() -> None:
    def answer() -> Any:
        return json.loads("<html>")

    with pytest.raises(AnswerNotUnderstood, match="answer to the call was not understood"):
        calls.call(answer, doing="do it", repeatable=True)

    def not_text() -> Any:
        return b"\xff\xfe\xfa".decode("utf-8")

    with pytest.raises(AnswerNotUnderstood, match="a body that is not UTF-8 text"):
        calls.call(not_text, doing="do it", repeatable=True)


def test_an_unparsable_answer_after_a_rate_limit_still_names_the_id_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(calls, "sleep", lambda _s: None)
    calls_made: list[str] = []

    def answer() -> Any:
        calls_made.append("load")
        if len(calls_made) == 1:
            code: Any = "E130429"  # what the SDK puts there for Descope's JSON 429
            raise RateLimitException(code, "rate", "limited", "", {"Retry-After": 1})
        return json.loads("<html>")

    with pytest.raises(AnswerNotUnderstood) as caught:
        calls.ask(answer, wire.TENANT_LOAD, doing="load it", asked="acme")
    assert calls_made == ["load", "load"]
    assert 'expected a tenant with id "acme" and a name' in str(caught.value)
