from django.urls import path

from . import views, views_card, views_review

app_name = "workers"

urlpatterns = [
    path("", views.worker_list, name="list"),
    path("new/", views.worker_create, name="create"),
    path("me/", views.my_profile, name="me"),
    path("quality/", views.quality, name="quality"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<uuid:job_id>/", views.import_result, name="import_result"),
    path("import/<uuid:job_id>/commit/", views.import_commit, name="import_commit"),
    path("decisions/", views.decision_upload, name="decisions"),
    path("decisions/apply/", views.decision_apply, name="decision_apply"),
    path("submissions/", views_review.submission_list, name="submissions"),
    path("submissions/<int:pk>/", views_review.submission_detail, name="submission"),
    path("submissions/<int:pk>/edit/", views_review.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/approve/", views_review.submission_approve, name="submission_approve"),
    path("submissions/<int:pk>/return/", views_review.submission_return, name="submission_return"),
    path("submissions/<int:pk>/withdraw/", views_review.submission_withdraw, name="submission_withdraw"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("<int:pk>/history/", views_review.worker_history, name="history"),
    path("<int:pk>/edit/", views.worker_edit, name="edit"),
    path("<int:pk>/status/", views.worker_status, name="status"),
    path("<int:pk>/reveal/<str:field>/", views.worker_reveal, name="reveal"),
    path("<int:pk>/honors/add/", views.honor_add, name="honor_add"),
    path("<int:pk>/honors/<int:honor_pk>/delete/", views.honor_remove, name="honor_remove"),
    path("<int:pk>/grant-login/", views.worker_grant_login, name="grant_login"),
    path("<int:pk>/card/", views_card.worker_card, name="card"),
    path("<int:pk>/card.pdf", views_card.worker_card_pdf, name="card_pdf"),
    path("<int:pk>/photo/", views_card.worker_photo, name="photo"),
]
