"""Importers of the studio ledgers (issue 13), on the framework of `laomo.core.importing`: the 工作室名录,
the 成果 ledger and the 师徒结对表.

A studio is created as the pages create one: its first status change (登记), its lead as a member (领衔人);
an achievement's kind comes from the data dictionary 成果类型; a 传帮带 pairing keeps its mentors (registered
workers) and apprentices (workers, or people by name and employer) as participants, its form (一带一 …) being
derived from their counts as on the pages, so the summary counts imported records like hand-entered ones.
"""

from .achievements import AchievementImporter
from .mentorships import MentorshipImporter
from .studios import StudioImporter

__all__ = ["AchievementImporter", "MentorshipImporter", "StudioImporter"]
