"""Per-tenant SSO in the data file: every configuration and admin link, and back.

The data file's ``sso`` key::

    {"<tenantId>": {"configurations": [{...every field of SSOConfiguration...}],
                    "adminLinks": [{ssoId, tokenSha256, createdTime, expiresTime, email, actorId}]}}

An OIDC client secret is write-only: the file keeps its SHA-256 (``clientSecretSha256``),
never the secret, so a restarted emulator knows that a secret is stored (and answers ``""``
for it, as always), not which. Admin links are kept as the hashes of their tokens, as in
memory. A file without ``sso`` (written before SSO was kept) has no SSO configurations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from emulator.context import RoleRef
from emulator.resources.sso.configurations import (
    AdminLink,
    GroupMapping,
    OIDCSettings,
    SAMLSettings,
    SSOConfiguration,
    XAATrust,
)
from emulator.resources.sso.store import SSOStore

__all__ = ["RESTORED_SECRET_PREFIX", "install_sso", "restore_sso", "sso_json"]

JsonDict = dict[str, Any]
RESTORED_SECRET_PREFIX = "restored-sha256:"
"""What a restored configuration holds in place of its client secret (never answered)."""

T = TypeVar("T")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _flat(settings: object, *, skip: tuple[str, ...] = ()) -> JsonDict:
    """A settings dataclass as JSON (camelCase keys), nested values copied."""
    out: JsonDict = {}
    for f in fields(settings):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        value = getattr(settings, f.name)
        out[_camel(f.name)] = (
            dict(value)
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, list)
            else value
        )
    return out


def _configuration_json(configuration: SSOConfiguration) -> JsonDict:
    oidc = _flat(configuration.oidc, skip=("client_secret",))
    secret = configuration.oidc.client_secret
    if secret.startswith(RESTORED_SECRET_PREFIX):
        oidc["clientSecretSha256"] = secret.removeprefix(RESTORED_SECRET_PREFIX)
    elif secret:
        oidc["clientSecretSha256"] = hashlib.sha256(secret.encode()).hexdigest()
    xaa = configuration.xaa
    return {
        "ssoId": configuration.sso_id,
        "displayName": configuration.display_name,
        "authType": configuration.auth_type,
        "domains": list(configuration.domains),
        "saml": _flat(configuration.saml),
        "oidc": oidc,
        "groupMappings": [
            {"roleId": m.role.id, "roleName": m.role.name, "groups": list(m.groups)}
            for m in configuration.group_mappings
        ],
        "defaultSSORoles": list(configuration.default_sso_roles),
        "groupsPriority": list(configuration.groups_priority),
        "fgaMappings": dict(configuration.fga_mappings),
        "xaa": None if xaa is None else _flat(xaa),
    }


def sso_json(state: SSOStore) -> JsonDict:
    """The data file's ``sso`` object (call holding the project's lock)."""
    tenant_ids = list(dict.fromkeys([*state.configurations, *state.admin_links]))
    return {
        tid: {
            "configurations": [
                _configuration_json(c) for c in state.configurations.get(tid, {}).values()
            ],
            "adminLinks": [
                {
                    "ssoId": link.sso_id,
                    "tokenSha256": link.token_sha256,
                    "createdTime": link.created_time,
                    "expiresTime": link.expires_time,
                    "email": link.email,
                    "actorId": link.actor_id,
                }
                for link in state.admin_links.get(tid, [])
            ],
        }
        for tid in tenant_ids
    }


# --- back -----------------------------------------------------------------------------------


def _object(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a JSON object")
    return value


def _items(where: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return value


def _settings(cls: type[T], where: str, data: Any, **extra: Any) -> T:
    """A settings dataclass from its JSON, each field typed as its default is."""
    raw = _object(where, data)
    default = cls()
    values: dict[str, Any] = {}
    for f in fields(default):  # type: ignore[arg-type]
        key = _camel(f.name)
        if f.name in extra or key not in raw:
            continue
        value, like = raw[key], getattr(default, f.name)
        if isinstance(like, bool):
            ok = isinstance(value, bool)
        elif isinstance(like, str):
            ok = isinstance(value, str)
        elif isinstance(like, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, dict)
        if not ok:
            raise ValueError(f"{where}.{key} must be a {type(like).__name__}")
        values[f.name] = (
            list(value)
            if isinstance(value, list)
            else dict(value)
            if isinstance(value, dict)
            else value
        )
    return cls(**values, **extra)


def _text(where: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a string")
    return value


def _texts(where: str, data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}.{key} must be a list of strings")
    return list(value)


def _configuration(where: str, data: Any) -> SSOConfiguration:
    raw = _object(where, data)
    oidc_raw = _object(f"{where}.oidc", raw.get("oidc", {}))
    digest = _text(f"{where}.oidc", oidc_raw, "clientSecretSha256")
    secret = f"{RESTORED_SECRET_PREFIX}{digest}" if digest else ""
    oidc_fields = {k: v for k, v in oidc_raw.items() if k != "clientSecretSha256"}
    mappings = []
    for index, item in enumerate(_items(f"{where}.groupMappings", raw.get("groupMappings", []))):
        at = f"{where}.groupMappings[{index}]"
        mapping = _object(at, item)
        mappings.append(
            GroupMapping(
                RoleRef(_text(at, mapping, "roleId"), _text(at, mapping, "roleName")),
                _texts(at, mapping, "groups"),
            )
        )
    xaa = raw.get("xaa")
    fga = raw.get("fgaMappings", {})
    return SSOConfiguration(
        sso_id=_text(where, raw, "ssoId"),
        display_name=_text(where, raw, "displayName"),
        auth_type=_text(where, raw, "authType") or "none",
        domains=_texts(where, raw, "domains"),
        saml=_settings(SAMLSettings, f"{where}.saml", raw.get("saml", {})),
        oidc=_settings(OIDCSettings, f"{where}.oidc", oidc_fields, client_secret=secret),
        group_mappings=mappings,
        default_sso_roles=_texts(where, raw, "defaultSSORoles"),
        groups_priority=_texts(where, raw, "groupsPriority"),
        fga_mappings=dict(_object(f"{where}.fgaMappings", fga)),
        xaa=None if xaa is None else _settings(XAATrust, f"{where}.xaa", xaa),
    )


def _link(where: str, data: Any) -> AdminLink:
    raw = _object(where, data)
    created, expires = raw.get("createdTime", 0), raw.get("expiresTime")
    if isinstance(created, bool) or not isinstance(created, int):
        raise ValueError(f"{where}.createdTime must be an integer")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
        raise ValueError(f"{where}.expiresTime must be an integer or null")
    optional = {}
    for key in ("email", "actorId"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}.{key} must be a string or null")
        optional[key] = value
    return AdminLink(
        sso_id=_text(where, raw, "ssoId"),
        token_sha256=_text(where, raw, "tokenSha256"),
        created_time=created,
        expires_time=expires,
        email=optional["email"],
        actor_id=optional["actorId"],
    )


def restore_sso(
    data: Any, tenant_ids: set[str]
) -> tuple[dict[str, dict[str, SSOConfiguration]], dict[str, list[AdminLink]]]:
    """The configurations and admin links in the data file's ``sso`` object, checked (a tenant
    that is not in the file is refused); raises ValueError naming the first bad part."""
    configurations: dict[str, dict[str, SSOConfiguration]] = {}
    links: dict[str, list[AdminLink]] = {}
    for tenant_id, entry in _object("sso", data).items():
        where = f"sso[{tenant_id!r}]"
        if tenant_id not in tenant_ids:
            raise ValueError(f"{where} is for tenant {tenant_id!r}, which is absent")
        raw = _object(where, entry)
        kept: dict[str, SSOConfiguration] = {}
        for index, item in enumerate(
            _items(f"{where}.configurations", raw.get("configurations", []))
        ):
            configuration = _configuration(f"{where}.configurations[{index}]", item)
            if configuration.sso_id in kept:
                raise ValueError(f"{where} holds ssoId {configuration.sso_id!r} twice")
            kept[configuration.sso_id] = configuration
        if kept:
            configurations[tenant_id] = kept
        held = [
            _link(f"{where}.adminLinks[{i}]", item)
            for i, item in enumerate(_items(f"{where}.adminLinks", raw.get("adminLinks", [])))
        ]
        if held:
            links[tenant_id] = held
    return configurations, links


Parsed = tuple[dict[str, dict[str, SSOConfiguration]], dict[str, list[AdminLink]]]


def install_sso(store: SSOStore, parsed: Parsed) -> None:
    """Hold the parsed configurations and links in place of every one held."""
    with store.context.lock:
        store.configurations, store.admin_links = parsed
