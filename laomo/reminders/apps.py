from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "laomo.reminders"
    verbose_name = "待办提醒"

    def ready(self):
        from . import cards, demo, tasks  # noqa: F401  (the dashboard card, the demo step, the daily huey task)
