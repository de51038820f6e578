"""Access keys: their state and management operations (no HTTP).

Served: every call of the SDK's ``client.mgmt.access_key`` (python-sdk 2.16.1,
``descope/management/access_key.py``; paths ``MgmtV1.access_key_*``), in the shapes of
Descope's published API description (``AccessKey``, ``CreateAccessKeyResponse``,
``AccessKeyResponse``, ``AccessKeysResponse``):

============================================  ===========================================
call                                          answer
============================================  ===========================================
``POST /v1/mgmt/accesskey/create``            ``{"key": {...}, "cleartext": "..."}``
``GET /v1/mgmt/accesskey?id=``                ``{"key": {...}}``
``POST /v1/mgmt/accesskey/search``            ``{"keys": [...]}``
``POST /v1/mgmt/accesskey/update``            ``{"key": {...}}``
``POST /v1/mgmt/accesskey/{de,}activate``     ``{}`` (and ``/batch`` with ``ids``)
``POST /v1/mgmt/accesskey/delete``            ``{}`` (and ``/batch`` with ``ids``)
``POST /v1/mgmt/accesskey/rotate``            ``{"key": {...}, "cleartext": "..."}``
============================================  ===========================================

Rules, with their evidence:

- The cleartext is answered by create and rotate only (SDK docstrings: "The key cleartext will
  only be returned on creation"; rotate: "The previous secret stops working as soon as this
  call returns"). The emulator keeps its SHA-256 only: never in a load, a search,
  ``GET /emulator/state`` or the request log; the data file holds the hash, so a restarted
  emulator knows a key exists, not its secret.
- A key is ``"active"`` when created; deactivate makes it ``"inactive"`` and activate active
  again (SDK docstrings); the status strings are go-sdk's ``AccessKeyResponse.Status`` values.
- ``keyTenants`` entries name existing tenants (400 tenant-not-found otherwise) and roles the
  tenant can be given, ``roleNames`` project roles; another role is refused (400 E011004) when
  ``requireExistingRoles`` is on, as for tenants' default roles. The answer's ``keyTenants``
  carry the ``tenantName`` (the spec's ``AssociatedTenantAK``).
- Update takes ``id`` and ``name`` (both required, go-sdk checks them) and replaces what else
  it is sent; absent or null keeps the value (SDK docstring: "If not provided, it will not be
  overriden"). The spec also lists ``roleNames`` and ``keyTenants``: they are taken the same
  way.
- ``permittedIps`` are IP addresses or CIDR ranges (SDK docstring; 400 E011004 otherwise);
  ``expireTime`` is Unix seconds, 0 for never (int32 in the spec; the SDK sends a number, the
  spec's request types it a string: both are read). A time in the past is refused (the
  emulator's choice: no published rule).
- Not published, the emulator's choices: the key id (``K`` + 27 base62 characters) and the
  cleartext's form (``<id>:<43 url-safe characters>``); names need not be unique (Descope
  publishes no such rule); deleting a tenant deletes the keys bound to it alone and drops it
  from the others'; an unknown id is 400 (``notFoundStatus``) ``E099301``.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import exceptions as exc
from emulator.context import ProjectContext
from emulator.fields import opt_dict, opt_str, opt_str_list, required_str, str_list, text

__all__ = [
    "ACTIVE",
    "INACTIVE",
    "AccessKey",
    "AccessKeys",
    "cleartext_hash",
    "new_access_key_id",
    "new_cleartext",
]

JsonDict = dict[str, Any]
_BASE62 = string.digits + string.ascii_letters
ACTIVE, INACTIVE = "active", "inactive"
_INT32_MAX = 2**31 - 1


def new_access_key_id() -> str:
    """``K`` plus 27 base62 characters (the emulator's form)."""
    return "K" + "".join(secrets.choice(_BASE62) for _ in range(27))


def cleartext_hash(cleartext: str) -> str:
    """The SHA-256 (hex) the emulator keeps instead of a key's cleartext."""
    return hashlib.sha256(cleartext.encode()).hexdigest()


@dataclass
class AccessKey:
    """One access key; `secret_hash` is never part of a wire shape."""

    id: str
    name: str
    created_time: int
    secret_hash: str = field(repr=False)
    expire_time: int = 0
    description: str = ""
    role_names: list[str] = field(default_factory=list)
    key_tenants: list[tuple[str, list[str]]] = field(default_factory=list)
    """(tenant id, role names) per associated tenant, in the order sent."""
    status: str = ACTIVE
    created_by: str = ""
    bound_user_id: str = ""
    custom_claims: JsonDict = field(default_factory=dict)
    custom_attributes: JsonDict = field(default_factory=dict)
    permitted_ips: list[str] = field(default_factory=list)

    def to_dict(self, tenant_names: Mapping[str, str]) -> JsonDict:
        """The spec's ``AccessKey``, every field present (`tenant_names` by tenant id)."""
        return {
            "id": self.id,
            "name": self.name,
            "roleNames": list(self.role_names),
            "keyTenants": [
                {"tenantId": t, "roleNames": list(r), "tenantName": tenant_names.get(t, "")}
                for t, r in self.key_tenants
            ],
            "status": self.status,
            "createdTime": self.created_time,
            "expireTime": self.expire_time,
            "createdBy": self.created_by,
            "clientId": "",
            "boundUserId": self.bound_user_id,
            "customClaims": copy.deepcopy(self.custom_claims),
            "editable": True,
            "description": self.description,
            "permittedIps": list(self.permitted_ips),
            "customAttributes": copy.deepcopy(self.custom_attributes),
        }

    def tenant_ids(self) -> list[str]:
        return [t for t, _ in self.key_tenants]


class AccessKeys:
    """The access keys of one project and their operations, under the project's lock.

    Operations take the parsed body and return what goes on the wire, or raise
    :class:`~emulator.exceptions.DescopeApiError`.
    """

    def __init__(
        self, context: ProjectContext, *, id_factory: Callable[[], str] = new_access_key_id
    ) -> None:
        self.context = context
        self.id_factory = id_factory
        self.cleartext_factory: Callable[[str], str] = new_cleartext
        """A new secret for a key id (tests set a recognisable one)."""
        self.keys: dict[str, AccessKey] = {}
        """By id, in creation order."""

    # --- housekeeping ------------------------------------------------------------------

    def clear(self) -> None:
        with self.context.lock:
            self.keys = {}

    def snapshot(self) -> list[JsonDict]:
        """Every key in its wire shape (no secret, no hash): ``GET /emulator/state``."""
        with self.context.lock:
            return [self.wire(k) for k in self.keys.values()]

    def drop_tenant(self, tenant_id: str) -> None:
        """A tenant is deleted: the keys bound to it alone go, others lose it."""
        with self.context.lock:
            for key in list(self.keys.values()):
                if tenant_id not in key.tenant_ids():
                    continue
                key.key_tenants = [(t, r) for t, r in key.key_tenants if t != tenant_id]
                if not key.key_tenants:
                    del self.keys[key.id]

    # --- operations ----------------------------------------------------------------------

    def create(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/create → ``{"key", "cleartext"}``."""
        with self.context.lock:
            name = required_str(body, "name")
            expire_time = self._expire_time(body)
            role_names = self._project_roles(str_list(body, "roleNames"))
            key_tenants = self._key_tenants(body.get("keyTenants"))
            key_id = self._unused_id()
            cleartext = self.cleartext_factory(key_id)
            key = AccessKey(
                id=key_id,
                name=name,
                created_time=self.context.clock(),
                secret_hash=cleartext_hash(cleartext),
                expire_time=expire_time,
                description=text(body, "description"),
                role_names=role_names,
                key_tenants=key_tenants,
                bound_user_id=text(body, "userId"),
                custom_claims=opt_dict(body, "customClaims") or {},
                custom_attributes=opt_dict(body, "customAttributes") or {},
                permitted_ips=_permitted_ips(body) or [],
            )
            self.keys[key.id] = key
            return {"key": self.wire(key), "cleartext": cleartext}

    def load(self, key_id: str | None) -> JsonDict:
        """GET /v1/mgmt/accesskey?id= → ``{"key"}``."""
        with self.context.lock:
            return {"key": self.wire(self._get(key_id))}

    def search(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/search → ``{"keys"}``; the filters combine with AND.

        ``tenantIds``: keys associated with any of them (empty: every key); ``boundUserId``,
        ``creatingUser``: exact; ``customAttributes``: each given value equal; ``text``: part
        of the name or description, any case.
        """
        with self.context.lock:
            tenant_ids = set(str_list(body, "tenantIds"))
            bound = opt_str(body, "boundUserId")
            creator = opt_str(body, "creatingUser")
            attributes = opt_dict(body, "customAttributes") or {}
            words = text(body, "text").lower()

            def matches(k: AccessKey) -> bool:
                return (
                    (not tenant_ids or bool(tenant_ids & set(k.tenant_ids())))
                    and (not bound or k.bound_user_id == bound)
                    and (not creator or k.created_by == creator)
                    and all(k.custom_attributes.get(n) == v for n, v in attributes.items())
                    and (not words or words in k.name.lower() or words in k.description.lower())
                )

            return {"keys": [self.wire(k) for k in self.keys.values() if matches(k)]}

    def update(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/update → ``{"key"}``: what is sent replaces, else kept."""
        with self.context.lock:
            key = self._get(opt_str(body, "id"))
            name = required_str(body, "name")
            description = opt_str(body, "description")
            ips = _permitted_ips(body)
            claims = opt_dict(body, "customClaims")
            attributes = opt_dict(body, "customAttributes")
            roles = opt_str_list(body, "roleNames")
            role_names = self._project_roles(roles) if roles is not None else None
            tenants = (
                self._key_tenants(body["keyTenants"])
                if body.get("keyTenants") is not None
                else None
            )
            key.name = name
            if description is not None:
                key.description = description
            if ips is not None:
                key.permitted_ips = ips
            if claims is not None:
                key.custom_claims = claims
            if attributes is not None:
                key.custom_attributes = attributes
            if role_names is not None:
                key.role_names = role_names
            if tenants is not None:
                key.key_tenants = tenants
            return {"key": self.wire(key)}

    def set_status(self, body: Mapping[str, Any], status: str) -> JsonDict:
        """POST /v1/mgmt/accesskey/activate or /deactivate → ``{}``."""
        with self.context.lock:
            self._get(opt_str(body, "id")).status = status
            return {}

    def set_status_batch(self, body: Mapping[str, Any], status: str) -> JsonDict:
        """The ``/batch`` variants: every id must exist, or nothing changes."""
        with self.context.lock:
            for key in self._batch(body):
                key.status = status
            return {}

    def delete(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/delete → ``{}``."""
        with self.context.lock:
            del self.keys[self._get(opt_str(body, "id")).id]
            return {}

    def delete_batch(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/delete/batch → ``{}``; every id must exist."""
        with self.context.lock:
            for key in self._batch(body):
                del self.keys[key.id]
            return {}

    def rotate(self, body: Mapping[str, Any]) -> JsonDict:
        """POST /v1/mgmt/accesskey/rotate → ``{"key", "cleartext"}``: a new secret, same key."""
        with self.context.lock:
            key = self._get(opt_str(body, "id"))
            cleartext = self.cleartext_factory(key.id)
            key.secret_hash = cleartext_hash(cleartext)
            return {"key": self.wire(key), "cleartext": cleartext}

    # --- helpers -------------------------------------------------------------------------

    def wire(self, key: AccessKey) -> JsonDict:
        """The key's wire shape (the spec's ``AccessKey``), tenant names filled in."""
        names = {t: tenant.name for t, tenant in self.context.tenants.items()}
        return key.to_dict(names)

    def _get(self, key_id: str | None) -> AccessKey:
        if not key_id:
            raise exc.missing_id()
        key = self.keys.get(key_id)
        if key is None:
            raise exc.access_key_not_found(key_id, self.context.options.not_found_status)
        return key

    def _batch(self, body: Mapping[str, Any]) -> list[AccessKey]:
        ids = str_list(body, "ids")
        if not ids:
            raise exc.missing_field("ids")
        return [self._get(i) for i in dict.fromkeys(ids)]

    def _unused_id(self) -> str:
        while True:
            candidate = self.id_factory()
            if candidate not in self.keys:
                return candidate

    def _expire_time(self, body: Mapping[str, Any]) -> int:
        raw = body.get("expireTime")
        if isinstance(raw, str) and raw.isdigit():
            raw = int(raw)
        if raw is None:
            return 0
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= _INT32_MAX:
            raise exc.invalid_argument(
                "The expireTime field must be Unix seconds (a whole number), or 0 for never"
            )
        if raw and raw <= self.context.clock():
            raise exc.invalid_argument("The expireTime field must be in the future")
        return raw

    def _role_ok(self, tenant_id: str, name: str) -> bool:
        if not self.context.options.require_existing_roles:
            return True
        return self.context.role(tenant_id, name) is not None

    def _project_roles(self, names: list[str]) -> list[str]:
        for name in names:
            if not self._role_ok("", name):
                raise exc.unknown_role(name, "")
        return list(dict.fromkeys(names))

    def _key_tenants(self, raw: Any) -> list[tuple[str, list[str]]]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
            raise exc.invalid_argument("The keyTenants field must be a list of objects")
        found: list[tuple[str, list[str]]] = []
        for item in raw:
            tenant_id = required_str(item, "tenantId")
            if tenant_id not in self.context.tenants:
                raise exc.tenant_not_found(tenant_id, self.context.options.not_found_status)
            roles = list(dict.fromkeys(str_list(item, "roleNames")))
            for name in roles:
                if not self._role_ok(tenant_id, name):
                    raise exc.unknown_role(name, tenant_id)
            found.append((tenant_id, roles))
        return found


def new_cleartext(key_id: str) -> str:
    """A key's secret: ``<id>:`` and 43 url-safe random characters (the emulator's form)."""
    return f"{key_id}:{secrets.token_urlsafe(32)}"


def _permitted_ips(body: Mapping[str, Any]) -> list[str] | None:
    """The ``permittedIps`` sent (None: not sent); each an IP address or a CIDR range."""
    ips = opt_str_list(body, "permittedIps")
    for ip in ips or []:
        try:
            ipaddress.ip_network(ip, strict=False)
        except ValueError:
            raise exc.invalid_argument(
                f"The permittedIps field holds {ip!r}, which is not an IP address or CIDR range"
            ) from None
    return ips
