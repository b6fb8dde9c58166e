from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "laomo.notices"
    verbose_name = "文件下发"

    def ready(self):
        from . import demo  # noqa: F401  (demo step)
