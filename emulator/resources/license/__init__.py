"""The license resource: see :mod:`emulator.resources`."""
