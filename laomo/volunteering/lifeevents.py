"""Volunteering's part of a death (workers/lifeevents.py): open team memberships end on the date
(`member_remove`) and requests dispatched to the worker go back to the queue for another dispatch
(`request_release`), each audited by its service. New dispatches and service records after the date are
refused (`requests._check_assignee`, `history`). Retirement changes nothing here.
"""

from __future__ import annotations

from laomo.workers.lifeevents import DIED, close_each, register_life_event

from .models import ASSIGNED_STATUSES, ServiceRequest, TeamMember
from .services import member_remove, request_release


@register_life_event
def volunteering_life_event(*, worker, event: str, day, actor) -> list[str]:
    if event != DIED:
        return []
    failures: list[str] = []
    out: list[str] = []
    members = TeamMember.objects.filter(worker=worker, is_active=True).select_related("team").order_by("id")
    left = close_each(members, lambda m: member_remove(
        actor=actor, member=m, left_on=max(day, m.joined_on), reason=f"劳模已于 {day:%Y-%m-%d} 去世"),
        failures=failures)
    if left:
        out.append(f"结束 {left} 个服务队队员身份")
    requests = ServiceRequest.objects.filter(worker=worker, status__in=ASSIGNED_STATUSES).order_by("id")
    released = close_each(requests, lambda r: request_release(
        actor=actor, request=r, reason=f"受派劳模已于 {day:%Y-%m-%d} 去世"), failures=failures)
    if released:
        out.append(f"退回 {released} 个点单待重新派单")
    out.extend(f"志愿服务事项未能关闭:{f}" for f in failures)
    return out
