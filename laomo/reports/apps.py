from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "laomo.reports"
    verbose_name = "统计报表"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the report export job)
