"""Access keys in the data file: ``accessKeys``, each key's wire shape and its cleartext's
SHA-256 (``cleartextHash``), never the cleartext. A file without it has no keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.fields import opt_dict, required_str, str_list, text
from emulator.resources.access_keys.models import ACTIVE, INACTIVE, AccessKey, AccessKeys

__all__ = ["access_keys_json", "install_access_keys", "parse_access_keys"]

JsonDict = dict[str, Any]


def access_keys_json(access_keys: AccessKeys) -> list[JsonDict]:
    """The data file's form: the wire shape and the cleartext's SHA-256."""
    with access_keys.context.lock:
        return [
            {**access_keys.wire(k), "cleartextHash": k.secret_hash}
            for k in access_keys.keys.values()
        ]


def parse_access_keys(raw: Any, tenant_ids: Iterable[str]) -> dict[str, AccessKey]:
    """`access_keys_json`'s form as keys; raises ValueError naming the first bad entry."""
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise ValueError("accessKeys must be a list of objects")
    tenants = set(tenant_ids)
    keys: dict[str, AccessKey] = {}
    for i, item in enumerate(raw):
        where = f"accessKeys[{i}]"
        try:
            key = _key_from(item)
        except exc.DescopeApiError as error:
            raise ValueError(f"{where}: {error.message or error.description}") from None
        if key.id in keys:
            raise ValueError(f"{where}: the id {key.id!r} appears twice")
        absent = [t for t in key.tenant_ids() if t not in tenants]
        if absent:
            raise ValueError(f"{where}: tenant {absent[0]!r} is absent")
        keys[key.id] = key
    return keys


def install_access_keys(access_keys: AccessKeys, keys: dict[str, AccessKey]) -> None:
    """Hold the parsed keys in place of every key held."""
    with access_keys.context.lock:
        access_keys.keys = keys


def _key_from(item: Mapping[str, Any]) -> AccessKey:
    """A key from the data file's form (`access_keys_json`)."""
    created = item.get("createdTime")
    expire = item.get("expireTime", 0)
    for name, value in (("createdTime", created), ("expireTime", expire)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise exc.invalid_argument(f"The {name} field must be an integer")
    status = text(item, "status", ACTIVE)
    if status not in (ACTIVE, INACTIVE):
        raise exc.invalid_argument(f"The status field must be {ACTIVE!r} or {INACTIVE!r}")
    tenants = item.get("keyTenants") or []
    if not isinstance(tenants, list) or not all(isinstance(t, dict) for t in tenants):
        raise exc.invalid_argument("The keyTenants field must be a list of objects")
    return AccessKey(
        id=required_str(item, "id"),
        name=required_str(item, "name"),
        created_time=int(created),  # type: ignore[arg-type]
        secret_hash=required_str(item, "cleartextHash"),
        expire_time=int(expire),
        description=text(item, "description"),
        role_names=str_list(item, "roleNames"),
        key_tenants=[(required_str(t, "tenantId"), str_list(t, "roleNames")) for t in tenants],
        status=status,
        created_by=text(item, "createdBy"),
        bound_user_id=text(item, "boundUserId"),
        custom_claims=opt_dict(item, "customClaims") or {},
        custom_attributes=opt_dict(item, "customAttributes") or {},
        permitted_ips=str_list(item, "permittedIps"),
    )
