"""Care's part of a life event (workers/lifeevents.py): what a death or a retirement closes in 关爱慰问.

- 去世: the worker leaves the list of every open campaign that starts after the death where nothing was paid
  (`recipient_adjust`, with the reason; a campaign under way keeps them for a visit before the death, and the
  clerk is told to check it); paid visits dated after the death are named for the clerk to check (money paid
  is never undone here); and a 吊唁 task goes to the county staff: a notification linking to the visit form
  pre-filled with the worker and the 吊唁 type, no money. The hardship database, its figures and the survey
  rounds already leave deceased workers out (`selectors.common.living`, `hardship_database`, `survey_create`).
- 退休: the worker leaves the lists of open campaigns starting after the date whose rule names the statuses and
  not 离退休.
"""

from __future__ import annotations

from django.urls import reverse

from laomo.core.services import notify
from laomo.orgs.selectors import staff_responsible_for
from laomo.workers.lifeevents import DIED, RETIRED, close_each, register_life_event

from . import services
from .models import CampaignStatus, CareRecipient, CareVisit, RecipientStatus, VisitType


def _open_recipients(worker):
    return (CareRecipient.objects.filter(worker=worker, status=RecipientStatus.INCLUDED,
                                         campaign__status=CampaignStatus.OPEN, campaign__is_deleted=False)
            .select_related("campaign").order_by("id"))


def _unpaid(recipients):
    return [r for r in recipients if not CareVisit.objects.filter(
        campaign_id=r.campaign_id, worker_id=r.worker_id, is_void=False, amount__gt=0).exists()]


def _exclude(recipients, *, actor, reason: str, failures: list[str]) -> int:
    return close_each(recipients, lambda r: services.recipient_adjust(
        actor=actor, recipient=r, status=RecipientStatus.EXCLUDED, reason=reason), failures=failures)


def condolence_task(*, worker, day) -> int:
    """The 吊唁 to-do: the county staff are told, with a link to record the condolence visit."""
    url = f"{reverse('care:visit_create')}?worker={worker.worker_no}&type={VisitType.BEREAVEMENT}"
    return notify(recipients=staff_responsible_for(worker.org),
                  text=f"吊唁任务:劳模 {worker.name} 于 {day:%Y-%m-%d} 去世,请安排吊唁慰问并登记", url=url)


@register_life_event
def care_life_event(*, worker, event: str, day, actor) -> list[str]:
    failures: list[str] = []
    out: list[str] = []
    if event == DIED:
        reason = f"劳模已于 {day:%Y-%m-%d} 去世"
        open_lists = _unpaid(_open_recipients(worker))
        # A campaign under way at the death keeps them: a visit before the death may still be recorded (money
        # after it is refused by `visit_check`). Campaigns starting after the death drop them now.
        later = [r for r in open_lists if r.campaign.start_date > day]
        excluded = _exclude(later, actor=actor, reason=reason, failures=failures)
        if excluded:
            out.append(f"移出 {excluded} 个慰问名单")
        if len(open_lists) > len(later):
            out.append(f"{len(open_lists) - len(later)} 个进行中的慰问活动名单请核查")
        paid_after = CareVisit.objects.filter(worker=worker, is_void=False, amount__gt=0, visit_date__gt=day).count()
        if paid_after:
            out.append(f"{paid_after} 条去世日期之后的慰问发放记录请核查")
        condolence_task(worker=worker, day=day)
        out.append("已生成吊唁任务")
    elif event == RETIRED:
        limited = [r for r in _open_recipients(worker) if r.campaign.start_date > day
                   and r.campaign.statuses and "retired" not in r.campaign.statuses]
        excluded = _exclude(_unpaid(limited), actor=actor, reason=f"劳模已于 {day:%Y-%m-%d} 退休,不再符合活动条件",
                            failures=failures)
        if excluded:
            out.append(f"移出 {excluded} 个慰问名单")
    out.extend(f"慰问名单未能调整:{f}" for f in failures)
    return out
