"""The Descope side: reading one project and putting what it holds in the configuration's terms.

`live` is the read-only client (every call retried and read through its wire shape); `reader`
reads a whole project (tenants with settings and SSO, roles, permissions, flows, theme) into one
`ProjectSnapshot` that export, report and backup all use; `authorization`, `convert` and `sso`
turn Descope's answers into the YAML's forms.
"""
