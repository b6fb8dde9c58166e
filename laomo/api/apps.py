from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laomo.api"
    verbose_name = "接口"

    def ready(self):
        # Imported here, not at the top: installing the patch on ninja is a start-up step, done once when
        # the app is ready (importing the module changes nothing by itself).
        from .getter import install

        install()  # ninja's response validation with fewer Python calls per field (laomo/api/getter.py)
