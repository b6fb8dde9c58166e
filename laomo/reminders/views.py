from django.shortcuts import render
from django.utils import timezone

from laomo.core.clock import now
from laomo.core.permissions import capability_required

from . import selectors, services
from .kinds import KIND_CHOICES, KINDS


@capability_required("view_business")
def index(request):
    """待办提醒: the open reminders of the user's scope by kind, each linking to what settles it. The rows
    about to be shown are re-checked first, so a reminder settled since the daily run is gone."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    groups = selectors.grouped(user=request.user, kind=kind)
    shown = [r for g in groups for r in g["rows"]]
    if services.reminders_recheck(reminders=shown, today=timezone.localdate(now())):
        groups = selectors.grouped(user=request.user, kind=kind)
    return render(request, "reminders/index.html", {"groups": groups, "kind": kind, "kinds": KIND_CHOICES})
