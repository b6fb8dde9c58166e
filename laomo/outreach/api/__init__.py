"""/api/v1 endpoints of 宣讲与宣传: lectures, media items (+ readings, pick-ups), 班前十分钟, campaigns, showcases.

Scoped by the token's user through the same selectors and services as the pages; one module a sub-domain, all
on one router (`laomo.outreach.api.router`), registered in the order imported here. The schemas are re-exported
(`laomo.outreach.api.CampaignIn`) as they were when the API was one module."""

from .campaigns import CampaignIn, CampaignOut, CampaignPage, CampaignPatch
from .common import router
from .lectures import LectureIn, LectureOut, LecturePage, LecturePatch, PhotoOut, SpeakerIO
from .media import MediaIn, MediaOut, MediaPage, MediaPatch, PickupIn, PickupOut, ReadingIn, ReadingOut
from .sessions import SessionBatchIn, SessionBatchOut, SessionIn, SessionOut, SessionPage, SessionPatch
from .showcases import ShowcaseIn, ShowcaseOut, ShowcasePage, ShowcasePatch

__all__ = [
    "router", "CampaignIn", "CampaignOut", "CampaignPage", "CampaignPatch", "LectureIn", "LectureOut",
    "LecturePage", "LecturePatch", "MediaIn", "MediaOut", "MediaPage", "MediaPatch", "PhotoOut", "PickupIn",
    "PickupOut", "ReadingIn", "ReadingOut", "SessionBatchIn", "SessionBatchOut", "SessionIn", "SessionOut",
    "SessionPage", "SessionPatch", "ShowcaseIn", "ShowcaseOut", "ShowcasePage", "ShowcasePatch", "SpeakerIO",
]
