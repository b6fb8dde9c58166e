from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_defaults(sender, **kwargs):
    # After every migrate and every test flush: the default benefit types and lists (idempotent).
    from django.db import DEFAULT_DB_ALIAS

    from .defaults import seed_defaults

    if kwargs.get("using", DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
        seed_defaults()


class CareConfig(AppConfig):
    name = "laomo.care"
    verbose_name = "关爱劳模"

    def ready(self):
        from . import demo, reports, timeline  # noqa: F401  (demo step, summary section and cards, timeline)

        post_migrate.connect(_seed_defaults, sender=self, dispatch_uid="laomo_care_seed_defaults")
