"""Role-matrix samples for the studios URLs (read by laomo/core/tests/test_role_matrix.py)."""

from datetime import date

from laomo.core.actors import SYSTEM
from laomo.core.testing import pk_samples
from laomo.studios import services
from laomo.workers.services import worker_create

from .factories import ensure_achievement_kinds

SAMPLES = {
    **pk_samples("studio",
                 "studios:detail", "studios:edit", "studios:status", "studios:member_add", "studios:project_add",
                 "studios:achievement_add", "studios:report_add", "studios:assessment_add"),
    "studios:member_leave": lambda f: {"pk": f["studio"].pk, "member_pk": f["studio_member"].pk},
    "studios:project_close": lambda f: {"pk": f["studio"].pk, "project_pk": f["studio_project"].pk},
    **pk_samples("achievement",
                 "studios:achievement_evidence", "studios:achievement_evidence_upload", "studios:achievement_withdraw"),
    **pk_samples("mentorship",
                 "studios:mentorship_detail", "studios:mentorship_edit", "studios:participant_add",
                 "studios:checkin_add", "studios:outcome_add", "studios:mentorship_delete", "studios:my_checkin"),
    "studios:participant_remove": lambda f: {"pk": f["mentorship"].pk, "participant_pk": f["apprentice"].pk},
    **pk_samples("tech_help", "studios:tech_help_detail", "studios:tech_help_edit", "studios:tech_help_delete"),
}


def build(f) -> dict:
    ensure_achievement_kinds()
    org = f["orgs"]["331102"]
    lead = f["worker"]
    other = worker_create(actor=f["users"]["county_staff"], org=org, name="李师傅")
    studio = services.studio_create(actor=SYSTEM, org=org, name="矩阵测试工作室", studio_type="model_worker",
                                    level="municipal", lead=lead, host_enterprise="丽水某公司",
                                    founded_date=date(2020, 5, 1))
    member = services.member_add(actor=SYSTEM, studio=studio, worker=other)
    project = services.project_add(actor=SYSTEM, studio=studio, title="攻关", start_date=date(2021, 1, 5))
    achievement = services.achievement_add(actor=SYSTEM, studio=studio, kind="innovation", title="工装改进",
                                           achieved_date=date(2021, 6, 1), credited=[member])
    mentorship = services.mentorship_create(
        actor=SYSTEM, org=org, title="矩阵结对", goals="掌握技能", start_date=date(2021, 3, 1), mentors=[lead],
        apprentices=[services.Person(name="王小明", employer="某厂"), other])
    apprentice = mentorship.participants.get(worker=other)
    tech_help = services.tech_help_create(actor=SYSTEM, org=org, kind="training", topic="电工培训",
                                          target_type="school", target_name="丽水职业技术学院",
                                          date=date(2022, 4, 1), participants=[lead], trainees_count=30)
    return {"studio": studio, "studio_member": member, "studio_project": project, "achievement": achievement,
            "mentorship": mentorship, "apprentice": apprentice, "tech_help": tech_help}
