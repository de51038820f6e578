"""YAML files read and written by the tests' own helpers, with libyaml where PyYAML has it.

The scenarios read a stack's tenants file before and after each command; PyYAML's pure-Python
parser takes tens of milliseconds for it. What the project itself reads goes through
`config.loader` as always; this is only for the tests' arranging and checking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["dump_yaml", "read_yaml"]

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_yaml(path: Path) -> Any:
    """The one document in the file at `path`, as plain values."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


def dump_yaml(document: Any) -> str:
    """`document` as YAML, keys in their order."""
    return yaml.dump(document, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
