from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job_download"),
    path("year/", views.set_year, name="set_year"),
    path("setup/", views.golive_checklist, name="golive_checklist"),
    path("notifications/", views.notifications, name="notifications"),
]
