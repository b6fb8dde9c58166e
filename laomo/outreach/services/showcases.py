"""风采展示区 with the workers they feature (photos: see lectures.photo_add)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.updates import model_update, snapshot, soft_delete

from ..models import HostType, Showcase
from .common import WHAT, check_edit, text, worker_id, workers_allowed

SHOWCASE_FIELDS = ("name", "host_type", "host_place", "org", "opened_date", "closed_date", "address", "description")


def _clean_showcase(s: Showcase) -> None:
    errors = {}
    s.name, s.host_place, s.address, s.description = text(s.name), text(s.host_place), text(s.address), text(
        s.description)
    if not s.name:
        errors["name"] = "请填写展示区名称。"
    if s.host_type not in HostType.values:
        errors["host_type"] = "请选择场所类型。"
    if not s.host_place:
        errors["host_place"] = "请填写所在场所(如:庆元县工人文化宫)。"
    if s.opened_date is None:
        errors["opened_date"] = "请填写开放日期。"
    if s.closed_date is not None:
        if s.closed_date > timezone.localdate():
            errors["closed_date"] = "撤展日期不能晚于今天。"
        elif s.opened_date and s.closed_date < s.opened_date:
            errors["closed_date"] = "撤展日期不能早于开放日期。"
    if errors:
        raise ValidationError(errors)


def _featured(actor, workers, showcase: Showcase | None = None) -> dict:
    ids = [worker_id(w) for w in workers or []]
    already = set(showcase.featured_workers.values_list("pk", flat=True)) if showcase and showcase.pk else set()
    return workers_allowed(actor, ids, already=already, field="featured_workers") if ids else {}


def showcase_check(*, actor, featured_workers=None, showcase: Showcase | None = None, **data) -> None:
    errors = {}
    try:
        _clean_showcase(Showcase(**{k: v for k, v in data.items() if k in SHOWCASE_FIELDS}))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _featured(actor, featured_workers, showcase)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _showcase_snapshot(s: Showcase, workers: dict | None = None) -> dict:
    snap = snapshot(s, SHOWCASE_FIELDS)
    numbers = [w.worker_no for w in workers.values()] if workers is not None else s.featured_workers.values_list(
        "worker_no", flat=True)
    snap["featured_workers"] = sorted(numbers)
    return snap


@transaction.atomic
def showcase_create(*, actor, org, name: str, host_type: str, host_place: str, opened_date: date,
                    closed_date: date | None = None, address: str = "", description: str = "",
                    featured_workers=()) -> Showcase:
    check_edit(actor, org)
    showcase = Showcase(org=org, name=name, host_type=host_type, host_place=host_place, opened_date=opened_date,
                        closed_date=closed_date, address=address, description=description)
    _clean_showcase(showcase)
    workers = _featured(actor, featured_workers)
    showcase.save()
    showcase.featured_workers.set(list(workers.values()))
    audit.record(actor=actor, action="outreach.showcase.create", obj=showcase, org=org,
                 changes=_showcase_snapshot(showcase))
    return showcase


@transaction.atomic
def showcase_update(*, actor, showcase: Showcase, featured_workers=None, **changes) -> Showcase:
    """The showcase's fields through `model_update`; its featured workers (when given) set after the save, the
    audit diff showing the new ones."""
    chosen: dict = {}

    def clean(obj: Showcase) -> None:
        _clean_showcase(obj)
        if featured_workers is not None:
            chosen["workers"] = _featured(actor, featured_workers, obj)

    showcase = model_update(showcase, fields=SHOWCASE_FIELDS, data=changes, actor=actor,
                            action="outreach.showcase.update", what=WHAT, clean=clean,
                            snap=lambda obj: _showcase_snapshot(obj, chosen.get("workers")))
    if "workers" in chosen:
        showcase.featured_workers.set(list(chosen["workers"].values()))
    return showcase


def showcase_delete(*, actor, showcase: Showcase, reason: str) -> Showcase:
    return soft_delete(showcase, actor=actor, action="outreach.showcase.delete", reason=reason, what=WHAT)
