"""The demo's reminders: today's run over the demo data, so 待办提醒 and the dashboard card are not empty."""

from django.utils import timezone

from laomo.core.demo import demo_step

from .services import reminders_run


@demo_step(90, "待办提醒(按今天计算一次)")
def demo_reminders(ctx):
    reminders_run(today=timezone.localdate())
