from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laomo.api"
    verbose_name = "接口"

    def ready(self):
        # Imported once the app registry is ready: it patches ninja, whose schemas import the models.
        from .getter import install

        install()  # ninja's response validation with fewer Python calls per field (laomo/api/getter.py)
