from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "laomo.core"
    verbose_name = "基础"

    def ready(self):
        from . import (
            auth_events,  # noqa: F401  (login/logout/lockout audit receivers)
            jobs,  # noqa: F401  (registers the huey tasks and the consumer's start-up hook)
            keycheck,  # registers the key check (a system check)
        )

        post_migrate.connect(keycheck.on_post_migrate, sender=self)
