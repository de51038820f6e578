"""The project configuration in the data file: ``project``, every section but
``attributes.tenant`` (the definitions are ``tenantAttributes``'). Written only when it is not
a fresh project's, so files of projects that never wrote it stay as they were."""

from __future__ import annotations

from typing import Any

from emulator.resources.infra.models import ProjectConfiguration, fresh_data

__all__ = ["KEY", "configuration_json", "install_configuration", "parse_configuration"]

KEY = "project"
JsonDict = dict[str, Any]


def configuration_json(configuration: ProjectConfiguration) -> JsonDict:
    """``{"project": {...}}``, or nothing for a fresh project's configuration."""
    return {} if configuration.data == fresh_data() else {KEY: configuration.data}


def parse_configuration(data: Any) -> JsonDict:
    """The file's ``project`` (a fresh project's when absent); ValueError when not an object."""
    if data is None:
        return fresh_data()
    if not isinstance(data, dict):
        raise ValueError(f'"{KEY}" must be an object (the project configuration)')
    return data


def install_configuration(configuration: ProjectConfiguration, data: JsonDict) -> None:
    """Hold the parsed configuration in place of the one in force."""
    with configuration.context.lock:
        configuration.data = data
