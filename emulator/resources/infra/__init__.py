"""The project configuration resource (``/v1/mgmt/infra``): see :mod:`emulator.resources`."""
