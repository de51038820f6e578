"""Pulumi dynamic providers for Descope: tenants, their SSO configurations, flows and the project
theme.

Modules are imported by the provider host by reference (module + class name), so they must not
be moved or renamed, and must have no import-time side effects.
"""
