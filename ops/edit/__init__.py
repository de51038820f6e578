"""Editing the tenants YAML in place: the round-trip editor (`yaml_edit`) and the entry
editors restore uses for tenants (`tenant_entry`) and roles and permissions (`role_entry`).
"""
