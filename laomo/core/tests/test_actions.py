"""The audit action enumeration (issue 12): one dialect, `<module>.<entity>.<verb>`, and nothing outside it."""

import re
from pathlib import Path

import pytest

from laomo.core import audit
from laomo.core.actions import ACTION_RE, ACTIONS, LEGACY, current_name

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""action=(f?)"([^"]+)\"""")
MODULES = {"auth", "api", "audit", "core", "orgs", "workers", "outreach", "volunteering", "studios", "care", "retreats",
           "notices", "reminders"}


def _sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, path.read_text(encoding="utf-8")


def test_it_names_every_action_in_one_dialect():
    bad = sorted(a for a in ACTIONS if not ACTION_RE.match(a) or a.split(".")[0] not in MODULES)
    assert bad == []


def test_it_knows_every_action_literal_in_the_code():
    # Actions passed any other way are checked when recorded: the suite runs with LAOMO_STRICT_ACTIONS.
    unknown = []
    for path, text in _sources():
        for is_f, name in LITERAL.findall(text):
            if is_f:
                prefix = name.split("{", 1)[0]
                if not any(a.startswith(prefix) for a in ACTIONS):
                    unknown.append(f"{path.name}: {name}")
            elif "." in name and name not in ACTIONS and name not in {"store_true", "store_false", "append"}:
                unknown.append(f"{path.name}: {name}")
    assert unknown == []


def test_it_maps_every_old_name_to_a_current_one():
    assert all(new in ACTIONS for new in LEGACY.values())
    assert current_name("care.campaign_create") == "care.campaign.create"
    assert current_name("care.campaign.create") == "care.campaign.create"


@pytest.mark.django_db
def test_it_refuses_an_unknown_action_when_strict(settings, users):
    settings.LAOMO_STRICT_ACTIONS = True
    with pytest.raises(ValueError, match="laomo.core.actions"):
        audit.record(actor=users["city_staff"], action="care.campaign_create")
    entry = audit.record(actor=users["city_staff"], action="care.campaign.create", object_repr="活动")
    assert entry.action == "care.campaign.create"
