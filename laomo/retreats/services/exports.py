"""The participant lists a batch hands out: the agency's roster and the insurer's list. Personal details are
written in full only for the roles that may see them, and every download is audited with what it revealed."""

from __future__ import annotations

import tempfile

from laomo.core.excel import write_xlsx
from laomo.core.exports import record_export
from laomo.core.permissions import has_capability

from .. import export
from ..models import RetreatBatch


def _participant_xlsx(*, actor, batch: RetreatBatch, kind: str, what: str, headers, rows, text_columns,
                      revealed: dict):
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    count = write_xlsx(handle, headers, rows, text_columns=text_columns, sheet_name=what[:31])
    record_export(actor=actor, action=f"retreats.batch.export_{kind}", what=what, count=count, org=batch.org,
                  object_type="retreats.retreatbatch", extra={"batch": batch.pk, **revealed})
    handle.seek(0)
    return handle


def roster_export(*, actor, batch: RetreatBatch, participants):
    """名单 for the travel agency: phones and health/diet notes in full only with reveal_pii."""
    full = has_capability(actor, "reveal_pii")
    return _participant_xlsx(
        actor=actor, batch=batch, kind="roster", what=f"{batch.name}名单", headers=export.ROSTER_HEADERS,
        rows=export.roster_rows(participants, batch, full=full), text_columns=export.ROSTER_TEXT,
        revealed={"full_phone": full, "full_id_number": False, "health_notes": full})


def insurance_export(*, actor, batch: RetreatBatch, participants):
    """Insurance list: ID numbers in full with export_pii, phones in full with reveal_pii."""
    full_phone, full_id = has_capability(actor, "reveal_pii"), has_capability(actor, "export_pii")
    return _participant_xlsx(
        actor=actor, batch=batch, kind="insurance", what=f"{batch.name}保险名单", headers=export.INSURANCE_HEADERS,
        rows=export.insurance_rows(participants, batch, full_phone=full_phone, full_id=full_id),
        text_columns=export.INSURANCE_TEXT,
        revealed={"full_phone": full_phone, "full_id_number": full_id, "health_notes": False})
