"""The daily run in the job consumer (huey), at 06:10 local time."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import reminders_run

log = logging.getLogger("laomo.reminders")


@db_periodic_task(crontab(hour="6", minute="10"))
def reminders_daily_task() -> None:
    counts = reminders_run(today=timezone.localdate())
    log.info("reminders: %s", counts)
