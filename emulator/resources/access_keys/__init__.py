"""The access keys resource: see :mod:`emulator.resources`."""
