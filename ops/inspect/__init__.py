"""Commands that compare or copy a Descope project without changing it: `export` (the project
as code) and `report` (how it differs from the configuration: comparing, showing, and its SSO
part).
"""
