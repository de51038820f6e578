"""`export`: an existing Descope project, written as this project's configuration.

Writes the tenants YAML (every tenant with its settings, marked ``adopt: true`` so the first
``pulumi up`` takes over the existing tenants instead of failing on them), one normalised
JSON file per flow (``<flowsDir>/<flow id>.json``) and the theme (``<flowsDir>/theme.json``).
Values are written as Descope holds them; nothing is factored into ``defaults:``. Output is
deterministic: exporting an unchanged project again gives the same bytes.

The files are checked with `config.load_configuration` before anything is written, and no
existing file is overwritten without ``--force``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from config import ConfigurationErrors, dump_tenants_yaml, load_configuration
from model import TenantSpec, normalise_theme
from ops.convert import flow_text, spec_from_descope
from ops.errors import OpsError
from ops.files import json_text, write_atomic
from ops.live import Descope, connect
from ops.stack import StackSettings

THEME_FILE = "theme.json"


@dataclass(frozen=True)
class ExportFiles:
    """The text of every file to write: the YAML, and flow/theme files by name."""

    yaml: str
    flow_files: dict[str, str]
    """File name (in the flows folder) -> text; the theme file included."""
    tenant_count: int
    flow_count: int


@dataclass(frozen=True)
class _FileRef:
    """A flow or theme entry for the YAML writer."""

    id: str
    file: Path
    delete_on_remove: bool = False


def build_export(descope: Descope) -> ExportFiles:
    """Read the project and render the files."""
    tenants = [
        TenantSpec.model_validate(
            {**spec_from_descope(tenant, descope.settings(str(tenant["id"]))), "adopt": True}
        )
        for tenant in descope.tenants()
    ]
    files: dict[str, str] = {}
    flows: list[_FileRef] = []
    for flow_id in descope.flow_ids():
        export = descope.flow(flow_id)
        if export is None:  # deleted while we were reading
            continue
        name = f"{flow_id}.json"
        files[name] = flow_text(export)
        flows.append(_FileRef(flow_id, Path(name)))
    theme_name = THEME_FILE if THEME_FILE not in files else "project-theme.json"
    files[theme_name] = json_text({"theme": normalise_theme(descope.theme())})
    text = dump_tenants_yaml(
        tenants,
        flows,
        _FileRef("theme", Path(theme_name)),
        comment=(
            f"Exported from Descope project {descope.project_id} by `python -m ops export`.\n"
            "Every tenant is marked adopt: true: the first `pulumi up` manages the existing\n"
            "tenant instead of failing because it exists. Flow and theme files are resolved\n"
            "against the stack's flowsDir (else this file's folder)."
        ),
    )
    return ExportFiles(text, files, len(tenants), len(flows))


def validate(files: ExportFiles, variables: dict[str, str]) -> None:
    """Load the rendered files with the configuration loader, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="descope-export-") as scratch:
        root = Path(scratch)
        (root / "flows").mkdir()
        for name, text in files.flow_files.items():
            (root / "flows" / name).write_text(text, encoding="utf-8")
        (root / "tenants.yaml").write_text(files.yaml, encoding="utf-8")
        try:
            load_configuration(root / "tenants.yaml", variables=variables, flows_dir=root / "flows")
        except ConfigurationErrors as exc:
            raise OpsError(
                "The exported configuration does not validate, so nothing was written. This is "
                f"a bug in the export; please report it with these problems:\n{exc}"
            ) from None


def write_export(files: ExportFiles, out: Path, flows_dir: Path, *, force: bool) -> list[Path]:
    """Write every file; refuses (writing nothing) if any exists, unless `force`."""
    targets = {out: files.yaml} | {flows_dir / n: t for n, t in files.flow_files.items()}
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise OpsError(
            f"Not overwriting existing files: {', '.join(existing)}. Pass --force to replace "
            "them, or choose another --out / --flows-dir."
        )
    return [write_atomic(path, text) for path, text in targets.items()]


def run(
    stack: StackSettings, *, out: Path | None = None, flows_dir: Path | None = None, force: bool
) -> int:
    target = out or stack.tenants_file
    flows_target = flows_dir or stack.files_base
    descope = connect(stack)
    files = build_export(descope)
    validate(files, stack.variables)
    written = write_export(files, target, flows_target, force=force)
    load_configuration(target, variables=stack.variables, flows_dir=flows_target)
    print(
        f"Exported Descope project {descope.project_id}: {files.tenant_count} tenant(s), "
        f"{files.flow_count} flow(s) and the theme; the configuration validates."
    )
    for path in written:
        print(f"  wrote {path}")
    if flows_target.resolve() != stack.files_base.resolve():
        print(
            f"  The flow files are in {flows_target}: set descope-config:flowsDir to that "
            f"folder in {stack.file.name} to use them with stack {stack.name}."
        )
    print("Next: review the files, then `pulumi preview` to see the stack adopt them.")
    return 0
