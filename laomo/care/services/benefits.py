"""The benefits follow-up (劳模待遇落实): what each worker received in a year, recorded by hand, in bulk, from paid
visits, or by other modules (the retreats module records 疗休养); and the benefit types city staff configure."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.money import money_str, parse_money
from laomo.core.permissions import require_capability
from laomo.core.updates import lock
from laomo.core.years import check_year
from laomo.workers.models import Worker

from ..defaults import BENEFIT_TYPES, seed_defaults
from ..models import BenefitGrant, BenefitType, HardshipRequirement, VisitType
from .common import LIVING_STATUSES, check_edit, is_deceased_before

# --- grants -----------------------------------------------------------------------------------------------


def _check_grant(year, grant_date, amount, errors: dict):
    """The year, date and amount of a grant: (year, amount) cleaned, problems added to `errors`."""
    try:
        year = check_year(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not grant_date:
        errors["grant_date"] = "请填写落实日期。"
    elif grant_date > timezone.localdate():
        errors["grant_date"] = "落实日期不能晚于今天。"
    elif isinstance(year, int) and not year - 1 <= grant_date.year <= year + 1:
        errors["grant_date"] = f"落实日期应在{year}年前后。"
    try:
        amount = parse_money(amount, label="金额", allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return year, amount


def _grant_record(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                  source: str = "", note: str = "") -> tuple[BenefitGrant, bool]:
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    check_edit(actor, worker.org)
    source = (source or "").strip()[:64]
    errors = {}
    benefit_type = BenefitType.objects.filter(code=benefit_type_code).first()
    if benefit_type is None:
        if benefit_type_code in {row[0] for row in BENEFIT_TYPES}:  # restored after a flush of the defaults
            seed_defaults()
            benefit_type = BenefitType.objects.filter(code=benefit_type_code).first()
    if benefit_type is None:
        errors["benefit_type"] = f"未知的待遇类型“{benefit_type_code}”。"
    year, amount = _check_grant(year, grant_date, amount, errors)
    if worker.is_deleted:
        errors["worker"] = "该劳模档案已删除。"
    elif isinstance(grant_date, date) and is_deceased_before(worker, grant_date):
        errors["worker"] = f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,不能在去世后落实待遇。"
    if errors:
        raise ValidationError(errors)
    existing = BenefitGrant.objects.filter(worker=worker, benefit_type=benefit_type, year=year, source=source,
                                           is_void=False).first()
    if existing is not None:
        return existing, False
    grant = BenefitGrant(worker=worker, benefit_type=benefit_type, org=worker.org, year=year, grant_date=grant_date,
                         amount=amount, source=source, note=(note or "").strip()[:300],
                         recorded_by=person(actor))
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:  # a concurrent call recorded it first: idempotent
        return BenefitGrant.objects.get(worker=worker, benefit_type=benefit_type, year=year, source=source,
                                        is_void=False), False
    audit.record(actor=actor, action="care.grant.record", obj=grant, org=grant.org,
                 object_repr=f"{worker.name} {grant}",
                 changes={"benefit_type": benefit_type.code, "year": year, "amount": money_str(amount) if amount
                          is not None else "", "source": source})
    return grant, True


@transaction.atomic
def benefit_grant_record(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                         source: str = "", note: str = "") -> BenefitGrant:
    """Record that a worker received a benefit in a year (idempotent per worker, type, year and source).

    Called by the retreats module when a worker attends a trip: ``benefit_type_code="retreat"``,
    ``source="retreat:<batch id>"``. `actor` needs edit_business with the worker's unit in scope (SYSTEM
    passes). A second call with the same key returns the first grant unchanged.
    """
    grant, _ = _grant_record(actor=actor, worker=worker, benefit_type_code=benefit_type_code, year=year,
                             grant_date=grant_date, amount=amount, source=source, note=note)
    return grant


@transaction.atomic
def benefit_grant_add(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                      note: str = "") -> BenefitGrant:
    """A grant recorded by hand on the page: refused (not silently merged) when that year's is recorded."""
    grant, created = _grant_record(actor=actor, worker=worker, benefit_type_code=benefit_type_code, year=year,
                                   grant_date=grant_date, amount=amount, source="", note=note)
    if not created:
        raise ValidationError({"benefit_type": f"{worker.name} {year}年的“{grant.benefit_type.name}”已登记"
                                               f"({grant.grant_date:%Y-%m-%d})。"})
    return grant


@transaction.atomic
def benefit_grants_bulk_record(*, actor, workers, benefit_type_code: str, year: int, grant_date, amount=None,
                               note: str = "") -> int:
    """Record one benefit for several workers by hand (e.g. the hospital's list of this year's check-ups);
    workers already recorded for that year are skipped. One audit entry for the batch; returns how many new."""
    probe = list(workers)
    if not probe:
        raise ValidationError({"workers": "请选择劳模。"})
    for w in probe:
        check_edit(actor, w.org)
    errors = {}
    benefit_type = BenefitType.objects.filter(code=benefit_type_code, is_active=True).first()
    if benefit_type is None:
        errors["benefit_type"] = "请选择待遇。"
    year, amount = _check_grant(year, grant_date, amount, errors)
    if errors:
        raise ValidationError(errors)
    have = set(BenefitGrant.objects.filter(benefit_type=benefit_type, year=year, source="", is_void=False,
                                           worker__in=probe).values_list("worker_id", flat=True))
    rows = [BenefitGrant(worker=w, benefit_type=benefit_type, org=w.org, year=year, grant_date=grant_date,
                         amount=amount, source="", note=(note or "").strip()[:300],
                         recorded_by=person(actor))
            for w in probe if w.pk not in have and not w.is_deleted]
    BenefitGrant.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    audit.record(actor=actor, action="care.grant.bulk_record", object_type="care.benefitgrant",
                 object_repr=f"{year}年{benefit_type.name} {len(rows)} 人",
                 changes={"benefit_type": benefit_type.code, "year": year, "created": len(rows),
                          "skipped": len(probe) - len(rows), "amount": money_str(amount) if amount is not None else ""})
    return len(rows)


@transaction.atomic
def benefit_grant_void(*, actor, grant: BenefitGrant, reason: str) -> BenefitGrant:
    grant = lock(grant, "worker", "org", "benefit_type")
    check_edit(actor, grant.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因。"})
    if grant.is_void:
        raise ValidationError({"reason": "该记录已作废。"})
    if grant.source.startswith("care_visit:"):
        raise ValidationError({"reason": "该记录由慰问记录自动生成,请作废对应的慰问记录。"})
    grant.is_void, grant.void_reason, grant.voided_at = True, reason[:200], timezone.now()
    grant.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
    audit.record(actor=actor, action="care.grant.void", obj=grant, org=grant.org,
                 object_repr=f"{grant.worker.name} {grant}", changes={"reason": reason[:200]})
    return grant


# --- benefit types (shown on the data dictionary page) ---------------------------------------------------

BENEFIT_TYPE_FIELDS = ("code", "name", "min_level_rank", "statuses", "hardship", "standard_amount", "visit_types",
                       "yearly", "sort_order", "is_active", "note")


@transaction.atomic
def benefit_type_save(*, actor, benefit_type: BenefitType | None = None, **fields) -> BenefitType:
    require_capability(actor, "manage_dictionary", "数据字典")
    unknown = set(fields) - set(BENEFIT_TYPE_FIELDS)
    if unknown:
        raise TypeError(f"unknown benefit type fields {sorted(unknown)}")
    obj = benefit_type or BenefitType()
    before = {f: getattr(obj, f) for f in BENEFIT_TYPE_FIELDS} if obj.pk else {}
    if obj.pk and "code" in fields and fields["code"] != obj.code:
        raise ValidationError({"code": "代码创建后不能修改(其他模块按代码引用)。"})
    for key, value in fields.items():
        setattr(obj, key, value)
    errors = {}
    obj.name = (obj.name or "").strip()
    if not obj.name:
        errors["name"] = "请填写待遇名称。"
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", obj.code or ""):
        errors["code"] = "代码为2至32位小写字母、数字或下划线,以字母开头。"
    elif BenefitType.objects.filter(code=obj.code).exclude(pk=obj.pk).exists():
        errors["code"] = "该代码已存在。"
    if obj.min_level_rank not in (1, 2, 3, 4):
        errors["min_level_rank"] = "请选择最低荣誉级别。"
    if set(obj.statuses or []) - LIVING_STATUSES:
        errors["statuses"] = "在职状态无效。"
    if obj.hardship not in HardshipRequirement.values:
        errors["hardship"] = "困难要求无效。"
    if set(obj.visit_types or []) - set(VisitType.values):
        errors["visit_types"] = "慰问类型无效。"
    try:
        obj.standard_amount = parse_money(obj.standard_amount, field="standard_amount", label="标准金额",
                                          allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    obj.save()
    after = {f: getattr(obj, f) for f in BENEFIT_TYPE_FIELDS}
    audit.record(actor=actor, action="care.benefit_type.save", obj=obj, org=None,
                 changes=audit.diff(before, {k: (money_str(v) if isinstance(v, Decimal) else v)
                                             for k, v in after.items()}))
    return obj
