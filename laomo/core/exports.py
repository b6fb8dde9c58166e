"""The one export service: every spreadsheet a person downloads is written here and audited (DESIGN.md §5).

Views call `laomo.core.web.xlsx_response`, which calls `export_xlsx`; the API's exports call it too. The
audit entry names what was exported, how many rows and the filter that chose them, never the rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence

from . import audit
from .excel import write_xlsx


def record_export(*, actor, action: str, what: str, count: int, query: str = "", object_type: str = "",
                  org=None, extra: dict | None = None) -> None:
    """The audit entry of one export (for exports written by a module's own writer)."""
    audit.record(actor=actor, action=action, object_type=object_type or what, org=org,
                 object_repr=f"{what} {count} 条", changes={"rows": count, "query": (query or "")[:500],
                                                                                    **(extra or {})})


def export_xlsx(*, actor, action: str, what: str, headers: Sequence[str] | None = None,
                rows: Iterable[Sequence] | None = None, text_columns=(), write: Callable | None = None,
                query: str = "", object_type: str = "", org=None):
    """Write the workbook to a temporary file and audit it; returns (file positioned at 0, row count).

    Either `headers` + `rows` (one sheet, via `write_xlsx`) or `write(file) -> count` (a module's own
    layout: a payment sheet, a roster with merged headers). The file is deleted when closed.
    """
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    if write is not None:
        count = write(handle)
        if isinstance(count, tuple):
            count = count[0]
    else:
        count = write_xlsx(handle, headers, rows, text_columns=text_columns, sheet_name=what[:31])
    record_export(actor=actor, action=action, what=what, count=count, query=query, object_type=object_type, org=org)
    handle.seek(0)
    return handle, count
