from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laomo.api"
    verbose_name = "接口"

    def ready(self):
        from .getter import install

        install()  # ninja's response validation with fewer Python calls per field (laomo/api/getter.py)
