from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "laomo.retreats"
    verbose_name = "疗休养"

    def ready(self):
        from . import demo, importers, lifeevents, reports  # noqa: F401  (demo, ledger import, life events, summary, cards, timeline)
