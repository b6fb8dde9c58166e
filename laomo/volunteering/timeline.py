"""A worker's service on their timeline (registry detail page and the worker's own profile)."""

from django.urls import reverse

from laomo.workers.timeline import register_timeline

from .models import ServiceHours
from .selectors import record_base


@register_timeline
def service_timeline(*, worker, user):
    rows = (ServiceHours.objects.filter(worker=worker, record__in=record_base(user))
            .select_related("record", "record__team", "record__mobilization").order_by("-record__date")[:200])
    out = []
    for h in rows:
        r = h.record
        where = r.team.name if r.team_id else (r.mobilization.name if r.mobilization_id else "志愿服务")
        out.append({"date": r.date, "label": "志愿服务",
                    "title": f"{where}:{r.place},服务 {r.person_times} 人次,本人 {h.hours} 小时",
                    "url": reverse("volunteering:record_detail", args=[r.pk])})
    return out
