"""Every ledger kind's sample (each module's `tests/ledger_samples.py`), in the order a union imports them:
the service teams before their records and requests, the studio register before its achievements and pairings.
Figures several ledgers add to (a completed request writes a service record) are summed by the test."""

from laomo.care.tests import ledger_samples as care
from laomo.outreach.tests import ledger_samples as outreach
from laomo.retreats.tests import ledger_samples as retreats
from laomo.studios.tests import ledger_samples as studios
from laomo.volunteering.tests import ledger_samples as volunteering

SAMPLES = [
    ("lectures", outreach.lectures_ledger),
    ("pre_shift_sessions", outreach.pre_shift_sessions_ledger),
    ("media", outreach.media_ledger),
    ("service_teams", volunteering.service_teams_ledger),
    ("service_records", volunteering.service_records_ledger),
    ("service_requests", volunteering.service_requests_ledger),
    ("care_visits", care.care_visits_ledger),
    ("care_surveys", care.care_surveys_ledger),
    ("care_grants", care.care_grants_ledger),
    ("retreats", retreats.retreats_ledger),
    ("studios", studios.studios_ledger),
    ("studio_achievements", studios.studio_achievements_ledger),
    ("mentorships", studios.mentorships_ledger),
]
