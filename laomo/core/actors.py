"""Who acts when no person does: `SYSTEM` and `PUBLIC` instead of `actor=None`.

`actor=None` used to mean both "the system, skip the checks" (management commands, demo data, jobs) and
"an anonymous member of the public" (the portal). They are opposite: the system may do anything, the
public almost nothing. Services now take one of these two, or a real user; `None` is refused by
`laomo.core.permissions.require_edit` so that a forgotten actor is a loud error, not a skipped check.

Both behave like Django's AnonymousUser where code asks a user (`is_authenticated` is False, no pk,
no org), so audit entries and `created_by` fields stay empty for them, as they were for None.
"""

from __future__ import annotations


class _NotAUser:
    is_authenticated = False
    is_anonymous = True
    is_active = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    org = None
    org_id = None
    role_codes = frozenset()
    scope_level = "none"
    username = ""
    full_name = ""

    def __init__(self, name: str, label: str):
        self.name = name
        self.label = label

    def __repr__(self):
        return f"<{self.name}>"

    def __str__(self):
        return self.label

    def __bool__(self):
        # `if actor:` in older code read "a person acts"; neither sentinel is a person.
        return False

    def get_username(self) -> str:
        return ""

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_role(self, *roles) -> bool:
        return False


SYSTEM = _NotAUser("SYSTEM", "系统")
"""Management commands, demo data, scheduled jobs and migrations: permission checks do not apply."""

PUBLIC = _NotAUser("PUBLIC", "公众")
"""An anonymous member of the public on the portal: only what the portal's services allow the public."""


def is_system(actor) -> bool:
    return actor is SYSTEM


def is_public(actor) -> bool:
    return actor is PUBLIC


def person(actor):
    """The user behind `actor` for a `created_by`-style field: None for SYSTEM and PUBLIC."""
    return actor if getattr(actor, "is_authenticated", False) else None
