"""MkDocs hooks: the pages generated from the code at build time, so they cannot drift from it.

- ``reference.md``: every key of the configuration file (from the pydantic models' JSON Schema,
  `config.document.json_schema`: type, default, constraints, description), every stack setting
  (`config.stack.SETTING_DESCRIPTIONS`) and every limit (`model.limits.LIMITS`).
- ``layout.md``: the project's packages and modules, each with the first paragraph of its
  docstring (read with `ast`, nothing imported).

A key or a setting without a description, or a module without a docstring, is a warning, which
``mkdocs build --strict`` turns into a failed build.
"""

from __future__ import annotations

import ast
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the checkout's packages, not an installed copy
    sys.path.insert(0, str(ROOT))

from mkdocs.structure.files import File  # noqa: E402
from pydantic import BaseModel  # noqa: E402
from pydantic_core import to_jsonable_python  # noqa: E402

from config.document import ConfigDocument, json_schema  # noqa: E402
from config.stack import (  # noqa: E402
    PROJECT,
    PROVIDER_NAMESPACE,
    PROVIDER_SETTINGS,
    SETTING_DESCRIPTIONS,
    SETTINGS,
)
from model.limits import LIMITS  # noqa: E402

log = logging.getLogger("mkdocs.hooks.generated")

GENERATED = {"reference.md", "layout.md"}
"""The pages this hook writes (named in mkdocs.yml's nav, absent from docs/)."""
NOT_PACKAGES = {"tests", "docs", "site", "backups", "build"}
"""Folders that are not the product's packages (the tests have a table of their own)."""
_CONSTRAINTS = {
    "minLength": "at least {} character(s)",
    "maxLength": "at most {} characters",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "minProperties": "at least {} entries",
    "maxProperties": "at most {} entries",
    "minimum": "at least {}",
    "maximum": "at most {}",
    "exclusiveMinimum": "more than {}",
    "exclusiveMaximum": "less than {}",
    "pattern": "matches `{}`",
}


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site's files."""
    for name, content in (("reference.md", reference_page()), ("layout.md", layout_page())):
        files.append(File.generated(config, name, content=content))
    return files


# The configuration reference.


def reference_page() -> str:
    """The configuration reference: the file's keys, the stack settings, the limits."""
    return "\n".join(
        [
            "# Configuration reference",
            "",
            "Generated from the code at every build of this site: the pydantic models of the",
            "configuration file (`config/document.py`, `model/`), the stack settings",
            "(`config/stack.py`) and the limits (`model/limits.py`). The same models give the",
            "JSON Schema `config/tenants.schema.json` that editors use. For what the keys mean",
            "together, see [the configuration file](configuration.md).",
            "",
            *schema_sections(json_schema()),
            *settings_section(),
            *limits_section(),
        ]
    )


def schema_sections(schema: dict[str, Any]) -> Iterator[str]:
    """One table per model, the file's top level first, then in the order they are reached."""
    definitions: dict[str, dict[str, Any]] = schema.get("$defs", {})
    where: dict[str, str] = {}
    queue: list[tuple[str, str, dict[str, Any]]] = [("file", "the file's top level", schema)]
    seen: set[str] = set()
    classes = _model_classes()
    while queue:
        name, path, model = queue.pop(0)
        title = "The file's top level" if name == "file" else f"`{path}`"
        yield f"## {title} {{#{anchor(name)}}}"
        yield ""
        yield _cell(model.get("description", ""), multiline=True)
        yield ""
        yield "| key | type | default | limits | description |"
        yield "|---|---|---|---|---|"
        required = set(model.get("required", []))
        for key, prop in model.get("properties", {}).items():
            key_path = f"{path}.{key}" if name != "file" else key
            for ref in sorted(refs(prop)):
                if ref not in seen:
                    seen.add(ref)
                    where[ref] = key_path + _suffix(prop, ref)
                    queue.append((ref, where[ref], definitions[ref]))
            description = prop.get("description", "")
            if not description:
                log.warning("configuration reference: %s has no description", key_path)
            default = default_text(prop, classes.get(name), key)
            yield (
                f"| `{key}` | {type_text(prop)} | "
                f"{'required' if key in required else default} | "
                f"{constraints_text(prop)} | {_cell(description)} |"
            )
        yield ""


def refs(prop: Any) -> set[str]:
    """The model names a property's schema refers to, at any depth."""
    found: set[str] = set()
    if isinstance(prop, dict):
        ref = prop.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in prop.values():
            found |= refs(value)
    elif isinstance(prop, list):
        for value in prop:
            found |= refs(value)
    return found


def _suffix(prop: dict[str, Any], ref: str) -> str:
    """How the model `ref` sits under a key: ``[]`` in a list, ``.<name>`` in a mapping."""
    for branch in [prop, *prop.get("anyOf", [])]:
        if branch.get("type") == "array":
            return "[]"
        if branch.get("type") == "object" and "additionalProperties" in branch:
            return ".<name>"
    return ""


def type_text(prop: dict[str, Any]) -> str:
    """A property's type in words, models linked to their tables."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{anchor(name)})"
    if "anyOf" in prop:
        return " or ".join(type_text(branch) for branch in prop["anyOf"])
    if "enum" in prop:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    kind = prop.get("type")
    if kind == "array":
        return f"list of {type_text(prop.get('items', {}))}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
        return f"mapping of name to {type_text(prop['additionalProperties'])}"
    if isinstance(kind, str):
        return {"integer": "whole number", "object": "mapping"}.get(kind, kind)
    return "any value"


def default_text(prop: dict[str, Any], model: type[BaseModel] | None, key: str) -> str:
    """A property's default as JSON writes it (a default factory's value too), or a dash."""
    if "default" in prop:
        value = prop["default"]
    elif (
        model is not None
        and key in model.model_fields
        and not model.model_fields[key].is_required()
    ):
        made = model.model_fields[key].get_default(call_default_factory=True)
        if isinstance(made, BaseModel):
            return "each key's default"
        value = to_jsonable_python(made)
    else:
        return "—"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _model_classes() -> dict[str, type[BaseModel]]:
    """The configuration's pydantic models by the name their schema has (the class name)."""
    found: dict[str, type[BaseModel]] = {"file": ConfigDocument}
    pending = list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.split(".")[0] in ("model", "config"):
            found.setdefault(cls.__name__, cls)
    return found


def constraints_text(prop: dict[str, Any]) -> str:
    """The Field constraints of a property (and of its list items and names), in words."""
    parts: list[str] = []
    for branch in [prop, *prop.get("anyOf", [])]:
        parts += [text.format(branch[k]) for k, text in _CONSTRAINTS.items() if k in branch]
        if isinstance(branch.get("items"), dict):
            inner = constraints_text(branch["items"])
            parts += [f"each item {inner.replace('; ', ', ')}"] if inner else []
        if isinstance(branch.get("propertyNames"), dict):
            inner = constraints_text(branch["propertyNames"])
            parts += [f"names {inner.replace('; ', ', ')}"] if inner else []
        if branch.get("uniqueItems"):
            parts.append("no duplicates")
    return _cell("; ".join(parts))


def settings_section() -> Iterator[str]:
    """The stack settings (``Pulumi.<stack>.yaml``), each with its description."""
    yield "## Stack settings {#stack-settings}"
    yield ""
    yield "Set in `Pulumi.<stack>.yaml` (`pulumi config set KEY VALUE`, with `--secret` for a"
    yield "secret). Every other `descope-config:` key is a `${name}` variable for the"
    yield "configuration file and the flow and theme files."
    yield ""
    yield "| key | description |"
    yield "|---|---|"
    keys = [f"{PROVIDER_NAMESPACE}:{k}" for k in PROVIDER_SETTINGS]
    keys += [f"{PROJECT}:{k}" for k in SETTINGS]
    for key in keys:
        if key not in SETTING_DESCRIPTIONS:
            log.warning("configuration reference: stack setting %s has no description", key)
        yield f"| `{key}` | {_cell(SETTING_DESCRIPTIONS.get(key, ''))} |"
    yield ""


def limits_section() -> Iterator[str]:
    """Every limit the model enforces, each with its source."""
    yield "## Limits {#limits}"
    yield ""
    yield 'Each enforced with a message saying the limit. "ours": Descope publishes none, so'
    yield "the project chose a generous one."
    yield ""
    yield "| what | at most | source |"
    yield "|---|---|---|"
    for limit in LIMITS:
        yield f"| {limit.what} | {limit.value:,} | {limit.source} |"
    yield ""


def anchor(name: str) -> str:
    """The heading id of a model's table."""
    return name.lower()


def _cell(text: str, *, multiline: bool = False) -> str:
    """Text for a table cell (or, `multiline`, a paragraph): one line, pipes escaped."""
    flat = " ".join(text.split())
    return flat if multiline else flat.replace("|", "\\|")


# The project's layout.


def layout_page(root: Path = ROOT) -> str:
    """The project's packages and modules, each with the first paragraph of its docstring."""
    lines = [
        "# Project layout",
        "",
        "Generated from the code at every build of this site: each package and module with the",
        "first paragraph of its docstring. Layering (`lint-imports` enforces it): `config` and",
        "`providers` never import each other and both stand on `model`; `ops` joins them; the",
        "emulator imports none of them, nor does the stand-in engine (`standin`), which `ops`",
        "drives.",
        "",
        "| module | what it is |",
        "|---|---|",
    ]
    for path in sorted(root.glob("*.py")):
        lines.append(f"| `{path.name}` | {_cell(summary(path, root))} |")
    for package in packages(root):
        lines += [f"| {row} |" for row in package_rows(package, root)]
    return "\n".join([*lines, ""])


def packages(root: Path) -> list[Path]:
    """The product's top-level packages (folders with an ``__init__.py``), by name."""
    return sorted(
        p.parent
        for p in root.glob("*/__init__.py")
        if p.parent.name not in NOT_PACKAGES and not p.parent.name.startswith(".")
    )


def package_rows(package: Path, root: Path) -> Iterator[str]:
    """A package's row, then its modules' and its subpackages' (depth first)."""
    name = package.relative_to(root).as_posix()
    yield f"**`{name}/`** | **{_cell(summary(package / '__init__.py', root))}**"
    for module in sorted(package.glob("*.py")):
        if module.name != "__init__.py":
            yield f"`{name}/{module.name}` | {_cell(summary(module, root))}"
    for sub in sorted(p.parent for p in package.glob("*/__init__.py")):
        yield from package_rows(sub, root)


def summary(path: Path, root: Path) -> str:
    """The first paragraph of a module's docstring; a warning when it has none."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not docstring:
        log.warning("project layout: %s has no docstring", path.relative_to(root))
        return ""
    return " ".join(docstring.split("\n\n", 1)[0].split())
