from django.urls import path

from . import views

app_name = "retreats"

urlpatterns = [
    path("", views.index, name="index"),
    path("batches/new/", views.batch_form, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", views.batch_form, name="batch_edit"),
    path("batches/<int:pk>/status/", views.batch_status, name="batch_status"),
    path("batches/<int:pk>/itinerary/", views.batch_itinerary, name="batch_itinerary"),
    path("batches/<int:pk>/quotas/", views.batch_quotas, name="batch_quotas"),
    path("batches/<int:pk>/nominate/", views.batch_nominate, name="batch_nominate"),
    path("batches/<int:pk>/confirm-all/", views.batch_confirm_all, name="batch_confirm_all"),
    path("batches/<int:pk>/roster.xlsx", views.batch_roster, name="batch_roster"),
    path("batches/<int:pk>/insurance.xlsx", views.batch_insurance, name="batch_insurance"),
    path("batches/<int:pk>/report/", views.batch_report, name="batch_report"),
    path("batches/<int:pk>/survey-qr/", views.batch_survey_qr, name="batch_survey_qr"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/confirm/", views.application_confirm, name="application_confirm"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/attendance/", views.application_attendance, name="application_attendance"),
    path("vendors/", views.vendor_list, name="vendors"),
    path("vendors/new/", views.vendor_form, name="vendor_create"),
    path("vendors/<int:pk>/", views.vendor_detail, name="vendor_detail"),
    path("vendors/<int:pk>/edit/", views.vendor_form, name="vendor_edit"),
    path("my/", views.my_retreats, name="my"),
    path("my/batches/<int:pk>/apply/", views.my_apply, name="my_apply"),
    path("my/applications/<int:pk>/withdraw/", views.my_withdraw, name="my_withdraw"),
    path("survey/<str:token>/", views.survey, name="survey"),
]
