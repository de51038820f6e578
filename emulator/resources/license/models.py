"""The project's license: the rate-limit tier the license endpoint answers (no HTTP)."""

from __future__ import annotations

from typing import Any

from emulator.context import ProjectContext

__all__ = ["License"]

JsonDict = dict[str, Any]


class License:
    """The license endpoint; the tier is the ``default_tier`` switch."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

    def get_license(self) -> JsonDict:
        """GET /v1/mgmt/license → ``{"rateLimitTier": ...}``."""
        return {"rateLimitTier": self.context.options.default_tier}
