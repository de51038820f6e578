"""Bring into the repository the part of Descope's published OpenAPI description the contract
test needs: ``python -m tests.contract.extract [PATH-TO-descope-openapi.yml]``.

The source is Descope's own description of its API (``docs.descope.com/examples/
Descope_API.yaml``, linked from ``docs.descope.com/api/openapi-spec``); a copy lives in the
team's shared reference folder (``../shared/reference/descope-openapi.yml``, the default).
`OPERATIONS` are the calls the project makes that the description has; `subset` keeps their
path items (only those methods) and every schema they reach through ``$ref``, unmodified, and
writes them to `SUBSET` with a header naming the source. The published file's imprecisions are
not edited here: `tests.contract.spec` amends them, in one place, when the subset is loaded.

`NOT_DESCRIBED` lists the calls the project makes that the description lacks, and why; the
contract test fails on a call in neither list, so a new endpoint is a decision, not a gap.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SUBSET = HERE / "descope-openapi.subset.yml"
PUBLISHED = HERE.parents[2] / "shared" / "reference" / "descope-openapi.yml"
"""Where the published description is kept beside the repository (the team's reference)."""

OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/v1/mgmt/tenant"),
    ("get", "/v1/mgmt/tenant/all"),
    ("post", "/v1/mgmt/tenant/search"),
    ("post", "/v1/mgmt/tenant/create"),
    ("post", "/v1/mgmt/tenant/update"),
    ("post", "/v1/mgmt/tenant/delete"),
    ("post", "/v1/mgmt/tenant/updateDefaultRoles"),
    ("get", "/v1/mgmt/tenant/settings"),
    ("post", "/v1/mgmt/tenant/settings"),
    ("post", "/v1/mgmt/tenant/adminlinks/sso/revoke"),
    ("post", "/v2/mgmt/tenant/adminlinks/sso/generate"),
    ("get", "/v2/mgmt/sso/settings"),
    ("get", "/v2/mgmt/sso/settings/all"),
    ("post", "/v1/mgmt/sso/settings/new"),
    ("delete", "/v1/mgmt/sso/settings"),
    ("post", "/v1/mgmt/sso/saml"),
    ("post", "/v1/mgmt/sso/saml/metadata"),
    ("post", "/v1/mgmt/sso/oidc"),
    ("post", "/v1/mgmt/sso/redirect"),
    ("post", "/v1/mgmt/sso/recalculate-mappings"),
    ("get", "/v1/mgmt/permission/all"),
    ("post", "/v1/mgmt/permission/create"),
    ("post", "/v1/mgmt/permission/update"),
    ("post", "/v1/mgmt/permission/delete"),
    ("get", "/v1/mgmt/role/all"),
    ("post", "/v1/mgmt/role/search"),
    ("post", "/v1/mgmt/role/create"),
    ("post", "/v1/mgmt/role/update"),
    ("post", "/v1/mgmt/role/delete"),
    ("post", "/v1/mgmt/flow/list"),
    ("post", "/v1/mgmt/flow/delete"),
    ("get", "/v1/mgmt/accesskey"),
    ("post", "/v1/mgmt/accesskey/search"),
    ("post", "/v1/mgmt/accesskey/create"),
    ("post", "/v1/mgmt/accesskey/update"),
    ("post", "/v1/mgmt/accesskey/activate"),
    ("post", "/v1/mgmt/accesskey/deactivate"),
    ("post", "/v1/mgmt/accesskey/delete"),
)
"""The calls the project (the SDK for the providers and ops, and `providers.client`'s own
requests) makes that Descope's description has."""

NOT_DESCRIBED: dict[tuple[str, str], str] = {
    ("patch", "/v1/mgmt/tenant/patch"): "SDK 2.16.1's tenant patch; the description has none",
    ("post", "/v1/mgmt/flow/export"): "SDK 2.16.1 uses v1; the description has only v2",
    ("post", "/v1/mgmt/flow/import"): "SDK 2.16.1 uses v1; the description has only v2",
    ("post", "/v1/mgmt/theme/export"): "SDK 2.16.1 uses v1; the description has only v2",
    ("post", "/v1/mgmt/theme/import"): "SDK 2.16.1 uses v1; the description has only v2",
    ("get", "/v1/mgmt/license"): "the SDK's rate-limit tier lookup; not described",
    ("get", "/v1/mgmt/infra"): "the project configuration (providers.attribute_definition): the "
    "description has its schemas (InfraResponse) but no path, so nothing to validate against",
    ("put", "/v1/mgmt/infra"): "the project configuration (providers.attribute_definition): the "
    "description has its schemas (InfraUpdateRequest) but no path, so nothing to validate against",
}
"""Calls the project makes that the description lacks, each with the reason."""


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def subset(published: dict[str, Any]) -> dict[str, Any]:
    """The path items of `OPERATIONS` and every component they reach, as published."""
    paths: dict[str, Any] = {}
    for method, path in OPERATIONS:
        item = published["paths"][path]
        paths.setdefault(path, {})[method] = item[method]
    schemas: dict[str, Any] = {}
    pending = list(_refs(paths))
    while pending:
        ref = pending.pop()
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise ValueError(f"unexpected reference {ref}")
        name = ref.removeprefix(prefix)
        if name not in schemas:
            schemas[name] = published["components"]["schemas"][name]
            pending.extend(_refs(schemas[name]))
    return {
        "openapi": published["openapi"],
        "info": published["info"],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": published["components"].get("securitySchemes", {}),
        },
    }


def subset_text(source: Path) -> str:
    """The subset file's text for the published description at `source`."""
    raw = source.read_bytes()
    published = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    body = yaml.safe_dump(subset(published), sort_keys=False, allow_unicode=True, width=100)
    digest = hashlib.sha256(raw).hexdigest()
    return (
        "# The part of Descope's published OpenAPI description (docs.descope.com/examples/\n"
        "# Descope_API.yaml) that the contract test needs: the operations the project calls and\n"
        "# the schemas they reach, unmodified. Made by `python -m tests.contract.extract` from\n"
        f"# {source.name} (sha256 {digest}); do not edit by hand.\n" + body
    )


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else PUBLISHED
    if not source.is_file():
        print(
            f"extract: no published description at {source}; pass the path of Descope's "
            "OpenAPI file (docs.descope.com/examples/Descope_API.yaml) as the argument.",
            file=sys.stderr,
        )
        return 2
    SUBSET.write_text(subset_text(source), encoding="utf-8")
    print(f"wrote {SUBSET} from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
