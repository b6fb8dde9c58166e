from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.summary_page, name="summary"),
    path("export/", views.summary_export, name="summary_export"),
    path("records/", views.records, name="records"),
    path("annual/", views.annual_report, name="annual_report"),
    path("provincial/", views.provincial_return, name="provincial_return"),
]
