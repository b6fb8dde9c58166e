from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "laomo.retreats"
    verbose_name = "疗休养"

    def ready(self):
        from . import demo, reports  # noqa: F401  (demo step, summary section, dashboard cards, timeline)
