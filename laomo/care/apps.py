from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

from .defaults import seed_defaults


def _seed_defaults(sender, **kwargs):
    # After every migrate and every test flush: the default benefit types and lists (idempotent). Skipped
    # after a partial migrate whose state lacks the tables (`migrate care 0003` before core's dictionary).
    if kwargs.get("using", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
        return
    state = kwargs.get("apps")
    if state is not None:
        try:
            state.get_model("core", "DictItem")
            state.get_model("care", "BenefitType")
        except LookupError:
            return
    seed_defaults()


class CareConfig(AppConfig):
    name = "laomo.care"
    verbose_name = "关爱劳模"

    def ready(self):
        # Models (and what imports them) load only once the registry is ready: the lists, the benefit types'
        # panel on the dictionary page, the ledger importers, the demo step, the summary section and cards, the
        # timeline.
        from laomo.core import dictionary

        from . import demo, importers, lifeevents, reports, timeline  # noqa: F401
        from .models import DictKind
        from .views import benefit_types_panel

        dictionary.register_kind(DictKind.HARDSHIP_CAUSE.value, DictKind.HARDSHIP_CAUSE.label, module="关爱慰问",
                                 flags={"severe": "重大致困因素"},
                                 help="人均收入低于标准且有重大致困因素时评为特殊困难")
        dictionary.register_kind(DictKind.HEALTH_CATEGORY.value, DictKind.HEALTH_CATEGORY.label, module="关爱慰问")
        dictionary.register_panel("劳模待遇类型", "care/partials/benefit_types_panel.html", benefit_types_panel)
        post_migrate.connect(_seed_defaults, sender=self, dispatch_uid="laomo_care_seed_defaults")
