"""Every ledger kind's sample (each module's `tests/ledger_samples.py`), in the order a union imports them:
the studio register before its achievements and pairings."""

from laomo.care.tests import ledger_samples as care
from laomo.outreach.tests import ledger_samples as outreach
from laomo.retreats.tests import ledger_samples as retreats
from laomo.studios.tests import ledger_samples as studios

SAMPLES = [
    ("lectures", outreach.lectures_ledger),
    ("pre_shift_sessions", outreach.pre_shift_sessions_ledger),
    ("media", outreach.media_ledger),
    ("care_visits", care.care_visits_ledger),
    ("care_surveys", care.care_surveys_ledger),
    ("care_grants", care.care_grants_ledger),
    ("retreats", retreats.retreats_ledger),
    ("studios", studios.studios_ledger),
    ("studio_achievements", studios.studio_achievements_ledger),
    ("mentorships", studios.mentorships_ledger),
]
