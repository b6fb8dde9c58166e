"""Entries of 关爱劳模 on a worker's timeline: visits, surveys and benefit grants.

Amounts are shown to the roles that handle money (edit_business: city and county staff) and to the worker on
their own timeline, never to viewers. Hardship levels and the type of a hardship or illness visit are
hardship/health details: shown only to roles that may reveal PII (a viewer sees a neutral entry).
"""

from django.urls import reverse

from laomo.core.money import money_display
from laomo.core.permissions import has_capability
from laomo.workers.timeline import register_timeline

from .models import BenefitGrant, CareVisit, HardshipSurvey, SurveyStatus, VisitType

SENSITIVE_VISIT_TYPES = {VisitType.HARDSHIP, VisitType.ILLNESS}


@register_timeline
def care_timeline(*, worker, user):
    own = worker.user_id is not None and worker.user_id == user.pk
    if not own and not has_capability(user, "view_business"):
        return []
    money = own or has_capability(user, "edit_business")
    details = has_capability(user, "reveal_pii")
    staff = has_capability(user, "edit_business")
    entries = []
    for v in CareVisit.objects.filter(worker=worker, is_void=False).select_related("campaign").order_by("-visit_date"):
        if details or own or v.visit_type not in SENSITIVE_VISIT_TYPES:
            title = v.campaign.name if v.campaign_id else v.get_visit_type_display()
        else:
            title = "慰问"
        title = f"{title} · {v.get_method_display()}"
        if money and v.amount > 0:
            title += f" · 慰问金 ¥{money_display(v.amount)}"
        if v.goods and (money or details):
            title += f" · {v.goods}"
        entries.append({"date": v.visit_date, "label": "慰问", "title": title,
                        "url": reverse("care:visit_detail", args=[v.pk]) if staff else ""})
    surveys = (HardshipSurvey.objects.filter(worker=worker, is_deleted=False)
               .exclude(status=SurveyStatus.DRAFT).select_related("round"))
    for s in surveys:
        title = f"{s.round.name} · {s.get_verification_method_display()}"
        if details:
            title += f" · {s.get_status_display()}"
            if s.status == SurveyStatus.APPROVED:
                title += f" · {s.get_hardship_level_display()}"
        entries.append({"date": s.survey_date, "label": "调查走访", "title": title,
                        "url": reverse("care:survey_detail", args=[s.pk]) if staff else ""})
    for g in BenefitGrant.objects.filter(worker=worker, is_void=False).select_related("benefit_type"):
        if g.benefit_type.hardship and not (details or own):
            continue
        title = f"{g.year}年{g.benefit_type.name}"
        if money and g.amount:
            title += f" · ¥{money_display(g.amount)}"
        entries.append({"date": g.grant_date, "label": "待遇落实", "title": title,
                        "url": reverse("care:grant_list") + f"?q={worker.worker_no}" if staff else ""})
    return entries
