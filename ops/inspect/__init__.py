"""Commands that compare or copy a Descope project without changing it: `export` (the project
as code), `report` (how it differs from the configuration) and its SSO part (`sso_report`).
"""
