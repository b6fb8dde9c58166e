"""manage.py reminders_run [--date YYYY-MM-DD]: the daily reminder run, in the foreground."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from laomo.reminders.services import reminders_run


class Command(BaseCommand):
    help = "计算到期的待办提醒(生日、高龄慰问、季度报告、调查与报名截止、点单超时、待遇落实),并通知责任人"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算(YYYY-MM-DD),默认今天")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        counts = reminders_run(today=today)
        self.stdout.write(json.dumps({"date": today.isoformat(), **counts}, ensure_ascii=False))
