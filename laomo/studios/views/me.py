"""The “查找劳模” helper of the forms, and a worker's own page (phone-sized self-service)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.web import run_action
from laomo.workers.selectors import worker_for_user

from .. import selectors, services
from ..forms import CheckinForm
from ..models import ParticipantRole


@capability_required("edit_business")
def worker_search(request):
    """The “查找劳模” helper: candidates by name, pinyin or number; a click puts the number into the field."""
    target = request.GET.get("target", "")
    if not re.fullmatch(r"id_[a-z_]+", target):
        target = ""
    workers = selectors.worker_search(user=request.user, q=request.GET.get("q", ""))
    return render(request, "studios/partials/worker_candidates.html", {
        "workers": workers, "target": target, "multi": request.GET.get("multi") == "1",
        "q": request.GET.get("q", "")})


def _my_mentorships(worker) -> list:
    today = timezone.localdate()
    mentorships = list(selectors.my_mentorships(worker))
    for m in mentorships:
        m.i_am_mentor = any(p.worker_id == worker.pk and p.role == ParticipantRole.MENTOR
                            for p in m.participants.all())
        m.can_log = m.i_am_mentor and m.start_date <= today and (m.end_date is None or m.end_date >= today)
        m.checkin_form = CheckinForm(auto_id=f"id_m{m.pk}_%s", initial={"date": today})
    return mentorships


@login_required
def my_studios(request):
    """A worker's own studios, pairings and technical help (phone-sized); mentors log their sessions here."""
    worker = worker_for_user(request.user)
    ctx = {"worker": worker}
    if worker is not None:
        ctx.update({"studios": selectors.my_studios(worker), "mentorships": _my_mentorships(worker),
                    "tech_help": selectors.my_tech_help(worker), "today": timezone.localdate()})
    return render(request, "studios/my_studios.html", ctx)


@require_POST
@login_required
def my_checkin(request, pk):
    worker = worker_for_user(request.user)
    mentorship = selectors.my_mentorships(worker).filter(pk=pk).first() if worker is not None else None
    if mentorship is None:
        raise Http404("结对不存在")
    form = CheckinForm(request.POST)
    return run_action(request, lambda: services.checkin_add(actor=request.user, mentorship=mentorship,
                                                            **form.cleaned_data),
                      form=form, success="已记录本次带徒情况。", redirect_to="studios:me")
