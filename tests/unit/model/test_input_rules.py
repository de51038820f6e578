"""What a tenant's strings may hold and how large a tenant may be: `model.text`, `model.limits`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from model.limits import (
    CUSTOM_ATTRIBUTE_LIST_ITEMS,
    CUSTOM_ATTRIBUTE_NAME_LENGTH,
    CUSTOM_ATTRIBUTE_TEXT_LENGTH,
    CUSTOM_ATTRIBUTES,
    DEFAULT_ROLES,
    LIFETIME,
    SAFE_INTEGER,
    SELF_PROVISIONING_DOMAINS,
    SSO_DOMAINS,
    SSO_EXCLUSIONS,
    TENANT_NAME_LENGTH,
    USER_ID_LENGTH,
)
from model.tenant import TenantSpec, tenant_problems
from model.text import first_refused, refused_text_message, shown


def tenant(**fields: Any) -> dict[str, Any]:
    return {"id": "acme", "name": "Acme", **fields}


def only(data: dict[str, Any]) -> tuple[str, str]:
    problems = tenant_problems(data)
    assert len(problems) == 1, problems
    return problems[0].field, problems[0].message


# --- whole-pattern matches ------------------------------------------------------------------


def test_a_tenant_id_with_a_trailing_line_feed_is_refused() -> None:
    field, message = only({"id": "acme\n", "name": "Acme"})
    assert field == "id"
    assert 'tenant id "acme\\n" is not allowed' in message


def test_a_domain_with_a_trailing_line_feed_is_refused() -> None:
    for key, data in (
        ("selfProvisioningDomains[0]", tenant(selfProvisioningDomains=["acme.com\n"])),
        ("settings.domains[0]", tenant(settings={"domains": ["acme.com\n"]})),
    ):
        field, message = only(data)
        assert field == key
        assert '"acme.com\\n" is not a valid domain name' in message


# --- refused characters ---------------------------------------------------------------------

REFUSED = {
    "NUL": ("\x00", "U+0000 (NUL), a control character"),
    "escape": ("\x1b", "U+001B (ESCAPE), a control character"),
    "tab": ("\t", "U+0009 (TAB), a control character"),
    "C1 next line": ("\x85", "U+0085 (a control character), a control character"),
    "zero-width space": ("\u200b", "U+200B (ZERO WIDTH SPACE), an invisible formatting character"),
    "right-to-left override": (
        "\u202e",
        "U+202E (RIGHT-TO-LEFT OVERRIDE), an invisible formatting character",
    ),
    "byte-order mark": ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE), an invisible formatting"),
    "line separator": ("\u2028", "U+2028 (LINE SEPARATOR), a line separator"),
    "lone surrogate": ("\ud800", "U+D800 (a lone surrogate), a lone surrogate, which is not text"),
}


def _carrying(text: str) -> dict[str, tuple[dict[str, Any], str]]:
    """A tenant carrying `text` in each string field it has, and the field it lands in."""
    return {
        "name": (tenant(name=f"Acme{text}Corp"), "name"),
        "custom attribute name": (
            tenant(customAttributes={f"plan{text}": "x"}),
            f"customAttributes.plan{shown(text)}",
        ),
        "custom attribute value": (
            tenant(customAttributes={"plan": f"pro{text}"}),
            "customAttributes.plan",
        ),
        "custom attribute list item": (
            tenant(customAttributes={"tags": ["a", f"b{text}"]}),
            "customAttributes.tags",
        ),
        "default role": (tenant(defaultRoles=[f"member{text}"]), "defaultRoles[0]"),
        "SSO exclusion": (
            tenant(enforceSSO=True, enforceSSOExclusions=[f"U1{text}"]),
            "enforceSSOExclusions[0]",
        ),
    }


@pytest.mark.parametrize("character", REFUSED, ids=str)
@pytest.mark.parametrize("where", list(_carrying("")), ids=str)
def test_control_and_format_characters_are_refused_in_every_tenant_string(
    character: str, where: str
) -> None:
    char, described = REFUSED[character]
    data, expected_field = _carrying(char)[where]
    field, message = only(data)
    if character == "lone surrogate" and where == "custom attribute name":
        # pydantic carries locations as UTF-8: the key shows with replacement characters
        assert field.startswith("customAttributes.plan")
    else:
        assert field == expected_field
    assert described in message
    assert "Remove it" in message


@pytest.mark.parametrize("char", [v[0] for v in REFUSED.values()])
def test_a_message_shows_a_refused_character_as_an_escape_never_as_itself(char: str) -> None:
    message = refused_text_message(f"a{char}b")
    assert message is not None
    assert char not in message
    assert shown(f"a{char}b") in message
    assert shown(char).startswith("\\")


@pytest.mark.parametrize(
    "text",
    [
        "Acme\u00a0Corp",  # no-break space
        "\u0645\u0647\u200c\u0631",  # zero-width non-joiner, as written Persian needs it
        "\U0001f468\u200d\U0001f469",  # zero-width joiner in an emoji sequence
        "Caf\u00e9 M\u00fcller \u6771\u4eac",
        "\ue000",  # private use
    ],
)
def test_joiners_spaces_and_letters_of_any_script_are_kept(text: str) -> None:
    assert first_refused(text) is None
    assert tenant_problems(tenant(name=text, customAttributes={"note": text})) == []


# --- caps -------------------------------------------------------------------------------------


def _domains(count: int) -> list[str]:
    return [f"d{n}.example.com" for n in range(count)]


CAPS: dict[str, tuple[int, Any, str]] = {
    "tenant name": (
        TENANT_NAME_LENGTH.value,
        lambda n: tenant(name="a" * n),
        "name",
    ),
    "self-provisioning domains": (
        SELF_PROVISIONING_DOMAINS.value,
        lambda n: tenant(selfProvisioningDomains=_domains(n)),
        "selfProvisioningDomains",
    ),
    "SSO domains": (
        SSO_DOMAINS.value,
        lambda n: tenant(settings={"domains": _domains(n)}),
        "settings.domains",
    ),
    "custom attributes": (
        CUSTOM_ATTRIBUTES.value,
        lambda n: tenant(customAttributes={f"a{i}": i for i in range(n)}),
        "customAttributes",
    ),
    "custom attribute name": (
        CUSTOM_ATTRIBUTE_NAME_LENGTH.value,
        lambda n: tenant(customAttributes={"a" * n: 1}),
        "customAttributes." + "a" * (CUSTOM_ATTRIBUTE_NAME_LENGTH.value + 1),
    ),
    "custom attribute text": (
        CUSTOM_ATTRIBUTE_TEXT_LENGTH.value,
        lambda n: tenant(customAttributes={"note": "x" * n}),
        "customAttributes.note",
    ),
    "custom attribute list": (
        CUSTOM_ATTRIBUTE_LIST_ITEMS.value,
        lambda n: tenant(customAttributes={"tags": [f"t{i}" for i in range(n)]}),
        "customAttributes.tags",
    ),
    "default roles": (
        DEFAULT_ROLES.value,
        lambda n: tenant(defaultRoles=[f"r{i}" for i in range(n)]),
        "defaultRoles",
    ),
    "role name": (100, lambda n: tenant(defaultRoles=["r" * n]), "defaultRoles[0]"),
    "SSO exclusions": (
        SSO_EXCLUSIONS.value,
        lambda n: tenant(enforceSSO=True, enforceSSOExclusions=[f"U{i}" for i in range(n)]),
        "enforceSSOExclusions",
    ),
    "user id": (
        USER_ID_LENGTH.value,
        lambda n: tenant(enforceSSO=True, enforceSSOExclusions=["U" * n]),
        "enforceSSOExclusions[0]",
    ),
    "lifetime": (
        LIFETIME.value,
        lambda n: tenant(
            settings={"refreshTokenExpiration": n, "refreshTokenExpirationUnit": "minutes"}
        ),
        "settings.refreshTokenExpiration",
    ),
}


@pytest.mark.parametrize("cap", CAPS, ids=str)
def test_each_cap_accepts_its_limit_and_refuses_one_more_saying_the_limit(cap: str) -> None:
    limit, build, expected_field = CAPS[cap]
    assert tenant_problems(build(limit)) == []
    field, message = only(build(limit + 1))
    assert field == expected_field
    assert f"at most {limit:,}" in message


def test_whole_numbers_beyond_what_a_float_keeps_exactly_are_refused() -> None:
    assert tenant_problems(tenant(customAttributes={"n": SAFE_INTEGER.value})) == []
    assert tenant_problems(tenant(customAttributes={"n": -SAFE_INTEGER.value})) == []
    field, message = only(tenant(customAttributes={"n": SAFE_INTEGER.value + 1}))
    assert field == "customAttributes.n"
    assert "too large to keep exactly" in message
    assert "in quotes, as text" in message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_numbers_that_are_not_finite_are_refused(value: float) -> None:
    field, message = only(tenant(customAttributes={"ratio": value}))
    assert field == "customAttributes.ratio"
    assert "write a finite number" in message


def test_a_yaml_date_in_a_custom_attribute_says_what_to_write_instead() -> None:
    field, message = only(tenant(customAttributes={"renewal": dt.date(2025, 1, 1)}))
    assert field == "customAttributes.renewal"
    assert "write 1735689600000" in message
    assert 'put it in quotes ("2025-01-01")' in message
    moment = dt.datetime(2025, 1, 1, 1, 0, tzinfo=dt.UTC)
    assert "write 1735693200000" in only(tenant(customAttributes={"at": moment}))[1]
    assert (
        "write 1735693200000"
        in only(tenant(customAttributes={"at": moment.replace(tzinfo=None)}))[1]
    )


def test_an_empty_custom_attribute_name_is_refused() -> None:
    assert only(tenant(customAttributes={"": 1}))[1] == "the attribute name must not be empty."


def test_valid_values_of_every_kind_keep_their_types() -> None:
    spec = TenantSpec.model_validate(
        tenant(customAttributes={"s": "x", "n": 2.5, "i": 3.0, "b": False, "l": ["a"]})
    )
    assert spec.customAttributes == {"s": "x", "n": 2.5, "i": 3, "b": False, "l": ["a"]}


def test_custom_attributes_that_are_not_a_mapping_say_what_to_write() -> None:
    assert only(tenant(customAttributes=["plan"])) == (
        "customAttributes",
        "must be a mapping of key: value lines.",
    )


def test_a_custom_attribute_name_that_is_not_text_is_refused() -> None:
    assert only(tenant(customAttributes={1: "x"})) == (
        "customAttributes.1",
        "the attribute name must be text.",
    )


def test_a_lifetime_must_be_positive() -> None:
    data = tenant(settings={"sessionTokenExpiration": 0, "sessionTokenExpirationUnit": "days"})
    assert only(data) == ("settings.sessionTokenExpiration", "must be greater than 0.")


def test_inactivity_needs_a_time() -> None:
    field, message = only(tenant(settings={"enableInactivity": True}))
    assert field == "settings"
    assert "set inactivityTime and inactivityTimeUnit" in message
