"""core owns the tenant (Program), memberships and roles, the access mechanism that scopes every
request to one programme, the base model for tenant-owned rows, the audit trail, trash and restore,
invitations, API tokens, and the demo programme."""
