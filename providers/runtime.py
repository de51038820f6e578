"""What every provider does inside Pulumi's dynamic-provider host.

The host calls `configure` once per provider it deserialises, with the stack config; nothing
else runs only there, so this is where the providers take their settings and set up how their
errors reach the user.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime import rpc

from providers import client

CONFIG_KEYS = ("descope:projectId", "descope:managementKey", "descope:baseUrl")
"""The stack config the providers read; secrets arrive unwrapped."""
DEBUG_ENV = "DESCOPE_CONFIG_DEBUG"
"""Set to keep Python tracebacks on provider errors (for reporting a bug)."""


def configure_provider(req: ConfigureRequest) -> None:
    """Hand the stack's descope:* settings to the client factory; make no call to Descope.

    Also makes the host report a provider error as its message alone: the host sends the user
    ``traceback.format_exc()`` (pulumi/pulumi#10040), and our messages are complete by
    themselves. ``DESCOPE_CONFIG_DEBUG=1`` keeps the tracebacks.
    """
    settings: dict[str, str | None] = {}
    for key in CONFIG_KEYS:
        value = req.config.get(key)
        settings[key] = None if value is None else str(value)
    client.configure(settings)
    if not os.environ.get(DEBUG_ENV):
        sys.tracebacklimit = 0


def has_unknowns(value: Any) -> bool:
    """Whether a preview left any part of `value` unknown."""
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return True
    if isinstance(value, Mapping):
        return any(has_unknowns(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknowns(v) for v in value)
    return False


class DescopeProvider(ResourceProvider):
    """What the tenant, flow and theme providers share.

    An instance is pickled into every resource's state (by reference: module, class name and
    ``__dict__``), so it holds only the backup folder, never a client or a key. Its settings
    come from the stack config, once per host process, through `configure`.
    """

    backup_dir: str

    def __init__(self, backup_dir: str = "backups") -> None:
        super().__init__()
        self.backup_dir = str(backup_dir)

    def configure(self, req: ConfigureRequest) -> None:
        """Take the connection settings from the stack config; make no call to Descope."""
        configure_provider(req)
