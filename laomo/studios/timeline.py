"""Entries of the studios module on a worker's timeline (their studios, results, pairings and technical help)."""

from datetime import date

from django.urls import reverse

from laomo.core.permissions import has_capability
from laomo.workers.timeline import register_timeline

from .models import (
    MemberRole,
    Mentorship,
    MentorshipOutcome,
    MentorshipParticipant,
    Studio,
    StudioAchievement,
    StudioMember,
    TechHelpActivity,
)
from .selectors import achievement_base, mentorship_base, studio_base, tech_help_base, with_kind_labels


@register_timeline
def studios_timeline(*, worker, user) -> list[dict]:
    staff = has_capability(user, "view_business")
    if not staff and not (worker.user_id and worker.user_id == user.pk):
        return []
    if staff:
        studios, achievements = studio_base(user), achievement_base(user)
        mentorships, activities = mentorship_base(user), tech_help_base(user)
    else:  # the worker's own timeline
        studios, achievements = Studio.objects.all(), StudioAchievement.objects.filter(is_deleted=False)
        mentorships = Mentorship.objects.filter(is_deleted=False)
        activities = TechHelpActivity.objects.filter(is_deleted=False)
    me = reverse("studios:me")

    def link(name: str, pk: int) -> str:
        return reverse(name, args=[pk]) if staff else me

    entries: list[dict] = []
    for s in studios.filter(lead=worker).only("id", "name", "founded_date"):
        entries.append({"date": s.founded_date, "label": "创新工作室", "title": f"领衔{s.name}",
                        "url": link("studios:detail", s.pk)})
    for m in (StudioMember.objects.filter(worker=worker, studio__in=studios).exclude(role=MemberRole.LEAD)
              .select_related("studio")):
        entries.append({"date": m.joined_date, "label": "创新工作室", "title": f"加入{m.studio.name}",
                        "url": link("studios:detail", m.studio_id)})
    mine = achievements.filter(credited__worker=worker).select_related("studio").distinct()
    for a in with_kind_labels(mine):
        entries.append({"date": a.achieved_date, "label": "创新成果",
                        "title": f"{a.kind_label}:{a.title}({a.studio.name})",
                        "url": link("studios:detail", a.studio_id)})
    for p in MentorshipParticipant.objects.filter(worker=worker, mentorship__in=mentorships).select_related(
            "mentorship"):
        entries.append({"date": p.mentorship.start_date, "label": "传帮带",
                        "title": f"作为{p.get_role_display()}参加“{p.mentorship.title}”",
                        "url": link("studios:mentorship_detail", p.mentorship_id)})
    for o in MentorshipOutcome.objects.filter(apprentice__worker=worker, mentorship__in=mentorships):
        entries.append({"date": o.achieved_date, "label": "传帮带", "title": f"{o.get_kind_display()}:{o.result}",
                        "url": link("studios:mentorship_detail", o.mentorship_id)})
    for t in activities.filter(participants=worker).only("id", "date", "kind", "topic", "target_name"):
        entries.append({"date": t.date, "label": "技术服务",
                        "title": f"{t.get_kind_display()}:{t.topic}({t.target_name})",
                        "url": link("studios:tech_help_detail", t.pk)})
    return [e for e in entries if e["date"] is None or isinstance(e["date"], date)]
