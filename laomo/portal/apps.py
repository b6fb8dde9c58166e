from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "laomo.portal"
    verbose_name = "公众门户"
