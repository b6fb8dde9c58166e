"""Importers of the outreach ledgers (issue 13), on the framework of `laomo.core.importing`: one module per
ledger kind, each `@register`ed when this package is imported (from `OutreachConfig.ready`)."""

from . import lectures, media, sessions  # noqa: F401
