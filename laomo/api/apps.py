from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "laomo.api"
    verbose_name = "接口"
