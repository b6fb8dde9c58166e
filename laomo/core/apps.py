from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "laomo.core"
    verbose_name = "基础"

    def ready(self):
        from . import (
            auth_events,  # noqa: F401  (login/logout/lockout audit receivers)
            jobs,  # noqa: F401  (registers the huey task)
            lookups,  # noqa: F401  (integer __in ignores ids no column can hold)
        )
