"""Drive one resource through Pulumi's own dynamic-provider host, a call at a time.

`ProviderHost` (in `standin.host`, shared with the stand-in engine) is the host process.
`ResourceUnderTest` is the stand-in's `standin.resource.SingleResource`: one resource's state
kept across operations the way the engine keeps it in the stack, each operation played by the
engine's own steps. It serves tests about one provider's answers (faults, adopt, concurrency);
what a whole `pulumi up` does is played by `standin.engine`
(tests/engine/test_program_engine.py).
"""

from __future__ import annotations

from standin.host import (
    PROJECT_DIR,
    PROVIDER_KEY,
    UNKNOWN,
    HostError,
    ProviderHost,
    from_struct,
    provider_blob,
    to_struct,
)
from standin.resource import CheckFailed, SingleResource

REPO_ROOT = PROJECT_DIR
ResourceUnderTest = SingleResource
"""One resource under test, in the tests' stack ``test``."""

__all__ = [
    "PROVIDER_KEY",
    "REPO_ROOT",
    "UNKNOWN",
    "CheckFailed",
    "HostError",
    "ProviderHost",
    "ResourceUnderTest",
    "from_struct",
    "provider_blob",
    "to_struct",
]
