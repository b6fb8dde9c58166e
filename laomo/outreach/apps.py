from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

# The platforms migration 0002 seeded (they became dictionary entries "p<id>" in 0003).
PLATFORMS = ["之江教育汇", "学习强国", "微信视频号", "微信公众号", "抖音", "丽水电视台", "浙江工人日报"]


def _seed_platforms(sender, apps=None, using="default", **kwargs):
    # After a test flush, which empties the data dictionary the migrations seeded (care and studios reseed
    # theirs the same way). Only into an empty list: platforms a clerk removed or renamed stay as they are.
    if using != "default":
        return
    apps = apps or global_apps  # a flush sends no `apps`: the models as they are now
    try:
        DictItem = apps.get_model("core", "DictItem")
    except LookupError:  # a partial migrate before the dictionary exists
        return
    if DictItem.objects.filter(kind="platform").exists():
        return
    DictItem.objects.bulk_create([DictItem(kind="platform", code=f"p{order}", label=name, sort_order=order * 10)
                                  for order, name in enumerate(PLATFORMS, start=1)])


class OutreachConfig(AppConfig):
    name = "laomo.outreach"
    verbose_name = "宣讲与宣传"

    def ready(self):
        # Imported once the app registry is ready (they import models): the demo step, the summary section and
        # cards, the worker timeline, and the data dictionary's list of platforms.
        from laomo.core import dictionary

        from . import demo, importers, reports, timeline  # noqa: F401
        from .models import PLATFORM_KIND

        dictionary.register_kind(PLATFORM_KIND, "传播平台", module="宣传宣讲")
        post_migrate.connect(_seed_platforms, sender=self, dispatch_uid="laomo_outreach_seed_platforms")
