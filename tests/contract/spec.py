"""Descope's published API description, as the contract test holds the emulator and the
project's hand-built requests to it.

`amended_subset` loads the vendored subset (`tests.contract.extract`) and amends, here and
only here, what the published file states imprecisely (`AMENDMENTS`); `problems` validates
one recorded exchange against its operation's schemas (openapi-schema-validator, the OpenAPI
3.0 schema dialect of openapi-core's family, each schema compiled once) and says what does
not fit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator

from tests.contract.extract import SUBSET


def _any_custom_attribute_value(spec: dict[str, Any]) -> int:
    """``customAttributes`` values are typed ``string``, though the description's own text
    says "values can be strings, numbers, booleans, or arrays" (and the SDKs send them so)."""
    changed = 0
    for node in _mappings(spec):
        attributes = node.get("properties", {}).get("customAttributes")
        if isinstance(attributes, dict) and attributes.get("additionalProperties") == {
            "type": "string"
        }:
            attributes["additionalProperties"] = {}
            changed += 1
    return changed


def _empty_answers_are_json_objects(spec: dict[str, Any]) -> int:
    """An answer the description gives no (or empty) content (a delete, a settings save, a role or
    permission create) is ``{}`` from Descope: the SDKs parse it as JSON."""
    changed = 0
    for item in spec["paths"].values():
        for operation in item.values():
            for answer in operation.get("responses", {}).values():
                if not answer.get("content"):
                    answer["content"] = {"application/json": {"schema": {"type": "object"}}}
                    changed += 1
    return changed


def _null_is_unset(spec: dict[str, Any]) -> int:
    """Requests only: a ``null`` field is the field left unset (proto3 JSON, which Descope's
    API parses: "null is accepted for all field types and treated as the default value"); the
    SDKs send optional fields so, and so do the project's own SSO requests."""
    changed = 0
    for node in _mappings(spec["components"]["schemas"]):
        properties = node.get("properties", {})
        for name, schema in properties.items():
            if not isinstance(schema, dict) or schema.get("nullable"):
                continue
            if "$ref" in schema:  # OpenAPI 3.0 ignores keywords beside a $ref
                properties[name] = {"anyOf": [schema, {"enum": [None]}]}
            else:
                schema["nullable"] = True
            changed += 1
    return changed


def _tenant_load_is_flat(spec: dict[str, Any]) -> int:
    """``GET /v1/mgmt/tenant`` answers the tenant at the root, not wrapped in ``tenant`` as
    described: the backend uses protobuf's ``response_body`` (the Go, Python and Node SDKs read
    it flat; descope-dotnet re-wraps it in ``FixRootResponseBodyHandler``)."""
    answer = spec["paths"]["/v1/mgmt/tenant"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    if schema != {"$ref": "#/components/schemas/LoadTenantResponse"}:
        return 0
    answer["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Tenant"}
    return 1


AMENDMENTS: dict[str, Callable[[dict[str, Any]], int]] = {
    "a tenant load answers the tenant unwrapped": _tenant_load_is_flat,
    "custom attribute values may be any JSON value": _any_custom_attribute_value,
    "an answer without described content is a JSON object": _empty_answers_are_json_objects,
}
"""Each known imprecision of the published description, and the function that amends it in
the loaded subset (returning how many places it changed: an amendment that changes nothing is
stale and fails the test that checks them). int64 fields written as strings (proto3 JSON, e.g.
a flow's ``modifiedTime``) need no amendment: the emulator sends them as strings too."""
REQUEST_AMENDMENTS: dict[str, Callable[[dict[str, Any]], int]] = {
    "a null request field is the field unset": _null_is_unset,
}
"""What holds of requests only (answers are held to the description as published)."""


def _mappings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mappings(item)


@cache
def amended_subset(*, requests: bool) -> tuple[dict[str, Any], dict[str, int]]:
    """The vendored subset with `AMENDMENTS` (and for `requests`, `REQUEST_AMENDMENTS`)
    applied, and how many places each changed."""
    spec = yaml.load(SUBSET.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    amendments = {**AMENDMENTS, **(REQUEST_AMENDMENTS if requests else {})}
    counts = {name: amend(spec) for name, amend in amendments.items()}
    return spec, counts


@cache
def _validator(method: str, path: str, *, requests: bool) -> Validator | None:
    """The compiled schema of `method` `path`'s request body (`requests`) or 200 answer; None
    when the description has no JSON body there (a GET's request)."""
    spec, _ = amended_subset(requests=requests)
    operation = spec["paths"][path][method]
    part = operation.get("requestBody") if requests else operation["responses"]["200"]
    content = (part or {}).get("content") or {}
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    # The schema with the description's components beside it: its $refs resolve in place.
    validator: Validator = OAS30Validator({**schema, "components": spec["components"]})
    return validator


@dataclass(frozen=True)
class Exchange:
    """One request the emulator answered, as received and as answered."""

    method: str
    path: str
    query: str
    body: bytes
    status: int
    answer: bytes

    @property
    def operation(self) -> tuple[str, str]:
        return self.method.lower(), self.path


def problems(exchange: Exchange, *, request: bool) -> list[str]:
    """What in `exchange` the description does not allow: its answer (a 2xx), and with
    `request` its request body too. `exchange` must be one of the described operations."""
    method, path = exchange.operation
    found: list[str] = []
    parts = [("answer", False)] if 200 <= exchange.status < 300 else []
    if request:
        parts.insert(0, ("request", True))
    for part, requests in parts:
        validator = _validator(method, path, requests=requests)
        raw = exchange.body if requests else exchange.answer
        if validator is None:
            continue
        try:
            document = json.loads(raw or b"{}")
        except ValueError as error:
            found.append(f"{part}: not JSON ({error})")
            continue
        found.extend(
            f"{part}: {'/'.join(str(p) for p in error.absolute_path) or '(the body)'}: "
            f"{error.message}"
            for error in validator.iter_errors(document)
        )
    return found


def answer_json(exchange: Exchange) -> Any:
    return json.loads(exchange.answer or b"null")
