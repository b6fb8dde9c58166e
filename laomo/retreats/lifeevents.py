"""Retreats' part of a life event (workers/lifeevents.py): open registrations of batches that start after the
date are withdrawn with the reason, through `application_withdraw` (audited; a freed seat goes to the waitlist).

- 去世: every open registration (待审核, 已确定, 候补) of a batch starting after the death date.
- 退休: the same, for batches whose rule names the employment statuses and not 离退休.
New registrations are refused by the eligibility rules (`rules.evaluate`: deceased, employment statuses).
"""

from __future__ import annotations

from laomo.workers.lifeevents import DIED, RETIRED, close_each, register_life_event
from laomo.workers.models import EmploymentStatus

from .models import BatchStatus, RetreatApplication
from .services import application_withdraw

OPEN = ("pending", "confirmed", "waitlisted")


def _open_after(worker, day):
    return (RetreatApplication.objects.filter(
        worker=worker, status__in=OPEN, batch__start_date__gt=day, batch__is_deleted=False,
        batch__status__in=(BatchStatus.PLANNED, BatchStatus.OPEN, BatchStatus.CONFIRMED))
        .select_related("batch").order_by("batch__start_date", "id"))


@register_life_event
def retreats_life_event(*, worker, event: str, day, actor) -> list[str]:
    apps = list(_open_after(worker, day))
    if event == DIED:
        reason = f"劳模已于 {day:%Y-%m-%d} 去世"
    elif event == RETIRED:
        apps = [a for a in apps if a.batch.employment_statuses
                and EmploymentStatus.RETIRED not in a.batch.employment_statuses]
        reason = f"劳模已于 {day:%Y-%m-%d} 退休,不再符合本批次在职状态要求"
    else:
        return []
    failures: list[str] = []
    done = close_each(apps, lambda a: application_withdraw(actor=actor, application=a, reason=reason),
                      failures=failures)
    return ([f"已撤回 {done} 项疗休养报名"] if done else []) + [f"疗休养报名未能撤回:{f}" for f in failures]
