"""Commands that save what Descope or the stack holds, and put it back into code: `backup`,
`stack_backup` and `restore` (reading sources, planning the edits, applying them).
"""
