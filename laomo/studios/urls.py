from django.urls import path

from . import views

app_name = "studios"

urlpatterns = [
    path("", views.studio_list, name="index"),
    path("new/", views.studio_create, name="create"),
    path("me/", views.my_studios, name="me"),
    path("me/mentorships/<int:pk>/checkin/", views.my_checkin, name="my_checkin"),
    path("worker-search/", views.worker_search, name="worker_search"),
    path("<int:pk>/", views.studio_detail, name="detail"),
    path("<int:pk>/edit/", views.studio_edit, name="edit"),
    path("<int:pk>/status/", views.studio_status, name="status"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member_leave"),
    path("<int:pk>/projects/add/", views.project_add, name="project_add"),
    path("<int:pk>/projects/<int:project_pk>/close/", views.project_close, name="project_close"),
    path("<int:pk>/achievements/add/", views.achievement_add, name="achievement_add"),
    path("<int:pk>/reports/add/", views.report_add, name="report_add"),
    path("<int:pk>/assessments/add/", views.assessment_add, name="assessment_add"),
    path("achievements/", views.achievement_list, name="achievement_list"),
    path("achievements/<int:pk>/evidence/", views.achievement_evidence, name="achievement_evidence"),
    path("achievements/<int:pk>/evidence/upload/", views.achievement_evidence_upload,
         name="achievement_evidence_upload"),
    path("achievements/<int:pk>/withdraw/", views.achievement_withdraw, name="achievement_withdraw"),
    path("mentorships/", views.mentorship_list, name="mentorship_list"),
    path("mentorships/new/", views.mentorship_create, name="mentorship_create"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship_detail"),
    path("mentorships/<int:pk>/edit/", views.mentorship_edit, name="mentorship_edit"),
    path("mentorships/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("mentorships/<int:pk>/participants/<int:participant_pk>/remove/", views.participant_remove,
         name="participant_remove"),
    path("mentorships/<int:pk>/checkins/add/", views.checkin_add, name="checkin_add"),
    path("mentorships/<int:pk>/outcomes/add/", views.outcome_add, name="outcome_add"),
    path("mentorships/<int:pk>/delete/", views.mentorship_delete, name="mentorship_delete"),
    path("tech-help/", views.tech_help_list, name="tech_help_list"),
    path("tech-help/new/", views.tech_help_create, name="tech_help_create"),
    path("tech-help/<int:pk>/", views.tech_help_detail, name="tech_help_detail"),
    path("tech-help/<int:pk>/edit/", views.tech_help_edit, name="tech_help_edit"),
    path("tech-help/<int:pk>/delete/", views.tech_help_delete, name="tech_help_delete"),
]
