"""An engine run printed as pulumi prints one: steps, the fields old → new, secrets masked,
the reason for a replace, the summary."""

from __future__ import annotations

from standin.changes import field_changes, render, summary
from standin.results import Result, Step
from standin.snapshot import StackState

URN = "urn:pulumi:dev::descope-config::descope:index/{kind}:{kind}::{name}"
SECRET = "very-secret-client-value"


def urn(kind: str, name: str) -> str:
    return URN.format(kind=kind, name=name)


def result(*steps: Step) -> Result:
    return Result("preview", list(steps), StackState("dev"))


SSO_OLD = {
    "__provider": "pickled",
    "ssoId": "okta",
    "oidc": {"clientId": "a", "scope": ["openid"]},
    "clientSecret": "old-secret",
    "attributeMapping": {"credentials": {"apiSecretRef": "x"}},
}
SSO_NEW = {
    "__provider": "pickled, differently",
    "ssoId": "entra",
    "oidc": {"clientId": "b", "scope": ["openid"]},
    "clientSecret": SECRET,
    "attributeMapping": {"credentials": {"apiSecretRef": "y"}},
}


def test_render__an_update_names_each_changed_field_old_to_new_by_dotted_path() -> None:
    step = Step(
        urn("Tenant", "tenant-acme"),
        "update",
        olds={"name": "Acme", "settings": {"inactivityTime": 60.0}, "domains": ["a.com"]},
        news={"name": "Acme Corp", "settings": {"inactivityTime": 30}, "domains": [{"n": 2.0}]},
    )

    text = render(result(step, Step(urn("Tenant", "tenant-b"), "same")), planned=True)

    assert text.splitlines() == [
        "  ~  Tenant  tenant-acme  update",
        '       domains: ["a.com"] → [{"n": 2}]',
        '       name: "Acme" → "Acme Corp"',
        "       settings.inactivityTime: 60 → 30",
        "Resources: 1 to update, 1 unchanged",
    ]


def test_render__a_replace_says_why_and_masks_secrets() -> None:
    step = Step(
        urn("SSOConfiguration", "sso-acme"),
        "replace",
        olds=SSO_OLD,
        news=SSO_NEW,
        replaces=("ssoId",),
        secrets=frozenset({"clientSecret"}),
    )

    text = render(result(step), planned=False)

    assert SECRET not in text
    assert "old-secret" not in text
    assert "pickled" not in text  # the engine's own keys are not inputs to show
    assert text.splitlines() == [
        "  +- SSOConfiguration  sso-acme  replace (a change of ssoId replaces it)",
        "       attributeMapping.credentials.apiSecretRef: [secret] → [secret]",
        "       clientSecret: [secret] → [secret]",
        '       oidc.clientId: "a" → "b"',
        '       ssoId: "okta" → "entra"',
        "Resources: 1 replaced",
    ]


def test_render__a_secret_the_program_registered_is_masked_whatever_its_name() -> None:
    step = Step(
        urn("Flow", "flow-x"),
        "update",
        olds={"definition": {"token": "old"}},
        news={"definition": {"token": "new"}},
        secrets=frozenset({"definition"}),
    )

    assert "definition.token: [secret] → [secret]" in render(result(step), planned=True)


def test_render__long_values_are_shortened_unless_in_full() -> None:
    long = "x" * 200
    step = Step(urn("Flow", "flow-x"), "update", olds={"screens": "short"}, news={"screens": long})

    short = render(result(step), planned=True)
    full = render(result(step), planned=True, full=True)

    assert f'screens: "short" → "{"x" * 58}…' in short
    assert long not in short
    assert f'screens: "short" → "{long}"' in full


def test_render__creates_show_their_inputs_only_in_full_and_sames_only_when_asked() -> None:
    created = Step(urn("Tenant", "t"), "create", news={"name": "T", "clientSecret": SECRET})
    same = Step(urn("Tenant", "u"), "same", olds={"name": "U"}, news={"name": "U"})

    brief = render(result(created, same), planned=True)
    full = render(result(created, same), planned=True, full=True, show_same=True)

    assert brief.splitlines() == ["  +  Tenant  t  create", "Resources: 1 to create, 1 unchanged"]
    assert full.splitlines() == [
        "  +  Tenant  t  create",
        "       clientSecret: [secret]",
        '       name: "T"',
        "  =  Tenant  u  same",
        "Resources: 1 to create, 1 unchanged",
    ]


def test_render__failures_and_refresh_findings() -> None:
    failed = Step(urn("Tenant", "t"), "delete", "boom")
    drift = Step(urn("Tenant", "u"), "drift", olds={"name": "U"}, news={"name": "V"})
    gone = Step(urn("Tenant", "v"), "gone", olds={"name": "W"})

    text = render(result(failed, drift, gone), planned=False)

    assert text.splitlines() == [
        "  -  Tenant  t  delete failed",
        "  ~  Tenant  u  differs in Descope",
        '       name: "U" → "V"',
        "  -  Tenant  v  gone from Descope",
        "Resources: 1 differ in Descope, 1 gone from Descope, 1 failed",
    ]


def test_field_changes__side_inputs_a_refresh_does_not_read_back_are_no_change() -> None:
    olds = {"name": "A", "customAttributes": {}}
    news = {"name": "A", "customAttributes": {"plan": "x"}, "ownRoles": ["auditor"]}

    changes = field_changes(olds, news)

    assert [(c.path, c.new) for c in changes] == [("customAttributes.plan", "x")]


def test_summary__nothing_at_all() -> None:
    assert summary(result(), planned=True) == "Resources: none"
