"""Entries on a worker's timeline: the lectures they gave, the 班前十分钟 they led, the showcases featuring them."""

from django.urls import reverse

from laomo.core.permissions import has_capability
from laomo.workers.timeline import register_timeline

from . import selectors
from .models import LectureStatus


@register_timeline
def outreach_timeline(*, worker, user) -> list[dict]:
    linked = has_capability(user, "view_business")
    entries = []
    for lecture in selectors.lectures_of_worker(user=user, worker=worker).exclude(status=LectureStatus.CANCELLED):
        status = "" if lecture.status == LectureStatus.HELD else f"({lecture.get_status_display()})"
        audience = f",受众 {lecture.audience} 人" if lecture.status == LectureStatus.HELD else ""
        entries.append({
            "date": lecture.date, "label": "宣讲",
            "title": f"{lecture.title}{status} · {lecture.venue_name or lecture.get_venue_type_display()}{audience}",
            "url": reverse("outreach:lecture_detail", args=[lecture.pk]) if linked else "",
        })
    for session in selectors.sessions_of_worker(user=user, worker=worker):
        entries.append({
            "date": session.date, "label": "班前十分钟",
            "title": f"{session.enterprise}{session.workshop and ' ' + session.workshop}:{session.topic}",
            "url": reverse("outreach:session_detail", args=[session.pk]) if linked else "",
        })
    for showcase in selectors.showcases_of_worker(user=user, worker=worker):
        entries.append({
            "date": showcase.opened_date, "label": "风采展示",
            "title": f"入选{showcase.host_place}{showcase.name}",
            "url": reverse("outreach:showcase_detail", args=[showcase.pk]) if linked else "",
        })
    return entries
