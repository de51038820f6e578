"""The flows resource: see :mod:`emulator.resources`."""
