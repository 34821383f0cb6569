"""Who may see and change what: principals and scopes, accounts, the audit trail, backups."""
