"""Every exchange an emulator answers, held to Descope's published description as it happens.

`ContractChecker.attach(app)` wraps the app's ``handle``: each management request and its
answer are checked (`tests.contract.spec.problems`): every 2xx answer of a described call,
and the request body of the calls the project builds by hand (`HAND_BUILT`; the SDK's own
requests are the SDK's business). A call neither described (`extract.OPERATIONS`) nor listed
as undescribed (`extract.NOT_DESCRIBED`) is a problem too. The engine and ops tests attach one
to their emulators and fail a test whose exchanges broke the contract. While a fault plan is
set, nothing is checked: the answers are garbled on purpose.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping

from emulator.app import EmulatorApp, EmulatorResponse
from emulator.faults import Faults
from tests.contract.extract import NOT_DESCRIBED, OPERATIONS
from tests.contract.spec import Exchange, problems

HAND_BUILT = frozenset(
    {
        ("post", "/v1/mgmt/sso/saml"),
        ("post", "/v1/mgmt/sso/saml/metadata"),
        ("post", "/v1/mgmt/sso/oidc"),
        ("get", "/v2/mgmt/sso/settings"),
    }
)
"""Requests `providers.sdk_http.sso_request` sends with bodies the providers build
(`providers.sso`), not the SDK."""

_DESCRIBED = frozenset(OPERATIONS)
_NO_FAULTS = Faults().to_json()


class ContractChecker:
    """Problems found in the exchanges of an emulator app, since the last `take`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problems: list[str] = []
        self.checked = 0

    def attach(self, app: EmulatorApp) -> None:
        handle: Callable[..., EmulatorResponse] = app.handle

        def checked(
            method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
        ) -> EmulatorResponse:
            response = handle(method, path, query, headers, body)
            # Answers garbled on purpose (an injected fault plan) are not Descope's.
            if not path.startswith("/emulator") and app.faults.to_json() == _NO_FAULTS:
                self.check(Exchange(method.upper(), path, query, body, response.status,
                                    response.body))  # fmt: skip
            return response

        app.handle = checked  # type: ignore[method-assign]

    def check(self, exchange: Exchange) -> None:
        operation = exchange.operation
        if operation in NOT_DESCRIBED:
            return
        if operation not in _DESCRIBED:
            found = [
                "the call is neither in Descope's description (tests/contract/extract.py "
                "OPERATIONS) nor listed as undescribed (NOT_DESCRIBED)"
            ]
        else:
            found = problems(exchange, request=operation in HAND_BUILT)
        with self._lock:
            self.checked += 1
            self._problems.extend(
                f"{exchange.method} {exchange.path}: {problem}" for problem in found
            )

    def take(self) -> list[str]:
        """The problems found since the last call, each once."""
        with self._lock:
            found, self._problems = list(dict.fromkeys(self._problems)), []
        return found


def report(found: list[str], limit: int = 2000) -> str:
    """`found` for an assertion message."""
    text = "\n".join(found)
    return text if len(text) <= limit else text[:limit] + "…"


CONTRACT = ContractChecker()
"""The test process's checker: the engine and ops suites attach their emulators to it."""


def contract_kept(checker: ContractChecker = CONTRACT) -> Iterator[None]:
    """An autouse fixture's body: the test's exchanges keep Descope's description."""
    checker.take()
    yield
    found = checker.take()
    assert not found, (
        "The emulator's exchanges in this test do not fit Descope's published API description "
        "(tests/contract):\n" + report(found)
    )
