from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "laomo.volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        from . import demo, importers, lifeevents, reports, timeline  # noqa: F401  (demo, imports, life events, summary, timeline)
