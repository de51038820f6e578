"""Commands that run the program or act on Descope: preview/up/refresh/destroy (`verbs`), the
demo and the emulator (`demo`), and the SSO Setup Suite link (`sso_link`).
"""
