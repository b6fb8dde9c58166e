from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "laomo.volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        from . import demo, importers, reports, timeline  # noqa: F401  (demo step, ledger importers, summary, cards, timeline)
