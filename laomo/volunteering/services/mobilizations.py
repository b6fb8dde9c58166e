"""Emergency and special mobilizations (应急/专项行动): their posts and the roster of workers on duty."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from laomo.core import audit
from laomo.core.permissions import require_edit
from laomo.core.scope import ensure_org_in_scope
from laomo.core.services import notify
from laomo.core.updates import lock, model_update
from laomo.orgs.models import OrgUnit

from ..models import Mobilization, MobilizationPost, RosterEntry
from .common import WHAT, text, today

MOBILIZATION_FIELDS = ("name", "kind", "team_type", "start_date", "end_date", "area", "description")


def _validate_mobilization(m: Mobilization) -> None:
    if m.end_date and m.end_date < m.start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
    if m.start_date > today() + timedelta(days=30):
        raise ValidationError({"start_date": "开始日期过远,请核对。"})


@transaction.atomic
def mobilization_create(*, actor, org: OrgUnit, name: str, kind: str, team_type: str, start_date: date, area: str,
                        end_date: date | None = None, description: str = "", posts=()) -> Mobilization:
    require_edit(actor, org, WHAT)
    m = Mobilization(org=org, name=text(name, "name", "行动名称", 100), kind=kind, team_type=team_type,
                     start_date=start_date, end_date=end_date, area=text(area, "area", "区域", 200),
                     description=(description or "").strip())
    _validate_mobilization(m)
    m.full_clean()
    m.save()
    for post in posts:
        MobilizationPost.objects.create(mobilization=m, name=post[:100])
    audit.record(actor=actor, action="volunteering.mobilization.create", obj=m, org=org,
                 changes={"name": m.name, "kind": kind, "start_date": start_date.isoformat(), "area": m.area})
    return m


def _clean_mobilization(m: Mobilization) -> None:
    _validate_mobilization(m)
    records = m.records.filter(is_deleted=False)
    if records.exclude(date__gte=m.start_date).exists() or (
            m.end_date and records.filter(date__gt=m.end_date).exists()):
        raise ValidationError({"end_date": "已有服务记录的日期不在新的行动期间内。"})
    m.full_clean()


def mobilization_update(*, actor, mobilization: Mobilization, **changes) -> Mobilization:
    data = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    return model_update(mobilization, fields=MOBILIZATION_FIELDS, data=data, actor=actor,
                        action="volunteering.mobilization.update", what=WHAT, clean=_clean_mobilization)


@transaction.atomic
def post_add(*, actor, mobilization: Mobilization, name: str, place: str = "", note: str = "") -> MobilizationPost:
    require_edit(actor, mobilization.org, WHAT)
    name = text(name, "name", "点位/任务名称", 100)
    if mobilization.posts.filter(name=name).exists():
        raise ValidationError({"name": "已有同名点位/任务。"})
    post = MobilizationPost.objects.create(mobilization=mobilization, name=name, place=(place or "").strip()[:200],
                                           note=(note or "").strip()[:300])
    audit.record(actor=actor, action="volunteering.mobilization.post_add", obj=mobilization, org=mobilization.org,
                 changes={"post": name})
    return post


def _check_duty(mobilization: Mobilization, *, worker, post, duty_from: date, duty_to: date) -> None:
    if post is not None and post.mobilization_id != mobilization.pk:
        raise ValidationError({"post": "点位不属于本行动。"})
    if duty_to < duty_from:
        raise ValidationError({"duty_to": "值守结束日期不能早于开始日期。"})
    if duty_from < mobilization.start_date or (mobilization.end_date and duty_to > mobilization.end_date):
        raise ValidationError({"duty_from": "值守日期须在行动期间内。"})
    if RosterEntry.objects.filter(mobilization=mobilization, worker=worker, post=post, is_active=True).exists():
        raise ValidationError({"worker": f"{worker.name} 已在该点位的值守名单中。"})


@transaction.atomic
def roster_add(*, actor, mobilization: Mobilization, worker, duty_from: date, duty_to: date,
               post: MobilizationPost | None = None, role: str = "") -> RosterEntry:
    require_edit(actor, mobilization.org, WHAT)
    ensure_org_in_scope(actor, worker.org)
    _check_duty(mobilization, worker=worker, post=post, duty_from=duty_from, duty_to=duty_to)
    entry = RosterEntry.objects.create(mobilization=mobilization, worker=worker, post=post, duty_from=duty_from,
                                       duty_to=duty_to, role=(role or "").strip()[:50])
    audit.record(actor=actor, action="volunteering.mobilization.roster_add", obj=mobilization, org=mobilization.org,
                 changes={"worker_no": worker.worker_no, "post": post.name if post else "",
                          "duty": f"{duty_from}~{duty_to}"})
    if worker.user_id:
        notify(recipients=[worker.user], text=f"您已列入“{mobilization.name}”值守名单({duty_from:%m-%d}起)",
               url=reverse("volunteering:me"))
    return entry


@transaction.atomic
def roster_remove(*, actor, entry: RosterEntry, reason: str) -> RosterEntry:
    entry = lock(entry, "mobilization__org", "worker")
    require_edit(actor, entry.mobilization.org, WHAT)
    reason = text(reason, "reason", "移出原因", 200)
    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="volunteering.mobilization.roster_remove", obj=entry.mobilization,
                 org=entry.mobilization.org, changes={"worker_no": entry.worker.worker_no, "reason": reason})
    return entry
