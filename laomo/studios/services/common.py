"""What every write of the studios module shares: the edit check, people picked from the registry, the small
field checks and the dry run behind inline validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from laomo.core.actors import is_system
from laomo.core.permissions import require_edit
from laomo.core.scope import org_in_scope
from laomo.workers.models import EmploymentStatus

WHAT = "创新工作室与传帮带数据"


def check_may_edit(actor, org) -> None:
    """The one edit check of the module (capability, then the unit in the actor's scope)."""
    require_edit(actor, org, WHAT)


def worker_error(actor, worker, *, allow_deceased: bool = False) -> str:
    """Why `worker` cannot be picked by `actor` ('' when it can)."""
    if worker is None or worker.is_deleted:
        return "劳模不存在。"
    if not is_system(actor) and not org_in_scope(actor, worker.org):
        return f"劳模 {worker.name} 不在您的数据范围内。"
    if not allow_deceased and worker.employment_status == EmploymentStatus.DECEASED:
        return f"劳模 {worker.name} 已去世,不能选为此项人员。"
    return ""


def studio_out_of_scope(actor, studio) -> bool:
    """A studio a record is attached to must be in the actor's scope (the system may attach any)."""
    return not is_system(actor) and not org_in_scope(actor, studio.org)


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def required(errors: dict, field: str, value, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, message)


def not_future(errors: dict, field: str, value: date | None, label: str) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, f"{label}不能晚于今天。")


def iso(value):
    return value.isoformat() if isinstance(value, date) else (str(value) if isinstance(value, Decimal) else value)


def dry_run(fn, **kwargs) -> ValidationError | None:
    """Run a service and roll it back: the same checks as a real save, for inline validation of forms."""

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            fn(**kwargs)
            raise _Rollback
    except _Rollback:
        return None
    except ValidationError as exc:
        return exc
