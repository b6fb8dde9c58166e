"""Factories of the studios tests: everything made through the services."""

from __future__ import annotations

import importlib
import io
from datetime import date

from django.apps import apps as django_apps
from PIL import Image

from laomo.core.actors import SYSTEM
from laomo.core.models import DictItem
from laomo.studios import services
from laomo.studios.models import ACHIEVEMENT_KIND
from laomo.workers.tests.factories import make_worker


def ensure_achievement_kinds() -> None:
    """The achievement kinds migration 0003 seeds: a transactional test's flush empties the data dictionary
    (as it does the org tree, which the root `orgs` fixture puts back), so put them back the same way."""
    if not DictItem.objects.filter(kind=ACHIEVEMENT_KIND).exists():
        importlib.import_module("laomo.studios.migrations.0003_seed_achievement_kinds").seed(django_apps, None)


def worker(org, name: str, level_title: str | None = None, year: int = 2015, **fields):
    """A worker; `level_title` (e.g. 浙江省劳动模范, 莲都区劳动模范) sets their highest honor level."""
    return make_worker(org, name, honors=[(level_title, year)] if level_title else (), **fields)


def studio(org, lead, *, name: str = "测试劳模创新工作室", level: str = "municipal", founded=date(2018, 3, 1),
           actor=SYSTEM, **kwargs):
    return services.studio_create(actor=actor, org=org, name=name, studio_type=kwargs.pop("studio_type",
                                                                                          "model_worker"),
                                  level=level, lead=lead, host_enterprise=kwargs.pop("host_enterprise", "丽水某公司"),
                                  founded_date=founded, **kwargs)


def mentorship(org, mentors, apprentices, *, start=date(2022, 3, 1), end=None, actor=SYSTEM, **kwargs):
    people = [a if not isinstance(a, str) else services.Person(name=a, employer="某厂") for a in apprentices]
    return services.mentorship_create(actor=actor, org=org, title=kwargs.pop("title", "测试结对"),
                                      goals=kwargs.pop("goals", "掌握核心技能"), start_date=start, end_date=end,
                                      mentors=mentors, apprentices=people, **kwargs)


def tech_help(org, participants, *, day=date(2022, 5, 1), actor=SYSTEM, **kwargs):
    return services.tech_help_create(actor=actor, org=org, kind=kwargs.pop("kind", "training"),
                                     topic=kwargs.pop("topic", "电工技能培训"),
                                     target_type=kwargs.pop("target_type", "school"),
                                     target_name=kwargs.pop("target_name", "丽水职业技术学院"), date=day,
                                     participants=participants, **kwargs)


def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
