from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    # Imported when the signal fires: an app module may not import models before the registry is ready.
    from .services import sync_roles

    sync_roles()


class OrgsConfig(AppConfig):
    name = "laomo.orgs"
    verbose_name = "组织与用户"

    def ready(self):
        # Groups and their permissions follow roles.py after every migrate (the permissions of
        # core.Capability exist only once core's post_migrate has run, so hook on core's signal).
        post_migrate.connect(_sync_roles, dispatch_uid="laomo_sync_roles")
