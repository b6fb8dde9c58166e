from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "laomo.outreach"
    verbose_name = "宣讲与宣传"

    def ready(self):
        # Imported once the app registry is ready (they import models): the demo step, the summary section and
        # cards, the worker timeline, and the data dictionary's list of platforms.
        from laomo.core import dictionary

        from . import demo, importers, reports, timeline  # noqa: F401
        from .models import PLATFORM_KIND

        dictionary.register_kind(PLATFORM_KIND, "传播平台", module="宣传宣讲")
