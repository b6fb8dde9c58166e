"""What the outreach importers share: the unit column, bulk updates, and rows refused at plan time."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from laomo.core.importing import Column, ImportResult, Plan, Row

UNIT = Column("unit", "所属单位", ("单位", "所属工会", "组织单位", "县(市、区)", "所属地区", "地区", "填报单位"),
              example="莲都区")


class CheckedPlan:
    """Mixin for an `Importer` whose rows can only be checked against the database as a batch (a shift
    already taken by another session, a reading lower than a stored one): `conflicts` sees each batch of
    (row, item, stored record or None) and refuses rows by number; a refused item is left out of the plan,
    so a commit never meets a constraint of the database."""

    def conflicts(self, batch: list[tuple[Row, Any, Any]]) -> dict[int, str]:
        """{row number: Chinese error} for the items of `batch` that cannot be written."""
        return {}

    def _plan(self, items: list[tuple[Row, Any]], result: ImportResult) -> Plan:
        plan = Plan()
        for start in range(0, len(items), 900):
            chunk = items[start:start + 900]
            found = self.existing([self.key(item) for _, item in chunk])
            batch = [(row, item, found.get(self.key(item))) for row, item in chunk]
            refused = self.conflicts(batch)
            for number, message in refused.items():
                result.errors_by_row.setdefault(number, []).append(message)
            for row, item, record in batch:
                if row.number in refused or self.refused_with(item, refused):
                    continue
                if record is None:
                    plan.creates.append(item)
                    continue
                changes = self.changes(item, record)
                if changes:
                    plan.updates.append((item, record, changes))
                else:
                    plan.unchanged += 1
        result.rejected_rows = len(result.errors_by_row)
        return plan

    def refused_with(self, item, refused: dict[int, str]) -> bool:
        """Whether refusing these rows leaves `item` out (an item made of several rows)."""
        return False


def bulk_update(model, plan: Plan, *, batch_size: int = 1000) -> None:
    """Apply `plan.updates` ({field: value} per record) in one UPDATE per batch, `updated_at` stamped."""
    records, fields = [], {"updated_at"}
    now = timezone.now()
    for _, record, changes in plan.updates:
        for key, value in changes.items():
            setattr(record, key, value)
        record.updated_at = now
        fields.update(changes)
        records.append(record)
    if records:
        model.objects.bulk_update(records, sorted(fields), batch_size=batch_size)
