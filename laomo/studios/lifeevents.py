"""Studios' part of a death (workers/lifeevents.py): current memberships end on the date (`member_leave`) and
pairings (传帮带) in which the worker is the only mentor or the only apprentice end on it (`mentorship_update`);
each audited by its service. A studio's lead cannot leave: the clerk is told to name a new lead. New
memberships, pairings and leads are refused by `services.common.worker_error`. Retirement changes nothing
here (a retired 劳模 may keep leading a studio).
"""

from __future__ import annotations

from django.db.models import Q

from laomo.workers.lifeevents import DIED, close_each, register_life_event

from .models import MemberRole, Mentorship, StudioMember
from .services import member_leave, mentorship_update


def _sole(mentorship: Mentorship, worker) -> bool:
    role = mentorship.participants.filter(worker=worker).values_list("role", flat=True).first()
    return role is not None and mentorship.participants.filter(role=role).count() == 1


def _live_pairings(worker, day):
    return (Mentorship.objects.filter(participants__worker=worker, is_deleted=False, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)).distinct().order_by("id"))


@register_life_event
def studios_life_event(*, worker, event: str, day, actor) -> list[str]:
    if event != DIED:
        return []
    failures: list[str] = []
    out: list[str] = []
    members = list(StudioMember.objects.filter(worker=worker, left_date__isnull=True)
                   .filter(Q(joined_date__isnull=True) | Q(joined_date__lte=day)).select_related("studio"))
    leads = [m for m in members if m.role == MemberRole.LEAD and m.worker_id == m.studio.lead_id]
    left = close_each([m for m in members if m not in leads],
                      lambda m: member_leave(actor=actor, member=m, left_date=day), failures=failures)
    if left:
        out.append(f"结束 {left} 个工作室成员身份")
    out.extend(f"工作室“{m.studio.name}”的领衔人已去世,请更换领衔人" for m in leads)
    pairings = list(_live_pairings(worker, day))
    sole = [m for m in pairings if _sole(m, worker)]
    ended = close_each(sole, lambda m: mentorship_update(actor=actor, mentorship=m, end_date=day), failures=failures)
    if ended:
        out.append(f"结束 {ended} 个传帮带结对")
    if len(pairings) > len(sole):
        out.append(f"{len(pairings) - len(sole)} 个多人传帮带结对请调整人员")
    out.extend(f"工作室事项未能关闭:{f}" for f in failures)
    return out
