from django.apps import AppConfig


class RetreatsConfig(AppConfig):
    name = "laomo.retreats"
    verbose_name = "疗休养"

    def ready(self):
        from . import demo, importers, reports  # noqa: F401  (demo step, ledger import, summary section, cards, timeline)
