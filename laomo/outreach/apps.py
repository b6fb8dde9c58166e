from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "laomo.outreach"
    verbose_name = "宣讲与宣传"

    def ready(self):
        from . import demo, reports, timeline  # noqa: F401  (demo step, summary section and cards, worker timeline)
