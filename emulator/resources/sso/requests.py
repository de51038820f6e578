"""Typed reads of the SSO requests' nested objects (``settings``, mappings, XAA issuers).

Errors name the full path of the field (``settings.attributeMapping.email``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator import exceptions as exc
from emulator.fields import opt_bool as _opt_bool
from emulator.fields import opt_dict as _opt_dict
from emulator.fields import opt_str as _opt_str
from emulator.fields import opt_str_list as _opt_str_list
from emulator.fields import text as _str
from emulator.resources.sso.configurations import SAML_ATTRIBUTE_DEFAULTS

__all__ = ["Fields", "attribute_mapping", "fga_mappings", "settings_object", "xaa_settings"]

JsonDict = dict[str, Any]


class Fields:
    """Typed reads of a nested request object; errors name ``<prefix><key>``."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix

    def _one(self, key: str) -> tuple[JsonDict, str]:
        name = self.prefix + key
        return {name: self.data.get(key)}, name

    def opt_str(self, key: str) -> str | None:
        return _opt_str(*self._one(key))

    def text(self, key: str) -> str:
        return _str(*self._one(key))

    def required_str(self, key: str) -> str:
        value = self.opt_str(key)
        if not value:
            raise exc.missing_field(self.prefix + key)
        return value

    def opt_bool(self, key: str) -> bool | None:
        return _opt_bool(*self._one(key))

    def opt_str_list(self, key: str) -> list[str] | None:
        return _opt_str_list(*self._one(key))

    def opt_dict(self, key: str) -> JsonDict | None:
        return _opt_dict(*self._one(key))


def settings_object(body: Mapping[str, Any]) -> Fields:
    settings = body.get("settings")
    if settings is None:
        raise exc.missing_field("settings")
    if not isinstance(settings, dict):
        raise exc.invalid_argument("The settings field must be an object")
    return Fields(settings, "settings.")


def attribute_mapping(value: JsonDict, keys: Mapping[str, Any], where: str) -> JsonDict:
    """An attribute mapping as sent: every known key, ``null`` or missing as ``""``."""
    fields = Fields(value, where + ".")
    mapping: JsonDict = {}
    for key, default in keys.items():
        if isinstance(default, dict):
            mapping[key] = fields.opt_dict(key) or {}
        else:
            mapping[key] = fields.text(key)
    return mapping


def fga_mappings(value: JsonDict, where: str) -> JsonDict:
    """``{group: {"relations": [{resource, relationDefinition, namespace}]}}``, checked."""
    out: JsonDict = {}
    for group, mapping in value.items():
        at = f"{where}.{group}"
        if not isinstance(mapping, dict):
            raise exc.invalid_argument(f"The {at} field must be an object")
        relations = mapping.get("relations") or []
        if not isinstance(relations, list) or not all(isinstance(r, dict) for r in relations):
            raise exc.invalid_argument(f"The {at}.relations field must be a list of objects")
        out[group] = {
            "relations": [
                {
                    key: Fields(r, f"{at}.relations[].").text(key)
                    for key in ("resource", "relationDefinition", "namespace")
                }
                for r in relations
            ]
        }
    return out


def xaa_settings(value: JsonDict) -> JsonDict:
    """The XAA ``settings`` object as stored: every field, issuers checked."""
    fields = Fields(value, "settings.")
    issuers = fields.opt_dict("issuers") or {}
    out: JsonDict = {"issuers": {}}
    for url, issuer in issuers.items():
        at = f"settings.issuers.{url}"
        if not isinstance(issuer, dict):
            raise exc.invalid_argument(f"The {at} field must be an object")
        f = Fields(issuer, at + ".")
        mapping = f.opt_dict("attributeMapping")
        out["issuers"][url] = {
            "jwksUri": f.text("jwksUri"),
            "signAlgorithm": f.text("signAlgorithm"),
            "userInfoUri": f.text("userInfoUri"),
            "externalIdFieldName": f.text("externalIdFieldName"),
            "jitDisabled": bool(f.opt_bool("jitDisabled")),
            "attributeMapping": None
            if mapping is None
            else attribute_mapping(mapping, SAML_ATTRIBUTE_DEFAULTS, at + ".attributeMapping"),
        }
    for key in (
        "jwtBearerGrantTypeAudienceToUse",
        "jwtBearerGrantTypeScopeToUse",
        "jwtBearerGrantTypeCustomClaimsToUse",
    ):
        out[key] = fields.text(key)
    return out
