"""The contract test's own parts: the vendored description, its amendments, the checker.

The contract itself is checked where the project talks to the emulator: the engine and ops
suites attach `tests.contract.checker.CONTRACT` to their emulators, so every exchange of
every engine scenario and ops command is held to Descope's published description.
"""

from __future__ import annotations

import json

import pytest

from tests.contract import extract
from tests.contract.checker import ContractChecker
from tests.contract.spec import AMENDMENTS, REQUEST_AMENDMENTS, Exchange, amended_subset


def test_the_vendored_subset_is_what_the_published_description_gives() -> None:
    if not extract.PUBLISHED.exists():
        pytest.skip(f"Descope's published description is not at {extract.PUBLISHED}")
    assert extract.SUBSET.read_text(encoding="utf-8") == extract.subset_text(extract.PUBLISHED), (
        "Run `python -m tests.contract.extract` and review the change."
    )


def test_every_amendment_still_amends_something() -> None:
    _, answers = amended_subset(requests=False)
    _, requests = amended_subset(requests=True)
    assert set(answers) == set(AMENDMENTS)
    assert set(requests) == set(AMENDMENTS) | set(REQUEST_AMENDMENTS)
    assert all(count > 0 for count in requests.values()), requests


def test_described_and_undescribed_calls_do_not_overlap() -> None:
    assert not set(extract.OPERATIONS) & set(extract.NOT_DESCRIBED)
    assert len(set(extract.OPERATIONS)) == len(extract.OPERATIONS)


def exchange(method: str, path: str, answer: object, body: object = None) -> Exchange:
    request = b"" if body is None else json.dumps(body).encode()
    return Exchange(method, path, "", request, 200, json.dumps(answer).encode())


def test_the_checker_refuses_an_answer_the_description_does_not_allow() -> None:
    checker = ContractChecker()
    tenant = {"id": "acme", "name": "Acme", "customAttributes": {"seats": 3, "tags": ["a"]}}
    checker.check(exchange("GET", "/v1/mgmt/tenant", tenant))
    checker.check(exchange("POST", "/v1/mgmt/tenant/delete", {}, {"id": "acme"}))
    assert checker.take() == []

    checker.check(exchange("GET", "/v1/mgmt/tenant", {**tenant, "enforceSSO": "yes"}))
    checker.check(exchange("POST", "/v1/mgmt/flow/list", {"flows": [{"version": "one"}]}))
    found = checker.take()
    assert len(found) == 2
    assert found[0].startswith("GET /v1/mgmt/tenant: answer: ")
    assert found[1].startswith("POST /v1/mgmt/flow/list: answer: ")


def test_the_checker_holds_hand_built_requests_and_lets_nulls_mean_unset() -> None:
    checker = ContractChecker()
    good = {
        "tenantId": "acme",
        "settings": {"idpUrl": "https://idp", "entityId": None, "attributeMapping": None},
    }
    checker.check(exchange("POST", "/v1/mgmt/sso/saml", {}, good))
    assert checker.take() == []

    checker.check(exchange("POST", "/v1/mgmt/sso/saml", {}, {"tenantId": 7}))
    [problem] = checker.take()
    assert problem.startswith("POST /v1/mgmt/sso/saml: request: ")


def test_a_call_neither_described_nor_listed_is_a_problem() -> None:
    checker = ContractChecker()
    checker.check(exchange("PATCH", "/v1/mgmt/tenant/patch", {}, {"id": "acme"}))
    checker.check(exchange("POST", "/v1/mgmt/user/create", {}, {}))
    [problem] = checker.take()
    assert problem.startswith("POST /v1/mgmt/user/create: the call is neither")
